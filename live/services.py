"""The workflows of a live session: start, join, the presenter's controls, answers.

Every change of what phones show bumps the session's ``version`` and, after the commit, sends the
phones' state (``phone_state``) as a notice (``live.bus``); every answer and every join sends the
presenter a notice. Answers go through ``quizzes.submissions.submission_create`` (idempotent by
nonce, graded like any answer, counted in the student's practice progress) and are marked as given in
the session by a ``LiveAnswer``.
"""

import json
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from live import bus
from live.models import LiveAnswer, LiveItem, LiveJoin, LiveSession
from live.phone import prepare_variant, shared_fragment
from quizzes.models import Question, Submission
from quizzes.refusal import Refused
from quizzes.submissions import submission_create

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from a projector
CODE_LENGTH = 6
ACTIONS = ("open", "close", "reveal", "next", "previous", "end")


class LiveError(ValueError):
    """A control that does not fit the session's state; the message says why, for the instructor."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


def normalised_code(text: str) -> str:
    """What a student typed, as a code: upper case, no spaces or dashes; confusable digits read as letters."""
    return "".join(text.split()).replace("-", "").upper().replace("0", "O").replace("1", "I")[:CODE_LENGTH + 2]


@transaction.atomic
def session_start(*, course, by, questions: list[Question], title: str, quiz=None,
                  variants: str = LiveSession.Variants.OWN) -> LiveSession:
    """A new running session over ``questions`` (in order; at least one, all of ``course``)."""
    if not questions:
        raise LiveError("Pick at least one question.")
    if any(q.quiz.lecture.course_id != course.id for q in questions):
        raise LiveError("Every question must be one of this course's.")
    for _ in range(10):
        try:
            with transaction.atomic():
                session = LiveSession.objects.create(course=course, quiz=quiz, title=title[:200], code=new_code(),
                                                     variants=variants, started_by=by)
            break
        except IntegrityError:  # the code is taken: draw again
            continue
    else:
        raise LiveError("No free join code was found; try again.")
    LiveItem.objects.bulk_create([
        LiveItem(session=session, question=q, position=n, seed=secrets.randbits(62)) for n, q in enumerate(questions)
    ])
    return session


def current_item(session: LiveSession) -> LiveItem | None:
    return (LiveItem.objects.select_related("question__quiz__lecture__course")
            .filter(session=session, position=session.position).first())


def phone_state(session: LiveSession, total: int | None = None) -> dict:
    """What every phone needs to know, the same for all: the version, phase, question number, item id."""
    item_id = (LiveItem.objects.filter(session=session, position=session.position).values_list("id", flat=True)
               .first())
    total = total if total is not None else session.items.count()
    return {"v": session.version, "phase": session.phase, "item": item_id, "number": session.position + 1,
            "total": total, "ended": session.ended_at is not None}


def _changed(session: LiveSession, by=None, **fields) -> LiveSession:
    """Save ``fields`` and a new version; the phones are told after the commit, with the open
    question's HTML when it is the same for everyone (``live.phone.shared_fragment``)."""
    for name, value in fields.items():
        setattr(session, name, value)
    session.version = F("version") + 1
    session.save(update_fields=[*fields, "version"])
    session.refresh_from_db(fields=["version"])
    state = phone_state(session)
    item = LiveItem.objects.select_related("question__quiz__lecture__course").filter(pk=state["item"]).first()
    html = shared_fragment(session=session, item=item, by=by or session.started_by) if item else None
    payload = json.dumps({**state, "html": html} if html else state)
    transaction.on_commit(lambda: (bus.notify(bus.state_key(session.id), payload),
                                   bus.notify(bus.answers_key(session.id), "{}")))
    return session


@transaction.atomic
def session_control(*, session_id: int, action: str, by=None, now=None) -> LiveSession:
    """The presenter's ``action`` (one of ACTIONS) on the session; ``LiveError`` when it does not fit.
    ``by``: the presenting user (holds the shared variant shown to the room; default who started it)."""
    now = now or timezone.now()
    session = LiveSession.objects.select_for_update().get(pk=session_id)
    if session.ended_at is not None:
        raise LiveError("This session has ended.")
    if action not in ACTIONS:
        raise LiveError(f"Unknown action “{action}”: use {', '.join(ACTIONS)}.")
    if action == "end":
        return _changed(session, ended_at=now)
    item = LiveItem.objects.get(session=session, position=session.position)
    if action == "open":
        if session.phase == LiveSession.Phase.OPEN:
            return session
        LiveItem.objects.filter(pk=item.pk, opened_at__isnull=True).update(opened_at=now)
        return _changed(session, by, phase=LiveSession.Phase.OPEN)
    if action == "close":
        if session.phase != LiveSession.Phase.OPEN:
            raise LiveError("Answers are not open.")
        LiveItem.objects.filter(pk=item.pk).update(closed_at=now)
        return _changed(session, phase=LiveSession.Phase.CLOSED)
    if action == "reveal":
        LiveItem.objects.filter(pk=item.pk).update(closed_at=item.closed_at or now, revealed_at=now)
        return _changed(session, phase=LiveSession.Phase.REVEALED)
    step = 1 if action == "next" else -1
    target = LiveItem.objects.filter(session=session, position=session.position + step).first()
    if target is None:
        raise LiveError("This is the last question." if step == 1 else "This is the first question.")
    if session.phase == LiveSession.Phase.OPEN:  # moving on closes the question's answers
        LiveItem.objects.filter(pk=item.pk).update(closed_at=now)
    phase = (LiveSession.Phase.REVEALED if target.revealed_at else
             LiveSession.Phase.CLOSED if target.closed_at else LiveSession.Phase.WAITING)
    return _changed(session, position=target.position, phase=phase)


def session_join(*, session: LiveSession, student) -> bool:
    """Record that ``student`` joined (once); True when new. The presenter is told."""
    _, created = LiveJoin.objects.get_or_create(session=session, student=student)
    if created:
        transaction.on_commit(lambda: bus.notify(bus.answers_key(session.id), "{}"))
    return created


def live_answer(*, session_id: int, item_id: int, student, data, nonce: str) -> Submission:
    """Store ``student``'s answer to the session's open question ``item_id``: through the quizzes'
    submission service (the shared variant first, when the room shares one), marked as live.

    Raises ``Refused`` when the question is not the current one or its answers are not open (the
    phone's page was behind), and what ``submission_create`` raises.
    """
    session = LiveSession.objects.get(pk=session_id)
    item = LiveItem.objects.select_related("question__quiz").filter(pk=item_id, session=session).first()
    if item is None or session.ended_at is not None or item.position != session.position:
        raise Refused("This question is not being asked now.", status=409)
    if session.phase != LiveSession.Phase.OPEN:
        raise Refused("Answers to this question are closed.", status=409)
    question = item.question
    prepare_variant(session=session, item=item, student=student)
    submission = submission_create(student=student, question=question, data=data, nonce=nonce, live=True)
    _, created = LiveAnswer.objects.get_or_create(submission=submission, defaults={"item": item})
    if created:
        bus.notify(bus.answers_key(session.id), "{}")
    return submission


def attended_sessions(*, student, limit: int = 10) -> list[dict]:
    """The sessions ``student`` joined, newest first: title, course, when, answers given and right."""
    joins = (LiveJoin.objects.filter(student=student).select_related("session__course")
             .order_by("-joined_at")[:limit])
    counts = {row["item__session"]: row for row in (
        LiveAnswer.objects.filter(submission__variant__student=student, item__session__in=[j.session_id for j in joins])
        .values("item__session").annotate(answers=Count("item", distinct=True),
                                          right=Count("item", distinct=True, filter=Q(submission__score__gte=1.0))))}
    return [{"session": j.session, "joined_at": j.joined_at,
             "answered": counts.get(j.session_id, {}).get("answers", 0),
             "right": counts.get(j.session_id, {}).get("right", 0)} for j in joins]
