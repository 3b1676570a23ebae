"""What a student's phone shows of a live session's current question.

The question is the quizzes' own (``quizzes.states``: the student's variant, rendered prompt, the
kind's answer widget), seen through ``LiveQuestionState``, which lets the session decide what the
quiz page would decide alone: answers are taken while the presenter has the question open, and the
marks, feedback and worked solution appear only once the presenter reveals it.
"""

from dataclasses import dataclass
from functools import cached_property

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from live.models import LiveAnswer, LiveItem, LiveSession
from quizzes.models import Variant
from quizzes.rendering import render_many
from quizzes.states import QuestionState, add_html, question_states
from quizzes.variants import variant_seeded


def prepare_variant(*, session: LiveSession, item: LiveItem, student) -> None:
    """Before ``student`` sees ``item``: the room's shared variant when the session shares one."""
    if session.variants == LiveSession.Variants.SHARED:
        variant_seeded(student=student, question=item.question, seed=item.seed)


class LiveQuestionState:
    """A ``QuestionState`` whose answering and showing follow the session's phase."""

    def __init__(self, state, session: LiveSession, answered):
        self._state, self.session, self.answered = state, session, answered

    def __getattr__(self, name):
        return getattr(self._state, name)

    @property
    def can_answer(self) -> bool:
        return self.session.phase == LiveSession.Phase.OPEN and not self._state.unavailable

    @property
    def feedback_visible(self) -> bool:
        return self.session.phase == LiveSession.Phase.REVEALED

    solution_visible = feedback_visible

    @cached_property
    def widget(self) -> dict:
        return self._state.kind.widget(self)  # the kind asks this object, so nothing shows early


@dataclass(frozen=True)
class PhoneView:
    session: LiveSession
    item: LiveItem | None
    state: LiveQuestionState | None
    last_live: object  # the student's last answer given in the session to this question, or None
    steps: list  # the worked solution's steps (title, html), once revealed


def phone_view(*, session: LiveSession, student) -> PhoneView:
    """The current question for ``student``: None before the presenter opens the first one, and
    after the session ended."""
    item = (LiveItem.objects.select_related("question__quiz__lecture__course")
            .filter(session=session, position=session.position).first())
    if item is None or session.ended_at is not None or (
            session.phase == LiveSession.Phase.WAITING and item.opened_at is None):
        return PhoneView(session, None, None, None, [])
    prepare_variant(session=session, item=item, student=student)
    question = item.question
    states = question_states(student=student, quiz=question.quiz, questions=[question])
    if not states:  # archived since the session started: nothing to answer
        return PhoneView(session, None, None, None, [])
    state = states[0]
    live_ids = set(LiveAnswer.objects.filter(item=item, submission__variant__student=student)
                   .values_list("submission_id", flat=True))
    last_live = next((s for s in reversed(state.submissions) if s.id in live_ids), None)
    live_state = LiveQuestionState(state, session, last_live)
    steps = []
    if session.phase == LiveSession.Phase.REVEALED and state.variant.is_ready:
        worked = state.kind.steps(question, state.variant)
        steps = [(step.title, mark_safe(html)) for step, html in zip(worked, render_many([s.body for s in worked]),
                                                                       strict=True)]
    return PhoneView(session, item, live_state, last_live, steps)


def phone_fragment(view: PhoneView, request) -> str:
    """The HTML of the phone's question area (the page includes it; answers and refreshes replace it)."""
    return render_to_string("live/_phone_question.html", {"view": view, "state": view.state,
                                                          "quiz": view.item.question.quiz if view.item else None},
                            request=request)


def is_personal(session: LiveSession, item: LiveItem) -> bool:
    """Whether phones show ``item`` differently per student (own numbers of a computed question)."""
    return item.question.is_computed and session.variants == LiveSession.Variants.OWN


def shared_fragment(*, session: LiveSession, item: LiveItem, by) -> str | None:
    """The open question as every phone shows it before answering, rendered once for the whole room
    and pushed with the state (so 500 phones need no request to show it): None when the question is
    personal or its shared variant is not solved yet (the phones then fetch their own). ``by`` (the
    presenter) holds the shared variant. The form's CSRF token and nonce are left for the phone's
    script to fill in (``data-fill``)."""
    if session.phase != LiveSession.Phase.OPEN or is_personal(session, item):
        return None
    question = item.question
    if question.is_computed:
        prepare_variant(session=session, item=item, student=by)
        variant = Variant.objects.filter(student=by, question=question, seed=item.seed).order_by("-number").first()
        if variant is None or not variant.is_ready:
            return None
    else:
        variant = Variant(question=question, status=Variant.Status.READY)
    state = QuestionState(quiz=question.quiz, question=question, number=item.position + 1, variant=variant,
                          submissions=[], html={}, choice_html={}, now=item.opened_at)
    add_html([state])
    view = PhoneView(session, item, LiveQuestionState(state, session, None), None, [])
    return render_to_string("live/_phone_question.html", {"view": view, "state": view.state,
                                                          "quiz": question.quiz, "shared": True})
