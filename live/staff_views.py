"""The staff's side of live sessions, under /courses/<slug>/live/: start one, present it on the projector
(the page, its stage fragment, JSON state and events), control it, and read its results afterwards.

Only the course's staff (TAs, instructors, superusers): its students get 403, anyone else the course's
own 403 or 404, and a session of another course is a 404. The presenter view and its data name no
student, ever (``live.presenter``); the results' CSV does (usernames), for staff only.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from live import bus
from live.forms import LiveStartForm
from live.models import LiveSession
from live.presenter import joined_count, presenter_state, stage_for
from live.qr import qr_svg
from live.results import answers_csv_response, results_page_rows, session_list
from live.services import LiveError, session_control, session_start
from live.streams import event_stream
from quizzes.access import CourseAccess, Unavailable, course_access, unavailable_response

STATE_INTERVAL = 0.25  # seconds between two states of the presenter's stream while answers pour in




def staff_access(user, course_slug: str) -> CourseAccess:
    """The course if ``user`` is its staff; ``Unavailable`` otherwise (403 for its students)."""
    access = course_access(user=user, course_slug=course_slug)
    if not access.is_staff:
        raise Unavailable("For course staff only", f"Live sessions of “{access.course.title}” are run by its "
                          "instructors and teaching assistants. To join one, use the code on the projector.",
                          403, access.course)
    return access


def staff_session_view(view):
    """A view of one session, ``view(request, access, session)``: logged in, the course's staff, a
    session of that course (else a 404)."""

    @login_required
    @wraps(view)
    def wrapped(request, course_slug, session_id):
        try:
            access = staff_access(request.user, course_slug)
            session = LiveSession.objects.filter(course=access.course, pk=session_id).select_related("quiz").first()
            if session is None:
                raise Unavailable("Session not found", "This course has no live session at this address.", 404,
                                  access.course)
        except Unavailable as error:
            return unavailable_response(request, error)
        return view(request, access, session)

    return wrapped


def _shown(request) -> bool:
    """Whether the presenter asked for the results (``?results=1``, or the control form's field)."""
    return (request.GET.get("results") or request.POST.get("results")) == "1"


def _is_fetch(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@login_required
@require_http_methods(["GET", "POST"])
def sessions(request, course_slug):
    """The course's sessions (running first) and the form that starts one (``?quiz=`` preselects a quiz)."""
    try:
        access = staff_access(request.user, course_slug)
    except Unavailable as error:
        return unavailable_response(request, error)
    course = access.course
    quiz = request.GET.get("quiz", "")
    form = LiveStartForm(request.POST or None, course=course,
                         initial={"quiz": int(quiz) if quiz.isascii() and quiz.isdigit() and len(quiz) < 19 else None})
    if request.method == "POST" and form.is_valid():
        questions, quiz, title = form.chosen()
        try:
            session = session_start(course=course, by=request.user, questions=questions, title=title, quiz=quiz,
                                    variants=form.cleaned_data["variants"])
        except LiveError as error:
            form.add_error(None, str(error))
        else:
            return redirect("live_staff:presenter", course.slug, session.id)
    context = {"course": course, "access": access, "form": form, "groups": form.question_groups(),
               "sessions": session_list(course)}
    return TemplateResponse(request, "live/list.html", context, status=400 if form.errors else 200)


@require_GET
@staff_session_view
def presenter(request, access, session):
    """The projector's page: join code, link and QR code, the stage, counts and controls."""
    shown = _shown(request)
    join_url = request.build_absolute_uri(f"{reverse('live:join')}?code={session.code}")
    context = {"course": access.course, "session": session, "join_url": join_url, "shown": shown,
               "qr": qr_svg(join_url, title=f"QR code: {join_url}"),
               "stage": stage_for(session=session, user=request.user, shown=shown),
               "state": presenter_state(session, shown=shown)}
    return TemplateResponse(request, "live/presenter.html", context)


@require_GET
@staff_session_view
def stage(request, access, session):
    """The stage alone (``?part=results``: only its results), for the presenter's script after a change."""
    view = stage_for(session=session, user=request.user, shown=_shown(request))
    template = "live/_presenter_results.html" if request.GET.get("part") == "results" else "live/_presenter_stage.html"
    return HttpResponse(render_to_string(template, {"stage": view, "course": access.course}, request=request))


@require_GET
@staff_session_view
def state(request, access, session):
    """The presenter's state as JSON (``live.presenter.presenter_state``)."""
    return JsonResponse(presenter_state(session, shown=_shown(request)))


@require_GET
@staff_session_view
def events(request, access, session):
    """The presenter's Server-Sent Events: its state after every control, join and answer (at most one
    per ``STATE_INTERVAL``)."""
    session_id, shown = session.id, _shown(request)

    def read() -> dict:
        return presenter_state(LiveSession.objects.get(pk=session_id), shown=shown)

    return event_stream(request, keys=(bus.state_key(session_id), bus.answers_key(session_id)), read=read,
                        min_interval=STATE_INTERVAL)


@require_POST
@staff_session_view
def control(request, access, session):
    """A control (``action``: open, close, reveal, next, previous, end). The presenter's script gets the
    new state as JSON (204 when the control is done but the state cannot be read just now), or the refusal
    as text with 409; a plain form is redirected to the page. A database error in the control itself rolls
    it back (``session_control`` is atomic): the middleware's 503 means nothing changed, so the script may
    send it again."""
    try:
        session = session_control(session_id=session.id, action=request.POST.get("action", ""), by=request.user)
    except LiveError as error:
        if _is_fetch(request):
            return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")
        messages.error(request, str(error))
    else:
        if _is_fetch(request):
            try:
                return JsonResponse(presenter_state(session, shown=_shown(request)))
            except DatabaseError:  # the control is committed; the page's event stream brings the state
                return HttpResponse(status=204)
    url = reverse("live_staff:presenter", args=[access.course.slug, session.id])
    return redirect(url + ("?results=1" if _shown(request) else ""))


@require_GET
@staff_session_view
def results(request, access, session):
    """Per question: answers, the right share, the distribution and named mistakes; the CSV link."""
    context = {"course": access.course, "access": access, "session": session,
               "rows": results_page_rows(session), "joined": joined_count(session)}
    return TemplateResponse(request, "live/results.html", context)


@require_GET
@staff_session_view
def answers_csv(request, access, session):
    """Every answer given in the session, one row each, with usernames (staff only)."""
    return answers_csv_response(session)
