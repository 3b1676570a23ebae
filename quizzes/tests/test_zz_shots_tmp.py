from datetime import timedelta
import pytest
from django.utils import timezone
from courses.models import Enrolment, Lecture
from quizzes.models import Question, Quiz, Submission
from quizzes.tests.progress_data import Learner
from quizzes.tests.test_browser import page, log_in  # noqa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_shots(page, live_server, make_user, course, quiz, single, numeric, instructor):
    course.leaderboard_enabled = True
    course.save()
    comp = Question.objects.create(quiz=quiz, position=3, kind="computed", title="Backprop through sigmoid", prompt="?")
    l3 = Lecture.objects.create(course=course, number=3, title="Backpropagation", slug="bp")
    q3 = Quiz.objects.create(lecture=l3, title="Chain rule", is_published=True)
    extra = [Question.objects.create(quiz=q3, position=i, kind="numeric", title=f"Chain {i}", prompt="?", numeric_answer=1) for i in range(1, 5)]
    start = timezone.now() - timedelta(days=40)
    alice = Learner(make_user, course, "alice2", start)
    alice.user.set_password("pw"); alice.user.save()
    Enrolment.objects.filter(user=alice.user).update(pseudonym="Gradient Gal", leaderboard_opt_in=True)
    for i, q in enumerate([single, numeric, comp] + extra):
        alice.answer(q, 0, value=2.0, after=timedelta(days=2))
        if i % 2 == 0:
            alice.answer(q, 1, value=1.0, after=timedelta(minutes=3))
    alice.answer(comp, 0, value=2.0, mistake="forgot_activation_derivative", after=timedelta(days=1))
    for n in range(6):
        s = Learner(make_user, course, f"stud{n}", start)
        if n % 2: Enrolment.objects.filter(user=s.user).update(pseudonym=f"Neuron{n}", leaderboard_opt_in=True)
        for q in [single, numeric, comp]:
            s.answer(q, 0, value=float(n % 3), mistake="forgot_activation_derivative" if n % 2 else "", after=timedelta(days=n+1))
            s.answer(q, 1 if n > 1 else 0.5, value=1.0)
        s.answer(numeric, None, raw="abc", status=Submission.Status.INVALID)
    base = live_server.url
    log_in(page, base, "alice2", "pw")
    for w in (390, 1100):
        page.set_viewport_size({"width": w, "height": 900})
        page.goto(f"{base}/courses/dl/progress/")
        page.screenshot(path=f"/tmp/shots/progress-{w}.png", full_page=True)
        print("overflow", w, page.evaluate("document.documentElement.scrollWidth"))
    instructor.set_password("pw"); instructor.save()
    page.goto(f"{base}/accounts/logout/")
    page.context.clear_cookies()
    log_in(page, base, "ingrid", "pw")
    for w in (390, 1100):
        page.set_viewport_size({"width": w, "height": 900})
        for name, path in [("stats", f"/courses/dl/quizzes/{quiz.id}/statistics/"), ("students", "/courses/dl/students/"),
                           ("subs", f"/courses/dl/students/{alice.user.id}/"), ("course", "/courses/dl/")]:
            page.goto(base + path)
            page.screenshot(path=f"/tmp/shots/{name}-{w}.png", full_page=True)
            print("overflow", name, w, page.evaluate("document.documentElement.scrollWidth"))
