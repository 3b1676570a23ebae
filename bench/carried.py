"""Part (c) of bench/compute.py: carried-error grading of one 8-step multi-step answer, in process.

Ours: what ``quizzes.kinds.multi_step.MultiStep.grade`` computes for one submission, without Django:
the exact chain, the carried chain from the student's answers, each step's named slips and the
grade (``compute.steps`` + ``quizzes.step_grading``). The student slips at step 1 (z₁) and computes
every later step correctly from that slip, so every later step is graded "carried".

Floor: the same 8 quantities of the same variant by plain PyTorch, as one would compute them
without our code: the forward pass and one autograd backward pass from tensors made from the
parameters (tensor creation included, as in ours).
"""

import statistics
import time

import numpy as np
import torch

from compute.generators import REGISTRY
from compute.steps import step_chain, step_slips
from quizzes.step_grading import AskedStep, grade_steps

ASKED = ("z1", "a1", "yhat", "L", "dL_dyhat", "dL_da1", "dL_dz1", "dL_dW1")
LIMIT_MS = 5.0


def grade_once(generator, params: dict, config: dict, answers: dict, asked: list[AskedStep], depends: dict):
    exact = step_chain(generator, params, config)
    carried = step_chain(generator, params, config, answers)
    slips = step_slips(generator, params, config, answers, [step.name for step in asked])
    return grade_steps(asked, answers, exact=exact, carried=carried, slips=slips, messages=generator.mistakes,
                       depends=depends, tolerance=generator.tolerance(config), carried_credit=0.5)


def floor_once(params: dict):
    """z₁, a₁, ŷ, L, ∂L/∂ŷ, ∂L/∂a₁, ∂L/∂z₁, ∂L/∂W₁ by plain torch (sigmoid, squared error)."""
    W1 = torch.tensor(params["W1"], dtype=torch.float64, requires_grad=True)
    x, b1 = torch.tensor(params["x"], dtype=torch.float64), torch.tensor(params["b1"], dtype=torch.float64)
    W2 = torch.tensor(params["W2"], dtype=torch.float64)
    z1 = W1 @ x + b1
    z1.retain_grad()
    a1 = torch.sigmoid(z1)
    a1.retain_grad()
    yhat = (W2 @ a1)[0] + params["b2"]
    yhat.retain_grad()
    loss = (yhat - params["y"]) ** 2
    loss.backward()
    return [t.detach().tolist() for t in (z1, a1, yhat, loss, yhat.grad, a1.grad, z1.grad, W1.grad)]


def carried_grading(seeds: list[int]) -> dict:
    """p50 ms of ours and of the floor over ``seeds`` (timed alternately after a warm-up), and the
    share of steps graded carried (a check that the slip carried)."""
    generator = REGISTRY["mlp_backward"]
    config = generator.clean_config({"activation": "sigmoid", "hidden": 4})
    specs = {spec.name: spec for spec in generator.step_specs(config)}
    asked = [AskedStep(name, 1.0, specs[name].symbol, specs[name].depends) for name in ASKED]
    depends = {name: spec.depends for name, spec in specs.items()}
    ours, base, carried_marks = [], [], []
    for index, seed in enumerate(seeds):
        params = generator.sample(seed, config)
        exact = step_chain(generator, params, config)
        slip = {"z1": (np.array(exact["z1"]) + 0.5).tolist()}
        answers = {**slip, **{k: v for k, v in step_chain(generator, params, config, slip).items()
                              if k in ASKED and k != "z1"}}
        if index < 5:  # warm-up
            grade_once(generator, params, config, answers, asked, depends)
            floor_once(params)
            continue
        start = time.perf_counter_ns()
        grade = grade_once(generator, params, config, answers, asked, depends)
        ours.append(time.perf_counter_ns() - start)
        start = time.perf_counter_ns()
        floor_once(params)
        base.append(time.perf_counter_ns() - start)
        carried_marks.append(sum(1 for step in grade.steps if step["mark"] == "carried") / (len(ASKED) - 1))
    return {"ours": statistics.median(ours) / 1e6, "floor": statistics.median(base) / 1e6,
            "p95": float(np.percentile(ours, 95)) / 1e6, "carried": statistics.mean(carried_marks)}


def carried_table(seeds: list[int]) -> int:
    """Print part (c); returns the number of failed checks."""
    result = carried_grading(seeds)
    ok = result["ours"] <= LIMIT_MS
    print(f"\n(c) carried-error grading of one 8-step mlp_backward answer (slip at step 1), in process, "
          f"{len(seeds) - 5} seeds:")
    print(f"  ours  p50 {result['ours']:.3f} ms  p95 {result['p95']:.3f} ms  (exact + carried chains, slips, grade)  "
          f"{'PASS' if ok else 'FAIL'} (p50 ≤ {LIMIT_MS} ms)")
    print(f"  floor p50 {result['floor']:.3f} ms  (plain torch forward + autograd backward of the same chain)  "
          f"ratio {result['ours'] / result['floor']:.2f}")
    print(f"  later steps graded carried: {result['carried']:.0%} (a slip whose later steps coincide stays right)")
    return 0 if ok else 1
