"""The floor page: what any logged-in Django page costs on this stack (session, user, one query of
10 rows, a small template), without anything of quizserver's own."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from courses.models import Lecture


@login_required
def floor(request):
    rows = list(Lecture.objects.order_by("course_id", "number").values("number", "title", "slug")[:10])
    return TemplateResponse(request, "floor_app/floor.html", {"rows": rows})
