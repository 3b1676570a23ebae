"""Student pages of a quiz: showing it, answering, revealing solutions, new variants.

Answer and reveal views follow Post/Redirect/Get for plain forms; a request sent by our
JavaScript (header ``X-Requested-With: fetch``) gets the re-rendered question instead.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from courses.models import Enrolment
from quizzes.access import Unavailable, course_access, quiz_access, unavailable_response
from quizzes.fragments import question_fragments
from quizzes.images import images_resolved
from quizzes.kinds.base import MalformedAnswer
from quizzes.models import Quiz
from quizzes.refusal import Refused
from quizzes.rendering import render_many
from quizzes.states import choices_in_order, question_states
from quizzes.submissions import submission_create
from quizzes.variants import variant_new, variant_reveal

FILES_REFUSED = "Answers are typed, not uploaded: this request had a file attached and was not accepted."


def _is_fetch(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"




def _refused(request, message: str, status: int) -> HttpResponse:
    if _is_fetch(request):
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return TemplateResponse(
        request, "unavailable.html", {"title": "Answer not accepted", "message": message}, status=status
    )


@login_required
def quiz_page(request, course_slug, quiz_id):
    try:
        quiz, access = quiz_access(user=request.user, course_slug=course_slug, quiz_id=quiz_id)
    except Unavailable as error:
        return unavailable_response(request, error)
    polled = request.GET.get("question", "")
    if _is_fetch(request) and polled.isascii() and polled.isdigit():  # a pending question polls itself
        question = get_object_or_404(quiz.questions.active(), pk=int(polled))
        return _question_response(request, quiz, access, question, changed=False)
    states = question_states(student=request.user, quiz=quiz, html=False, light=True)
    context = {
        "quiz": quiz,
        "course": access.course,
        "access": access,
        "fragments": question_fragments(request=request, quiz=quiz, course=access.course, states=states),
        "points": sum(s.best_points for s in states),
        "max_points": sum(s.question.points for s in states),
        "description": images_resolved(render_many([quiz.description]), access.course.id)[0],
    }
    return TemplateResponse(request, "quizzes/quiz.html", context)


def _question_response(request, quiz, access, question, *, changed: bool = True):
    """After a POST: the question's fragment for JavaScript, or a redirect to it (PRG). A poll
    (``changed`` False) mostly finds its fragment in the cache; a POST changed the question, so its
    fragment is new and its rows are loaded whole at once (``question_states``' ``light``)."""
    if not _is_fetch(request):
        return redirect(f"{quiz.get_absolute_url()}#q{question.id}")
    states = question_states(student=request.user, quiz=quiz, questions=[question], html=False, light=not changed)
    fragment = question_fragments(request=request, quiz=quiz, course=access.course, states=states)[0]
    return HttpResponse(fragment, content_type="text/html; charset=utf-8")


def _question_post(request, course_slug, quiz_id, question_id, action):
    if request.FILES:  # answers are text; no form of ours sends a file (size limits: settings.py)
        return _refused(request, FILES_REFUSED, 400)
    try:
        quiz, access = quiz_access(user=request.user, course_slug=course_slug, quiz_id=quiz_id)
    except Unavailable as error:
        return (
            _refused(request, error.message, error.status)
            if _is_fetch(request)
            else unavailable_response(request, error)
        )
    question = get_object_or_404(quiz.questions.active().prefetch_related(choices_in_order()), pk=question_id)
    question.quiz = quiz  # loaded with its lecture and course by quiz_access
    try:
        action(question)
    except MalformedAnswer as error:
        return _refused(request, str(error), 400)
    except Refused as error:
        return _refused(request, str(error), error.status)
    return _question_response(request, quiz, access, question)


@login_required
@require_POST
def answer(request, course_slug, quiz_id, question_id):
    def submit(question):
        submission_create(
            student=request.user, question=question, data=request.POST, nonce=request.POST.get("nonce", "")
        )

    return _question_post(request, course_slug, quiz_id, question_id, submit)


@login_required
@require_POST
def reveal(request, course_slug, quiz_id, question_id):
    return _question_post(
        request,
        course_slug,
        quiz_id,
        question_id,
        lambda question: variant_reveal(student=request.user, question=question),
    )


@login_required
@require_POST
def new_variant(request, course_slug, quiz_id, question_id):
    return _question_post(
        request,
        course_slug,
        quiz_id,
        question_id,
        lambda question: variant_new(student=request.user, question=question),
    )


@login_required
def quiz_as_student(request, course_slug, quiz_id, user_id):
    """A quiz as one of the course's students sees it now, for the course's staff: read-only (every
    control disabled), only the questions the student has opened, nothing written."""
    try:
        access = course_access(user=request.user, course_slug=course_slug)
        if not access.is_staff:
            raise Unavailable("Staff only", "Only the course's staff can view a quiz as a student sees it.", 403)
    except Unavailable as error:
        return unavailable_response(request, error)
    quiz = get_object_or_404(Quiz.objects.select_related("lecture__course"), pk=quiz_id, lecture__course=access.course)
    enrolment = get_object_or_404(Enrolment.objects.select_related("user"), course=access.course, user_id=user_id,
                                  role=Enrolment.Role.STUDENT)
    states = question_states(student=enrolment.user, quiz=quiz, opened_only=True, html=False)
    context = {
        "quiz": quiz, "course": access.course, "access": access, "student": enrolment.user,
        "fragments": question_fragments(request=request, quiz=quiz, course=access.course, states=states),
        "unopened": quiz.questions.active().count() - len(states),
    }
    return TemplateResponse(request, "quizzes/quiz_as_student.html", context)
