"""The benchmarks still run against today's schema and code (tiny sizes; nothing is timed here)."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]


def run_bench(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def test_export_benchmark_runs():
    out = run_bench("bench/export.py", "--rows", "3000", "--rounds", "1")
    assert "rows/s" in out


def test_precompute_benchmark_runs():
    out = run_bench("bench/precompute.py", "--students", "20", "--questions", "2", "--repeat", "1")
    assert "variants/s" in out and "torch imported: False" in out


@pytest.mark.parametrize(("part", "expected"), [("batched", "variants/s"), ("carried", "later steps graded carried")])
def test_compute_benchmark_runs(part, expected):
    out = run_bench("bench/compute.py", "--quick", "--part", part)
    assert expected in out


# --- bench/load.py: needs PostgreSQL and Redis on their usual local ports ---------------------------

TABLE_LINE = re.compile(r"^(login|mixed|alone) +(\S.*?) +(\d+) +\d+\.\d ", re.M)  # phase, type, count


def service_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.postgres
def test_load_benchmark_runs_and_its_count_check_passes():
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379)):
        if not service_answers(port):
            skip_or_fail(f"{name} is not running on 127.0.0.1:{port}")
    out = run_bench("bench/load.py", "--quick")
    counts = {(phase, kind): int(count) for phase, kind, count in TABLE_LINE.findall(out)}
    for key in (("login", "login"), ("mixed", "course"), ("mixed", "progress"), ("alone", "floor"),
                ("alone", "course"), ("alone", "quiz"), ("alone", "answer"), ("alone", "progress")):
        assert counts.get(key, 0) > 0, f"no {key} line with requests in:\n{out}"
    for prefix in ("quiz", "answer "):  # quiz: first views or not; answers: of every kind
        assert sum(n for (phase, kind), n in counts.items() if phase == "mixed" and kind.startswith(prefix)) > 0, out
    assert "logged in: 8 of 8 students through the login page" in out, out
    assert re.search(r"^count check: [1-9]\d* acknowledged answers .*still pending 0: PASS$", out, re.M), out
    # Multi-step answers, graded by the Celery worker: the time to their feedback was measured.
    assert counts.get(("mixed", "answer multi-step"), 0) > 0, out
    assert counts.get(("mixed", "multi-step feedback"), 0) > 0, out
    feedback = re.search(r"^multi-step feedback: (\d+) samples .*p95 (\d+|inf) ms.*: (PASS|FAIL)$", out, re.M)
    assert feedback, out
    assert int(feedback.group(1)) == counts[("mixed", "multi-step feedback")], out
    assert (feedback.group(3) == "PASS") == (float(feedback.group(2)) < 1000), out
