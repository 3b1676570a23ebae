"""The live sessions of a course, for its staff (/api/v1/courses/<slug>/live-sessions/): each session with
per question the room's figures (``live.distribution.session_results``, as after the reveal).

Read-only, like the whole API; a student of the course gets 403, anyone else 404 (``CourseStaffMixin``).
Figures only: no student is named (the answers themselves, with usernames, are the results export's rows,
whose ``live_session`` column marks those given in a session).
"""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api import openapi
from api.base import ApiView
from api.course_views import SLUG, CourseStaffMixin
from live.distribution import session_results
from live.models import LiveSession
from live.presenter import joined_count


class LiveBarSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="A choice's letter (A, B, …), a number or range, a text, or an outcome "
                                            "(right, partly right, wrong) for computed questions.")
    count = serializers.IntegerField(help_text="Students whose last answer is in this bar.")
    share = serializers.FloatField(help_text="Of the graded last answers, 0-1.")
    correct = serializers.BooleanField(allow_null=True, help_text="Whether the bar holds a right answer; null for "
                                                                  "the outcomes of computed questions.")


class LiveMistakeSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField(help_text="Of the graded last answers, 0-1.")


class LiveQuestionSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Position in the session, from 1.")
    question = serializers.IntegerField(help_text="Question id.")
    title = serializers.CharField()
    kind = serializers.CharField()
    opened_at = serializers.DateTimeField(allow_null=True, help_text="Null: never opened for answers.")
    shape = serializers.ChoiceField(choices=["choices", "outcomes", "numbers", "texts"],
                                    help_text="What the bars are: choices, outcomes (computed), numbers, texts.")
    answered = serializers.IntegerField(help_text="Students of the course with an answer in the session.")
    graded = serializers.IntegerField(help_text="Of them, those whose last answer is graded.")
    right_share = serializers.FloatField(allow_null=True, help_text="Right last answers / graded; null: none graded.")
    partial = serializers.IntegerField(help_text="Partly right last answers.")
    wrong = serializers.IntegerField()
    bars = LiveBarSerializer(many=True, help_text="The distribution of the last answers (typed texts only when "
                                                  "at least two students gave them).")
    mistakes = LiveMistakeSerializer(many=True, help_text="Named mistakes among the last answers.")


class LiveSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="The join code.")
    title = serializers.CharField()
    quiz = serializers.IntegerField(allow_null=True, help_text="The quiz its questions came from; null: hand-picked.")
    variants = serializers.ChoiceField(choices=LiveSession.Variants.choices)
    created_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True, help_text="Null: still running.")
    joined = serializers.IntegerField(help_text="Students of the course who joined.")
    questions = LiveQuestionSerializer(many=True)


def session_row(session: LiveSession) -> dict:
    """``session`` as an API row (``LiveSessionSerializer``)."""
    questions = []
    for result in session_results(session):
        item, figures = result.item, result.distribution
        questions.append({
            "number": item.position + 1, "question": item.question_id, "title": str(item.question),
            "kind": item.question.kind, "opened_at": item.opened_at, "shape": figures.shape,
            "answered": figures.answered, "graded": figures.graded, "right_share": figures.right_share,
            "partial": figures.partial, "wrong": figures.wrong,
            "bars": [asdict(bar) for bar in figures.bars], "mistakes": [asdict(m) for m in figures.mistakes],
        })
    return {"id": session.id, "code": session.code, "title": session.title, "quiz": session.quiz_id,
            "variants": session.variants, "created_at": session.created_at, "ended_at": session.ended_at,
            "joined": joined_count(session), "questions": questions}


class LiveSessionsView(CourseStaffMixin, ApiView):
    """The course's live sessions, newest first, with their figures per question."""

    @extend_schema(parameters=[SLUG])
    @openapi.read_schema(
        LiveSessionSerializer(many=True),
        summary="Live sessions of a course",
        description=(
            "Every live session of the course, newest first (a course holds a few dozen: not paged), with per "
            "question the figures of the students' last answers given in the session: answered, right share, "
            "the distribution's bars and named mistakes. Only the course's students count. CSV and XLSX: a row "
            "per session, its questions as JSON text. The answers themselves are rows of the results export "
            "(`courses/<slug>/results/`), whose `live_session` column holds the session's code."
        ),
    )
    def get(self, request, slug):
        sessions = LiveSession.objects.filter(course=self.course()).order_by("-created_at", "-id")
        return Response(LiveSessionSerializer([session_row(s) for s in sessions], many=True).data)
