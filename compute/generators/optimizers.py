"""Lecture 6 (Optimization): optimizer steps with torch.optim, learning-rate schedules with
torch.optim.lr_scheduler.

Sampling draws every number of a variant in one ``Sampler.draw`` call: each sampler call costs
about as much as a small torch operation, and generate() must stay close to a plain-torch floor.
"""

import math

import numpy as np

from compute.config import ConfigError, Field, Schema
from compute.contract import Generator
from compute.generators.optimizer_steps import OptimizerSteps
from compute.latex import num, shown
from compute.sampling import columns, grid
from compute.tolerance import told_apart
from compute.variant import Solved, Step

ROUNDED = "Give the answer to at least 3 significant figures."


# --- one or more optimizer steps -----------------------------------------------------------------

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
LR_GRID = {"adagrad": (0.1, 0.5, 1.0), "rmsprop": (0.01, 0.02, 0.05)}  # others: 0.1, 0.2, 0.5
STATE = {"momentum": ("momentum_buffer",), "nesterov": ("momentum_buffer",), "adagrad": ("sum",),
         "rmsprop": ("square_avg",), "adam": ("exp_avg", "exp_avg_sq"), "adamw": ("exp_avg", "exp_avg_sq")}
STATE_SYMBOL = {"momentum_buffer": "b", "sum": "s", "square_avg": "v", "exp_avg": "m", "exp_avg_sq": "v"}
OPTIMIZER_MISTAKES = {
    "sgd": ("ascent", "forgot_lr"),
    "momentum": ("ascent", "ema_momentum", "no_momentum"),
    "nesterov": ("ascent", "plain_momentum", "no_momentum"),
    "adagrad": ("ascent", "forgot_sqrt", "no_accumulation"),
    "rmsprop": ("ascent", "bias_corrected", "forgot_sqrt", "alpha_swapped"),
    "adam": ("ascent", "no_bias_correction", "forgot_sqrt"),
    "adamw": ("no_decay", "l2_instead_of_decoupled", "decay_not_scaled", "no_bias_correction"),
}
RULES = {  # the update of step t in LaTeX
    "sgd": "w_t = w_{t-1} - \\eta\\, g_t",
    "momentum": "b_1 = g_1,\\; b_t = \\mu b_{t-1} + g_t, \\qquad w_t = w_{t-1} - \\eta\\, b_t",
    "nesterov": "b_1 = g_1,\\; b_t = \\mu b_{t-1} + g_t, \\qquad w_t = w_{t-1} - \\eta\\,(g_t + \\mu b_t)",
    "adagrad": "s_t = s_{t-1} + g_t^2, \\qquad w_t = w_{t-1} - \\eta\\, \\frac{g_t}{\\sqrt{s_t} + \\epsilon}",
    "rmsprop": "v_t = \\alpha v_{t-1} + (1 - \\alpha) g_t^2, \\qquad "
               "w_t = w_{t-1} - \\eta\\, \\frac{g_t}{\\sqrt{v_t} + \\epsilon}",
    "adam": "m_t = \\beta_1 m_{t-1} + (1 - \\beta_1) g_t,\\; "
            "v_t = \\beta_2 v_{t-1} + (1 - \\beta_2) g_t^2,\\; "
            "\\hat m_t = \\frac{m_t}{1 - \\beta_1^t},\\; \\hat v_t = \\frac{v_t}{1 - \\beta_2^t},\\; "
            "w_t = w_{t-1} - \\eta\\, \\frac{\\hat m_t}{\\sqrt{\\hat v_t} + \\epsilon}",
}
RULES["adamw"] = "w \\leftarrow w\\,(1 - \\eta \\lambda) \\text{ first, then Adam: } " + RULES["adam"]
SETTINGS = {
    "sgd": "`torch.optim.SGD(params, lr)` (no momentum)",
    "momentum": "`torch.optim.SGD(params, lr, momentum=μ)` with $\\mu = {{ mu }}$ (dampening 0; the first "
                "step sets the buffer to the gradient, $b_1 = g_1$)",
    "nesterov": "`torch.optim.SGD(params, lr, momentum=μ, nesterov=True)` with $\\mu = {{ mu }}$ (the first "
                "step sets the buffer to the gradient, $b_1 = g_1$; the step uses $g_t + \\mu b_t$)",
    "adagrad": "`torch.optim.Adagrad(params, lr)` (sum of squared gradients starting at 0, "
               "$\\epsilon = 10^{-10}$ added outside the square root)",
    "rmsprop": "`torch.optim.RMSprop(params, lr)` ($\\alpha = 0.99$, $v_0 = 0$, $\\epsilon = 10^{-8}$ added "
               "outside the square root, no bias correction)",
    "adam": "`torch.optim.Adam(params, lr)` ($\\beta_1 = 0.9$, $\\beta_2 = 0.999$, $\\epsilon = 10^{-8}$ "
            "added after bias correction: $\\eta\\,\\hat m_t / (\\sqrt{\\hat v_t} + \\epsilon)$)",
    "adamw": "`torch.optim.AdamW(params, lr, weight_decay=λ)` with $\\lambda = {{ wd }}$ ($\\beta_1 = 0.9$, "
             "$\\beta_2 = 0.999$, $\\epsilon = 10^{-8}$ added after bias correction; decoupled decay: each "
             "step first multiplies $w$ by $1 - \\eta\\lambda$)",
}


def simulate(name: str, w: float, grads: list[float], lr: float, mu: float, wd: float, variant: str,
             rounded=lambda v: v) -> float:
    """The parameter after the steps, computed with the named mistake ``variant`` ("" for none): plain
    floats, or numpy arrays elementwise (``grads`` then a list of arrays, one per step). ``rounded`` is
    applied to every value the worked solution shows (the state and w after each step): ``latex.shown``
    simulates a student who goes on from the shown values."""
    first = second = 0.0
    for t, g in enumerate(grads, 1):
        g = -g if variant == "ascent" else g
        if name in ("momentum", "nesterov"):
            if variant == "ema_momentum":
                first = mu * first + (1 - mu) * g
            else:
                first = g if t == 1 or variant == "no_momentum" else mu * first + g
            w = w - lr * (first if name == "momentum" or variant == "plain_momentum" else g + mu * first)
        elif name == "adagrad":
            first = g * g if variant == "no_accumulation" else first + g * g
            w = w - lr * g / ((first if variant == "forgot_sqrt" else first ** 0.5) + 1e-10)
        elif name == "rmsprop":
            keep = 0.01 if variant == "alpha_swapped" else 0.99
            first = keep * first + (1 - keep) * g * g
            v = first / (1 - 0.99**t) if variant == "bias_corrected" else first
            w = w - lr * g / ((v if variant == "forgot_sqrt" else v ** 0.5) + 1e-8)
        elif name in ("adam", "adamw"):
            if name == "adamw" and variant == "l2_instead_of_decoupled":
                g = g + wd * w
            elif name == "adamw" and variant != "no_decay":
                w = w * (1 - (wd if variant == "decay_not_scaled" else lr * wd))
            first, second = 0.9 * first + 0.1 * g, 0.999 * second + 0.001 * g * g
            m, v = first, second
            if variant != "no_bias_correction":
                m, v = first / (1 - 0.9**t), second / (1 - 0.999**t)
            w = w - lr * m / ((v if variant == "forgot_sqrt" else v ** 0.5) + 1e-8)
        else:
            w = w - (1.0 if variant == "forgot_lr" else lr) * g
        w, first, second = rounded(w), rounded(first), rounded(second)
    return w


class OptimizerStep(OptimizerSteps, Generator):
    optimizer_mistakes = OPTIMIZER_MISTAKES  # per optimizer, its mistakes (read by OptimizerSteps)
    slug = "optimizer_step"
    title = "Optimizer steps: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW"
    description = (
        "A scalar parameter and the gradients of 1-3 steps: the parameter after those steps of a "
        "torch.optim optimizer, with PyTorch's conventions (buffers, bias correction, where eps goes)."
    )
    lectures = (6,)
    schema = Schema((
        Field("optimizer", "choice", "momentum", "The optimizer.", choices=OPTIMIZERS),
        Field("steps", "int", 2, "Number of steps taken.", min=1, max=3),
    ))
    mistakes = {
        "ascent": "It looks like you added the update; the optimizer moves against the gradient.",
        "forgot_lr": "It looks like you left out the learning rate.",
        "ema_momentum": "PyTorch's momentum has no dampening: $b_t = \\mu b_{t-1} + g_t$ with $b_1 = g_1$, not "
                        "the average $\\mu b + (1 - \\mu) g$ from $b_0 = 0$.",
        "no_momentum": "It looks like you ignored the momentum buffer (plain SGD steps).",
        "plain_momentum": "Nesterov steps along $g_t + \\mu b_t$, not along the buffer $b_t$ alone.",
        "forgot_sqrt": "The step divides by the square root of the accumulated squares (plus $\\epsilon$).",
        "no_accumulation": "AdaGrad divides by the root of the sum of all squared gradients so far, not of "
                           "the last one.",
        "bias_corrected": "PyTorch's RMSprop has no bias correction: $v_t = \\alpha v_{t-1} + (1 - \\alpha) "
                          "g_t^2$ is used as it is.",
        "alpha_swapped": "The new squared gradient gets the weight $1 - \\alpha = 0.01$ and the old average "
                         "$\\alpha = 0.99$.",
        "no_bias_correction": "Adam divides $m_t$ by $1 - \\beta_1^t$ and $v_t$ by $1 - \\beta_2^t$ (bias "
                              "correction) before the step.",
        "no_decay": "AdamW also decays the weight: $w \\leftarrow w\\,(1 - \\eta\\lambda)$ each step.",
        "l2_instead_of_decoupled": "AdamW's decay is decoupled ($w \\leftarrow w\\,(1 - \\eta\\lambda)$); "
                                   "adding $\\lambda w$ to the gradient is Adam's `weight_decay`.",
        "decay_not_scaled": "AdamW multiplies $w$ by $1 - \\eta\\lambda$, with the learning rate, not by "
                            "$1 - \\lambda$.",
    }
    rules = {
        "answer_clear": "the parameter after the steps is at least 0.1 in size: the absolute tolerance 10⁻³ "
                        "adds at most 1 %",
        "update_shows": "the steps move the parameter: w₀ itself and the ascent (or no-decay) mistake differ "
                        "from the answer",
    }

    def validity(self, params, config):
        name = config["optimizer"]
        tol = self.tolerance(config)
        answer = self.numpy_simulate(params, config, "")
        wrong = self.numpy_simulate(params, config, "no_decay" if name == "adamw" else "ascent")
        return {"answer_clear": np.abs(answer) >= 0.1,
                "update_shows": told_apart(params["w0"], answer, tol) & told_apart(wrong, answer, tol)}

    @staticmethod
    def numpy_simulate(params, config, variant):
        """``simulate`` elementwise over numpy arrays (for the validity rules)."""
        zero = np.zeros_like(params["w0"])
        grads = [params["g"][..., t] for t in range(params["g"].shape[-1])]
        return simulate(config["optimizer"], params["w0"], grads, params["lr"], params.get("mu", zero),
                        params.get("wd", zero), variant)

    def hand_answer(self, params, values, config):
        return shown(simulate(config["optimizer"], params["w0"], params["g"], params["lr"], params.get("mu", 0.0),
                              params.get("wd", 0.0), "", rounded=shown))

    def check_config(self, config):
        for name in ("lr", "mu", "wd"):
            value = config["fixed"].get(name)
            if value is not None and not (isinstance(value, int | float) and 0 <= value < 10):
                raise ConfigError(f"A fixed “{name}” must be a number from 0 to 10 (torch.optim refuses "
                                  f"negative values); got {value!r}.")

    def tolerance(self, config):
        # tighter than the default: an update of 0.02 must not vanish in 1 % of |w| ≈ 2
        return {"rtol": 0.002, "atol": 1e-3}

    def sample_batch(self, sampler, config):
        name, k = config["optimizer"], config["steps"]
        extra = {"momentum": ("mu", (0.5, 0.9)), "nesterov": ("mu", (0.5, 0.9)), "adamw": ("wd", (0.1, 0.5))}
        spec = [grid(-2, 2, 0.5, nonzero=True)] * (k + 1) + [np.array(LR_GRID.get(name, (0.1, 0.2, 0.5)))]
        if name in extra:
            spec.append(np.array(extra[name][1]))
        v = sampler.draw(columns(*spec))
        params = {"w0": v[:, 0], "g": v[:, 1:k + 1], "lr": v[:, k + 1]}
        if name in extra:
            params[extra[name][0]] = v[:, k + 2]
        return params

    def solve(self, params, config, device="cpu"):
        import torch

        name, optim = config["optimizer"], torch.optim
        p = torch.tensor([params["w0"]], dtype=torch.float64, device=device, requires_grad=True)
        grads = torch.tensor(params["g"], dtype=torch.float64, device=device)
        lr, mu, wd = params["lr"], params.get("mu", 0.0), params.get("wd", 0.0)
        if name in ("sgd", "momentum", "nesterov"):
            opt = optim.SGD([p], lr=lr, momentum=mu, nesterov=name == "nesterov")
        elif name == "adamw":
            opt = optim.AdamW([p], lr=lr, weight_decay=wd)
        else:
            opt = {"adagrad": optim.Adagrad, "rmsprop": optim.RMSprop, "adam": optim.Adam}[name]([p], lr=lr)
        history = []  # per step: [w_t, *optimizer state]
        for t in range(len(params["g"])):
            p.grad = grads[t:t + 1]
            opt.step()
            state = opt.state[p]
            history.append([p.item(), *(state[key].item() for key in STATE.get(name, ()))])
        mistakes = {m: simulate(name, params["w0"], params["g"], lr, mu, wd, m)
                    for m in OPTIMIZER_MISTAKES[name]}
        return Solved(answer=history[-1][0], values={"history": history}, mistakes=mistakes)

    def explain(self, params, values, config):
        name = config["optimizer"]
        steps = [Step("Update rule", f"$${RULES[name]}$$\n\nwith $w_0 = {num(params['w0'])}$ and "
                                     f"$\\eta = {num(params['lr'])}$.")]
        for t, (row, g) in enumerate(zip(values["history"], params["g"], strict=True), 1):
            state = "".join(f", ${STATE_SYMBOL[key]}_{t} = {num(x, 4)}$"
                            for key, x in zip(STATE.get(name, ()), row[1:], strict=True))
            steps.append(Step(f"Step {t}", f"$g_{t} = {num(g)}${state}, so $w_{t} = {num(row[0], 4)}$."))
        return steps

    def prompt(self, config):
        k = config["steps"]
        grads = (f"The gradients of the {k} steps are, in order, $g = {{{{ g }}}}$ (step $t$ uses $g_t$)."
                 if k > 1 else "The gradient of the step is $g_1$, the single entry of $g = {{ g }}$.")
        return (
            f"A scalar parameter starts at $w_0 = {{{{ w0 }}}}$ and is trained with "
            f"{SETTINGS[config['optimizer']]} and learning rate $\\eta = {{{{ lr }}}}$. {grads}\n\n"
            f"Compute $w_{k}$, the parameter after {'the step' if k == 1 else f'{k} steps'}. "
            "Give the answer to at least 4 significant figures."
        )


# --- learning-rate schedules ---------------------------------------------------------------------

LR0 = np.array([0.1, 0.05, 0.2, 0.5, 1.0])
SCHEDULE_COLUMNS = {
    # lr0, step_size, gamma, decays so far, epochs past the last decay (mod step_size)
    "step": columns(LR0, np.array([5.0, 10, 20, 30]), np.array([0.1, 0.5, 0.2]), grid(1, 3, 1),
                    grid(0, 29, 1)),
    "exponential": columns(LR0, np.array([0.9, 0.95, 0.8, 0.5]), grid(1, 12, 1)),  # lr0, gamma, epoch
    # lr0, T_max, eta_min, epoch (mod T_max - 1)
    "cosine": columns(LR0, np.array([10.0, 20, 40]), np.array([0.0, 0.001, 0.01]), grid(1, 39, 1)),
}


class LrSchedule(Generator):
    slug = "lr_schedule"
    title = "Learning-rate schedules"
    description = (
        "The learning rate at epoch t under PyTorch's StepLR, ExponentialLR or CosineAnnealingLR "
        "(scheduler.step() once per epoch)."
    )
    lectures = (6,)
    schema = Schema((
        Field("schedule", "choice", "step", "StepLR, ExponentialLR or CosineAnnealingLR.",
              choices=("step", "exponential", "cosine")),
    ))
    mistakes = {
        "one_decay_too_few": "Count the decays again: at epoch $t$ StepLR has decayed "
                             "$\\lfloor t / \\text{step\\_size} \\rfloor$ times (ExponentialLR $t$ times), epochs "
                             "counted from 0.",
        "one_decay_too_many": "Count the decays again: at epoch $t$ StepLR has decayed "
                              "$\\lfloor t / \\text{step\\_size} \\rfloor$ times (ExponentialLR $t$ times), epochs "
                              "counted from 0.",
        "continuous": "StepLR decays in steps: the exponent $\\lfloor t / \\text{step\\_size} \\rfloor$ is a "
                      "whole number.",
        "forgot_eta_min": "Cosine annealing goes from the initial rate down to $\\eta_{\\min}$, not to 0.",
        "forgot_half": "The cosine factor is $(1 + \\cos(\\pi t / T_{\\max})) / 2$: it runs from 1 to 0.",
        "off_by_one": "Epochs are counted from 0: the rate at epoch $t$ follows $t$ calls of "
                      "`scheduler.step()`.",
    }
    rules = {"answer_clear": "the learning rate asked is at least 10⁻⁵ (100 times the absolute tolerance)"}

    def validity(self, params, config):
        lr0, t = params["lr0"], params["epoch"]
        if config["schedule"] == "cosine":
            low = params["eta_min"]
            answer = low + (lr0 - low) * (1 + np.cos(np.pi * t / params["T_max"])) / 2
        else:
            power = t // params["step_size"] if config["schedule"] == "step" else t
            answer = lr0 * params["gamma"] ** power
        return {"answer_clear": answer >= 1e-5}

    def hand_answer(self, params, values, config):
        # StepLR and ExponentialLR: one product from the given numbers; cosine: from the shown factor
        if config["schedule"] != "cosine":
            return shown(values["lr"])
        low = params["eta_min"]
        return shown(low + (params["lr0"] - low) * shown(values["factor"]))

    def tolerance(self, config):
        return {"rtol": 0.01, "atol": 1e-6}  # learning rates are small numbers: relative tolerance

    def check_config(self, config):
        for name, low in (("epoch", 0), ("step_size", 1), ("T_max", 1)):
            fixed = config["fixed"].get(name)
            if fixed is not None and not (isinstance(fixed, int | float) and fixed == int(fixed)
                                          and low <= fixed <= 1000):
                raise ConfigError(f"A fixed “{name}” must be a whole number from {low} to 1000; "
                                  f"got {fixed!r}.")
        gamma = config["fixed"].get("gamma")
        if gamma is not None and not (isinstance(gamma, int | float) and 0 < gamma <= 1):
            raise ConfigError(f"A fixed decay factor “gamma” must be above 0 and at most 1; got {gamma!r}.")

    def sample_batch(self, sampler, config):
        v = sampler.draw(SCHEDULE_COLUMNS[config["schedule"]])
        if config["schedule"] == "step":
            size = v[:, 1]
            epoch = v[:, 3] * size + v[:, 4] % size
            return {"lr0": v[:, 0], "step_size": size, "gamma": v[:, 2], "epoch": epoch}
        if config["schedule"] == "exponential":
            return {"lr0": v[:, 0], "gamma": v[:, 1], "epoch": v[:, 2]}
        t_max = v[:, 1]
        return {"lr0": v[:, 0], "T_max": t_max, "eta_min": v[:, 2], "epoch": 1 + v[:, 3] % (t_max - 1)}

    def solve(self, params, config, device="cpu"):
        import torch

        schedules = torch.optim.lr_scheduler
        lr0, t, kind = params["lr0"], int(params["epoch"]), config["schedule"]
        dummy = torch.zeros(1, dtype=torch.float64, device=device, requires_grad=True)
        opt = torch.optim.SGD([dummy], lr=lr0)
        if kind == "step":
            size, gamma = int(params["step_size"]), params["gamma"]
            scheduler = schedules.StepLR(opt, step_size=size, gamma=gamma)
        elif kind == "exponential":
            gamma = params["gamma"]
            scheduler = schedules.ExponentialLR(opt, gamma=gamma)
        else:
            t_max, low = int(params["T_max"]), params["eta_min"]
            scheduler = schedules.CosineAnnealingLR(opt, T_max=t_max, eta_min=low)
        opt.step()  # an epoch's optimizer step comes before the scheduler's (PyTorch warns otherwise)
        for _ in range(t):
            scheduler.step()
        answer = opt.param_groups[0]["lr"]
        if kind == "cosine":
            factor = (1 + math.cos(math.pi * t / t_max)) / 2
            mistakes = {"forgot_eta_min": lr0 * factor, "forgot_half": low + (lr0 - low) * 2 * factor,
                        "off_by_one": low + (lr0 - low) * (1 + math.cos(math.pi * (t + 1) / t_max)) / 2}
            return Solved(answer=answer, values={"factor": factor, "lr": answer}, mistakes=mistakes)
        power = t // size if kind == "step" else t
        mistakes = {"one_decay_too_few": lr0 * gamma ** (power - 1),
                    "one_decay_too_many": lr0 * gamma ** (power + 1)}
        if kind == "step":
            mistakes["continuous"] = lr0 * gamma ** (t / size)
        return Solved(answer=answer, values={"power": power, "lr": answer}, mistakes=mistakes)

    def explain(self, params, values, config):
        lr0, t, kind = num(params["lr0"]), num(params["epoch"]), config["schedule"]
        if kind == "cosine":
            low, t_max, factor = num(params["eta_min"]), num(params["T_max"]), num(values["factor"], 4)
            return [Step(
                "Cosine annealing",
                "$$\\eta_t = \\eta_{\\min} + (\\eta_0 - \\eta_{\\min})\\,"
                "\\frac{1 + \\cos(\\pi t / T_{\\max})}{2}$$"
                f"\n\nWith $t = {t}$ and $T_{{\\max}} = {t_max}$ the factor is "
                f"$\\frac{{1 + \\cos(\\pi \\cdot {t} / {t_max})}}{{2}} = {factor}$, so "
                f"$\\eta_{{{t}}} = {low} + ({lr0} - {low}) \\cdot {factor} = {num(values['lr'], 4)}$.")]
        gamma, power = num(params["gamma"]), num(values["power"])
        if kind == "step":
            size = num(params["step_size"])
            count = (f"StepLR multiplies the rate by $\\gamma$ every {size} epochs, so by epoch {t} it has "
                     f"decayed $\\lfloor {t} / {size} \\rfloor = {power}$ times")
        else:
            count = f"ExponentialLR multiplies the rate by $\\gamma$ every epoch: {power} times by epoch {t}"
        return [Step("Count the decays", f"{count}:\n\n$$\\eta_{{{t}}} = \\eta_0\\,\\gamma^{{{power}}} = "
                                         f"{lr0} \\cdot {gamma}^{{{power}}} = {num(values['lr'], 4)}$$")]

    def prompt(self, config):
        setup = {
            "step": "`StepLR(optimizer, step_size, gamma)` with step_size $= {{ step_size }}$ and "
                    "$\\gamma = {{ gamma }}$",
            "exponential": "`ExponentialLR(optimizer, gamma)` with $\\gamma = {{ gamma }}$",
            "cosine": "`CosineAnnealingLR(optimizer, T_max, eta_min)` with $T_{\\max} = {{ T_max }}$ and "
                      "$\\eta_{\\min} = {{ eta_min }}$",
        }[config["schedule"]]
        return (
            f"An optimizer starts with learning rate $\\eta_0 = {{{{ lr0 }}}}$ and uses PyTorch's {setup}. "
            "Epochs are numbered from 0, and `scheduler.step()` is called once at the end of every epoch, so "
            "epoch $t$ trains with the rate after $t$ calls.\n\n"
            f"Compute the learning rate used in epoch $t = {{{{ epoch }}}}$. {ROUNDED}"
        )


GENERATORS = [OptimizerStep(), LrSchedule()]
