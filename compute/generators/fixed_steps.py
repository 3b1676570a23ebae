"""Any lecture: a question's own fixed values, asked as steps (Moodle's cloze questions, imported as
multi-step questions).

Nothing is drawn: every student gets the same question, and the config holds each step's answer.
Its ``steps`` list the blanks in order::

    [{"name": "s1", "title": "blank 1", "value": 2.5, "tolerance": 0.1},
     {"name": "s2", "title": "blank 2", "options": ["ReLU", "tanh"], "value": 1}]

- a **numeric step** has its ``value`` and Moodle's absolute ``tolerance`` (default 0: the exact value,
  up to binary rounding);
- a **choice step** has ``options`` (Markdown) and as its ``value`` the index of the right one, counting
  from 0; it is graded exactly.

Each step may give its ``symbol`` (LaTeX; default ``\\square_{n}``). No step depends on another, so
carried-error grading never applies. The generator's answer is the last step's value and its tolerance
that step's; ``step_tolerance`` gives every step its own. No torch: there is nothing to compute.
"""

import json
import math
import re

from compute.config import ConfigError, Field, Schema
from compute.contract import EXACT, Generator
from compute.latex import num
from compute.steps import StepSpec, checked_specs
from compute.variant import Solved, Step

MAX_STEPS = 50
MAX_OPTIONS = 30
TEXT_LENGTH = 2000  # an option's Markdown
TITLE_LENGTH = 100
STEP_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
EXACT_RTOL = 1e-9  # tolerance 0: the exact value, up to binary rounding (0.1 + 0.2 is 0.30000000000000004)
ZERO_ATOL = 1e-12  # ... and for a value of 0, which has no relative neighbourhood
NUMERIC_KEYS = {"name", "title", "symbol", "value", "tolerance"}
CHOICE_KEYS = {"name", "title", "symbol", "value", "options"}

DEFAULT_STEPS = [
    {"name": "s1", "title": "the mean of 2 and 3", "value": 2.5, "tolerance": 0.01},
    {"name": "s2", "title": "the larger of 2 and 3", "options": ["2", "3"], "value": 1},
]


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def clean_step(number: int, entry) -> dict:
    """Step ``number`` (from 1) in its cleaned form (symbol filled in; a numeric step's tolerance, a choice
    step's index as an int); ConfigError naming the step and what is wrong."""
    where = f"Step {number}"
    if not isinstance(entry, dict):
        raise ConfigError(f'{where} must be an object like {{"name": "s{number}", "title": "…", "value": 2.5}}.')
    keys = CHOICE_KEYS if "options" in entry else NUMERIC_KEYS
    unknown = sorted(set(entry) - keys)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(map(json.dumps, unknown))}; a "
                          f"{'choice' if 'options' in entry else 'numeric'} step has {', '.join(sorted(keys))}.")
    name, title = entry.get("name"), entry.get("title")
    if not isinstance(name, str) or not STEP_NAME.fullmatch(name):
        raise ConfigError(f"{where}: “name” must be a letter followed by at most 31 letters, digits or _, "
                          f"not {json.dumps(name)}.")
    if not isinstance(title, str) or not title.strip() or len(title) > TITLE_LENGTH:
        raise ConfigError(f"{where}: “title” must be a text of 1 to {TITLE_LENGTH} characters.")
    symbol = entry.get("symbol", f"\\square_{{{number}}}")
    if not isinstance(symbol, str) or not symbol.strip() or len(symbol) > TITLE_LENGTH:
        raise ConfigError(f"{where}: “symbol” must be LaTeX of 1 to {TITLE_LENGTH} characters.")
    value = entry.get("value")
    cleaned = {"name": name, "title": title.strip(), "symbol": symbol.strip()}
    if "options" in entry:
        options = entry["options"]
        if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS or not all(
                isinstance(text, str) and text.strip() and len(text) <= TEXT_LENGTH for text in options):
            raise ConfigError(f"{where}: “options” must be a list of 2 to {MAX_OPTIONS} texts (each 1 to "
                              f"{TEXT_LENGTH} characters).")
        if not is_number(value) or value != int(value) or not 0 <= value < len(options):
            raise ConfigError(f"{where}: “value” is the index of the right option, counting from 0: a whole "
                              f"number from 0 to {len(options) - 1}, not {json.dumps(value)}.")
        return {**cleaned, "options": [text.strip() for text in options], "value": int(value)}
    tolerance = entry.get("tolerance", 0.0)
    if not is_number(value):
        raise ConfigError(f"{where}: “value” must be a finite number, not {json.dumps(value)}.")
    if not is_number(tolerance) or tolerance < 0:
        raise ConfigError(f"{where}: “tolerance” (absolute) must be a number ≥ 0, not {json.dumps(tolerance)}.")
    return {**cleaned, "value": float(value), "tolerance": float(tolerance)}


def step_tolerance_of(entry: dict) -> dict:
    """A cleaned step's rtol/atol: exact for a choice; the absolute tolerance of a numeric step, or for a
    tolerance of 0 the exact value up to binary rounding."""
    if "options" in entry:
        return dict(EXACT)
    if entry["tolerance"] > 0:
        return {"rtol": 0.0, "atol": entry["tolerance"]}
    return {"rtol": EXACT_RTOL, "atol": 0.0 if entry["value"] else ZERO_ATOL}


class FixedSteps(Generator):
    slug = "fixed_steps"
    title = "Fixed values asked as steps (Moodle's cloze questions)"
    description = (
        "Each step's answer is written in the config: a number with an absolute tolerance, or the right one "
        "of a few options. Every student gets the same question (imported Moodle cloze questions)."
    )
    lectures = tuple(range(1, 13))
    schema = Schema((
        Field("steps", "json", DEFAULT_STEPS,
              'The steps in order: {"name", "title", "value", "tolerance"} for a number (absolute tolerance, '
              'default 0), {"name", "title", "options": [texts], "value": index of the right option from 0} for '
              'a choice; optionally a "symbol" (LaTeX).'),
    ))

    def clean_config(self, config):
        cleaned = self.schema.clean(config)
        if cleaned["fixed"]:
            raise ConfigError("“fixed” does not apply: this generator draws nothing (the steps hold the values).")
        steps = cleaned["steps"]
        if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
            raise ConfigError(f"“steps” must be a list of 1 to {MAX_STEPS} steps.")
        cleaned["steps"] = [clean_step(number, entry) for number, entry in enumerate(steps, start=1)]
        names = [entry["name"] for entry in cleaned["steps"]]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ConfigError(f"Step names must differ; {', '.join(twice)} is used more than once.")
        return cleaned

    def entry(self, name: str, config: dict) -> dict:
        found = next((entry for entry in config["steps"] if entry["name"] == name), None)
        if found is None:
            raise KeyError(f"{self.slug} has no step {name!r}")
        return found

    # --- a variant: nothing is drawn --------------------------------------------------------------

    def sample_batch(self, sampler, config):
        return {}

    def solve(self, params, config, device="cpu"):
        values = {entry["name"]: float(entry["value"]) for entry in config["steps"]}
        return Solved(answer=values[config["steps"][-1]["name"]], values=values)

    def hand_answer(self, params, values, config):
        return values[config["steps"][-1]["name"]]  # the values are given, nothing is rounded on the way

    def tolerance(self, config):
        return step_tolerance_of(config["steps"][-1])

    def prompt(self, config):
        lines = [f"**(step {number})** {entry['title']}" for number, entry in enumerate(config["steps"], start=1)]
        return "Answer each step.\n\n" + "\n\n".join(lines)

    def explain(self, params, values, config):
        explained = []
        for number, entry in enumerate(config["steps"], start=1):
            if "options" in entry:
                body = f"The right option: {entry['options'][entry['value']]}"
            else:
                tolerance = entry["tolerance"]
                within = f" (answers within ${num(tolerance)}$ of it are accepted)" if tolerance else ""
                body = f"${entry['symbol']} = {num(entry['value'], 12)}${within}."
            explained.append(Step(f"Step {number}: {entry['title']}", body))
        return explained

    # --- steps ------------------------------------------------------------------------------------

    def step_specs(self, config):
        return checked_specs(tuple(
            StepSpec(entry["name"], entry["symbol"], entry["title"], options=tuple(entry.get("options", ())))
            for entry in config["steps"]))

    def step_value(self, name, params, inputs, config):
        return float(self.entry(name, config)["value"])

    def step_tolerance(self, name, config):
        return step_tolerance_of(self.entry(name, config))


GENERATORS = (FixedSteps(),)
