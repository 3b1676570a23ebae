"""What a student sees of each question on a quiz page: the read side of the quiz flow.

``question_states`` loads everything one quiz page needs in a fixed number of queries and
decides, per question, what may be shown (feedback, hint, solution) and whether it can be
answered. Templates only display these decisions.
"""

import uuid
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Prefetch
from django.utils import timezone

from quizzes.models import Choice, Question, Quiz, Submission, Variant
from quizzes.rendering import render_many
from quizzes.services import variants_for


@dataclass
class QuestionState:
    quiz: Quiz
    question: Question
    number: int
    variant: Variant
    submissions: list[Submission]
    html: dict[str, str]
    choice_html: dict[int, dict[str, str]]
    now: object
    nonce: str = field(default_factory=lambda: uuid.uuid4().hex)

    @cached_property
    def graded(self) -> list[Submission]:
        return [s for s in self.submissions if s.status == Submission.Status.GRADED]

    @property
    def last(self) -> Submission | None:
        return self.submissions[-1] if self.submissions else None

    @property
    def last_graded(self) -> Submission | None:
        return self.graded[-1] if self.graded else None

    @property
    def tries_used(self) -> int:
        return len(self.graded)

    @property
    def tries_left(self) -> int | None:
        limit = self.quiz.max_tries
        return None if limit is None else max(0, limit - self.tries_used)

    @property
    def wrong_tries(self) -> int:
        return sum(1 for s in self.graded if not s.is_correct)

    @property
    def ever_correct(self) -> bool:
        return any(s.is_correct for s in self.graded)

    @property
    def mastered(self) -> bool:
        """The latest graded try is correct (the product's definition of mastery)."""
        return self.last_graded is not None and self.last_graded.is_correct

    @property
    def best_points(self) -> float:
        """Points kept for the question: the best try, so points never go down."""
        return max((s.points or 0.0 for s in self.graded), default=0.0)

    @property
    def feedback_visible(self) -> bool:
        return self.quiz.feedback_visible(self.now)

    @property
    def is_open(self) -> bool:
        return self.quiz.is_open(self.now)

    @property
    def can_answer(self) -> bool:
        return self.is_open and (self.tries_left is None or self.tries_left > 0)

    @property
    def hint_visible(self) -> bool:
        return bool(self.question.hint) and self.feedback_visible and self.wrong_tries >= self.quiz.hint_after

    @property
    def solution_visible(self) -> bool:
        if self.quiz.is_practice:
            return self.ever_correct or self.variant.revealed_at is not None
        if self.quiz.has_closed(self.now):
            return True
        return self.feedback_visible and (self.ever_correct or self.tries_left == 0)

    @property
    def can_reveal(self) -> bool:
        return self.quiz.is_practice and not self.solution_visible

    @property
    def picked(self) -> set[int]:
        """Choice ids of the last answer, to show it again."""
        last = self.last
        if last is None or not self.question.has_choices:
            return set()
        return {int(cid) for cid in last.raw.split(",") if cid.isdigit()}

    @property
    def choices(self) -> list[dict]:
        """Choices with their HTML and, when feedback may be shown, their marks and feedback."""
        marks = self.last.choice_feedback if self.last and self.feedback_visible else {}
        rows = []
        for choice in self.question.choices.all():
            mark = marks.get(str(choice.id), "")
            if mark == "missed" and not self.solution_visible:
                mark = ""  # do not reveal unpicked right answers early
            rows.append(
                {
                    "choice": choice,
                    "html": self.choice_html[choice.id]["text"],
                    "feedback": self.choice_html[choice.id]["feedback"] if choice.id in self.picked else "",
                    "mark": mark,
                    "picked": choice.id in self.picked,
                }
            )
        return rows

    @property
    def text_value(self) -> str:
        """The last typed answer, shown again in the input box (invalid input included)."""
        return self.last.raw if self.last and not self.question.has_choices else ""


def question_states(*, student, quiz: Quiz, questions=None, now=None) -> list[QuestionState]:
    """States of ``questions`` (default: all of ``quiz``'s) for ``student``, in quiz order.

    Runs a fixed number of queries whatever the number of questions; Markdown is rendered
    through the content-addressed cache.
    """
    now = now or timezone.now()
    all_questions = list(
        Question.objects.filter(quiz=quiz).prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "id"))
        )
    )
    numbers = {q.id: index for index, q in enumerate(all_questions, start=1)}
    wanted = {q.id for q in questions} if questions is not None else set(numbers)
    chosen = [q for q in all_questions if q.id in wanted]
    variants = variants_for(student=student, questions=chosen)
    by_variant: dict[int, list[Submission]] = {v.id: [] for v in variants.values()}
    for submission in Submission.objects.filter(variant__in=variants.values()).order_by("created_at", "id"):
        by_variant[submission.variant_id].append(submission)

    texts = []
    for q in chosen:
        texts += [q.prompt, q.hint, q.explanation]
        for c in q.choices.all():
            texts += [c.text, c.feedback]
    rendered = dict(zip(texts, render_many(texts), strict=True))

    states = []
    for q in chosen:
        variant = variants[q.id]
        states.append(
            QuestionState(
                quiz=quiz,
                question=q,
                number=numbers[q.id],
                variant=variant,
                submissions=by_variant[variant.id],
                now=now,
                html={
                    "prompt": rendered[q.prompt],
                    "hint": rendered[q.hint],
                    "explanation": rendered[q.explanation],
                },
                choice_html={
                    c.id: {"text": rendered[c.text], "feedback": rendered[c.feedback]}
                    for c in q.choices.all()
                },
            )
        )
    return states
