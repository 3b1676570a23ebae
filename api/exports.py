"""Streaming export of a course's results (CSV and XLSX): constant memory for any number of rows.

Rows come from the database in chunks (``values_list(...).iterator(chunk_size=...)``, a
server-side cursor where the database has one) and go through a ``csv.writer`` (or
``api.xlsx``) into a pseudo-buffer that keeps only the current chunk's output, so neither the
queryset nor the file is ever held whole. Each yielded piece is one chunk of rows, so the server
writes a few thousand rows per network write instead of one.

A row is made readable with what is loaded once per export, not per row (``ExportContext``): the
titles of the course, lectures, quizzes and questions, the choices' texts, each question's correct
answer and named mistakes' messages, and the steps a multi-step question asks. What grows with the
export is only the time of each student's latest answer per quiz (for ``seconds``). Only a
multi-step question's rows have their stored JSON decoded (for ``steps``).
"""

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.db import connection
from django.db.models import F, Func, TextField
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse

from api import xlsx
from api.renderers import FORMULA_TRIGGERS, spreadsheet_safe
from live.models import LiveAnswer
from progress.reports import GAP_CAP
from progress.step_answers import question_steps, step_answers, steps_text
from quizzes.models import Question

CHUNK_ROWS = 2000

# JSON row field -> ORM path from Submission (ResultSerializer; step_marks and variant_answer make its
# ``steps``). The exports carry the same data and more (EXPORT_COLUMNS).
RESULT_COLUMNS = {
    "id": "id",
    "student_id": "variant__student_id",
    "student_username": "variant__student__username",
    "lecture": "variant__question__quiz__lecture__number",
    "quiz": "variant__question__quiz_id",
    "question": "variant__question_id",
    "variant_seed": "variant__seed",
    "variant_number": "variant__number",
    "try_number": "try_number",
    "raw": "raw",
    "value": "value",
    "score": "score",
    "points": "points",
    "status": "status",
    "mistake": "mistake",
    "created_at": "created_at",
    "graded_at": "graded_at",
    "step_marks": "step_marks",
    "variant_answer": "variant__answer",
}

# The columns of the CSV and XLSX exports, in order (docs/api.md describes each).
EXPORT_COLUMNS = (
    "id", "course", "course_title", "student_id", "student_username",
    "lecture", "lecture_title", "quiz", "quiz_title", "question", "question_title", "kind",
    "variant_seed", "variant_number", "try_number",
    "answer", "correct_answer", "raw", "value",
    "score", "points", "max_points", "status", "mistake", "mistake_message", "seconds",
    "created_at", "graded_at", "live_session", "steps",
)
# What the export reads per submission, in this order (see ``export_expressions``).
_FIELDS = (
    "id", "variant__student_id", "variant__student__username", "variant__question_id", "variant__seed",
    "variant__number", "try_number", "raw", "value", "score", "points", "status", "mistake", "created_at",
    "graded_at", "variant__created_at", "variant__answer", "step_marks",
)
_TRIGGERS = frozenset(FORMULA_TRIGGERS)
DECIMALS = 4  # score and points
SECONDS_DECIMALS = 1


class _UtcText(Func):
    """A SQLite timestamp as the text csv would write for it: ``YYYY-MM-DD HH:MM:SS[.ffffff]+00:00``.

    SQLite keeps timestamps as UTC text; Django would parse each into an aware datetime only for
    csv to format it back into this very text (``str(datetime)``), the largest per-row cost of an
    export. NULL stays NULL.
    """

    template = "(%(expressions)s || '+00:00')"
    output_field = TextField()


def export_expressions() -> list:
    """``_FIELDS`` as expressions that reach Python as text without a per-row conversion."""
    fast = {  # the stored JSON text, not decoded and re-encoded
        name: Cast(name, TextField()) for name in ("value", "variant__answer", "step_marks")
    }
    if connection.vendor == "sqlite":
        fast.update({name: _UtcText(F(name)) for name in ("created_at", "graded_at", "variant__created_at")})
    return [fast.get(name, F(name)) for name in _FIELDS]


def safe(text: str) -> str:
    """``spreadsheet_safe`` for the few cells that start with a formula character (a fast test first)."""
    return spreadsheet_safe(text) if text[:1] in _TRIGGERS else text


def plain(markdown: str) -> str:
    """Author Markdown on one line (choice texts and messages in a cell)."""
    return " ".join(markdown.split())


@dataclass(frozen=True)
class QuestionRow:
    """What every exported row of one question shares, made safe for spreadsheets once."""

    kind: object  # quizzes.kinds.base.Kind
    cells: tuple  # lecture, lecture_title, quiz, quiz_title, question, question_title, kind
    max_points: float
    choice_texts: dict[int, str]
    correct: str | None  # None: each variant has its own (computed questions)
    mistakes: dict[str, str]
    steps: tuple[str, ...] = ()  # the asked steps of a multi-step question, in order
    step_options: dict | None = None  # choice steps: step -> option texts (an answer is an index)


class ExportContext:
    """Everything an export looks up, loaded once (four queries): the course's questions with
    their lectures, quizzes and choices, and the live sessions' answers."""

    def __init__(self, course):
        self.course = (course.slug, safe(course.title))
        questions = (
            Question.objects.filter(quiz__lecture__course=course)
            .select_related("quiz__lecture")
            .prefetch_related("choices")
        )
        self.questions = {question.id: self._row(question) for question in questions}
        # The live session each answer given in one was given in: few rows, read once (a join per exported
        # row through LiveAnswer, LiveItem and LiveSession cost the export a third of its speed).
        self.live_codes = dict(LiveAnswer.objects.filter(item__session__course=course)
                               .values_list("submission_id", "item__session__code"))

    @staticmethod
    def _row(question) -> QuestionRow:
        kind, quiz = question.kind_spec, question.quiz
        choices = list(question.choices.all())
        texts = {choice.id: plain(choice.text) for choice in choices}
        correct = None
        if not kind.is_computed:
            try:
                answer = kind.correct_answer(question, choices=choices, variant=None)
            except NotImplementedError:
                answer = None
            correct = safe(kind.answer_text("", answer, choice_texts=texts))
        title = question.title or f"Question {question.position}"
        cells = (quiz.lecture.number, safe(quiz.lecture.title), quiz.id, safe(quiz.title), question.id, safe(title),
                 question.kind)
        messages = {name: safe(plain(text)) for name, text in kind.mistake_messages(question).items()}
        asked = question_steps(question)
        options = {step.name: step.options for step in asked if step.options}
        return QuestionRow(kind, cells, question.points, texts, correct, messages,
                           tuple(step.name for step in asked), options)


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def readable_rows(rows: Iterable[tuple], context: ExportContext) -> Iterator[tuple]:
    """``_FIELDS`` rows (oldest first) as ``EXPORT_COLUMNS`` rows.

    ``seconds``: the time since the later of this variant being made and the student's previous
    answer in the same quiz among the rows exported, at most ``progress.reports.GAP_CAP`` (the
    progress pages' rule, where opening a quiz makes its variants). ``steps``: a multi-step answer's
    steps on one line (``progress.step_answers.steps_text``), "" for other questions; their ``answer``
    is read from the parsed value (the typed text is JSON). ``live_session``: the code of the live session the
    answer was given in, "" for one given on the quiz page.
    """
    course, questions, live_codes = context.course, context.questions, context.live_codes
    latest: dict[tuple[int, int], datetime] = {}  # (student, quiz) -> time of the latest answer
    cap = GAP_CAP.total_seconds()
    for (sid, student, username, question_id, seed, number, try_number, raw, value, score, points, status,
         mistake, created, graded, made, variant_answer, marks) in rows:
        q = questions[question_id]
        kind = q.kind
        steps = ""
        if q.steps and value:
            parsed = json.loads(value)
            answer = kind.answer_text(raw, parsed, choice_texts=q.choice_texts)
            steps = steps_text(step_answers(parsed, json.loads(marks) if marks else [], order=q.steps),
                               q.step_options)
        else:
            answer = kind.answer_text(raw, None, choice_texts=q.choice_texts)
        if q.correct is None:
            correct = kind.answer_text("", json.loads(variant_answer), choice_texts={}) if variant_answer else ""
        else:
            correct = q.correct
        moment, key = _moment(created), (student, q.cells[2])
        since = _moment(made)
        previous = latest.get(key)
        if previous is not None and since < previous <= moment:
            since = previous
        if previous is None or moment > previous:
            latest[key] = moment
        seconds = round(min(cap, max(0.0, (moment - since).total_seconds())), SECONDS_DECIMALS)
        yield (
            sid, *course, student, safe(username), *q.cells, seed, number, try_number,
            safe(answer), correct, safe(raw), value, _rounded(score, DECIMALS), _rounded(points, DECIMALS),
            q.max_points, status, safe(mistake), q.mistakes.get(mistake, "") if mistake else "", seconds,
            created, graded, live_codes.get(sid, ""), safe(steps),
        )


def results_rows(submissions, *, course, chunk_rows: int = CHUNK_ROWS) -> Iterator[tuple]:
    """The rows of ``submissions`` (of ``course``) in ``EXPORT_COLUMNS`` order, oldest first, read in chunks."""
    context = ExportContext(course)
    rows = submissions.order_by("id").values_list(*export_expressions()).iterator(chunk_size=chunk_rows)
    return readable_rows(rows, context)


class PendingText:
    """A write-only file for ``csv.writer`` that holds only what was written since the last take()."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> bytes:
        text, self.parts = "".join(self.parts), []
        return text.encode()


def csv_chunks(header: Iterable[str], rows: Iterable[tuple], *, chunk_rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """The header, then ``rows`` as CSV, ``chunk_rows`` rows per yielded piece of UTF-8."""
    out = PendingText()
    writer = csv.writer(out)
    writer.writerow(header)
    yield out.take()
    rows = iter(rows)
    while batch := list(islice(rows, chunk_rows)):
        writer.writerows(batch)
        yield out.take()


FORMATS = {  # export format -> (content type, chunk writer)
    "csv": ("text/csv; charset=utf-8", csv_chunks),
    "xlsx": (xlsx.CONTENT_TYPE, xlsx.xlsx_chunks),
}


def results_response(submissions, *, course, filename: str, format: str = "csv") -> StreamingHttpResponse:
    """A streaming CSV or XLSX download of ``submissions`` (of ``course``, already filtered to what the
    user may read); ``filename`` without its extension."""
    content_type, chunks = FORMATS[format]
    response = StreamingHttpResponse(
        chunks(EXPORT_COLUMNS, results_rows(submissions, course=course)), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{format}"'
    return response
