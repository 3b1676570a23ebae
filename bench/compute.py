"""Compute benchmark (no Django): single-variant latency per generator against its plain-torch floor,
and batched throughput of mlp_backward against a bare batched-autograd floor.

    .venv/bin/python bench/compute.py [--quick] [--part single|batched] [--device cuda] [--threads N]

(a) For every registered generator with a floor in bench/floors/*.py: p50 of
    ``generator.generate(seed, {})`` against p50 of ``run(*make_inputs(params))`` for the same
    params (tensor creation included in both), timed alternately seed by seed after a warm-up.
    PASS when the ratio is ≤ 2.0 (and, for mlp_backward, generate's p50 ≤ 300 µs).
(b) 100,000 mlp_backward variants through ``generate_columns`` + ``to_rows`` (sampling and the
    conversion to stored rows included): variants/s (target ≥ 1,000,000/s) and the share of a
    bare batched forward+backward on pre-made tensors (target ≥ 50%). Medians of repetitions.
(c) Carried-error grading of one 8-step multi-step answer, in process, against plain torch's forward +
    backward of the same chain (bench/carried.py): PASS when its p50 ≤ 5 ms.
"""

import argparse
import gc
import importlib
import os
import pkgutil
import platform
import statistics
import sys
import time
from pathlib import Path

# Run as a script, this file's folder would come first on sys.path and shadow the ``compute`` package.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import numpy as np  # noqa: E402
import torch  # noqa: E402

import bench.floors  # noqa: E402
from bench.carried import carried_table  # noqa: E402
from compute.batch import generate_columns, to_rows  # noqa: E402
from compute.device import DeviceError, device_name  # noqa: E402
from compute.generators import REGISTRY  # noqa: E402

RATIO_LIMIT = 2.0
ABSOLUTE_LIMIT_US = {"mlp_backward": 300.0}
THROUGHPUT_TARGET = 1_000_000
FLOOR_SHARE_TARGET = 0.5


def load_floors() -> tuple[dict, list[str]]:
    """All FLOORS dicts of bench/floors/*.py, and notes on modules that failed to import."""
    floors, notes = {}, []
    for info in pkgutil.iter_modules(bench.floors.__path__):
        try:
            module = importlib.import_module(f"bench.floors.{info.name}")
        except Exception as error:  # another helper's floor may be half-written: report, go on
            notes.append(f"bench/floors/{info.name}.py does not import: {type(error).__name__}: {error}")
            continue
        floors.update(getattr(module, "FLOORS", {}))
    return floors, notes


def on_device(inputs: tuple, device: str) -> tuple:
    """make_inputs' CPU tensors (also inside lists) moved to ``device``, still leaves with the same
    requires_grad; shape-only ``meta`` tensors stay as they are."""
    if device == "cpu":
        return inputs

    def move(t):
        if isinstance(t, list):
            return [move(item) for item in t]
        if not isinstance(t, torch.Tensor) or t.is_meta:
            return t
        return t.detach().to(device).requires_grad_(t.requires_grad)

    return tuple(move(t) for t in inputs)


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def micro(ns: float) -> float:
    return ns / 1000.0


def single_latency(slug: str, floor, seeds: list[int], device: str) -> dict:
    """p50 µs of generate and of the floor, timed alternately per seed after a warm-up."""
    generator = REGISTRY[slug]
    config = generator.clean_config({})
    make_inputs, run = floor
    params = [generator.sample(seed, config) for seed in seeds]
    for seed, p in zip(seeds[:30], params[:30], strict=True):
        generator.generate(seed, {}, device)
        run(*on_device(make_inputs(p), device))
    ours, base = [], []
    for seed, p in zip(seeds, params, strict=True):
        start = time.perf_counter_ns()
        generator.generate(seed, {}, device)
        middle = time.perf_counter_ns()
        run(*on_device(make_inputs(p), device))
        sync(device)
        base.append(time.perf_counter_ns() - middle)
        ours.append(middle - start)
    return {"generate": micro(statistics.median(ours)), "floor": micro(statistics.median(base))}


def stages(slug: str, seeds: list[int], device: str) -> dict:
    """p50 µs of generate's stages, each timed in sequence as generate runs them."""
    generator = REGISTRY[slug]
    times = {"clean_config": [], "sample": [], "solve": [], "finish": []}
    for seed in seeds:
        t0 = time.perf_counter_ns()
        config = generator.clean_config({})
        t1 = time.perf_counter_ns()
        params = generator.sample(seed, config)
        t2 = time.perf_counter_ns()
        solved = generator.solve(params, config, device)
        t3 = time.perf_counter_ns()
        generator.finish(seed, config, params, solved)
        t4 = time.perf_counter_ns()
        for name, ns in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            times[name].append(ns)
    return {name: micro(statistics.median(ns)) for name, ns in times.items()}


def batched_floor(params: dict, device: str):
    """A bare batched forward+backward (bmm) for mlp_backward's default question on pre-made tensors."""
    f64 = torch.float64

    def tensor(name, shape, grad=False):
        return torch.tensor(params[name], dtype=f64, device=device).reshape(shape).requires_grad_(grad)

    size, hidden = params["W1"].shape[:2]
    x, W1 = tensor("x", (size, 2, 1)), tensor("W1", (size, hidden, 2), grad=True)
    b1, W2 = tensor("b1", (size, hidden, 1)), tensor("W2", (size, 1, hidden))
    b2, y = tensor("b2", (size, 1, 1)), tensor("y", (size, 1, 1))

    def run():
        yhat = torch.baddbmm(b2, W2, torch.sigmoid(torch.baddbmm(b1, W1, x)))
        grad = torch.autograd.grad(((yhat - y) ** 2).sum(), W1)[0]
        sync(device)
        return grad

    return run


def batched(size: int, repeats: int, device: str) -> dict:
    generator = REGISTRY["mlp_backward"]
    seeds = np.random.default_rng(1).integers(0, 2**62, size=size)
    generate_columns(generator, seeds[:1000], {}, device)  # warm-up
    columns_s, rows_s, totals = [], [], []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        columns = generate_columns(generator, seeds, {}, device)
        middle = time.perf_counter()
        rows = to_rows(columns)
        end = time.perf_counter()
        assert len(rows) == size
        del rows, columns  # freeing 100,000 rows is not timed
        columns_s.append(middle - start)
        rows_s.append(end - middle)
        totals.append(end - start)
    run = batched_floor(generator.sample_params(seeds, generator.clean_config({})), device)
    run()
    floor_s = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        floor_s.append(time.perf_counter() - start)
    total, floor = statistics.median(totals), statistics.median(floor_s)
    return {"columns": statistics.median(columns_s), "rows": statistics.median(rows_s), "total": total,
            "floor": floor, "rate": size / total, "floor_rate": size / floor, "share": floor / total}


def environment(device: str) -> str:
    where = torch.cuda.get_device_name() if device == "cuda" else (platform.processor() or platform.machine())
    return (f"python {platform.python_version()}, torch {torch.__version__}, numpy {np.__version__}, "
            f"device {device} ({where}), torch threads {torch.get_num_threads()}, cpus {os.cpu_count()}")


def single_table(seeds: list[int], floors: dict, notes: list[str], device: str) -> int:
    failures = 0
    print(f"\n(a) single variant, p50 over {len(seeds)} seeds: generate(seed, {{}}) vs "
          "run(*make_inputs(params))")
    print(f"{'generator':28} {'generate µs':>12} {'floor µs':>10} {'ratio':>7}  verdict")
    for slug in sorted(REGISTRY):
        if slug not in floors:
            print(f"{slug:28} {'':>12} {'':>10} {'':>7}  skipped: no floor in bench/floors")
            continue
        try:
            result = single_latency(slug, floors[slug], seeds, device)
        except Exception as error:  # a broken generator or floor is reported, not fatal to the table
            print(f"{slug:28} ERROR {type(error).__name__}: {error}")
            failures += 1
            continue
        ratio = result["generate"] / result["floor"]
        limit = ABSOLUTE_LIMIT_US.get(slug)
        ok = ratio <= RATIO_LIMIT and (limit is None or result["generate"] <= limit)
        failures += not ok
        rule = f"ratio ≤ {RATIO_LIMIT}" + (f", ≤ {limit:.0f} µs" if limit else "")
        print(f"{slug:28} {result['generate']:12.1f} {result['floor']:10.1f} {ratio:7.2f}  "
              f"{'PASS' if ok else 'FAIL'} ({rule})")
    for note in notes:
        print(f"note: {note}")

    if "mlp_backward" in REGISTRY and "mlp_backward" in floors:
        parts = stages("mlp_backward", seeds, device)
        print("\nmlp_backward generate() stages, p50 µs: "
              + ", ".join(f"{name} {us:.1f}" for name, us in parts.items()))
    return failures


def batched_table(quick: bool, device: str) -> int:
    size, repeats = (20_000, 3) if quick else (100_000, 5)
    result = batched(size, repeats, device)
    rate_ok, share_ok = result["rate"] >= THROUGHPUT_TARGET, result["share"] >= FLOOR_SHARE_TARGET
    print(f"\n(b) batched mlp_backward, {size:,} variants, median of {repeats}:")
    print(f"  generate_columns {result['columns'] * 1e3:8.1f} ms   (sampling + batched autograd solve)")
    print(f"  to_rows          {result['rows'] * 1e3:8.1f} ms   (stored-form dicts and lists)")
    print(f"  total            {result['total'] * 1e3:8.1f} ms   {result['rate']:12,.0f} variants/s  "
          f"{'PASS' if rate_ok else 'FAIL'} (≥ {THROUGHPUT_TARGET:,}/s)")
    print(f"  bare bmm floor   {result['floor'] * 1e3:8.1f} ms   {result['floor_rate']:12,.0f} "
          f"variants/s  ours = {result['share']:.1%} of floor  {'PASS' if share_ok else 'FAIL'} "
          f"(≥ {FLOOR_SHARE_TARGET:.0%})")
    return (not rate_ok) + (not share_ok)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer seeds, repetitions and variants")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--threads", type=int, help="torch threads (default: the compute workers' setting, "
                        "QUIZSERVER_TORCH_THREADS or 1)")
    parser.add_argument("--part", choices=("all", "single", "batched", "carried"), default="all",
                        help="run only table (a), (b) or (c)")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 if any check fails")
    args = parser.parse_args()
    try:
        device_name(args.device)  # as a compute worker does: checks the device, sets the thread count
    except DeviceError as error:
        parser.error(str(error))
    if args.threads:
        torch.set_num_threads(args.threads)
    seeds = [int(s) for s in np.random.default_rng(0).integers(0, 2**62, size=100 if args.quick else 300)]
    print(environment(args.device))
    floors, notes = load_floors()
    failures = 0
    if args.part in ("all", "single"):
        failures += single_table(seeds, floors, notes, args.device)
    if args.part in ("all", "batched") and "mlp_backward" in REGISTRY:
        failures += batched_table(args.quick, args.device)
    if args.part in ("all", "carried"):
        failures += carried_table(seeds)
    print(f"\n{failures} check(s) failed." if failures else "\nall checks passed.")
    return 1 if args.strict and failures else 0


if __name__ == "__main__":
    sys.exit(main())
