"""Multi-step computed question: one variant, several named steps of its computation, each graded
against its exact value and against the value that follows from the student's own earlier answers
(carried-error grading, ``quizzes.step_grading``; the steps come from the generator, ``compute.steps``).

Settings: the generator and its config (as computed questions), ``steps`` (a JSON list of
``{"step": NAME, "weight": W}`` in the order asked; weight 1 when left out), the ``carried_credit`` a
step earns when it is right for the student's wrong inputs, and the ``mode``: all steps at once, or
guided (a step opens after the previous one is right, right for the student's values, or shown on
request, which earns it no credit). Grading needs the generator's PyTorch code, so it runs live:
``grades_live`` makes ``quizzes.submissions`` store the answer as pending and grade it on the compute
queue when there is a broker (in process without one).
"""

import json
from collections.abc import Sequence

import numpy as np
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from compute.config import ConfigError
from compute.generators import REGISTRY, UnknownGenerator
from compute.steps import step_chain, step_slips
from compute.steps_diagram import steps_diagram
from quizzes import grading
from quizzes.kinds.base import InvalidAnswer, MalformedAnswer, ParsedAnswer, Setting, number_key
from quizzes.kinds.computed import TRIAL_SEEDS, ComputedKind, fill_prompt
from quizzes.numeric_input import MAX_LENGTH, NumericInputError, parse_number
from quizzes.rendering import render_many, render_many_inline
from quizzes.step_grading import AskedStep, grade_steps

MODES = (("all", "All steps at once"),
         ("guided", "Guided: the next step opens after a right answer or “show this step”"))
DONE = ("right", "carried", "shown")  # marks that open the next step in guided mode
STEPS_NOTE = ("Work it out step by step in the boxes below. Each step is graded on its own; a step that is "
              "wrong but right for your own earlier values still earns part of its points.")


class MultiStep(ComputedKind):
    slug = "multi_step"
    label = "Multi-step computed (generator steps, carried-error grading)"
    noun = "Multi-step"
    template = "quizzes/kinds/steps.html"
    grades_live = True
    has_steps = True
    settings = (
        *ComputedKind.settings[:2],
        Setting("steps", "entries", [], "Steps",
                'The steps asked, in order: a JSON list like [{"step": "z1"}, {"step": "dL_dW1", "weight": 2}] '
                "(names from the generator's steps; weight 1 when left out).",
                required=True, missing="List the steps to ask, e.g. [{\"step\": \"z1\"}]."),
        Setting("carried_credit", "float", 0.5, "Carried credit",
                "Share of a step's points when it is wrong but right for the student's own earlier values."),
        Setting("mode", "choice", "all", "Mode", "How the steps are answered.", choices=MODES),
    )

    # --- settings -----------------------------------------------------------------------------------

    def check(self, question) -> dict[str, list[str]]:
        """Every problem with the generator, its config, the steps and the credit, all at once; then
        five trial variants solve and run their steps (imports torch)."""
        try:
            generator = self.generator(question)
        except UnknownGenerator as error:
            return {"generator": [str(error)]}
        try:
            config = generator.clean_config(self.setting(question, "generator_config"))
        except (ConfigError, ValueError, TypeError) as error:
            return {"generator_config": [str(error)]}
        errors: dict[str, list[str]] = {}
        credit = self.setting(question, "carried_credit")
        if not 0 <= credit <= 1:
            errors["carried_credit"] = [f"The carried credit must be between 0 and 1, not {credit:g}."]
        specs = {spec.name: spec for spec in generator.step_specs(config)}
        if not specs:
            with_steps = ", ".join(sorted(slug for slug, g in REGISTRY.items() if g.default_steps()))
            return {"generator": [f"The generator {generator.slug} has no steps; generators with steps: "
                                  f"{with_steps}."], **errors}
        problems = self.step_problems(self.setting(question, "steps"), specs)
        if problems:
            errors["steps"] = problems
        if errors:
            return errors
        for seed in TRIAL_SEEDS:
            try:
                params = generator.sample(seed, config)
                generator.solve(params, config)
                step_chain(generator, params, config)
            except Exception as error:  # any failure of the author's config is a validation message
                return {"generator_config": [f"Solving a variant failed (seed {seed}): {type(error).__name__}: "
                                             f"{error}"]}
        return {}

    @staticmethod
    def step_problems(entries: list, specs: dict) -> list[str]:
        """Messages for the ``steps`` entries: each names a known step once, weights are positive."""
        if not entries:
            return [f"List at least one step; this generator's steps: {', '.join(specs)}."]
        problems, seen = [], set()
        for number, entry in enumerate(entries, start=1):
            name, weight = entry.get("step"), entry.get("weight", 1)
            unknown = set(entry) - {"step", "weight"}
            if unknown:
                problems.append(f"Step {number}: unknown key(s) {', '.join(sorted(unknown))} (use step and weight).")
            if name not in specs:
                problems.append(f"Step {number}: “{name}” is not a step of this generator; its steps: "
                                f"{', '.join(specs)}.")
            elif name in seen:
                problems.append(f"Step {number}: “{name}” is asked twice.")
            seen.add(name)
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
                problems.append(f"Step {number}: the weight must be a positive number, not {json.dumps(weight)}.")
        return problems

    def shape_problem(self, answer_kind: str) -> str:
        return ""

    def prompt(self, question, variant) -> str:
        """The question's own prompt, else the generator's followed by how the steps are graded."""
        if question.prompt.strip():
            return super().prompt(question, variant)
        generator = self.generator(question, variant)
        return fill_prompt(f"{generator.prompt(self.config(question, variant))}\n\n{STEPS_NOTE}", variant.params or {})

    def tolerance(self, question, variant) -> dict:
        return variant.tolerance or self.generator(question, variant).tolerance(self.config(question, variant))

    # --- steps --------------------------------------------------------------------------------------

    def asked(self, question, variant=None) -> list[AskedStep]:
        """The asked steps in order, with weight, symbol and inputs (from the variant's generator). For a
        solved variant, only the steps it was solved with: steps an author adds later are asked in new
        variants (and in this one once a regrade solves it again), never as boxes without a value."""
        specs = self.specs(question, variant)
        solved = variant.answer if variant is not None and isinstance(variant.answer, dict) else None
        return [AskedStep(entry["step"], float(entry.get("weight", 1)), specs[entry["step"]].symbol,
                          specs[entry["step"]].depends)
                for entry in self.setting(question, "steps")
                if entry.get("step") in specs and (solved is None or entry["step"] in solved)]

    def finish_row(self, question, row: dict, config: dict) -> dict:
        """A solved variant's stored row with, as its answer, every asked step's exact value; named
        mistakes are per step and found when grading."""
        generator = self.generator(question)
        exact = step_chain(generator, row["params"], config)
        return {**row, "answer": {step.name: exact[step.name] for step in self.asked(question)}, "mistakes": []}

    def solve(self, question, variant, device: str) -> dict:
        return self.finish_row(question, super().solve(question, variant, device), self.config(question, variant))

    def unanswerable(self, variant) -> str:  # the boxes come from the solved answer's shape
        return self.unanswerable_until_solved(variant)

    # --- answering ----------------------------------------------------------------------------------

    def open_count(self, question, variant, last_marks: list | None) -> int:
        """How many steps take answers: all, or in guided mode those up to the first not done."""
        asked = self.asked(question, variant)
        if self.setting(question, "mode") != "guided":
            return len(asked)
        marks = {m["step"]: m["mark"] for m in last_marks or []}
        done = 0
        for step in asked:
            if marks.get(step.name) not in DONE:
                break
            done += 1
        return min(done + 1, len(asked))

    def parse(self, question, data, *, choices: Sequence, variant) -> ParsedAnswer:
        """Boxes ``step-NAME`` (row-major, as many as the step's entries) and ``show`` (guided mode: the
        step to show) into {"answers": {step: value or None}, "shown": [steps]}. Steps shown before stay
        shown (read from the stored answers, never from the form)."""
        previous = [s for s in variant.submissions.filter(status="graded").order_by("created_at", "id")]
        shown = {name for s in previous for name in (s.value or {}).get("shown", [])}
        open_count = self.open_count(question, variant, previous[-1].step_marks if previous else None)
        asked = self.asked(question, variant)
        request = data.get("show", "")
        if request:
            if request not in {step.name for step in asked[:open_count]}:
                raise MalformedAnswer("That step cannot be shown now.")
            shown.add(request)
        typed, answers, options = {}, {}, self.step_options(question, variant)
        for index, step in enumerate(asked):
            shape = np.shape(variant.answer[step.name])
            cells = data.getlist(f"step-{step.name}")
            if index >= open_count or step.name in shown:
                answers[step.name] = None
                continue
            count = int(np.prod(shape))
            if len(cells) != count:
                raise MalformedAnswer(f"Step {index + 1} has {count} entries; {len(cells)} were sent.")
            if any(len(cell) > MAX_LENGTH for cell in cells):
                raise MalformedAnswer(f"An entry may be at most {MAX_LENGTH} characters long.")
            typed[step.name] = cells
            answers[step.name] = (self.parse_option(index, cells[0], options[step.name]) if step.name in options
                                  else self.parse_cells(index, step, cells, shape, json.dumps(typed)))
        if not request and all(value is None for value in answers.values()):
            raise InvalidAnswer("Enter at least one step.", json.dumps(typed))
        return ParsedAnswer(raw=json.dumps(typed, ensure_ascii=False),
                            value={"answers": answers, "shown": sorted(shown)})

    @staticmethod
    def parse_cells(index: int, step: AskedStep, cells: list[str], shape: tuple, raw: str):
        """One step's boxes as a number / nested list, None when all are empty."""
        if all(not cell.strip() for cell in cells):
            return None
        numbers = []
        for position, cell in enumerate(cells):
            if not cell.strip():
                raise InvalidAnswer(f"Step {index + 1}: fill in every entry, or leave the whole step empty.", raw)
            try:
                numbers.append(parse_number(cell))
            except NumericInputError as error:
                where = ("" if not shape else f", entry [{position}]" if len(shape) == 1
                         else f", entry [{position // shape[1]}, {position % shape[1]}]")
                raise InvalidAnswer(f"Step {index + 1}{where}: {error}", raw) from None
        return np.reshape(numbers, shape).tolist() if shape else numbers[0]

    @staticmethod
    def parse_option(index: int, cell: str, options: tuple[str, ...]) -> float | None:
        """A choice step's picked option (its index, as a step value), None for "no answer"; an index that is
        not an option's is a request no form of ours sends."""
        if not cell.strip():
            return None
        if not (cell.strip().isascii() and cell.strip().isdigit()) or int(cell) >= len(options):
            raise MalformedAnswer(f"Step {index + 1} has no option “{cell[:20]}”.")
        return float(int(cell))

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        """Carried-error grading (``quizzes.step_grading``), computed with the generator's torch code."""
        generator, config = self.generator(question, variant), self.config(question, variant)
        params, asked = variant.params, self.asked(question, variant)
        exact = step_chain(generator, params, config)
        shown = frozenset(value.get("shown", []))
        answers = {name: exact[name] if name in shown else given for name, given in value["answers"].items()}
        wrong = [step.name for step in asked if answers.get(step.name) is not None and step.name not in shown]
        try:
            carried = step_chain(generator, params, config, answers)
            slips = step_slips(generator, params, config, answers, wrong)
        except (ArithmeticError, ValueError, RuntimeError, IndexError, TypeError):
            # Inputs no step can take (a generator that refuses them): graded against the exact values only.
            carried, slips = exact, {}
        return grade_steps(
            asked, answers, exact=exact, carried=carried, slips=slips, messages=generator.mistakes,
            depends=self.depends(question, variant),
            tolerance=self.tolerance(question, variant), carried_credit=self.setting(question, "carried_credit"),
            shown=shown, tolerances=self.step_tolerances(question, variant),
        )

    def step_tolerances(self, question, variant) -> dict:
        """The asked steps the generator grades with a tolerance of their own (``step_tolerance`` other than
        its ``tolerance``: ``fixed_steps``); the others keep the variant's."""
        generator, config = self.generator(question, variant), self.config(question, variant)
        usual = generator.tolerance(config)
        own = {step.name: generator.step_tolerance(step.name, config) for step in self.asked(question, variant)}
        return {name: tolerance for name, tolerance in own.items() if tolerance != usual}

    def answer_text(self, raw: str, value, *, choice_texts) -> str:
        """"z1 = 1; 2 | a1 = …" with each step's numbers; blank steps left out."""
        answers = value.get("answers", value) if isinstance(value, dict) else {}
        return " | ".join(f"{name} = {number_key(given)}" for name, given in answers.items() if given is not None)

    def normaliser(self, question):
        def normalise(raw: str, value) -> str:
            return self.answer_text(raw, value, choice_texts={})[:80]

        return normalise

    # --- pages --------------------------------------------------------------------------------------

    def widget(self, state) -> dict:
        """The steps in order: symbol and title (HTML), boxes with the last typed text, and once feedback
        may be shown each step's mark and message; guided mode locks the steps not open yet."""
        variant, last, question = state.variant, state.last, state.question
        if not variant.is_ready:
            return {"steps": []}
        asked = self.asked(question, variant)
        graded = last if last and last.status == "graded" else state.last_graded
        marks = {m["step"]: m for m in (graded.step_marks if graded and state.feedback_visible else [])}
        typed = json.loads(last.raw) if last and last.raw.startswith("{") else {}
        shown = set((graded.value or {}).get("shown", [])) if graded else set()
        open_count = self.open_count(question, variant, graded.step_marks if graded else None)
        texts = [f"${step.symbol}$" for step in asked] + [marks.get(s.name, {}).get("message", "") for s in asked]
        rendered, options = render_many_inline(texts), self.step_options(question, variant)
        titles = {name: spec.title for name, spec in self.specs(question, variant).items()}
        steps = []
        for index, step in enumerate(asked):
            mark = marks.get(step.name, {})
            value = variant.answer[step.name] if step.name in shown else None
            steps.append({
                "number": index + 1, "name": step.name, "symbol": rendered[index],
                "title": titles[step.name],
                "rows": self.rows(np.shape(variant.answer[step.name]), typed.get(step.name, []), value),
                "options": self.option_rows(options.get(step.name, ()), typed.get(step.name, []), value),
                "mark": mark.get("mark", ""), "message": rendered[len(asked) + index],
                "locked": index >= open_count, "shown": step.name in shown,
                "can_show": self.setting(question, "mode") == "guided" and index == open_count - 1
                and step.name not in shown and mark.get("mark") not in DONE,
            })
        first_wrong = next((m["step"] for m in marks.values() if m["mark"] == "wrong"), "")
        diagram = steps_diagram([(s["name"], s["title"]) for s in steps], self.depends(question, variant),
                                {name: m["mark"] for name, m in marks.items()}, first_wrong)
        return {"steps": steps, "guided": self.setting(question, "mode") == "guided", "diagram": mark_safe(diagram),
                "first_wrong": next((s for s in steps if s["name"] == first_wrong), None)}

    def specs(self, question, variant=None) -> dict:
        """Every step of the variant's generator (or the question's), by name: ``compute.steps.StepSpec``."""
        generator = self.generator(question, variant)
        return {spec.name: spec for spec in generator.step_specs(self.config(question, variant))}

    def step_options(self, question, variant) -> dict[str, tuple[str, ...]]:
        """The options (Markdown) of the choice steps, by step name (``compute.steps.StepSpec.options``)."""
        return {name: spec.options for name, spec in self.specs(question, variant).items() if spec.options}

    @staticmethod
    def option_rows(options: tuple[str, ...], typed: list, shown) -> list[dict]:
        """A choice step's radio buttons: each option's HTML, then "no answer" (a step may stay blank); the
        last picked one (or the shown right one) checked. [] for a step without options."""
        if not options:
            return []
        picked = str(int(shown)) if shown is not None else (typed[0] if typed else "")
        rows = [{"index": str(index), "html": html, "checked": picked == str(index)}
                for index, html in enumerate(render_many_inline(list(options)))]
        return [*rows, {"index": "", "html": "No answer", "checked": picked not in {row["index"] for row in rows},
                        "blank": True}]

    def depends(self, question, variant) -> dict:
        """Each step's inputs, by name (every step of the generator, asked or not)."""
        return {name: spec.depends for name, spec in self.specs(question, variant).items()}

    @staticmethod
    def rows(shape: tuple, typed: list, shown) -> list[list[dict]]:
        """Boxes of one step: a scalar is one box, a vector one column, a matrix its rows."""
        rows, cols = (1, 1) if not shape else (shape[0], 1) if len(shape) == 1 else shape
        flat = np.ravel(shown).tolist() if shown is not None else None
        grid = []
        for r in range(rows):
            grid.append([{"index": r * cols + c, "row": r, "col": c, "kind": len(shape),
                          "text": number_key(flat[r * cols + c]) if flat else
                          (typed[r * cols + c] if r * cols + c < len(typed) else "")} for c in range(cols)])
        return grid

    def preview(self, question, choices: Sequence | None = None) -> SafeString:
        """The computed preview, then the first trial variant's exact step values."""
        base = super().preview(question, choices)
        try:
            generator, config = self.generator(question), self.config(question)
            params = generator.sample(TRIAL_SEEDS[0], config)
            exact = step_chain(generator, params, config)
            asked = self.asked(question)
        except Exception as error:  # shown to the author, never raised
            return format_html('{}<p class="errornote">The steps failed: {}: {}</p>', base, type(error).__name__, error)
        symbols = render_many([f"${step.symbol}$" for step in asked])
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>", (
            (n, mark_safe(symbol), step.weight, number_key(exact[step.name]))
            for n, (step, symbol) in enumerate(zip(asked, symbols, strict=True), start=1)))
        return format_html('{}<p><strong>Steps of seed {}</strong></p><table><thead><tr><th>#</th><th>step</th>'
                           "<th>weight</th><th>exact value</th></tr></thead><tbody>{}</tbody></table>",
                           base, TRIAL_SEEDS[0], rows)


KIND = MultiStep()
