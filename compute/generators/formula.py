"""Any lecture: an instructor's own formula over random wildcards, as Moodle's calculated questions.

The config is a formula (``compute.expressions``: a safe allowlist, never ``eval``) and its wildcards,
each drawn uniformly from [min, max] (or log-uniformly, Moodle's other distribution) and rounded to its
decimals, as Moodle's ``calculated`` and ``calculatedsimple`` datasets are. The answer is graded with
Moodle's tolerance types: relative (|x − a| ≤ t·|a|) or absolute (Moodle's "nominal", |x − a| ≤ t).

Evaluation is numpy float64 (the same IEEE arithmetic torch would do on the CPU, without importing it):
one evaluator serves the validity check of many draws and the answer of one, so they cannot disagree.
"""

import json
import math

import numpy as np

from compute.config import ConfigError, Field, Schema
from compute.contract import Generator, to_python
from compute.expressions import FUNCTIONS, WILDCARD_NAME, Formula, parse, wildcard_latex
from compute.latex import num
from compute.sampling import Sampler
from compute.variant import Solved, Step

MAX_WILDCARDS = 20
MAX_DECIMALS = 10
CHECK_DRAWS = 200  # draws of fixed seeds a config is tried on when it is cleaned
MOST_UNDEFINED = 0.25  # a config whose formula is undefined for more of those draws is refused
DISTRIBUTIONS = ("uniform", "loguniform")

DEFAULT_WILDCARDS = {
    "a": {"min": 1.0, "max": 10.0, "decimals": 1},
    "b": {"min": 1.0, "max": 10.0, "decimals": 1},
    "c": {"min": 1.0, "max": 10.0, "decimals": 1},
}


def clean_wildcards(wildcards) -> dict:
    """Wildcards as ``{name: {"min", "max", "decimals", "distribution"}}`` (floats, an int, a choice);
    ConfigError naming the wildcard and what is wrong."""
    if not isinstance(wildcards, dict) or not wildcards:
        raise ConfigError('“wildcards” must be a JSON object of name → range, e.g. {"a": {"min": 1, "max": 10, '
                          '"decimals": 1}}.')
    if len(wildcards) > MAX_WILDCARDS:
        raise ConfigError(f"At most {MAX_WILDCARDS} wildcards are allowed; got {len(wildcards)}.")
    cleaned = {}
    for name, spec in wildcards.items():
        if not WILDCARD_NAME.fullmatch(name) or name in FUNCTIONS:
            raise ConfigError(f"The wildcard name {json.dumps(name)} must be a letter followed by at most 19 letters, "
                              "digits or _, and not a function's name.")
        if not isinstance(spec, dict) or not {"min", "max"} <= set(spec) or set(spec) - {
                "min", "max", "decimals", "distribution"}:
            raise ConfigError(f"The wildcard “{name}” must be an object with “min” and “max”, optionally "
                              f"“decimals” (default 0) and “distribution” ({' or '.join(DISTRIBUTIONS)}).")
        low, high = (spec[key] for key in ("min", "max"))
        decimals, distribution = spec.get("decimals", 0), spec.get("distribution", "uniform")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (low, high)):
            raise ConfigError(f"The wildcard “{name}”: “min” and “max” must be finite numbers.")
        if low > high:
            raise ConfigError(f"The wildcard “{name}”: “min” ({low}) is above “max” ({high}).")
        if isinstance(decimals, bool) or not isinstance(decimals, int | float) or decimals != int(decimals) or not (
                0 <= decimals <= MAX_DECIMALS):
            raise ConfigError(f"The wildcard “{name}”: “decimals” must be a whole number from 0 to {MAX_DECIMALS}.")
        if distribution not in DISTRIBUTIONS:
            raise ConfigError(f"The wildcard “{name}”: “distribution” must be {' or '.join(DISTRIBUTIONS)}.")
        if distribution == "loguniform" and low <= 0:
            raise ConfigError(f"The wildcard “{name}”: a log-uniform range must be above 0.")
        cleaned[name] = {"min": float(low), "max": float(high), "decimals": int(decimals),
                         "distribution": distribution}
    return cleaned


def formula_of(config: dict) -> Formula:
    return parse(config["formula"], config["wildcards"])


class FormulaGenerator(Generator):
    slug = "formula"
    title = "Formula with random values (Moodle's calculated questions)"
    description = (
        "An instructor's formula, e.g. a * b + c / 2, over wildcards drawn from ranges with given decimals "
        "(Moodle's calculated and calculatedsimple questions); graded with a relative or absolute tolerance."
    )
    lectures = tuple(range(1, 13))
    schema = Schema((
        Field("formula", "json", "a * b + c / 2",
              "The formula over the wildcards: numbers, + - * / ** %, brackets and Moodle's functions "
              "(abs, sqrt, exp, log (natural), log10, sin, cos, tan, asin, acos, atan, atan2, pow, min, max, "
              "pi(), round, floor, ceil, …)."),
        Field("wildcards", "json", DEFAULT_WILDCARDS,
              'Each wildcard\'s range: {"a": {"min": 1, "max": 10, "decimals": 1}}; drawn uniformly (or '
              '"distribution": "loguniform") and rounded to its decimals.'),
        Field("tolerance", "float", 0.01, "The answer's tolerance (Moodle's).", min=0.0),
        Field("tolerance_type", "choice", "relative",
              "relative: |x − a| ≤ tolerance·|a|; absolute (Moodle's nominal): |x − a| ≤ tolerance.",
              choices=("relative", "absolute")),
        Field("answer_decimals", "int", 2, "Decimals of the answer as the worked solution shows it.",
              min=0, max=MAX_DECIMALS),
    ))
    rules = {
        "defined": "the formula is defined for the drawn values: no division by 0 and every intermediate value "
                   "finite (no square root or logarithm of a negative number, no overflow)",
    }

    def clean_config(self, config):
        cleaned = self.schema.clean(config)
        cleaned["wildcards"] = clean_wildcards(cleaned["wildcards"])
        formula_of(cleaned)  # FormulaError (a ConfigError) says what is not allowed
        cleaned["formula"] = cleaned["formula"].strip()
        self.check_config(cleaned)
        return cleaned

    def check_config(self, config):
        params = self.with_fixed(self.sample_batch(Sampler(range(CHECK_DRAWS)), config), config)
        if set(config["fixed"]) >= set(params):
            return
        defined = self.validity(params, config)["defined"]
        if (~defined).mean() > MOST_UNDEFINED:
            first = int(np.flatnonzero(~defined)[0])
            example = ", ".join(f"{name} = {num(float(value[first]))}" for name, value in params.items())
            raise ConfigError(
                f"The formula is undefined (a division by 0, or a value that is not finite) for {(~defined).sum()} of "
                f"{CHECK_DRAWS} draws, e.g. {example}: change the formula or the wildcards' ranges.")

    def sample_batch(self, sampler, config):
        params = {}
        for name, spec in config["wildcards"].items():
            u = sampler.uniform()
            low, high = spec["min"], spec["max"]
            if spec["distribution"] == "loguniform":
                value = np.exp(np.log(low) + u * (np.log(high) - np.log(low)))
            else:
                value = low + u * (high - low)
            params[name] = np.clip(np.round(value, spec["decimals"]), low, high) if low < high else value
        return params

    def validity(self, params, config):
        return {"defined": formula_of(config).evaluate(params)[1]}

    def tolerance(self, config):
        if config["tolerance_type"] == "absolute":
            return {"rtol": 0.0, "atol": config["tolerance"]}
        return {"rtol": config["tolerance"], "atol": 0.0}

    def solve(self, params, config, device="cpu"):
        value, defined = formula_of(config).evaluate(params)
        if not defined:
            raise ArithmeticError(f"The formula {config['formula']} is undefined for {params}.")
        return Solved(answer=float(value), values={"result": float(value)})

    def hand_answer(self, params, values, config):
        return values["result"]  # the shown numbers are the exact ones: nothing is rounded on the way

    def explain(self, params, values, config):
        formula, result = formula_of(config), values["result"]
        decimals = config["answer_decimals"]
        shown = f"{result:.{decimals}f}"
        exact = num(result, 12)
        rounded = "" if float(shown) == result else f" \\approx {shown}"
        return [Step("Substitute the numbers",
                     f"$$ {formula.latex()} = {formula.latex(to_python(params))} = {exact}{rounded} $$\n\n"
                     f"To {decimals} decimal{'s' * (decimals != 1)}: ${shown}$. {self._tolerance_text(config)}")]

    def prompt(self, config):
        formula = formula_of(config)
        given = ", ".join(f"${wildcard_latex(name)} = {{{{ {name} }}}}$" for name in config["wildcards"])
        return (f"Compute $${formula.latex()}$$ for {given}. {self._tolerance_text(config)}")

    def _tolerance_text(self, config) -> str:
        t = config["tolerance"]
        if config["tolerance_type"] == "absolute":
            return f"Answers within ${num(t)}$ of the exact value are accepted."
        return f"Answers within ${num(t * 100)}\\,\\%$ of the exact value are accepted."


GENERATORS = (FormulaGenerator(),)
