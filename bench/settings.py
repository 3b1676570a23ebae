"""Settings for ``bench/load.py`` only: the project's settings, plus the floor page and a cheap
password hasher. Nothing here ships: production runs ``quizserver.settings``.

- ``bench.floor_app``: the floor (a bare login-required page) served by the same processes;
- MD5 password hashing, so that creating and logging in hundreds of students takes milliseconds
  (the default PBKDF2 costs ~0.3 s of CPU per login, which would measure the hasher, not the site);
- ``STATIC_ROOT`` from ``QUIZSERVER_BENCH_STATIC_ROOT`` (the benchmark's temporary collectstatic).
"""

import os

from quizserver.settings import *  # noqa: F403 (the very settings production runs, from the environment)
from quizserver.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.floor_app"]
ROOT_URLCONF = "bench.floor_app.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT = os.environ["QUIZSERVER_BENCH_STATIC_ROOT"]
