"""What a student sees of each question on a quiz page: the read side of the quiz flow.

``question_states`` loads everything one quiz page needs in a fixed number of queries and
decides, per question, what may be shown (feedback, hint, solution) and whether it can be
answered. Templates only display these decisions.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import F, Prefetch, prefetch_related_objects
from django.utils import timezone

from quizzes import mastery, visibility
from quizzes.models import Choice, Question, Quiz, Submission, Variant
from quizzes.rendering import render_many, without_paragraph
from quizzes.variants import variants_for

log = logging.getLogger(__name__)


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
    diagram: str | None = None
    broken: bool = False  # the generator failed while this question was being shown
    steps: list[dict] = field(default_factory=list)  # rendered worked-solution steps {title, html}
    history: list[Submission] = field(default_factory=list)  # answers to every variant of the question

    @property
    def nonce(self) -> str:
        """The answer form's token: the same in every copy of the page showing this state (two tabs,
        a double click, a resent request), so ``submission_create`` records such a repeat once."""
        message = f"answer:{self.variant.id}:{len(self.submissions)}".encode()
        return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]

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
        """Graded and pending answers (invalid input uses no try), as the service counts them."""
        return sum(1 for s in self.submissions if s.try_number is not None)

    @property
    def tries_left(self) -> int | None:
        return visibility.tries_left(self.quiz, self.tries_used)

    @property
    def wrong_tries(self) -> int:
        return sum(1 for s in self.graded if not s.is_correct)

    @property
    def ever_correct(self) -> bool:
        return any(s.is_correct for s in self.graded)

    @property
    def mastered(self) -> bool:
        """Mastered (``quizzes.mastery.mastered``) by the answers to every variant of the question, as
        the progress pages count it: a new variant keeps the question mastered until answered."""
        return mastery.mastered(self.history)

    @property
    def badge(self) -> tuple[str, str] | None:
        """(class, text) of the question's status badge, or None: never in contradiction with the
        feedback shown below it."""
        if not (self.feedback_visible and self.history and any(mastery.is_try(s) for s in self.history)):
            return None
        if self.mastered:
            return "ok", "Mastered"
        last = self.last_graded
        if last is not None and last.is_correct:
            return "info", "Right, after seeing the solution"
        if last is not None and (last.score or 0) > 0:
            return "partial", "Partly right"
        if last is None:
            return None  # tried an earlier variant only: this one is new
        return "bad", "To review"

    @property
    def best_points(self) -> float:
        """Points kept for the question: the best try, so points never go down."""
        return max((s.points or 0.0 for s in self.graded), default=0.0)

    @property
    def feedback_visible(self) -> bool:
        return visibility.feedback_visible(self.quiz, self.now)

    @property
    def is_open(self) -> bool:
        return self.quiz.is_open(self.now)

    @property
    def can_answer(self) -> bool:
        return (
            self.is_open
            and not self.broken
            and not self.variant.is_error
            and (self.tries_left is None or self.tries_left > 0)
            and not self.kind.unanswerable(self.variant)
        )

    @property
    def hint_visible(self) -> bool:
        return visibility.hint_visible(self.quiz, self.now, has_hint=bool(self.question.hint),
                                       wrong_tries=self.wrong_tries)

    @property
    def solution_visible(self) -> bool:
        return visibility.solution_visible(self.quiz, self.now, ever_correct=self.ever_correct,
                                           revealed=self.variant.revealed_at is not None, tries_left=self.tries_left)

    @property
    def can_reveal(self) -> bool:
        """Practice mode, after a first try: giving up before trying would skip the practice."""
        return (self.quiz.is_practice and not self.solution_visible and not self.variant.is_error
                and self.tries_used > 0)

    @property
    def unavailable(self) -> bool:
        """The generator failed for this variant: the question cannot be answered now."""
        return self.variant.is_error or self.broken

    @property
    def preparing(self) -> bool:
        """A computed variant whose answer is still being computed."""
        return self.variant.status == Variant.Status.PENDING

    @property
    def waiting(self) -> bool:
        """The last answer is stored and waits for the variant to be solved."""
        return self.last is not None and self.last.status == Submission.Status.PENDING

    @property
    def can_new_variant(self) -> bool:
        """Computed: new numbers at any time; otherwise "start over" once the solution was shown."""
        return self.quiz.is_practice and self.is_open and (
            self.question.is_computed or self.variant.revealed_at is not None
        )

    @property
    def regraded_at(self):
        """When a regrade last changed one of the student's answers to the question (None: never)."""
        return max((s.regraded_at for s in self.history if s.regraded_at), default=None)

    @property
    def kind(self):
        return self.question.kind_spec

    @cached_property
    def widget(self) -> dict:
        """What the kind's answer widget shows (``Kind.widget``): choices, boxes or the typed text."""
        return self.kind.widget(self)


# What deciding a state (and ``quizzes.fragments.fragment_key``) reads of a variant and of an answer.
# The rest (a variant's params, answer, values, mistakes, ...; an answer's raw text, value, feedback
# and marks: JSON to decode) is needed only to render a question, which happens for the fragments not
# in the cache: ``add_html`` loads it then, two queries for all the states it renders.
STATE_VARIANT_FIELDS = ("id", "student_id", "question_id", "number", "status", "error", "revealed_at")
STATE_SUBMISSION_FIELDS = ("id", "variant_id", "status", "try_number", "score", "points", "after_reveal",
                           "created_at", "graded_at", "regraded_at")


def choices_in_order() -> Prefetch:
    """Prefetch of a question's choices in the order shown (``Choice``'s default ordering would join
    the question to sort by it)."""
    return Prefetch("choices", queryset=Choice.objects.order_by("position", "id"))


def question_states(
    *, student, quiz: Quiz, questions=None, now=None, html: bool = True, light: bool = False,
    opened_only: bool = False,
) -> list[QuestionState]:
    """States of ``questions`` (default: all of ``quiz``'s active ones) for ``student``, in quiz order.

    Runs a fixed number of queries whatever the number of questions. Given ``questions`` are used as
    they are (their choices loaded unless already prefetched, see ``choices_in_order``); questions
    of another quiz or archived ones are left out. With ``html`` (the default)
    each state also gets its rendered texts, diagram and worked solution (``add_html``); without,
    only what decides the state (``quizzes.fragments`` adds the HTML to the states it must render).
    ``light`` (without ``html``): the states' variants and answers hold only
    ``STATE_VARIANT_FIELDS`` and ``STATE_SUBMISSION_FIELDS`` until ``add_html`` loads the rest, which
    pays when most fragments come from the cache (a page view, a poll) and costs two queries when
    they do not (after an answer, whose fragment is always new). ``opened_only`` (staff viewing a
    student's quiz): only the questions the student has a variant of, and nothing is written.
    """
    now = now or timezone.now()
    in_order = Question.objects.active().filter(quiz=quiz).order_by("position", "id")
    if questions is None:
        chosen = list(in_order.prefetch_related(choices_in_order()))
        numbers = {q.id: index for index, q in enumerate(chosen, start=1)}
    else:  # only the numbers of the others are needed
        numbers = {pk: index for index, pk in enumerate(in_order.values_list("id", flat=True), start=1)}
        chosen = sorted((q for q in questions if q.id in numbers), key=lambda q: numbers[q.id])
        prefetch_related_objects(chosen, choices_in_order())
    variant_fields = submission_fields = None
    if light and not html:
        variant_fields, submission_fields = STATE_VARIANT_FIELDS, STATE_SUBMISSION_FIELDS
    variants = variants_for(student=student, questions=chosen, only=variant_fields, create=not opened_only)
    chosen = [q for q in chosen if q.id in variants]  # opened_only: the questions the student opened
    pending = [v.id for v in variants.values() if v.status == Variant.Status.PENDING]
    if pending:  # solved meanwhile (at once when Celery is eager)?
        solved = Variant.objects.filter(id__in=pending)
        variants.update({v.question_id: v for v in (solved.only(*variant_fields) if variant_fields else solved)})
    by_variant: dict[int, list[Submission]] = {v.id: [] for v in variants.values()}
    by_question: dict[int, list[Submission]] = {q.id: [] for q in chosen}
    answers = Submission.objects.filter(variant__student=student, variant__question__in=chosen)
    if submission_fields:
        answers = answers.only(*submission_fields)
    for submission in answers.annotate(question_id=F("variant__question_id")).order_by("created_at", "id"):
        by_question[submission.question_id].append(submission)
        if submission.variant_id in by_variant:
            by_variant[submission.variant_id].append(submission)
    states = [
        QuestionState(quiz=quiz, question=q, number=numbers[q.id], variant=variants[q.id],
                      submissions=by_variant[variants[q.id].id], html={}, choice_html={}, now=now,
                      history=by_question[q.id])
        for q in chosen
    ]
    if html:
        add_html(states)
    return states


def add_html(states: list[QuestionState]) -> None:
    """Give each state its rendered prompt, hint, explanation, choices, diagram and, where the
    solution may be shown, its worked steps (Markdown through the content-addressed cache, one
    round trip). A generator that fails while showing its question marks that state ``broken``
    (logged): one broken question must not take the whole quiz page down. First loads what
    ``question_states`` left out of the states' variants and current answers (two queries at most)."""
    _load_deferred([state.variant for state in states])
    _load_deferred([submission for state in states for submission in state.submissions])
    prompts = {}
    for state in states:
        q, variant = state.question, state.variant
        prompts[q.id] = q.prompt
        if not variant.is_error:
            try:
                prompts[q.id] = q.kind_spec.prompt(q, variant)
                state.diagram = q.kind_spec.diagram(q, variant)
            except Exception:
                log.exception("showing computed question %s failed", q.id)
                state.broken, state.diagram, prompts[q.id] = True, None, ""
    texts = []
    for state in states:
        q = state.question
        texts += [prompts[q.id], q.hint, q.explanation, _graded_feedback(state)]
        for c in q.choices.all():
            texts += [c.text, c.feedback]
    rendered = dict(zip(texts, render_many(texts), strict=True))
    for state in states:
        q = state.question
        state.html = {"prompt": rendered[prompts[q.id]], "hint": rendered[q.hint],
                      "explanation": rendered[q.explanation],
                      "feedback": without_paragraph(rendered[_graded_feedback(state)])}
        state.choice_html = {c.id: {"text": rendered[c.text], "feedback": rendered[c.feedback]}
                             for c in q.choices.all()}
    _add_worked_steps([s for s in states if s.solution_visible])


def _load_deferred(instances: list) -> None:
    """Set the deferred fields of ``instances`` (of one model) from one query, in place: reading
    them one by one would cost a query per instance."""
    deferred = set().union(*(instance.get_deferred_fields() for instance in instances))
    if not deferred:
        return
    by_pk = {instance.pk: instance for instance in instances}
    model = type(instances[0])
    for row in model._base_manager.filter(pk__in=list(by_pk)).values("pk", *sorted(deferred)):
        instance = by_pk[row.pop("pk")]
        for name, value in row.items():
            setattr(instance, name, value)


def _graded_feedback(state: QuestionState) -> str:
    """The feedback of the last answer when it was graded: Markdown with math (named mistakes write
    formulas); other feedback (invalid input, pending) is shown as plain text."""
    last = state.last
    return last.feedback if last is not None and last.status == Submission.Status.GRADED else ""


def _add_worked_steps(states: list[QuestionState]) -> None:
    """Render the generator's worked solution of each state's variant (one cache round trip).

    A generator that fails to explain leaves that question without steps (logged), nothing worse.
    """
    steps = {}
    for state in states:
        try:
            steps[id(state)] = state.kind.steps(state.question, state.variant)
        except Exception:
            log.exception("explaining computed question %s failed", state.question.id)
            steps[id(state)] = []
    bodies = [step.body for state in states for step in steps[id(state)]]
    html = iter(render_many(bodies))
    for state in states:
        state.steps = [{"title": step.title, "html": next(html)} for step in steps[id(state)]]
