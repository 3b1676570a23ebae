"""What a student may see of a question now: pure rules from the quiz, the time and their tries.

The quiz page (``quizzes.states``), its fragments, the progress pages and the REST API all ask
here, so the correct answer never reaches a student early through one of them.

- *Feedback* (right or wrong, points, marks) is visible in practice mode, in graded mode with
  immediate feedback, and after a graded quiz closes. ``feedback_withheld_q`` is the same rule as a
  database filter (the quizzes whose feedback is still withheld).
- The *hint* shows after the quiz's number of wrong tries, while feedback is visible.
- The *solution* (worked solution, explanation, the correct answer, which unpicked choices were
  right): practice mode after a correct answer or "show solution"; graded mode once the quiz has
  closed, or while feedback is visible after a correct answer or the last try.
"""

from django.db.models import Q


def feedback_visible(quiz, now) -> bool:
    return quiz.is_practice or quiz.feedback_policy == "immediate" or quiz.has_closed(now)


def feedback_withheld_q(now) -> Q:
    """Quizzes (a ``Quiz`` filter) whose feedback is withheld at ``now``: ``not feedback_visible``."""
    return Q(mode="graded", feedback_policy="after_close") & (Q(closes_at__isnull=True) | Q(closes_at__gt=now))


def hint_visible(quiz, now, *, has_hint: bool, wrong_tries: int) -> bool:
    return has_hint and feedback_visible(quiz, now) and wrong_tries >= quiz.hint_after


def solution_visible(quiz, now, *, ever_correct: bool, revealed: bool, tries_left: int | None) -> bool:
    """``tries_left``: None for unlimited tries (practice mode)."""
    if quiz.is_practice:
        return ever_correct or revealed
    if quiz.has_closed(now):
        return True
    return feedback_visible(quiz, now) and (ever_correct or tries_left == 0)


def tries_left(quiz, tries_used: int) -> int | None:
    """Tries left on a variant (None: unlimited); ``tries_used`` counts graded and pending answers."""
    limit = quiz.max_tries
    return None if limit is None else max(0, limit - tries_used)
