"""Why a student's action is refused now: the one exception the workflows raise for it.

``quizzes.submissions`` and ``quizzes.variants`` raise ``Refused`` (quiz closed, no tries left,
answering too fast, no new variants in graded mode, …); the views turn it into a page or, for
our JavaScript, a short text with the HTTP ``status``.
"""


class Refused(Exception):
    """The action cannot be taken now. The message is for the student; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status
