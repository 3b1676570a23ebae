"""compute/config.py: settings renamed when their numbering moved from 1-based to 0-based."""

import pytest

from compute.config import ConfigError, Field, Renamed, Schema, legacy_index

SCHEMA = Schema((Field("size", "int", 3, "Entries.", min=1, max=5),
                 Field("index", "int", 0, "Which entry (from 0).", min=0, max=4)),
                renamed=(Renamed("unit", "index"),))


def test_an_old_one_based_setting_means_the_same_entry():
    assert SCHEMA.clean({"unit": 2}) == {"size": 3, "index": 1, "fixed": {}}
    assert SCHEMA.clean({"index": 2})["index"] == 2


def test_old_and_new_name_together_or_a_bad_old_value_is_refused():
    with pytest.raises(ConfigError, match="give only “index”"):
        SCHEMA.clean({"unit": 2, "index": 1})
    with pytest.raises(ConfigError, match="must be a whole number"):
        SCHEMA.clean({"unit": 1.5})
    with pytest.raises(ConfigError, match="at least 0"):
        SCHEMA.clean({"unit": 0})  # 1-based, so 0 was never valid


def test_a_config_cleaned_before_the_rename_reads_as_0_based():
    rename = SCHEMA.renamed[0]
    assert legacy_index({"unit": 2}, "index", rename) == 1
    assert legacy_index({"index": 2}, "index", rename) == 2
