"""The opt-in class leaderboard: per lecture, the mastered questions of students who asked to be shown.

Only students whose enrolment has ``leaderboard_opt_in`` and a pseudonym appear, under that
pseudonym; usernames and real names are never shown. A course turns the leaderboard on with
``Leaderboard.enabled`` (off by default). Pseudonyms are unique per course (ignoring case).
"""

import re
from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from courses.models import Course, Enrolment, Lecture
from progress.models import LeaderboardEntry
from progress.reports import class_progress

# A letter or digit first, then letters, digits, spaces, dots, hyphens, underscores: no markup.
PSEUDONYM_PATTERN = re.compile(r"[^\W_][\w .\-]*")
PSEUDONYM_MIN, PSEUDONYM_MAX = 3, 40


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int  # 1 for the most mastered questions; equal counts share a rank (1, 1, 3)
    pseudonym: str
    mastered: int
    is_you: bool


@dataclass(frozen=True)
class LectureLeaderboard:
    lecture: Lecture
    rows: list[LeaderboardRow]


def opted_in(course: Course):
    """Leaderboard entries of the course's students who chose to appear on it, under a pseudonym."""
    return LeaderboardEntry.objects.filter(
        enrolment__course=course, enrolment__role=Enrolment.Role.STUDENT, opt_in=True
    ).exclude(pseudonym="")


def lecture_leaderboards(*, course: Course, viewer=None, top: int = 10) -> list[LectureLeaderboard]:
    """Per lecture: the ``top`` rows by mastered questions, plus the viewer's own row if lower.

    Students appear once they have mastered a question of the lecture; lectures where nobody has
    are left out. Five queries, whatever the class size.
    """
    names = dict(opted_in(course).values_list("enrolment__user_id", "pseudonym"))
    progress = class_progress(course=course, student_ids=names, for_students=True)
    boards = []
    for lecture in course.lectures.all():
        counts = [
            (lectures[lecture.id].mastered, names[user_id], user_id)
            for user_id, lectures in progress.items()
            if lecture.id in lectures and lectures[lecture.id].mastered > 0
        ]
        counts.sort(key=lambda row: (-row[0], row[1].casefold()))
        rows, rank = [], 0
        for index, (mastered, pseudonym, user_id) in enumerate(counts, start=1):
            if index == 1 or mastered != counts[index - 2][0]:
                rank = index
            is_you = viewer is not None and user_id == viewer.id
            if index <= top or is_you:
                rows.append(LeaderboardRow(rank, pseudonym, mastered, is_you))
        if rows:
            boards.append(LectureLeaderboard(lecture, rows))
    return boards


def _pseudonym_problem(pseudonym: str, enrolment: Enrolment) -> str | None:
    """Why ``pseudonym`` cannot be used by ``enrolment``, or None."""
    if not PSEUDONYM_MIN <= len(pseudonym) <= PSEUDONYM_MAX:
        return f"A pseudonym has {PSEUDONYM_MIN} to {PSEUDONYM_MAX} characters."
    if not PSEUDONYM_PATTERN.fullmatch(pseudonym):
        return "Use only letters, digits, spaces, . - and _; start with a letter or digit."
    members = get_user_model().objects.filter(enrolments__course_id=enrolment.course_id)
    if members.filter(username__iexact=pseudonym).exists():
        return "Choose a pseudonym that is not a username: the leaderboard never shows names."
    others = LeaderboardEntry.objects.filter(enrolment__course_id=enrolment.course_id, pseudonym__iexact=pseudonym)
    if others.exclude(enrolment=enrolment).exists():
        return "Another student of this course uses this pseudonym. Choose another one."
    return None


class LeaderboardForm(forms.Form):
    pseudonym = forms.CharField(
        required=False,
        max_length=PSEUDONYM_MAX,
        help_text=f"{PSEUDONYM_MIN} to {PSEUDONYM_MAX} letters, digits, spaces, dots, hyphens or "
        "underscores; not your username. Other students see only this name.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    opt_in = forms.BooleanField(required=False, label="Show me on the leaderboard")

    def __init__(self, *args, enrolment: Enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment

    def clean_pseudonym(self) -> str:
        pseudonym = " ".join(self.cleaned_data["pseudonym"].split())
        if pseudonym:
            problem = _pseudonym_problem(pseudonym, self.enrolment)
            if problem:
                raise ValidationError(problem)
        return pseudonym

    def clean(self):
        data = super().clean()
        if data.get("opt_in") and "pseudonym" in data and not data["pseudonym"]:
            self.add_error("pseudonym", "Choose a pseudonym to appear on the leaderboard.")
        return data


def leaderboard_entry(enrolment: Enrolment) -> LeaderboardEntry:
    """The enrolment's leaderboard settings (unsaved empty ones when it has none yet)."""
    return LeaderboardEntry.objects.filter(enrolment=enrolment).first() or LeaderboardEntry(enrolment=enrolment)


@transaction.atomic
def leaderboard_entry_update(*, enrolment: Enrolment, pseudonym: str, opt_in: bool) -> LeaderboardEntry:
    """Set the student's pseudonym and whether they appear on the leaderboard.

    ``pseudonym`` comes from a valid ``LeaderboardForm``; it is checked again under a lock on the
    course row, so two students cannot take the same one at once (raises ``ValidationError``).
    """
    Course.objects.select_for_update().filter(pk=enrolment.course_id).first()
    problem = _pseudonym_problem(pseudonym, enrolment) if pseudonym else None
    if problem:
        raise ValidationError(problem)
    entry, _ = LeaderboardEntry.objects.update_or_create(
        enrolment=enrolment, defaults={"pseudonym": pseudonym, "opt_in": opt_in and bool(pseudonym)}
    )
    return entry
