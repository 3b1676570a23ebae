"""``manage.py load_demo``: load (or refresh) the demo course and print the demo logins."""

from django.core.management.base import BaseCommand

from quizzes.demo import LECTURES, demo_load


class Command(BaseCommand):
    help = (
        "Create or update the demo course 'Deep Learning' (12 lectures, a practice quiz each) and the "
        "demo accounts. Safe to run again: it changes nothing when the content is unchanged."
    )

    def handle(self, *args, **options):
        accounts = demo_load()
        student, instructor = accounts.student, accounts.instructor
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo course {accounts.course_title}: {len(LECTURES)} lectures, "
                f"enrolment code {accounts.course_code}."
            )
        )
        self.stdout.write(
            f"Demo logins (demo only): {student[0]} / {student[1]} (student), "
            f"{instructor[0]} / {instructor[1]} (instructor, admin at /admin/)"
        )
