"""Computed number: each student's variant has its own numbers from a ``compute`` generator, and
PyTorch computes its exact answer; one answer box.

Also the glue every computed kind shares (``ComputedKind``): which generator and config a variant
is made with, its prompt, diagram and worked solution, sampling new variants (numpy, no torch) and
solving one (imports torch via the generator). Everything but ``solve`` and the trial solve in
``check`` is torch-free, so a web process shows a variant without importing torch.
"""

import html
import re
from collections.abc import Sequence

import numpy as np
from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from compute.config import ConfigError
from compute.contract import Generator
from compute.generators import REGISTRY, UnknownGenerator, get_generator
from compute.latex import value as latex_value
from compute.variant import Step
from quizzes import grading
from quizzes.kinds.base import Kind, ParsedAnswer, Setting
from quizzes.kinds.numeric import ATOL, RTOL, check_tolerances, parse_number_answer
from quizzes.rendering import render_many

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
TRIAL_SEEDS = (1, 2, 3, 4, 5)  # solved when the question is checked; the admin previews the same seeds


def generator_choices() -> list[tuple[str, str]]:
    """(slug, label) pairs for a select box, grouped by first lecture."""
    ordered = sorted(REGISTRY.values(), key=lambda g: (min(g.lectures or (99,)), g.slug))
    return [("", "—")] + [
        (g.slug, f"{g.title} ({', '.join(f'L{n:02d}' for n in g.lectures)}) — {g.slug}") for g in ordered
    ]


def fill_prompt(text: str, params: dict) -> str:
    """Replace ``{{ name }}`` by the parameter's LaTeX (a number, column vector or matrix)."""
    return PLACEHOLDER.sub(lambda m: latex_value(params[m.group(1)]) if m.group(1) in params else m.group(0), text)


class ComputedKind(Kind):
    """A scalar computed answer; ``computed_array`` extends it to vectors and matrices."""

    slug = "computed"
    label = "Computed number (generator, one answer box)"
    noun = "Computed"
    is_computed = True
    needs_prompt = False
    named_mistakes = True
    answer_shape = "scalar"  # what the generator's answer must be: "scalar", or "array" (vector/matrix)
    settings = (
        Setting("generator", "text", "", "Generator", "The generator that makes each student's variant.",
                required=True, missing="Choose the generator that makes each student's variant."),
        Setting("generator_config", "json", {}, "Generator config",
                "The generator's settings as JSON (empty: defaults)."),
        Setting("own_tolerance", "bool", False, "Own tolerance",
                "Grade with the rtol/atol below instead of the generator's."),
        RTOL,
        ATOL,
    )

    def form_fields(self) -> dict[str, forms.Field]:
        fields = super().form_fields()
        fields["generator"] = forms.ChoiceField(choices=generator_choices, required=False,
                                                label="Generator", help_text=self._spec("generator").help)
        return fields

    def to_file(self, question) -> dict:
        data = super().to_file(question)
        if not data.get("own_tolerance"):  # unused without own_tolerance: left out of the file
            for name in ("own_tolerance", "rtol", "atol"):
                data.pop(name, None)
        if not data.get("generator_config"):  # the defaults
            data.pop("generator_config", None)
        return data

    # --- generator and config ---------------------------------------------------------------------

    def generator(self, question, variant=None) -> Generator:
        """The generator of ``variant`` (the one it was made with) or else of ``question``."""
        slug = variant.generator if variant is not None and variant.generator else self.setting(question, "generator")
        return get_generator(slug)

    def config(self, question, variant=None) -> dict:
        """The cleaned config ``variant`` was made with, or else the question's current one.

        A variant keeps its own generator and config, so editing the question later changes only
        new variants: the prompt, diagram, worked solution and answer of an existing one stay consistent.
        """
        if variant is not None and variant.config is not None:
            return variant.config
        return self.generator(question).clean_config(self.setting(question, "generator_config"))

    def answer_kind(self, question, config: dict | None = None) -> str:
        """ "scalar", "vector" or "matrix" for this question's generator and config."""
        generator = self.generator(question)
        config = config if config is not None else self.config(question)
        kind_for = getattr(generator, "answer_kind_for", None)
        return kind_for(config) if kind_for else generator.answer_kind

    def check(self, question) -> dict[str, list[str]]:
        """The generator exists, its config cleans and samples, the answer shape fits the kind, the
        prompt names only existing parameters, tolerances (when its own) are sane, and five trial
        variants solve (this imports torch)."""
        try:
            generator = self.generator(question)
        except UnknownGenerator as error:
            return {"generator": [str(error)]}
        try:
            config = generator.clean_config(self.setting(question, "generator_config"))
            params = generator.sample(1, config)
        except (ConfigError, ValueError, TypeError, OverflowError) as error:
            return {"generator_config": [str(error)]}
        problem = self.shape_problem(self.answer_kind(question, config))
        if problem:
            return {"kind": [problem]}
        unknown = sorted(set(PLACEHOLDER.findall(question.prompt)) - set(params))
        if unknown:
            names = ", ".join("{{ " + name + " }}" for name in unknown)
            return {"prompt": [f"Unknown parameter {names}; this generator has: {', '.join(params)}."]}
        if self.setting(question, "own_tolerance"):
            errors = check_tolerances(self.setting(question, "rtol"), self.setting(question, "atol"))
            if errors:
                return errors
        for seed in TRIAL_SEEDS:
            try:
                generator.generate(seed, config)
            except Exception as error:  # any failure of the author's config is a validation message
                message = f"Solving a variant failed (seed {seed}): {type(error).__name__}: {error}"
                return {"generator_config": [message]}
        return {}

    def unanswerable_until_solved(self, variant) -> str:
        """``unanswerable`` of kinds whose answer boxes come from the solved answer's shape."""
        if variant.is_error:
            return "This question is temporarily unavailable. Your instructor has been told."
        if not variant.is_ready:
            return "This question is still being prepared. Reload the page in a moment."
        return ""

    def shape_problem(self, answer_kind: str) -> str:
        if answer_kind != "scalar":
            return f"This generator and config ask for a {answer_kind}: use the kind “Computed vector/matrix”."
        return ""

    # --- variants ---------------------------------------------------------------------------------

    def sample(self, question, seeds: Sequence[int]) -> list[dict]:
        """Every variant's numbers (numpy, vectorized over seeds, no torch), with the generator and
        cleaned config they are made with; solved later by ``solve``."""
        generator, config = self.generator(question), self.config(question)
        params = generator.sample_params(np.array(seeds, dtype=np.uint64), config)
        return [{"params": {name: array[index].tolist() for name, array in params.items()},
                 "generator": generator.slug, "config": config} for index in range(len(seeds))]

    def solve(self, question, variant, device: str) -> dict:
        """Solve ``variant`` from its stored numbers: the stored form of ``Generator.stored_row``
        (imports torch via the generator; raises what the generator raises)."""
        generator = self.generator(question, variant)
        return generator.solve_row(variant.seed, self.config(question, variant), variant.params, device)

    def finish_row(self, question, row: dict, config: dict) -> dict:
        """A solved variant's stored row as this kind stores it (``Generator.stored_row``'s here);
        ``variants_solve`` (through ``solve``) and ``quiz_precompute`` both pass through it."""
        return row

    def prompt(self, question, variant) -> str:
        text = question.prompt.strip() or self.generator(question, variant).prompt(self.config(question, variant))
        return fill_prompt(text, variant.params or {})

    def diagram(self, question, variant) -> str | None:
        """The generator's SVG of the student's own network (trusted markup: numbers escaped)."""
        if not variant.params:
            return None
        return self.generator(question, variant).diagram(variant.params, self.config(question, variant))

    def steps(self, question, variant) -> list[Step]:
        """The worked solution of a solved variant (empty until it is ready)."""
        if not variant.is_ready or variant.values is None:
            return []
        return self.generator(question, variant).explain(variant.params, variant.values,
                                                          self.config(question, variant))

    # --- answering ----------------------------------------------------------------------------------

    def parse_text(self, question, raw: str) -> ParsedAnswer:
        return parse_number_answer(raw)

    def tolerance(self, question, variant) -> dict:
        """The question's own rtol/atol when it says so, else the generator's for this variant."""
        if self.setting(question, "own_tolerance") or not variant.tolerance:
            return {"rtol": self.setting(question, "rtol"), "atol": self.setting(question, "atol")}
        return variant.tolerance

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        return grading.grade_computed(value, variant.answer, mistakes=variant.mistakes,
                                      **self.tolerance(question, variant))

    def correct_answer(self, question, *, choices: Sequence, variant):
        return variant.answer if variant is not None else None

    def mistake_messages(self, question) -> dict[str, str]:
        """The generator's messages (every variant's named mistakes come from it); {} for an unknown one."""
        generator = REGISTRY.get(self.setting(question, "generator"))
        return dict(generator.mistakes) if generator is not None else {}

    def widget(self, state) -> dict:
        return {**super().widget(state), "numeric": True}

    def preview(self, question, choices: Sequence | None = None) -> SafeString:
        """Five variants (the trial seeds) with prompt, diagram, answer, known mistakes and worked
        solution, solved in this process (the admin imports torch on its first preview). A generator
        error is shown as a message, never raised."""
        try:
            generator, config = self.generator(question), self.config(question)
            variants = [generator.generate(seed, config) for seed in TRIAL_SEEDS]
        except Exception as error:  # show the instructor what is wrong instead of a 500
            return format_html('<p class="errornote">The generator failed: {}: {}</p>', type(error).__name__, error)
        blocks = []
        for variant in variants:
            prompt = fill_prompt(question.prompt.strip() or variant.prompt, variant.params)
            texts = [prompt, f"$${latex_value(variant.answer)}$$"] + [s.body for s in variant.steps]
            prompt_html, answer_html, *step_html = render_many(texts)
            mistakes = format_html_join("", "<li><code>{}</code>: {} (value {})</li>",
                                        ((m.name, m.message, m.value) for m in variant.mistakes))
            steps = format_html_join("", "<li><strong>{}</strong>{}</li>", (
                (step.title, mark_safe(body)) for step, body in zip(variant.steps, step_html, strict=True)))
            blocks.append(format_html(
                '<details class="variant-preview"><summary>Seed {} — answer {}</summary>{}{}'
                "<p><strong>Answer</strong> (rtol {}, atol {})</p>{}<p><strong>Known mistakes</strong></p><ul>{}</ul>"
                "<p><strong>Worked solution</strong></p><ol>{}</ol></details>",
                variant.seed, html.unescape(str(variant.answer))[:80], mark_safe(prompt_html),
                mark_safe(variant.diagram or ""), variant.tolerance["rtol"], variant.tolerance["atol"],
                mark_safe(answer_html), mistakes or mark_safe("<li>none</li>"), steps,
            ))
        return format_html('<div class="quiz-preview">{}</div>', mark_safe("".join(blocks)))


def generator_catalogue() -> SafeString:
    """An HTML table describing every generator and its settings, for the question form."""
    rows = []
    for g in sorted(REGISTRY.values(), key=lambda g: (min(g.lectures or (99,)), g.slug)):
        described = "; ".join(_describe_setting(f) for f in g.describe()["config"])
        rows.append((g.slug, g.title, ", ".join(map(str, g.lectures)), g.description, described))
    body = format_html_join("", "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
    return format_html(
        "<details><summary>All generators ({})</summary><table><thead><tr><th>slug</th><th>title</th>"
        "<th>lectures</th><th>what it asks</th><th>settings</th></tr></thead><tbody>{}</tbody></table></details>",
        len(rows), body,
    )


def _describe_setting(field: dict) -> str:
    allowed = f", one of {', '.join(map(str, field['choices']))}" if "choices" in field else ""
    return f"{field['name']} (default {field['default']!r}{allowed})"


KIND = ComputedKind()
