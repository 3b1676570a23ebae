#!/usr/bin/env bash
# One short script for a GPU machine: the CUDA tests, then the compute benchmark on cpu and cuda.
# Runs with the project's venv, or with a plain python3 that has torch (a GPU image without
# Django: the compute tests need none, so the project's conftest is skipped there).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
NOCONFTEST=""
"$PY" -c "import django" 2>/dev/null || NOCONFTEST="--noconftest"
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
"$PY" -m pytest -q -p no:cacheprovider $NOCONFTEST compute/tests/test_device.py compute/tests/test_tolerance.py compute/tests/test_batch.py
"$PY" bench/compute.py --quick --device cpu
"$PY" bench/compute.py --quick --device cuda
