"""Student pages of a live session: join with the code, the phone page, its question, answers and events.

A student must be logged in and enrolled in the session's course; anyone else gets the same 404 as
for a code that does not exist (a code tells nothing about a course one is not in). Staff of the
course may open the phone page too (to try it).
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from courses.services import role_in
from live import bus
from live.models import LiveSession
from live.phone import phone_fragment, phone_view
from live.services import attended_sessions, live_answer, normalised_code, phone_state, session_join
from live.streams import event_stream
from quizzes.kinds.base import MalformedAnswer
from quizzes.refusal import Refused


def _session_of(request, code: str) -> LiveSession:
    """The running or ended session with ``code`` if the user is in its course, else 404."""
    session = LiveSession.objects.select_related("course").filter(code=normalised_code(code)).first()
    if session is None or role_in(user=request.user, course=session.course) is None:
        raise Http404("No live session with this code in your courses.")
    return session


@login_required
def join(request):
    """The join form: a code typed, or ``?code=`` from the QR code's link."""
    code = normalised_code(request.POST.get("code", "") or request.GET.get("code", ""))
    error = ""
    if code:
        session = LiveSession.objects.select_related("course").filter(code=code, ended_at__isnull=True).first()
        if session is not None and role_in(user=request.user, course=session.course) is not None:
            return redirect("live:phone", code=session.code)
        error = "No running session has this code in your courses. Check the code on the projector."
    context = {"code": code, "error": error, "attended": attended_sessions(student=request.user)}
    return TemplateResponse(request, "live/join.html", context, status=404 if error else 200)


@login_required
def phone(request, code):
    session = _session_of(request, code)
    if session.is_running:
        session_join(session=session, student=request.user)
    view = phone_view(session=session, student=request.user)
    context = {"session": session, "fragment": phone_fragment(view, request), "state": phone_state(session)}
    return TemplateResponse(request, "live/phone.html", context)


@login_required
def question(request, code):
    """The question area alone, for the phone's script after a state change."""
    session = _session_of(request, code)
    return HttpResponse(phone_fragment(phone_view(session=session, student=request.user), request))


@login_required
@require_POST
def answer(request, code):
    session = _session_of(request, code)
    item_id = request.POST.get("item", "")
    if not item_id.isascii() or not item_id.isdigit() or len(item_id) > 18 or request.FILES:  # 18: a bigint
        return HttpResponse("This request does not fit the question.", status=400, content_type="text/plain")
    try:
        live_answer(session_id=session.id, item_id=int(item_id), student=request.user, data=request.POST,
                    nonce=request.POST.get("nonce", ""))
    except MalformedAnswer as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    except Refused as error:
        return HttpResponse(str(error), status=error.status, content_type="text/plain; charset=utf-8")
    session.refresh_from_db()
    if request.headers.get("X-Requested-With") != "fetch":
        return redirect("live:phone", code=session.code)
    return HttpResponse(phone_fragment(phone_view(session=session, student=request.user), request))


@login_required
def events(request, code):
    """The phone's Server-Sent Events: the session's state (version, phase, question) on every change."""
    session = _session_of(request, code)
    session_id = session.id

    def read() -> dict:
        return phone_state(LiveSession.objects.get(pk=session_id))

    def from_notice(payload: str) -> dict | None:
        try:
            return json.loads(payload) or None
        except ValueError:
            return None

    return event_stream(request, keys=(bus.state_key(session_id),), read=read, from_notice=from_notice)
