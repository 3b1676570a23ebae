"""The contract of a question kind, and what kinds share: settings, answer errors, choice handling.

A kind is a small object that owns everything about one kind of question, so that adding a kind
means adding one module (and one registry line in ``quizzes/kinds/__init__.py``):

- its **settings**: a schema of ``Setting`` (name, type, default, help), cleaned by
  ``clean_settings`` into the ``Question.settings`` JSON, checked together by ``check``; the admin
  builds its form fields from the same schema (``form_fields``) and the course files write and read
  them under the same names (``to_file`` / ``from_file``);
- **answering**: ``parse`` turns posted data into a JSON-serializable value, or raises
  ``InvalidAnswer`` (the student's mistake: stored, shown back, costs no try) or ``MalformedAnswer``
  (a request no form of ours sends: HTTP 400, nothing stored); ``unanswerable`` says why a variant
  cannot take answers yet;
- **grading**: ``grade`` returns a ``quizzes.grading.Grade``;
- **showing and exporting**: ``correct_answer`` (the answer as the API and exports give it, once it
  may be shown), ``answer_text`` (an answer as people read it in exports), ``mistake_messages``
  (what each named mistake means, for staff pages and exports), ``template`` and ``widget`` (the
  answer widget of the quiz page), ``normaliser`` (how statistics group wrong answers), ``preview``
  (the admin's rendering);
- **variants**: ``sample`` gives new variants what they store before being shown (computed kinds
  sample their numbers and are solved later; every other kind's variant is ready at once).

Kinds read their settings with ``setting(question, name)``, which falls back to the default.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from quizzes import grading
from quizzes.rendering import render_many

MAX_TEXT_LENGTH = 500  # characters of one typed answer (longer is a malformed request)


class InvalidAnswer(ValueError):
    """The student's input cannot be graded; the message says why, for the student."""

    def __init__(self, message: str, raw: str):
        super().__init__(message)
        self.raw = raw


class MalformedAnswer(ValueError):
    """The request does not fit the question (answer with HTTP 400)."""


class SettingsError(ValueError):
    """Settings of the wrong type: ``errors`` maps a setting name to its messages for the author;
    ``cleaned`` holds the settings that did clean (so further checks can still run on them)."""

    def __init__(self, errors: dict[str, list[str]], cleaned: dict):
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
        self.errors, self.cleaned = errors, cleaned


@dataclass(frozen=True)
class ParsedAnswer:
    raw: str  # what the student sent, as text
    value: object  # JSON-serializable: list of choice ids, bool, float, str or nested lists of floats


@dataclass(frozen=True)
class Setting:
    """One setting of a kind, as stored in ``Question.settings`` and shown in the admin.

    ``type`` is one of:
    "float" (a number; finiteness is the kind's ``check``), "int" (a whole number),
    "choice" (one of ``choices``' keys), "bool", "lines" (a list of non-empty strings; one per line
    in the admin), "json" (a JSON object), "entries" (a JSON list of objects) or "text" (a string).
    A ``required`` setting must be given, and not empty; any other setting left out takes its
    ``default``. One given as empty (None or "", e.g. an emptied admin box) takes the default too,
    unless ``allow_empty`` is False. Refusals say ``missing``. An ``implicit_default`` is not stored in
    ``Question.settings`` nor written to course files while it holds its default, so questions made
    before the setting existed stay as they were (same settings, fingerprint and files).
    """

    name: str
    type: str
    default: object
    label: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False
    allow_empty: bool = True
    missing: str = "This setting is required."
    implicit_default: bool = False

    def clean(self, value):
        """The value in its stored form; raises ValueError with a message for the author."""
        if value is None or (value == "" and self.type != "text"):
            if self.required or not self.allow_empty:
                raise ValueError(self.missing)
            return self.default
        if self.type == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"Enter a number, not {json.dumps(value)}.")
            return float(value)
        if self.type == "int":
            if isinstance(value, bool) or not isinstance(value, int | float) or value != value or int(value) != value:
                raise ValueError(f"Enter a whole number, not {json.dumps(value)}.")
            return int(value)
        if self.type == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"Enter true or false, not {json.dumps(value)}.")
            return value
        if self.type == "choice":
            allowed = [key for key, _ in self.choices]
            if value not in allowed:
                raise ValueError(f"Use one of {', '.join(allowed)}; got {json.dumps(value)}.")
            return value
        if self.type == "lines":
            if isinstance(value, str):
                value = value.splitlines()
            if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
                raise ValueError("Give a list of texts, one per line.")
            return [line.strip() for line in value if line.strip()]
        if self.type == "json":
            if not isinstance(value, dict):
                raise ValueError('Enter a JSON object, e.g. {"activation": "tanh"}, or {}.')
            return value
        if self.type == "entries":
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                raise ValueError('Enter a JSON list of objects, e.g. [{"name": "…", "feedback": "…"}], or [].')
            return value
        if self.type == "text":
            if not isinstance(value, str):
                raise ValueError(f"Enter a text, not {json.dumps(value)}.")
            return value
        raise ValueError(f"unknown setting type {self.type!r}")

    def form_field(self) -> forms.Field:
        """The admin form field editing this setting (its cleaned value goes through ``clean``)."""
        common = {"label": self.label, "help_text": self.help, "required": False}
        if self.type == "float":
            return forms.FloatField(**common)
        if self.type == "int":
            return forms.IntegerField(**common)
        if self.type == "bool":
            if self.required:
                choices = [("", "— choose —"), ("true", "True"), ("false", "False")]
                return forms.TypedChoiceField(
                    choices=choices, coerce=lambda v: v == "true", empty_value=None, **common
                )
            return forms.BooleanField(**common)
        if self.type == "choice":
            return forms.ChoiceField(choices=self.choices, initial=self.default, **common)
        if self.type == "lines":
            return LinesField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), **common)
        if self.type in ("json", "entries"):
            return LocatedJSONField(
                widget=forms.Textarea(attrs={"rows": 4, "cols": 60, "spellcheck": "false"}), **common
            )
        return forms.CharField(**common)

    def initial(self, value):
        """The form's initial value for a stored ``value``."""
        if self.type == "lines":
            return "\n".join(value or [])
        if self.type == "bool" and self.required:
            return "" if value is None else ("true" if value else "false")
        return value


class LocatedJSONField(forms.JSONField):
    """A JSON textarea whose syntax errors say where: line, column and what was expected."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                json.loads(value)
            except json.JSONDecodeError as error:
                raise forms.ValidationError(
                    f"Not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}.", code="invalid"
                ) from None
        return super().to_python(value)


class LinesField(forms.CharField):
    """A textarea of one entry per line, cleaned to a list of non-empty stripped lines."""

    def to_python(self, value):
        return [line.strip() for line in (super().to_python(value) or "").splitlines() if line.strip()]


class Kind:
    """The behaviour every kind shares; subclasses override what their kind does differently."""

    slug: str = ""
    label: str = ""  # in the admin's kind menu
    noun: str = ""  # in messages: "{noun} questions take no choices"
    settings: tuple[Setting, ...] = ()
    has_choices = False  # answered by picking the question's Choice rows
    is_computed = False  # each student's variant has its own numbers from a generator
    needs_prompt = True  # a question of this kind must have its own prompt
    named_mistakes = False  # grades name known mistakes (statistics count them)
    grades_live = False  # grading runs the generator's code: on the compute queue when there is a broker
    has_steps = False  # answered in named steps (``asked(question, variant)``: the multi-step kind)
    template = "quizzes/kinds/typed.html"  # the answer widget, included in the question's form

    # --- settings ---------------------------------------------------------------------------------

    def setting(self, question, name: str):
        """The question's value of setting ``name`` (its default when not stored)."""
        spec = self._spec(name)
        return question.settings.get(name, spec.default) if isinstance(question.settings, dict) else spec.default

    def _spec(self, name: str) -> Setting:
        for spec in self.settings:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.slug} has no setting {name!r}")

    def clean_settings(self, raw: Mapping | None) -> dict:
        """Every setting of the kind in its stored form, defaults filled in (an ``implicit_default``
        left out).

        A setting left out of ``raw`` takes its default. Raises ``SettingsError`` for a value of the
        wrong type, an emptied required value or a name the kind does not know (a typo in a course
        file must not pass silently).
        """
        raw = dict(raw or {})
        errors: dict[str, list[str]] = {}
        unknown = sorted(set(raw) - {s.name for s in self.settings})
        for name in unknown:
            known = ", ".join(s.name for s in self.settings) or "none"
            errors.setdefault(name, []).append(f"{self.noun} questions have no setting “{name}” (settings: {known}).")
        cleaned = {}
        for spec in self.settings:
            try:
                if spec.name in raw:
                    cleaned[spec.name] = spec.clean(raw[spec.name])
                elif spec.required:
                    raise ValueError(spec.missing)
                else:
                    cleaned[spec.name] = spec.default
            except (ValueError, OverflowError) as error:
                errors.setdefault(spec.name, []).append(str(error))
        cleaned = {name: value for name, value in cleaned.items()
                   if not (self._spec(name).implicit_default and value == self._spec(name).default)}
        if errors:
            raise SettingsError(errors, cleaned)
        return cleaned

    def check(self, question) -> dict[str, list[str]]:
        """Setting name -> messages for whatever makes the question's settings unusable (they were
        cleaned by ``clean_settings``; a setting that failed to clean reads as its default)."""
        return {}

    def check_choices(self, choices: Sequence["ChoiceDraft"], settings: Mapping | None = None) -> list[str]:
        """Messages for choices that do not suit the kind, all at once; ``settings`` are the question's
        (cleaned; None: the defaults)."""
        if choices:
            return [f"{self.noun} questions take no choices: delete them or change the kind."]
        return []

    def form_fields(self) -> dict[str, forms.Field]:
        return {spec.name: spec.form_field() for spec in self.settings}

    # --- course files -----------------------------------------------------------------------------

    def to_file(self, question) -> dict:
        """The settings as written in a course file: every setting, in schema order, except those
        without a value, empty lists of entries and implicit defaults (so a question without them
        reads as before)."""
        values = {spec.name: self.setting(question, spec.name) for spec in self.settings}
        return {name: value for name, value in values.items()
                if value is not None and not (value == [] and self._spec(name).type == "entries")
                and not (self._spec(name).implicit_default and value == self._spec(name).default)}

    def from_file(self, data: Mapping) -> dict:
        """Settings from a course file's keys (cleaned by the caller with ``clean_settings``)."""
        return dict(data)

    # --- variants ---------------------------------------------------------------------------------

    def sample(self, question, seeds: Sequence[int]) -> list[dict] | None:
        """What new variants with these ``seeds`` store before they are shown: per seed the Variant
        fields to set (computed kinds: params, generator, config; solved later), or None when
        variants of this kind are ready at once. Raises whatever sampling raises."""
        return None

    def prompt(self, question, variant) -> str:
        """The Markdown prompt the student sees for ``variant``."""
        return question.prompt

    def diagram(self, question, variant) -> str | None:
        """An inline SVG shown under the prompt (trusted markup), or None."""
        return None

    def steps(self, question, variant) -> list:
        """The worked-solution steps (``compute.variant.Step``) of ``variant``; the explanation follows them."""
        return []

    def unanswerable(self, variant) -> str:
        """Why ``variant`` cannot take an answer now ("" when it can)."""
        return ""

    # --- answering and grading ----------------------------------------------------------------------

    def parse(self, question, data, *, choices: Sequence, variant) -> ParsedAnswer:
        """The answer in ``data`` (a QueryDict: fields ``answer``, ``choice`` or ``cell``)."""
        raw = data.get("answer", "")
        if len(raw) > MAX_TEXT_LENGTH:
            raise MalformedAnswer(f"An answer may be at most {MAX_TEXT_LENGTH} characters long.")
        return self.parse_text(question, raw)

    def parse_text(self, question, raw: str) -> ParsedAnswer:
        raise NotImplementedError

    def grade(self, question, value, *, choices: Sequence, variant) -> grading.Grade:
        raise NotImplementedError

    def correct_answer(self, question, *, choices: Sequence, variant):
        """The correct answer, JSON-serializable, in the form answers are given (for the API and
        exports; callers show it only once the solution may be seen)."""
        raise NotImplementedError

    def answer_text(self, raw: str, value, *, choice_texts: Mapping[int, str]) -> str:
        """An answer (``raw`` as typed, ``value`` as parsed or as ``correct_answer`` gives it) as
        people read it: what was typed, else the value as text (lists joined with "; ")."""
        if raw:
            return raw
        return plain_text(value)

    def mistake_messages(self, question) -> dict[str, str]:
        """Named mistake -> its message (Markdown) for staff: what the mistake a grade named means."""
        return {}

    def normaliser(self, question) -> Callable[[str, object], str]:
        """How statistics group wrong answers: (raw, value) -> a short key (numbers rounded)."""

        def normalise(raw: str, value) -> str:
            if value is not None:
                return number_key(value)[:80]
            return " ".join(raw.split())[:80]

        return normalise

    # --- pages ------------------------------------------------------------------------------------

    def widget(self, state) -> dict:
        """What ``template`` shows of ``state`` (a ``quizzes.states.QuestionState``)."""
        last = state.last
        return {"value": last.raw if last else "", "numeric": False}

    def preview(self, question, choices: Sequence | None = None) -> SafeString:
        """The admin's rendering of a question: prompt, choices (✓ marks), hint, explanation.
        ``choices`` are those of an unsaved question (the live preview); default: the saved ones."""
        choices = list(question.choices.all()) if choices is None else list(choices)
        texts = [question.prompt, question.hint, question.explanation] + [c.text for c in choices]
        prompt, hint, explanation, *choice_html = render_many(texts)
        items = format_html_join(
            "", "<li>{}{}</li>",
            ((mark_safe(html), self.choice_note(question, c)) for c, html in zip(choices, choice_html, strict=True)),
        )
        return format_html(
            '<div class="quiz-preview">{}{}<p><strong>Hint</strong></p>{}'
            "<p><strong>Explanation</strong></p>{}</div>",
            mark_safe(prompt), format_html("<ol>{}</ol>", items) if choices else "", mark_safe(hint),
            mark_safe(explanation),
        )

    def choice_note(self, question, choice) -> str:
        """What the admin's preview writes after a choice: " ✓" for a correct one."""
        return " ✓" if choice.is_correct else ""


def plain_text(value) -> str:
    """A JSON value as text: "" for None, lowercase booleans, numbers as Python writes them, lists
    joined with "; " (nested lists in brackets)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(plain_text(v) if not isinstance(v, list) else json.dumps(v) for v in value)
    return str(value)


def number_key(value) -> str:
    """A number (or nested lists of numbers) to 6 significant digits, as statistics group answers."""
    if isinstance(value, list):
        return "[" + ", ".join(number_key(v) for v in value) + "]"
    return f"{value:.6g}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


class ChoiceDraft(NamedTuple):
    """A choice as checked before saving: its text, whether it is correct and its Moodle fraction."""

    text: str
    is_correct: bool
    fraction: float | None = None


def numbered(numbers: Sequence[int]) -> str:
    """"choice 2" or "choices 1, 3"."""
    return f"choice {numbers[0]}" if len(numbers) == 1 else f"choices {', '.join(map(str, numbers))}"


class ChoiceKind(Kind):
    """Kinds answered by picking among the question's ``Choice`` rows (single and multiple choice).

    Their scoring setting (``mode_setting``) may be "fractions": graded as Moodle grades multichoice,
    by each choice's ``fraction``. A choice is then correct (its mark, the shown solution) exactly when
    Moodle counts it in the right response (``correct_by_fraction``); the author marks it so, and saving
    refuses a mismatch rather than changing what the author ticked.
    """

    has_choices = True
    template = "quizzes/kinds/choices.html"
    multiple = False
    mode_setting = ""  # the scoring setting, whose value "fractions" grades by fractions
    correct_rule = ""  # completes "With fractions, ...": which choices are correct

    def uses_fractions(self, settings: Mapping | None) -> bool:
        """Whether questions with these (cleaned) ``settings`` are graded by their choices' fractions."""
        return isinstance(settings, Mapping) and settings.get(self.mode_setting) == "fractions"

    def correct_by_fraction(self, fraction: float) -> bool:
        """Whether a choice worth ``fraction`` is a correct one when grading by fractions."""
        raise NotImplementedError

    def fractions(self, question, choices: Sequence) -> dict[int, float | None] | None:
        """Choice id -> fraction when ``question`` is graded by fractions, else None (for ``grading``)."""
        return {c.id: c.fraction for c in choices} if self.uses_fractions(question.settings) else None

    def check_choices(self, choices: Sequence[ChoiceDraft], settings: Mapping | None = None) -> list[str]:
        label = self.noun.lower()
        messages = []
        empty = [n for n, choice in enumerate(choices, start=1) if not choice.text.strip()]
        if empty:
            numbers = ", ".join(str(n) for n in empty)
            which = f"choice {numbers} is" if len(empty) == 1 else f"choices {numbers} are"
            messages.append(f"Every choice needs a text: {which} empty.")
        if len(choices) < 2:
            messages.append(f"A {label} question needs at least 2 choices; this one has {len(choices)}.")
        for n, choice in enumerate(choices, start=1):
            if choice.fraction is not None and not -1 <= choice.fraction <= 1:
                messages.append(f"Choice {n}: the fraction {choice.fraction:g} is not between −1 and 1 "
                                "(−100 % and 100 %).")
        if self.uses_fractions(settings):
            messages += self.check_fractions(choices)
        return messages

    def check_fractions(self, choices: Sequence[ChoiceDraft]) -> list[str]:
        """Messages for choices graded by fractions: each has one, and is correct as its fraction says."""
        messages = []
        missing = [n for n, choice in enumerate(choices, start=1) if choice.fraction is None]
        if missing:
            messages.append(f"Scoring by Moodle fractions needs a fraction for every choice: {numbered(missing)} "
                            f"{'has' if len(missing) == 1 else 'have'} none.")
        given = [(n, choice) for n, choice in enumerate(choices, start=1)
                 if choice.fraction is not None and -1 <= choice.fraction <= 1]
        tick = [n for n, choice in given if self.correct_by_fraction(choice.fraction) and not choice.is_correct]
        untick = [n for n, choice in given if choice.is_correct and not self.correct_by_fraction(choice.fraction)]
        if tick or untick:
            changes = ([f"mark {numbered(tick)} as correct"] if tick else []) + (
                [f"unmark {numbered(untick)}"] if untick else [])
            messages.append(f"With fractions, {self.correct_rule}: {' and '.join(changes)}.")
        return messages

    def choice_note(self, question, choice) -> str:
        """" ✓" for a correct choice, and its fraction when graded by fractions: " ✓ (50 %)"."""
        note = super().choice_note(question, choice)
        if self.uses_fractions(question.settings) and choice.fraction is not None:
            note += f" ({grading.percent(choice.fraction)})"
        return note

    def parse(self, question, data, *, choices: Sequence, variant) -> ParsedAnswer:
        raw_ids = data.getlist("choice")
        raw = ",".join(raw_ids)
        try:
            picked = sorted({int(value) for value in raw_ids})
        except ValueError:
            raise MalformedAnswer("A choice must be given by its number.") from None
        ids = {c.id for c in choices}
        foreign = [cid for cid in picked if cid not in ids]
        if foreign:
            raise MalformedAnswer(f"Choice {foreign[0]} does not belong to this question.")
        if not picked:
            raise InvalidAnswer("Pick an answer before checking it.", raw)
        if not self.multiple and len(picked) > 1:
            raise MalformedAnswer("A single-choice question takes exactly one choice.")
        return ParsedAnswer(raw=raw, value=picked)

    def correct_answer(self, question, *, choices: Sequence, variant):
        return [choice.id for choice in choices if choice.is_correct]

    def answer_text(self, raw: str, value, *, choice_texts: Mapping[int, str]) -> str:
        """The picked choices' texts joined with "; " (``raw`` holds their ids, "106,107")."""
        if isinstance(value, list):
            ids = value
        else:
            ids = [int(part) for part in raw.split(",") if part.strip().isdigit()]
        return "; ".join(choice_texts.get(int(cid), f"choice {cid}") for cid in ids)

    def normaliser(self, question) -> Callable[[str, object], str]:
        letters = choice_letters(question)

        def normalise(raw: str, value) -> str:
            if isinstance(value, list):
                return " + ".join(letters.get(choice_id, "?") for choice_id in value)
            return " ".join(raw.split())[:80]

        return normalise

    def widget(self, state) -> dict:
        """Choices with their HTML and, when feedback may be shown, their marks and feedback."""
        last = state.last
        picked = {int(cid) for cid in last.raw.split(",") if cid.isdigit()} if last else set()
        marks = last.choice_feedback if last and state.feedback_visible else {}
        rows = []
        for choice in state.question.choices.all():
            mark = marks.get(str(choice.id), "")
            if mark == "missed" and not state.solution_visible:
                mark = ""  # do not reveal unpicked right answers early
            rows.append({
                "choice": choice,
                "html": state.choice_html[choice.id]["text"],
                "feedback": state.choice_html[choice.id]["feedback"] if choice.id in picked else "",
                "mark": mark,
                "picked": choice.id in picked,
            })
        return {"rows": rows, "multiple": self.multiple}


def choice_letters(question) -> dict[int, str]:
    """Choice id -> "A: text…" in the order students see them (uses prefetched choices)."""
    choices = sorted(question.choices.all(), key=lambda c: (c.position, c.id))
    return {
        c.id: f"{chr(ord('A') + i) if i < 26 else i + 1}: {' '.join(c.text.split())[:40]}"
        for i, c in enumerate(choices)
    }
