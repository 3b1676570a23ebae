import pytest

# Plain asserts in the shared checks report their values like those in the test modules.
pytest.register_assert_rewrite("compute.tests.generator_checks")
