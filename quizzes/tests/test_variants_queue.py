"""``queue_solve`` when the broker cannot be reached: the page and the answer still succeed, the
variant stays pending, the answer waits, and the periodic re-queue has it solved and graded later.

The broker's failure is raised where sending the task would raise it; the real outage (a
redis-server stopped under the running site) is ``quizserver/tests/test_faults.py``.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from quizserver.celery import app
from quizzes.models import Submission, Variant
from quizzes.tests.factories import make_question
from quizzes.variants import SOLVE_TASK, STALE_PENDING_SECONDS, variants_requeue

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def unreachable(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_an_unreachable_broker_leaves_the_variant_pending_and_the_answer_waiting(
    student_client, student, quiz, toy_generators, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    question = make_question(quiz=quiz, position=1, kind="computed", generator="toy_product", prompt="")
    with monkeypatch.context() as patch:
        patch.setitem(app.conf, "task_always_eager", False)  # a broker is configured, and down
        patch.setattr(app.tasks[SOLVE_TASK], "delay", unreachable)
        with django_capture_on_commit_callbacks(execute=True) as queued:
            page = student_client.get(reverse("quizzes:quiz", args=["dl", quiz.id]))
        assert page.status_code == 200 and f'id="q{question.id}"' in page.content.decode()
        assert len(queued) == 1  # sending was tried after the commit, and failed
        variant = Variant.objects.get(student=student, question=question)
        assert variant.status == "pending"
        with django_capture_on_commit_callbacks(execute=True):
            answer = student_client.post(
                reverse("quizzes:answer", args=["dl", quiz.id, question.id]),
                {"answer": f"{variant.params['a'] * variant.params['b']:g}"}, **FETCH,
            )
        assert answer.status_code == 200 and Submission.objects.get().status == "pending"
    assert ("broker unreachable, quizzes.tasks.variants_solve for 1 variant(s) left for the periodic re-queue"
            in caplog.text)

    # The broker is back (here: eager again); a minute later the periodic re-queue runs.
    assert variants_requeue(now=timezone.now() + timedelta(seconds=STALE_PENDING_SECONDS + 1)) == 1
    assert Variant.objects.get(pk=variant.pk).status == "ready"
    submission = Submission.objects.get()
    assert submission.status == "graded" and submission.score == 1.0
