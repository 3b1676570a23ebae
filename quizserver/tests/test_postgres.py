"""The service and view tests once more on PostgreSQL, the production database.

Runs them in a child pytest with ``DATABASE_URL`` pointing at the local server (127.0.0.1:5432,
trust auth). Skips with a reason where no PostgreSQL answers; fails instead under CI=true.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
# A database name of this run's own: two suites on one machine (two clones, two people) must not
# create and drop the same test database under each other.
URL = os.environ.get("QUIZSERVER_TEST_POSTGRES_URL", f"postgres://postgres@127.0.0.1:5432/quizserver_{os.getpid()}")


def postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.postgres
def test_services_and_views_pass_on_postgresql():
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("this run already uses PostgreSQL")
    if not postgres_answers():
        skip_or_fail("PostgreSQL is not running on 127.0.0.1:5432")
    tests = ["quizzes/tests/test_submissions.py", "quizzes/tests/test_views.py", "quizzes/tests/test_admin.py",
             "quizzes/tests/test_computed.py",
             "quizzes/tests/test_robustness.py",
             "courses/tests/test_rate_limits.py"]  # the counters' upsert is raw SQL: run it on PostgreSQL too
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--create-db", *tests],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": URL},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout.splitlines()[-1]
