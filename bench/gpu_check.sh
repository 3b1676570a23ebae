#!/usr/bin/env bash
# One short script for a GPU machine: the CUDA tests, then the compute benchmark on cpu and cuda.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
"$PY" -m pytest -q compute/tests/test_device.py -p no:cacheprovider
"$PY" bench/compute.py --quick --device cpu
"$PY" bench/compute.py --quick --device cuda
