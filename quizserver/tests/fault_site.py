"""The site as the fault tests drive it: a long-lived process of this project that takes one JSON
command a line on stdin and answers one JSON line (prefixed ``@@``) on stdout.

Long-lived on purpose: its connections to the broker, the cache and the database were opened before
a fault and must recover after it, as a web worker's would. Requests go through Django's test
``Client`` (the whole middleware and view stack; a 500 is returned, not raised). The process
imports ``quizserver.tests.fault_generators`` (``toy_counted``, ``toy_hangs``), so only it and the
workers started with ``-I`` know those generators.

Commands (``FaultSite.do(name, **arguments)`` in the test process):
- ``setup(students, questions)``: migrate, one course with one published quiz, students ``s1``...,
  one question per entry of ``questions``: a generator's slug (a computed question) or ``"numeric"``;
- ``page(student)``: the quiz page (status, questions shown, how many say "temporarily unavailable");
- ``answer(student, question, nonce)``: post the correct answer (from the variant's numbers);
- ``requeue()``: the periodic re-queue as it runs a minute later (``variants_requeue``);
- ``session(student)``: a logged-in session's cookie value, for requests from outside;
- ``quit()``.
Importing this module has no side effects.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "@@"


class FaultSite:
    """The fault site as a child process with environment ``env``, logging to ``log``."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        with open(log, "a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "quizserver.tests.fault_site"], cwd=ROOT, env=env, text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=out,
            )

    def do(self, command: str, **arguments) -> dict:
        self.process.stdin.write(json.dumps({"do": command, **arguments}) + "\n")
        self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith(PREFIX):
                return json.loads(line[len(PREFIX):])
        raise AssertionError(f"the fault site ended during {command!r}: {self.log.read_text()[-4000:]}")

    def close(self) -> None:
        if self.process.poll() is None:
            self.do("quit")
            self.process.wait(60)


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizserver.settings")
    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    import quizserver.tests.fault_generators  # noqa: F401  (registers toy_counted and toy_hangs)
    from courses.models import Course, Enrolment, Lecture
    from quizzes.models import Question, Quiz, Variant
    from quizzes.tests.factories import make_question
    from quizzes.variants import STALE_PENDING_SECONDS, variants_requeue

    users = get_user_model()
    clients: dict[str, Client] = {}

    def client_of(student: str) -> Client:
        if student not in clients:
            clients[student] = Client(raise_request_exception=False)
            clients[student].force_login(users.objects.get(username=student))
        return clients[student]

    def quiz() -> Quiz:
        return Quiz.objects.get()

    def setup(students: int, questions: list[str]) -> dict:
        call_command("migrate", verbosity=0)
        course = Course.objects.create(slug="c", title="C")
        lecture = Lecture.objects.create(course=course, number=1, title="L", slug="l")
        made = Quiz.objects.create(lecture=lecture, title="Q", is_published=True)
        for position, slug in enumerate(questions, start=1):
            if slug == "numeric":
                make_question(quiz=made, position=position, kind="numeric", prompt="$\\sigma'(0)$ = ?",
                              numeric_answer=0.25, rtol=0.01, atol=0.0)
            else:
                make_question(quiz=made, position=position, kind="computed", generator=slug, prompt="")
        for number in range(1, students + 1):
            user = users.objects.create_user(f"s{number}", password="unused-" + "x" * 20)
            Enrolment.objects.create(user=user, course=course, role=Enrolment.Role.STUDENT)
        return {"quiz": made.id, "questions": list(made.questions.order_by("position").values_list("id", flat=True))}

    def page(student: str) -> dict:
        response = client_of(student).get(reverse("quizzes:quiz", args=["c", quiz().id]))
        html = response.content.decode()
        shown = sum(f'id="q{question}"' in html for question in quiz().questions.values_list("id", flat=True))
        return {"status": response.status_code, "unavailable": html.count("temporarily unavailable"),
                "questions": shown, "body": html[-2000:] if response.status_code != 200 else ""}

    def answer(student: str, question: int, nonce: str) -> dict:
        variant = Variant.objects.filter(student__username=student, question_id=question).order_by("-number")[0]
        asked = Question.objects.get(pk=question)
        if asked.kind == "numeric":
            value = 0.25
        else:
            value = variant.params["a"] * variant.params["b"] * variant.config.get("scale", 1)
        response = client_of(student).post(
            reverse("quizzes:answer", args=["c", quiz().id, question]), {"answer": f"{value:g}", "nonce": nonce},
            HTTP_X_REQUESTED_WITH="fetch",
        )
        return {"status": response.status_code, "body": response.content.decode()[-2000:]}

    def requeue() -> dict:
        return {"queued": variants_requeue(now=timezone.now() + timedelta(seconds=STALE_PENDING_SECONDS + 1))}

    def session(student: str) -> dict:
        return {"sessionid": client_of(student).cookies["sessionid"].value}

    commands = {"setup": setup, "page": page, "answer": answer, "requeue": requeue, "session": session}
    for line in sys.stdin:
        arguments = json.loads(line)
        command = arguments.pop("do")
        if command == "quit":
            print(PREFIX + "{}", flush=True)
            return
        print(PREFIX + json.dumps(commands[command](**arguments)), flush=True)


if __name__ == "__main__":
    main()
