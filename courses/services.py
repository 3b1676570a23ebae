"""Workflows of the courses app: enrolling with a code."""

from django.conf import settings
from django.db import transaction

from courses import rate_limits
from courses.models import Course, Enrolment

WRONG_CODE_USER_SCOPE, WRONG_CODE_ADDRESS_SCOPE = "enrol", "enrol-address"


class EnrolmentError(Exception):
    """The enrolment code cannot be used; the message says why, for the student; ``status`` is the
    HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def enrolment_create(*, user, code: str, address: str = "") -> Enrolment:
    """Enrol ``user`` as a student in the course whose code is ``code`` (case-insensitive).

    Idempotent: a user already enrolled keeps their enrolment (and role). Raises
    ``EnrolmentError`` for an empty or unknown code or a course closed to enrolment.

    Unknown codes are counted per user and per ``address`` (the client's, ``rate_limits.client_address``;
    "" counts none) in ``courses.rate_limits``: from ENROL_FAILURE_LIMIT per user or
    ENROL_ADDRESS_FAILURE_LIMIT per address within ENROL_FAILURE_WINDOW seconds on, every code is
    refused (``EnrolmentError`` with status 429) before it is looked up, so codes cannot be guessed.
    The caller holds no transaction (a count inside one that rolls back would be lost).
    """
    _check_wrong_codes(user, address)
    code = code.strip().upper()
    if not code:
        raise EnrolmentError("Please type the enrolment code your instructor gave you.")
    course = Course.objects.filter(enrolment_code=code).first()
    if course is None:
        window = settings.ENROL_FAILURE_WINDOW
        rate_limits.hits_add(scope=WRONG_CODE_USER_SCOPE, ident=str(user.pk), window=window)
        if address:
            rate_limits.hits_add(scope=WRONG_CODE_ADDRESS_SCOPE, ident=address, window=window)
        raise EnrolmentError(
            f"No course has the enrolment code “{code}”. Check the spelling with your instructor."
        )
    return _enrolment_in(user, course)


def _check_wrong_codes(user, address: str) -> None:
    over_user = (rate_limits.hits_get(scope=WRONG_CODE_USER_SCOPE, ident=str(user.pk))
                 >= settings.ENROL_FAILURE_LIMIT)
    over_address = bool(address) and (rate_limits.hits_get(scope=WRONG_CODE_ADDRESS_SCOPE, ident=address)
                                      >= settings.ENROL_ADDRESS_FAILURE_LIMIT)
    if over_user or over_address:
        minutes = settings.ENROL_FAILURE_WINDOW // 60
        raise EnrolmentError(
            f"Too many wrong enrolment codes. Wait {minutes} minutes, then try again, or ask your "
            "instructor for the code.",
            status=429,
        )


@transaction.atomic
def _enrolment_in(user, course: Course) -> Enrolment:
    existing = Enrolment.objects.filter(user=user, course=course).first()
    if existing:
        return existing
    if not course.enrolment_open:
        raise EnrolmentError(f"Enrolment in “{course.title}” is closed. Ask your instructor.")
    return Enrolment.objects.create(user=user, course=course, role=Enrolment.Role.STUDENT)


def role_in(*, user, course: Course) -> str | None:
    """The user's role in ``course`` ("student", "ta", "instructor"), or None if not enrolled.

    Superusers count as instructors everywhere.
    """
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Enrolment.Role.INSTRUCTOR
    return Enrolment.objects.filter(user=user, course=course).values_list("role", flat=True).first()
