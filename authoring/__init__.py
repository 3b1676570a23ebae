"""Course content in and out: courses as files in git (and later Moodle XML / GIFT)."""
