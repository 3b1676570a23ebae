"""``manage.py course_import PATH [--dry-run]``: create or update a course from its folder of files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from authoring.services import CourseFilesInvalid, course_import


class Command(BaseCommand):
    help = (
        "Create or update the course in folder PATH (course.toml, a folder per lecture, a file per question; "
        "see docs/authoring.md). Every file is checked first; on any problem nothing is imported and each "
        "is listed as file:line: message."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the course's folder, e.g. content/deep-learning")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, path: Path, dry_run: bool, **options):
        try:
            report = course_import(path=path, dry_run=dry_run)
        except CourseFilesInvalid as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{error}: nothing imported.") from None
        done = "dry run, nothing written" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(f"Course {report.course} {done}. Questions: {report.summary}."))
        for note in report.notes:
            self.stdout.write(f"  {note}")
