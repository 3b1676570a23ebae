"""``manage.py import_questions FILE --course SLUG --lecture N [--quiz TITLE] [--dry-run]``: Moodle XML or GIFT
questions into a lecture."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from authoring.interchange.services import UnknownFormat, questions_import
from courses.models import Lecture


class Command(BaseCommand):
    help = (
        "Import the questions of a Moodle XML (.xml) or GIFT (.gift, .txt) file into a lecture's quizzes (see "
        "docs/authoring.md). Prints what was created, skipped and why; with any error nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the file to import")
        parser.add_argument("--course", required=True, help="the course's slug")
        parser.add_argument("--lecture", required=True, type=int, help="the lecture's number")
        parser.add_argument("--quiz", default="", help="put every question in this quiz (default: by category)")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, file: Path, course: str, lecture: int, quiz: str, dry_run: bool, **options):
        target = Lecture.objects.filter(course__slug=course, number=lecture).select_related("course").first()
        if target is None:
            raise CommandError(f"No lecture {lecture} in a course “{course}”.")
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        try:
            report = questions_import(path=file, lecture=target, quiz_title=quiz.strip(), dry_run=dry_run)
        except UnknownFormat as error:
            raise CommandError(str(error)) from None
        for line in report.lines():
            self.stdout.write(line)
        errors = report.of("error")
        if errors:
            raise CommandError(f"{len(errors)} with errors in {file.name}: nothing imported.")
