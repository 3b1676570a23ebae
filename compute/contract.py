"""The generator contract: a small explicit object per question type.

A generator has a ``slug``, a ``title``, a ``description`` (what it asks, for instructors),
the ``lectures`` it serves (1-12), a config ``schema``, named ``mistakes`` (name -> message,
Markdown with ``$...$`` math like prompts) and its validity ``rules`` (name -> the promise, in
words). Subclasses implement:

- ``sample_batch(sampler, config) -> dict[str, np.ndarray]``: numpy only, every array of shape
  (batch, ...); nice hand-computable numbers. It may draw several candidates per seed and keep the
  first valid one, returning a ``compute.sampling.Drawn`` that says which seeds got one
  (``pick_valid``); ``sample_params`` checks ``validity`` for a plain dict (or when fixed values were
  put in afterwards) and draws again for the seeds that break a rule (never a fallback).
- ``validity(params, config) -> {rule: bool array}``: numpy only, vectorized over the leading
  axes of ``params`` (batch, or batch × candidates): which of ``rules`` each parameter set keeps
  (not degenerate, the answer clear of 0 under the tolerance, named mistakes distinct from the
  answer, hand-computable magnitudes).
- ``solve(params, config, device) -> Solved``: PyTorch float64 on ``device`` (import torch inside
  the method, so that sampling, explaining and drawing never import it). ``params`` are plain
  Python floats / lists.
- ``explain(params, values, config) -> list[Step]``: the worked solution from the solved
  ``values``; pure Python. It states the conventions used.
- ``prompt(config) -> str``: the default Markdown prompt with ``{{ name }}`` placeholders for
  the params; it states the conventions the answer follows (indices count from 0, as PyTorch's).
- ``hand_answer(params, values, config)``: the answer of a student who follows the worked
  solution and carries on with every value it shows rounded as shown (``compute.latex.shown``);
  plain Python. ``tolerance(config)`` is set so that this answer gets full credit (the tests check
  it on thousands of variants).
- optionally ``diagram(params, config) -> str | None`` (inline SVG), ``tolerance(config)``,
  ``step_specs`` / ``step_value`` / ``step_mistakes`` / ``step_tolerance`` for multi-step questions
  (``compute.steps``),
  ``check_config(config)`` (cross-field checks, raise ConfigError), and ``solve_batch`` for a
  vectorized solve (set ``vectorized = True``; results must equal the single ``solve``).

``generate(seed, config)`` joins them into a ``Variant``.
"""

import numpy as np

from compute.config import ConfigError, Schema
from compute.latex import is_finite
from compute.sampling import Drawn, Sampler, draw_until_valid
from compute.steps import StepSpec
from compute.tolerance import mistake_tolerance, within_nested
from compute.variant import Mistake, Solved, Step, Variant

EXACT = {"rtol": 0.0, "atol": 1e-6}  # ``tolerance(config)`` of exact answers: shapes, counts, whole numbers
# The usual tolerance of a computed answer: 1 % relative, so an answer to 3 significant figures and one
# reached by hand from 4-figure intermediates both pass (checked for every generator by the hand-rounding
# test), and an absolute 1e-4 only so that entries that are 0 accept a hand-rounded near-0. Grading stays
# relative because the validity rules keep the answer (its largest entry) at least MIN_ANSWER: at the
# smallest, the absolute part adds 1 % (tanh′(3) = 0.00987 with atol 1e-3 accepted ±11 %).
HAND_TOLERANCE = {"rtol": 0.01, "atol": 1e-4}
MIN_ANSWER = 0.01
# How every prompt and worked solution that names an entry, a class, a row or a node counts: one sentence,
# the same everywhere (the network generator and the demo questions say it too).
COUNTING = "Indices count from 0, as in PyTorch."


def to_python(value):
    """numpy scalars/arrays to floats / nested lists of floats (JSON-ready)."""
    if isinstance(value, np.ndarray):
        return value.astype(np.float64).tolist()
    if isinstance(value, np.generic):
        return float(value)
    if isinstance(value, list | tuple):
        return [to_python(v) for v in value]
    if isinstance(value, dict):
        return {k: to_python(v) for k, v in value.items()}
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Generator:
    slug: str = ""
    title: str = ""
    description: str = ""
    lectures: tuple[int, ...] = ()
    schema: Schema = Schema()
    mistakes: dict[str, str] = {}
    rules: dict[str, str] = {}  # validity rule -> what it promises (checked by ``validity``)
    answer_kind: str = "scalar"  # "scalar", "vector" or "matrix"
    vectorized: bool = False

    # --- to implement ---------------------------------------------------------------------
    def sample_batch(self, sampler: Sampler, config: dict) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def solve(self, params: dict, config: dict, device: str = "cpu") -> Solved:
        raise NotImplementedError

    def explain(self, params: dict, values: dict, config: dict) -> list[Step]:
        raise NotImplementedError

    def prompt(self, config: dict) -> str:
        raise NotImplementedError

    def diagram(self, params: dict, config: dict) -> str | None:
        return None

    def validity(self, params: dict[str, np.ndarray], config: dict) -> dict[str, np.ndarray]:
        """rule -> whether each parameter set keeps it (bool over the leading axes); one entry per rule."""
        return {}

    def hand_answer(self, params: dict, values: dict, config: dict):
        """The answer reached by hand from the worked solution's rounded values (see the module docstring)."""
        raise NotImplementedError

    def tolerance(self, config: dict) -> dict:
        return HAND_TOLERANCE

    def check_config(self, config: dict) -> None:
        """Cross-field checks on a cleaned config; raise ConfigError with a clear message."""

    def step_specs(self, config: dict) -> tuple[StepSpec, ...]:
        """The named quantities a multi-step question may ask, in computation order (``compute.steps``);
        () for a generator without steps."""
        return ()

    def step_value(self, name: str, params: dict, inputs: dict, config: dict):
        """Step ``name`` from ``params`` and its dependencies' values ``inputs`` (PyTorch, float64)."""
        raise NotImplementedError(f"{self.slug} declares no steps")

    def step_mistakes(self, name: str, params: dict, inputs: dict, config: dict) -> dict:
        """Named slips of step ``name`` from the same inputs: {mistake name: value}; {} by default."""
        return {}

    def step_tolerance(self, name: str, config: dict) -> dict:
        """The rtol/atol step ``name`` is graded with; the generator's ``tolerance`` by default (a generator
        whose steps differ, like ``fixed_steps``' own tolerance per step, says so here)."""
        return self.tolerance(config)

    def solve_batch(self, params: dict[str, np.ndarray], config: dict, device: str = "cpu") -> list[Solved]:
        """Solve every variant of a batch; the default loops over ``solve``."""
        size = len(next(iter(params.values())))
        return [
            self.solve({k: to_python(v[i]) for k, v in params.items()}, config, device) for i in range(size)
        ]

    # --- provided ---------------------------------------------------------------------------
    def clean_config(self, config: dict | None) -> dict:
        """The config with defaults filled in, or ConfigError saying what is wrong."""
        cleaned = self.schema.clean(config)
        self.check_config(cleaned)
        return cleaned

    def sample_params(self, seeds, config: dict) -> dict[str, np.ndarray]:
        """Parameters for many seeds at once (numpy), with the config's fixed values applied, every set
        keeping every validity rule (drawn again until it does; ``SamplingError``, a ConfigError, when
        the config makes that impossible). A config that fixes every parameter is the instructor's own
        example (a lecture slide's), used as given: the rules govern what is drawn."""
        fixed = set(config.get("fixed", {}))

        def draw(sampler):
            drawn = self.sample_batch(sampler, config)
            if isinstance(drawn, Drawn):  # already checked, unless fixed values change the parameters now
                if not fixed:
                    return drawn
                drawn = drawn.params
            return self.with_fixed(drawn, config)

        def check(params):
            return {} if fixed >= set(params) else self.validity(params, config)

        return draw_until_valid(Sampler(seeds), draw, check, self.rules)

    def with_fixed(self, params: dict[str, np.ndarray], config: dict, candidates: bool = False
                   ) -> dict[str, np.ndarray]:
        """``params`` (batch-first; with ``candidates``, batch × candidates first) with the config's fixed
        values in place (ConfigError for an unknown name or a bad shape)."""
        lead = 2 if candidates else 1
        for name, fixed in config.get("fixed", {}).items():
            if name not in params:
                raise ConfigError(
                    f"“fixed” names an unknown parameter “{name}”; parameters: {', '.join(params)}."
                )
            try:
                value = np.asarray(fixed, dtype=np.float64)
            except (TypeError, ValueError):
                raise ConfigError(
                    f"The fixed value of “{name}” must be a number or a (nested) list of numbers of equal lengths."
                ) from None
            if value.shape != params[name].shape[lead:] or not np.all(np.isfinite(value)):
                raise ConfigError(
                    f"The fixed value of “{name}” must be finite numbers of shape {list(params[name].shape[lead:])}."
                )
            params[name] = np.broadcast_to(value, params[name].shape).copy()
        return params

    def sample(self, seed: int, config: dict) -> dict:
        """One variant's parameters as plain Python values (numpy only; no torch)."""
        batch = self.sample_params([seed], config)
        return {name: to_python(array[0]) for name, array in batch.items()}

    def mistake_list(self, solved: Solved, tolerance: dict) -> list[Mistake]:
        """Named mistakes whose values differ from the answer and from each other (others dropped).

        "Differ" means by more than twice the tolerance, so a mistake typed with a little rounding
        is never graded right, and never taken for another mistake.
        """
        kept: list[Mistake] = []
        rtol, atol = mistake_tolerance(tolerance)
        for name, value in solved.mistakes.items():
            value = to_python(value)
            if not is_finite(value) or within_nested(value, solved.answer, rtol, atol):
                continue
            if any(within_nested(value, m.value, rtol, atol) for m in kept):
                continue
            kept.append(Mistake(name=name, message=self.mistakes[name], value=value))
        return kept

    def checked(self, seed: int, config: dict, solved: Solved) -> tuple[object, dict, list[Mistake], dict]:
        """(answer, values, kept mistakes, tolerance) of one solve as plain Python; raises
        ArithmeticError for a non-finite answer. The one path from a solve to what is stored and
        shown: ``stored_row`` and ``finish`` both take it (and ``compute.batch``'s columnar path is
        tested to give the same rows)."""
        answer = to_python(solved.answer)
        if not is_finite(answer):
            raise ArithmeticError(f"{self.slug}: the answer for seed {seed} is not finite")
        tolerance = self.tolerance(config)
        mistakes = self.mistake_list(Solved(answer, {}, solved.mistakes), tolerance)
        return answer, to_python(solved.values), mistakes, dict(tolerance)

    def stored_row(self, seed: int, config: dict, params: dict, solved: Solved) -> dict:
        """One solved variant in its stored form (see ``compute.batch``): seed, params, answer, values,
        the kept mistakes as dicts ``{"name", "message", "value"}``, and the tolerance."""
        answer, values, mistakes, tolerance = self.checked(seed, config, solved)
        return {"seed": int(seed), "params": params, "answer": answer, "values": values,
                "mistakes": [{"name": m.name, "message": m.message, "value": m.value} for m in mistakes],
                "tolerance": tolerance}

    def solve_row(self, seed: int, config: dict, params: dict, device: str = "cpu") -> dict:
        """Solve one variant from its (stored) parameters: ``stored_row`` of ``solve``."""
        return self.stored_row(seed, config, params, self.solve(params, config, device))

    def finish(self, seed: int, config: dict, params: dict, solved: Solved) -> Variant:
        """A Variant from one solved parameter set (explanation, mistakes and diagram added)."""
        answer, values, mistakes, tolerance = self.checked(seed, config, solved)
        return Variant(
            generator=self.slug,
            seed=int(seed),
            config=config,
            params=params,
            answer=answer,
            tolerance=tolerance,
            steps=self.explain(params, values, config),
            mistakes=mistakes,
            values=values,
            prompt=self.prompt(config),
            diagram=self.diagram(params, config),
        )

    def generate(self, seed: int, config: dict | None = None, device: str = "cpu") -> Variant:
        """Sample and solve one variant. Raises ConfigError for a bad config."""
        config = self.clean_config(config)
        params = self.sample(seed, config)
        return self.finish(seed, config, params, self.solve(params, config, device))

    def describe(self) -> dict:
        return {
            "slug": self.slug,
            "title": self.title,
            "description": self.description,
            "lectures": list(self.lectures),
            "answer_kind": self.answer_kind,
            "vectorized": self.vectorized,
            "config": self.schema.describe(),
            "mistakes": dict(self.mistakes),
            "rules": dict(self.rules),
            "steps": [spec.describe() for spec in self.default_steps()],
        }

    def default_steps(self) -> tuple[StepSpec, ...]:
        """The steps under the default config (() when the defaults are not a valid config)."""
        try:
            return self.step_specs(self.clean_config({}))
        except ConfigError:
            return ()
