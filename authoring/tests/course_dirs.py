"""Course folders for the tests, and the database rows a course is made of.

``course_dir(root)`` writes a small course (two lectures, four questions of four kinds); ``edit`` changes
one of its files the way an author would; ``tree`` reads a folder back as bytes, to compare exports;
``snapshot`` reads every row of a course's tables, to compare the database before and after.
"""

from pathlib import Path

from django.contrib.auth import get_user_model

from courses.models import Course, Enrolment, Lecture
from quizzes.models import Choice, Question, Quiz

FILES = {
    "course.toml": """\
slug = 'ml'
title = 'Machine Learning'
enrolment_code = 'ML-2026'
enrolment_open = true
description = 'Weekly quizzes.'
""",
    "01-basics/lecture.toml": """\
number = 1
title = 'Basics'
slug = 'basics'
release = 2026-09-01T10:00:00+02:00

[[quizzes]]
uid = 'l01-quiz'
title = 'Check yourself'
position = 1
mode = 'practice'
published = true
hint_after = 1
try_credits = '100,70,50'
feedback_policy = 'immediate'
questions = ['l01-rule', 'l01-number', 'l01-word']
""",
    "01-basics/l01-rule.md": r"""+++
uid = 'l01-rule'
kind = 'single'
title = 'Which rule?'
hint = 'Think of $f(g(x))$.'

[[choices]]
text = 'The chain rule'
correct = true

[[choices]]
text = 'The quotient rule'
correct = false
feedback = 'Only for $\frac{u}{v}$.'
+++
Backpropagation computes $\frac{\partial L}{\partial x}$ with which rule?
""",
    "01-basics/l01-number.md": r"""+++
uid = 'l01-number'
kind = 'numeric'
title = 'A number'
numeric_answer = 1.5
+++
What is $6 \cdot \sigma'(0)$?
""",
    "01-basics/l01-word.md": """\
+++
uid = 'l01-word'
kind = 'text'
title = 'A word'
text_answers = ['valid(ation)?']
text_mode = 'regex'
+++
Which set chooses the hyperparameters?
""",
    "02-more/lecture.toml": """\
number = 2
title = 'More'
slug = 'more'

[[quizzes]]
uid = 'l02-quiz'
title = 'More checks'
published = true
questions = ['l02-claim']
""",
    "02-more/l02-claim.md": """\
+++
uid = 'l02-claim'
kind = 'true_false'
true_false_answer = true
+++
ReLU is piecewise linear.
""",
}
UIDS = ["l01-rule", "l01-number", "l01-word", "l02-claim"]


def course_dir(root: Path) -> Path:
    """Write the course of FILES into ``root`` (made if missing) and return ``root``."""
    for relative, text in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def edit(root: Path, relative: str, old: str, new: str) -> None:
    """Replace ``old`` (which must occur once) by ``new`` in one file of the course."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root``: path relative to it -> bytes."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the tables an import or the demo writes, so that two states compare value by value."""
    models = [Course, Lecture, Quiz, Question, Choice, Enrolment, get_user_model()]
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in models}
