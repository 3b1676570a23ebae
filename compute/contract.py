"""The generator contract: a small explicit object per question type.

A generator has a ``slug``, a ``title``, a ``description`` (what it asks, for instructors),
the ``lectures`` it serves (1-12), a config ``schema`` and named ``mistakes`` (name ->
message). Subclasses implement:

- ``sample_batch(sampler, config) -> dict[str, np.ndarray]``: numpy only, every array of shape
  (batch, ...); nice hand-computable numbers; no degenerate cases.
- ``solve(params, config, device) -> Solved``: PyTorch float64 on ``device`` (import torch inside
  the method, so that sampling, explaining and drawing never import it). ``params`` are plain
  Python floats / lists.
- ``explain(params, values, config) -> list[Step]``: the worked solution from the solved
  ``values``; pure Python. It states the conventions used.
- ``prompt(config) -> str``: the default Markdown prompt with ``{{ name }}`` placeholders for
  the params; it states the conventions the answer follows.
- optionally ``diagram(params, config) -> str | None`` (inline SVG), ``tolerance(config)``,
  ``check_config(config)`` (cross-field checks, raise ConfigError), and ``solve_batch`` for a
  vectorized solve (set ``vectorized = True``; results must equal the single ``solve``).

``generate(seed, config)`` joins them into a ``Variant``.
"""

import numpy as np

from compute.config import ConfigError, Schema
from compute.latex import is_finite
from compute.sampling import Sampler
from compute.tolerance import mistake_tolerance, within_nested
from compute.variant import Mistake, Solved, Step, Variant

EXACT = {"rtol": 0.0, "atol": 1e-6}  # ``tolerance(config)`` of exact answers: shapes, counts, whole numbers


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

    def tolerance(self, config: dict) -> dict:
        return {"rtol": 0.01, "atol": 1e-3}

    def check_config(self, config: dict) -> None:
        """Cross-field checks on a cleaned config; raise ConfigError with a clear message."""

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
        """Parameters for many seeds at once (numpy), with the config's fixed values applied."""
        params = self.sample_batch(Sampler(seeds), config)
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
            if value.shape != params[name].shape[1:] or not np.all(np.isfinite(value)):
                raise ConfigError(
                    f"The fixed value of “{name}” must be finite numbers of shape {list(params[name].shape[1:])}."
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
        }
