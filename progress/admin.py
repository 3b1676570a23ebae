"""The leaderboard's settings in the admin: a course's switch on its course page, a student's
pseudonym on their enrolment. Both pages belong to ``courses.admin``; this app adds its inline."""

from django.contrib import admin

from courses.admin import CourseAdmin, EnrolmentAdmin
from courses.models import Course, Enrolment
from progress.models import Leaderboard, LeaderboardEntry


class LeaderboardInline(admin.StackedInline):
    model = Leaderboard
    can_delete = False
    verbose_name_plural = "Leaderboard"


class LeaderboardEntryInline(admin.StackedInline):
    model = LeaderboardEntry
    can_delete = False
    verbose_name_plural = "Leaderboard entry"


class CourseWithLeaderboardAdmin(CourseAdmin):
    inlines = [*CourseAdmin.inlines, LeaderboardInline]


class EnrolmentWithLeaderboardAdmin(EnrolmentAdmin):
    inlines = [*EnrolmentAdmin.inlines, LeaderboardEntryInline]


for model, model_admin in ((Course, CourseWithLeaderboardAdmin), (Enrolment, EnrolmentWithLeaderboardAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
