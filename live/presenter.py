"""What the projector shows of a live session: the stage (the current question, the room's results on
demand, the worked solution once revealed) and the presenter's state for its event stream.

Nothing here names a student, ever: the state holds counts and the distribution (``live.distribution``),
the stage the question, those figures and the solution. ``shown``: the presenter asked for the results
("Show results"); they are shown anyway once the question is revealed.

For a computed question the presenter sees a variant made for themself with the item's seed
(``quizzes.variants.variant_seeded``): when the session shares one variant, the very numbers of the room;
otherwise an example, labelled as such, since every student has their own numbers.
"""

import logging
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects
from django.utils.safestring import SafeString, mark_safe

from live.distribution import answered_count, distribution, last_answers, students_of
from live.distribution_charts import DistributionDisplay, distribution_display
from live.models import LiveJoin, LiveSession
from live.services import current_item
from progress.answer_labels import question_labels
from quizzes.images import images_resolved
from quizzes.models import Variant
from quizzes.rendering import render_many
from quizzes.variants import variant_seeded

log = logging.getLogger(__name__)


def joined_count(session: LiveSession) -> int:
    """Students of the session's course who joined it."""
    return LiveJoin.objects.filter(session=session, student__in=students_of(session.course_id)).count()


def presenter_state(session: LiveSession, *, shown: bool) -> dict:
    """The presenter's JSON state: version, phase, question number and total, whether the session
    ended, how many students joined and answered the current question, and, when ``shown`` or
    revealed, its distribution (``Distribution.as_json``). Counts only: no student is named. Six
    queries at most."""
    item = current_item(session)
    revealed = session.phase == LiveSession.Phase.REVEALED
    state = {"v": session.version, "phase": session.phase, "number": session.position + 1,
             "total": session.items.count(), "item": item.id if item else None,
             "ended": session.ended_at is not None, "joined": joined_count(session), "answered": 0,
             "shown": shown or revealed, "distribution": None}
    if item is None:
        return state
    if state["shown"]:
        answers = last_answers([item], course=session.course_id)[item.id]
        figures = distribution(item.question, answers, revealed=revealed)
        state["answered"], state["distribution"] = figures.answered, figures.as_json()
    else:
        state["answered"] = answered_count(item, course=session.course_id)
    return state


@dataclass(frozen=True)
class Stage:
    session: LiveSession
    item: object  # the current LiveItem; None once the session ended
    total: int
    shown: bool  # the results are on screen
    revealed: bool
    prompt: SafeString = mark_safe("")
    diagram: SafeString | None = None
    choices: list[tuple[str, SafeString, bool]] = field(default_factory=list)  # letter, text, correct
    example: bool = False  # a computed question's numbers are an example: each student has their own
    pending: bool = False  # the presenter's variant is being solved: its worked solution comes later
    broken: bool = False  # the generator failed to show the question (logged)
    steps: list[tuple[str, SafeString]] = field(default_factory=list)
    explanation: SafeString = mark_safe("")
    results: DistributionDisplay | None = None


def stage_for(*, session: LiveSession, user, shown: bool) -> Stage:
    """The stage of ``session`` for the presenting ``user`` (course staff). Makes ``user``'s variant of a
    computed question with the item's seed when it does not exist yet (idempotent), as a phone does."""
    total = session.items.count()
    item = current_item(session)
    revealed = session.phase == LiveSession.Phase.REVEALED
    if item is None or session.ended_at is not None:
        return Stage(session, None, total, shown=False, revealed=False)
    question, course_id = item.question, session.course_id
    prefetch_related_objects([question], "choices")  # the stage's, the distribution's and the labels'
    kind = question.kind_spec
    variant = variant_seeded(student=user, question=question, seed=item.seed) if kind.is_computed else None
    if variant is not None and not variant.is_ready:
        variant.refresh_from_db()  # solved at once when Celery runs eagerly
    prompt, diagram, steps, broken = question.prompt, None, [], False
    try:
        prompt = kind.prompt(question, variant)
        diagram = kind.diagram(question, variant)
        if revealed and variant is not None and variant.is_ready:
            steps = kind.steps(question, variant)
    except Exception:  # one generator's failure must not take the projector down
        log.exception("showing live question %s failed", question.id)
        prompt, diagram, steps, broken = "", None, [], True
    choices = sorted(question.choices.all(), key=lambda c: (c.position, c.id)) if kind.has_choices else []
    texts = [prompt, question.explanation, *(c.text for c in choices), *(step.body for step in steps)]
    rendered = iter(images_resolved(render_many(texts), course_id))
    prompt_html, explanation_html = mark_safe(next(rendered)), mark_safe(next(rendered))  # sanitized
    choice_rows = [(chr(ord("A") + i) if i < 26 else str(i + 1), mark_safe(next(rendered)), c.is_correct)
                   for i, c in enumerate(choices)]
    step_rows = [(step.title, mark_safe(next(rendered))) for step in steps]
    results = None
    if shown or revealed:
        answers = last_answers([item], course=course_id)[item.id]
        labels = question_labels([question], course_id=course_id)[question.id]
        results = distribution_display(distribution(question, answers, revealed=revealed), labels,
                                       chart_id=f"live-chart-{item.id}",
                                       title=f"Answers to question {item.position + 1}")
    return Stage(session, item, total, shown=shown or revealed, revealed=revealed, prompt=prompt_html,
                 diagram=mark_safe(diagram) if diagram else None,  # the generator's SVG: numbers escaped
                 choices=choice_rows, example=variant is not None and session.variants == session.Variants.OWN,
                 pending=variant is not None and variant.status == Variant.Status.PENDING, broken=broken,
                 steps=step_rows, explanation=explanation_html, results=results)
