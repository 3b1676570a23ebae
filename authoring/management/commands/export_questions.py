"""``manage.py export_questions COURSE_SLUG [--lecture N] --format moodle|gift OUT``: a course's questions as a
Moodle XML or GIFT file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from authoring.interchange.services import EXPORT_FORMATS, questions_export
from courses.models import Course


class Command(BaseCommand):
    help = (
        "Write the questions of course COURSE_SLUG (or of one lecture) to the file OUT as Moodle XML or GIFT, "
        "one Moodle category per quiz (see docs/authoring.md). Prints the questions exported, those converted "
        "with warnings (how grading differs in Moodle) and those that cannot be exported, with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="COURSE_SLUG")
        parser.add_argument("out", type=Path, metavar="OUT", help="the file to write")
        parser.add_argument("--format", required=True, choices=EXPORT_FORMATS, dest="file_format")
        parser.add_argument("--lecture", type=int, help="only this lecture's questions (its number)")

    def handle(self, *args, slug: str, out: Path, file_format: str, lecture: int | None, **options):
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            known = ", ".join(Course.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No course “{slug}” (courses: {known}).")
        if lecture is not None and not course.lectures.filter(number=lecture).exists():
            raise CommandError(f"No lecture {lecture} in course “{slug}”.")
        if out.is_dir():
            raise CommandError(f"{out} is a folder: give the file to write.")
        report = questions_export(course=course, file_format=file_format, lecture_number=lecture)
        out.write_bytes(report.content)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"Written to {out}.")
