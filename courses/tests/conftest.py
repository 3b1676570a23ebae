"""Fixtures of the courses tests: a migrated SQLite file that separate processes share."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shared_site(tmp_path_factory):
    """A function running ``python <args>`` in the project as a separate process (its own
    in-process cache, as a gunicorn worker has) on one migrated SQLite file, returning its last
    line of output; it fails the test when the process fails."""
    env = {**os.environ, "SQLITE_PATH": str(tmp_path_factory.mktemp("site") / "db.sqlite3"),
           "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "quizserver.settings", "LOGIN_FAILURE_LIMIT": "5"}
    for name in ("CACHE_URL", "DATABASE_URL"):
        env.pop(name, None)

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def finish(process: subprocess.Popen) -> str:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err[-3000:]
        return out.strip().splitlines()[-1] if out.strip() else ""

    def run(*args: str) -> str:
        return finish(start(*args))

    run("manage.py", "migrate", "-v0")
    run.start, run.finish = start, finish
    return run
