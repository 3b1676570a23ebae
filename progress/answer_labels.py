"""How staff pages show answers and named mistakes: the choices' rendered text instead of their ids,
and each named mistake's message instead of its code name.

``question_labels`` renders every text of the given questions in one ``render_many`` call (sanitized,
cached by content) and resolves their course's images in them as the quiz page does
(``quizzes.images.images_resolved``: ``![alt](image:NAME)`` shows the course's stored image); the rest
are pure functions over what it returns, but ``step_rows``, which renders the steps' symbols in one more
call. The questions' choices should be prefetched.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from progress.statistics import QuestionStatistics
from quizzes.images import images_resolved
from quizzes.rendering import render_many_inline


@dataclass(frozen=True)
class QuestionLabels:
    choices: dict[int, tuple[str, SafeString]]  # choice id -> (letter, rendered text), in the order students see
    mistakes: dict[str, SafeString]  # mistake name -> rendered message

    def choice_list(self, ids: Iterable) -> list[tuple[str, SafeString]]:
        """(letter, text) of each choice id in ``ids`` that belongs to the question."""
        picked = []
        for cid in ids:
            if isinstance(cid, int | str) and str(cid).isdigit() and int(cid) in self.choices:
                picked.append(self.choices[int(cid)])
        return picked


def letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def question_labels(questions: Iterable, *, course_id: int) -> dict[int, QuestionLabels]:
    """Question id -> its labels; ``questions`` are of the course ``course_id``, whose images their texts
    show. One ``render_many`` call for every text, and one query for the images when a text has one."""
    questions = list(questions)
    texts, plan = [], []
    for question in questions:
        choices = sorted(question.choices.all(), key=lambda c: (c.position, c.id)) if question.has_choices else []
        messages = question.kind_spec.mistake_messages(question) if question.kind_spec.named_mistakes else {}
        plan.append((question, choices, list(messages)))
        texts += [c.text for c in choices] + list(messages.values())
    rendered = iter(images_resolved(render_many_inline(texts), course_id))
    labels = {}
    for question, choices, names in plan:
        labels[question.id] = QuestionLabels(
            choices={c.id: (letter(i), mark_safe(next(rendered))) for i, c in enumerate(choices)},  # sanitized
            mistakes={name: mark_safe(next(rendered)) for name in names},  # sanitized by the renderer
        )
    return labels


def wrong_answer_rows(stats: QuestionStatistics, labels: QuestionLabels | None) -> list[dict]:
    """The statistics' wrong answers for a page: ``answer`` (the normalised key), ``count`` and, for
    choice questions, ``choices`` [(letter, rendered text)] picked in that answer."""
    rows = []
    values = stats.wrong_values or [None] * len(stats.wrong_answers)
    for (answer, count), value in zip(stats.wrong_answers, values, strict=True):
        picked = labels.choice_list(value) if labels and labels.choices and isinstance(value, list) else []
        rows.append({"answer": answer, "count": count, "choices": picked})
    return rows


def mistake_rows(mistakes: dict[str, float], labels: QuestionLabels | None) -> list[dict]:
    """Named mistakes for a page: ``name``, ``share`` and ``message`` (rendered; None when unknown)."""
    known = labels.mistakes if labels else {}
    return [{"name": name, "share": share, "message": known.get(name)} for name, share in mistakes.items()]


def step_rows(stats: Iterable[QuestionStatistics], labels: dict[int, QuestionLabels]) -> dict[int, list[dict]]:
    """Question id -> its steps for a page, for the multi-step questions among ``stats``: ``figures``
    (``progress.step_statistics.StepFigures``), ``symbol`` (its LaTeX rendered as math) and ``mistake``
    (the rendered message of the most common wrong value's named slip; None for none or an unknown one).
    One ``render_many_inline`` call for every symbol."""
    with_steps = [s for s in stats if s.steps]
    symbols = iter(render_many_inline([f"${f.symbol}$" for s in with_steps for f in s.steps.steps]))
    rows = {}
    for s in with_steps:
        known = labels[s.question_id].mistakes if s.question_id in labels else {}
        rows[s.question_id] = [
            {"figures": f, "symbol": mark_safe(next(symbols)),  # sanitized by the renderer
             "mistake": known.get(f.wrong_mistake) if f.wrong_mistake else None}
            for f in s.steps.steps
        ]
    return rows


def submission_answer(labels: QuestionLabels | None, raw: str, value) -> list[tuple[str, SafeString]]:
    """The choices an answer picked, as (letter, rendered text); [] for an answer that is not choices."""
    if not labels or not labels.choices:
        return []
    ids = value if isinstance(value, list) else raw.split(",")
    return labels.choice_list(ids)
