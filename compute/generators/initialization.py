"""Lecture 4 (Deep Neural Networks II): Xavier (Glorot) and Kaiming (He) initialization of a linear
layer, with PyTorch's torch.nn.init formulas (Goodfellow et al. treat initialization with
optimization, ch. 8.4).
"""

import math

import numpy as np

from compute.config import ConfigError, Field, Schema
from compute.contract import Generator
from compute.latex import num, shown
from compute.sampling import columns
from compute.variant import Solved, Step

ROUNDED = "Give the answer to at least 3 significant figures."

FANS = np.array([16.0, 20, 32, 50, 64, 100, 128, 200, 256, 300, 400, 512])
INIT_COLUMNS = columns(np.arange(12.0), np.arange(1.0, 12.0))  # fan_in index, offset of the fan_out index


class InitVariance(Generator):
    slug = "init_variance"
    title = "Xavier and He initialization"
    description = (
        "The variance, uniform bound or standard deviation that Xavier (Glorot) or Kaiming (He) "
        "initialization gives a linear layer's weights, with PyTorch's formulas."
    )
    lectures = (4,)
    schema = Schema((
        Field("scheme", "choice", "xavier_uniform", "The torch.nn.init function.",
              choices=("xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal")),
        Field("ask", "choice", "variance", "The weights' variance, the bound a of U(−a, a) (uniform schemes) "
              "or the standard deviation (normal schemes).", choices=("variance", "bound", "std")),
        Field("mode", "choice", "fan_in", "Kaiming's mode (which fan it divides by).",
              choices=("fan_in", "fan_out")),
    ))
    mistakes = {
        "fan_in_only": "Xavier averages both fans: $\\mathrm{Var} = 2/(\\text{fan\\_in} + \\text{fan\\_out})$, "
                       "not $1/\\text{fan\\_in}$.",
        "sum_not_average": "Xavier uses $2/(\\text{fan\\_in} + \\text{fan\\_out})$: you left out the 2.",
        "forgot_factor_2": "He (Kaiming) init for ReLU has gain $\\sqrt 2$: $\\mathrm{Var} = 2/\\text{fan}$, not "
                           "$1/\\text{fan}$.",
        "wrong_fan": "Check which fan the mode uses: `fan_in` is `in_features`, `fan_out` is `out_features`.",
        "gave_std": "That is the standard deviation; the question asks for the variance.",
        "gave_variance": "That is the variance; take the square root (and for $U(-a, a)$, "
                         "$a = \\sqrt 3 \\cdot \\mathrm{std}$).",
        "uniform_bound_as_std": "For $U(-a, a)$ the variance is $a^2/3$, so $a = \\sqrt 3 \\cdot \\mathrm{std}$, "
                                "not the std itself.",
    }
    rules = {"fans_differ": "fan_in and fan_out differ, so using the wrong fan (or only one) gives another answer"}

    def validity(self, params, config):
        return {"fans_differ": params["fan_in"] != params["fan_out"]}

    def hand_answer(self, params, values, config):
        # the student goes on from the shown variance
        var = shown(values["variance"])
        return shown({"variance": var, "std": var ** 0.5, "bound": (3 * var) ** 0.5}[config["ask"]])

    def check_config(self, config):
        for name in ("fan_in", "fan_out"):
            fan = config["fixed"].get(name)
            if fan is not None and not (isinstance(fan, int | float) and fan == int(fan) and fan >= 1):
                raise ConfigError(f"A fixed “{name}” must be a whole number of at least 1; got {fan!r}.")
        if config["mode"] == "fan_out" and config["scheme"].startswith("xavier"):
            raise ConfigError("“mode” applies to the Kaiming schemes only (Xavier uses both fans); "
                              "leave it at “fan_in” for xavier_uniform and xavier_normal.")
        uniform = config["scheme"].endswith("uniform")
        if config["ask"] == "bound" and not uniform:
            raise ConfigError("“ask”: “bound” needs a uniform scheme (xavier_uniform or kaiming_uniform); "
                              "ask for “std” or “variance” with a normal scheme.")
        if config["ask"] == "std" and uniform:
            raise ConfigError("“ask”: “std” needs a normal scheme (xavier_normal or kaiming_normal); "
                              "ask for “bound” or “variance” with a uniform scheme.")

    def sample_batch(self, sampler, config):
        index = sampler.draw(INIT_COLUMNS).astype(np.int64)
        # distinct fans, so that using the wrong one shows: fan_out comes from the other grid entries
        return {"fan_in": FANS[index[:, 0]], "fan_out": FANS[(index[:, 0] + index[:, 1]) % len(FANS)]}

    def tolerance(self, config):
        return {"rtol": 0.01, "atol": 1e-9}  # the answers are small numbers (down to 0.002): relative only

    def solve(self, params, config, device="cpu"):
        import torch

        fans = torch.tensor([params["fan_in"], params["fan_out"]], dtype=torch.float64, device=device)
        scheme, calculate_gain = config["scheme"], torch.nn.init.calculate_gain
        if scheme.startswith("xavier"):
            variance = calculate_gain("linear") ** 2 * 2 / fans.sum()
        else:  # kaiming_* with nonlinearity="relu": gain² = 2
            variance = calculate_gain("relu") ** 2 / fans[0 if config["mode"] == "fan_in" else 1]
        std = variance.sqrt()
        var, sd, bound = variance.item(), std.item(), (std * math.sqrt(3)).item()
        fan_in, fan_out = params["fan_in"], params["fan_out"]
        if scheme.startswith("xavier"):
            wrong = {"fan_in_only": 1 / fan_in, "sum_not_average": 1 / (fan_in + fan_out)}
        else:
            fan, other = (fan_in, fan_out) if config["mode"] == "fan_in" else (fan_out, fan_in)
            wrong = {"forgot_factor_2": 1 / fan, "wrong_fan": 2 / other}
        ask = config["ask"]
        if ask == "variance":
            answer, mistakes = var, {**wrong, "gave_std": sd}
        elif ask == "std":
            answer, mistakes = sd, {**{k: math.sqrt(v) for k, v in wrong.items()}, "gave_variance": var}
        else:
            answer = bound
            mistakes = {**{k: math.sqrt(3 * v) for k, v in wrong.items()}, "gave_variance": var,
                        "uniform_bound_as_std": sd}
        return Solved(answer=answer, values={"variance": var, "std": sd, "bound": bound}, mistakes=mistakes)

    def explain(self, params, values, config):
        scheme, fan_in, fan_out = config["scheme"], num(params["fan_in"]), num(params["fan_out"])
        variance = num(values["variance"], 4)
        if scheme.startswith("xavier"):
            body = ("Xavier (Glorot) keeps the variance of activations and of gradients alike, with gain "
                    "1:\n\n"
                    "$$\\mathrm{Var}(W) = \\frac{2}{\\text{fan\\_in} + \\text{fan\\_out}} = "
                    f"\\frac{{2}}{{{fan_in} + {fan_out}}} = {variance}$$")
        else:
            fan = fan_in if config["mode"] == "fan_in" else fan_out
            body = ("Kaiming (He) for ReLU has gain $\\sqrt 2$ and divides by the mode's fan "
                    f"(`mode=\"{config['mode']}\"`):\n\n"
                    f"$$\\mathrm{{Var}}(W) = \\frac{{2}}{{{fan}}} = {variance}$$")
        steps = [Step("Variance", body)]
        if scheme.endswith("uniform"):
            steps.append(Step("Uniform bound", "$U(-a, a)$ has variance $a^2/3$, so "
                                               "$a = \\sqrt{3\\,\\mathrm{Var}(W)} = "
                                               f"{num(values['bound'], 4)}$."))
        else:
            steps.append(Step("Standard deviation", "$\\mathrm{std} = \\sqrt{\\mathrm{Var}(W)} = "
                                                    f"{num(values['std'], 4)}$."))
        return steps

    def prompt(self, config):
        scheme = config["scheme"]
        call = (f"`torch.nn.init.{scheme}_(W)` (gain 1)" if scheme.startswith("xavier") else
                f"`torch.nn.init.{scheme}_(W, mode=\"{config['mode']}\", nonlinearity=\"relu\")` "
                "(gain $\\sqrt 2$)")
        asked = {"variance": "the variance of each weight", "bound": "the bound $a$ of the distribution "
                 "$U(-a, a)$", "std": "the standard deviation of each weight"}[config["ask"]]
        return (
            "The weight $W$ of a linear layer `nn.Linear(in_features, out_features)` has shape "
            "(out_features, in_features); here fan_in $= {{ fan_in }}$ (in_features) and "
            f"fan_out $= {{{{ fan_out }}}}$ (out_features). It is initialised with {call}.\n\n"
            f"Compute {asked}. {ROUNDED}"
        )


GENERATORS = [InitVariance()]
