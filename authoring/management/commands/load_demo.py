"""``manage.py load_demo``: import (or refresh) the demo course from content/ and print the demo logins."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from authoring.demo import DEMO_COURSE, demo_accounts_load
from authoring.services import CourseFilesInvalid, course_import
from courses.models import Course


class Command(BaseCommand):
    help = (
        "Import the demo course 'Deep Learning' from content/deep-learning/ (12 lectures, a practice quiz each) "
        "and create the demo accounts. Safe to run again: it changes nothing when the content is unchanged."
    )

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                report = course_import(path=DEMO_COURSE)
                course = Course.objects.get(slug=report.course)
                accounts = demo_accounts_load(course=course)
        except CourseFilesInvalid as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{error}: nothing imported.") from None
        self.stdout.write(self.style.SUCCESS(
            f"Demo course {accounts.course_title}: {course.lectures.count()} lectures, "
            f"enrolment code {accounts.course_code}. Questions: {report.summary}."
        ))
        student, instructor = accounts.student, accounts.instructor
        self.stdout.write(
            f"Demo logins (demo only): {student[0]} / {student[1]} (student), "
            f"{instructor[0]} / {instructor[1]} (instructor, admin at /admin/)"
        )
