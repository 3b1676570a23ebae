"""Pages for joining: the home page, registration, the course list and enrolment."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from courses.forms import EnrolForm, RegisterForm
from courses.models import Course
from courses.rate_limits import client_address
from courses.services import EnrolmentError, enrolment_create


def home(request):
    if request.user.is_authenticated:
        return redirect("courses:list")
    return TemplateResponse(request, "home.html")


def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}! Enrol in your course with its code.")
        return redirect("courses:list")
    return TemplateResponse(request, "registration/register.html", {"form": form})


@login_required
def course_list(request, enrol_form=None, status=200):
    courses = Course.objects.for_user(request.user).prefetch_related("lectures")
    context = {"courses": courses, "enrol_form": enrol_form or EnrolForm()}
    return TemplateResponse(request, "courses/list.html", context, status=status)


@login_required
@require_POST
def enrol(request):
    form = EnrolForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            enrolment = enrolment_create(
                user=request.user, code=form.cleaned_data["code"], address=client_address(request)
            )
        except EnrolmentError as error:
            form.add_error("code", str(error))
            status = error.status  # 429 after too many wrong codes
        else:
            messages.success(request, f"You are enrolled in {enrolment.course.title}.")
            return redirect(enrolment.course.get_absolute_url())
    return course_list(request, enrol_form=form, status=status)
