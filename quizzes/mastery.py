"""What counts as a try, as correct and as mastered: the rules every page, chart, table and the API use.

- A *try* is a graded answer (invalid input is stored but is not a try; a pending answer is not
  graded yet).
- A try is *correct* when it earned the full score (``grading.is_full_score``).
- A question is *mastered* when the latest try that counts for mastery is correct. A try sent
  after the variant's solution was shown (``after_reveal``) is checked and counted as a try, but
  does not count for mastery: copying the shown solution is not mastering it.

The same rules as database filters are ``SubmissionQuerySet.graded()`` and ``.counting_for_mastery()``.
Each function takes anything with the attributes it reads (a ``Submission`` or a loaded row).
"""

from collections.abc import Iterable
from typing import Protocol

from quizzes.grading import is_full_score

GRADED = "graded"  # Submission.Status.GRADED: the status of a try


class Answered(Protocol):
    status: str
    score: float | None
    after_reveal: bool


def is_try(answer: Answered) -> bool:
    return answer.status == GRADED


def is_correct(answer: Answered) -> bool:
    return is_try(answer) and is_full_score(answer.score)


def counts_for_mastery(answer: Answered) -> bool:
    return is_try(answer) and not answer.after_reveal


def mastered(answers: Iterable[Answered]) -> bool:
    """Whether the latest of ``answers`` (time order, one question) that counts for mastery is correct."""
    latest = None
    for answer in answers:
        if counts_for_mastery(answer):
            latest = answer
    return latest is not None and is_correct(latest)
