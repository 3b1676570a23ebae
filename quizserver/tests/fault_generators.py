"""Two generators for the fault tests (quizserver/tests/test_faults.py), registered by importing this
module: the fault site (``quizserver.tests.fault_site``) imports it, and a worker gets it with
``celery -A quizserver worker -I quizserver.tests.fault_generators``. Nothing else imports it, so
the site's registry never holds them.

Both ask the toy product a·b (``quizzes.tests.toy_generators.Product``):

- ``toy_counted`` counts its solves across processes, as files ``1``, ``2``, ... in the folder
  named by ``QUIZSERVER_TEST_SOLVE_MARKS``, and the solve numbered ``QUIZSERVER_TEST_SOLVE_HANG_AT``
  never returns: a test waits for that file, then knows exactly where the worker is (mid-batch).
- ``toy_hangs`` never returns from solving (a generator stuck in a loop); only the solve task's
  time limit stops it.
"""

import os
import time
from pathlib import Path

from compute import generators
from quizzes.tests.toy_generators import Product

HANG_SECONDS = 3600.0


def hang() -> None:
    """Sleep for an hour: longer than any test waits, interruptible by a time limit's signal."""
    time.sleep(HANG_SECONDS)


def mark_solve() -> int:
    """Record one solve as the next numbered file in ``QUIZSERVER_TEST_SOLVE_MARKS``; its number
    (0 without the variable). Exclusive creation, so two processes never take the same number."""
    folder = os.environ.get("QUIZSERVER_TEST_SOLVE_MARKS")
    if not folder:
        return 0
    number = len(os.listdir(folder)) + 1
    while True:
        try:
            os.close(os.open(Path(folder) / str(number), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            return number
        except FileExistsError:
            number += 1


class Counted(Product):
    slug, title = "toy_counted", "Product, counted"

    def solve(self, params, config, device="cpu"):
        number, hang_at = mark_solve(), os.environ.get("QUIZSERVER_TEST_SOLVE_HANG_AT", "")
        if hang_at and number == int(hang_at):
            hang()
        return super().solve(params, config, device)


class Hangs(Product):
    slug, title = "toy_hangs", "Product, never solved"

    def solve(self, params, config, device="cpu"):
        hang()
        return super().solve(params, config, device)


FAULT_GENERATORS = (Counted, Hangs)

for generator in FAULT_GENERATORS:
    generators.REGISTRY[generator.slug] = generator()
