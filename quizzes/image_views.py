"""Serving a course's question images (``quizzes.images``) to the members of the course.

Who may fetch: anyone enrolled in the course, in any role, and superusers; the same people who may
open the course page. The images of a quiz are no secret from the course once the quiz is open, and
one that is not yet open is only reachable with its URL, which carries 64 bits of the image's
sha256: a URL with another hash is a 404 like an unknown name. The bytes stream from the default
storage with the type found on upload, ``nosniff``, a year's private cache (the URL changes with
the content) and a Content-Security-Policy that lets an SVG opened on its own run nothing and fetch
nothing.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from quizzes.access import Unavailable, course_access
from quizzes.models import QuestionImage

IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
CACHE_CONTROL = "private, max-age=31536000, immutable"


@login_required
@require_safe
def image(request, course_slug: str, digest: str, name: str):
    try:
        access = course_access(user=request.user, course_slug=course_slug)
    except Unavailable as error:
        context = {"title": error.title, "message": error.message, "course": error.course}
        return TemplateResponse(request, "unavailable.html", context, status=error.status)
    found = QuestionImage.objects.filter(course=access.course, name=name).first()
    if found is None or found.sha256[:16] != digest:
        raise Http404("No such image.")
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Content-Length"] = str(found.size)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_POLICY
    response["Content-Disposition"] = f'inline; filename="{found.name}"'
    return response
