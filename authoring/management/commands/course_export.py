"""``manage.py course_export COURSE_SLUG PATH``: write a course as files (the format of docs/authoring.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from authoring.course_files import FolderRefused
from authoring.services import course_export
from courses.models import Course


class Command(BaseCommand):
    help = (
        "Write the course COURSE_SLUG into folder PATH: course.toml, a folder per lecture, a file per question "
        "(archived questions left out). PATH must be empty, new, or an earlier export of the course, whose "
        "files the course no longer has are removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="COURSE_SLUG")
        parser.add_argument("path", type=Path, metavar="PATH")

    def handle(self, *args, slug: str, path: Path, **options):
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            known = ", ".join(Course.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No course “{slug}” (courses: {known}).")
        try:
            report = course_export(course=course, path=path)
        except FolderRefused as error:
            raise CommandError(f"{error}. Nothing written.") from None
        self.stdout.write(self.style.SUCCESS(
            f"Course {slug} exported to {path}: {report.written} files written, {report.unchanged} unchanged, "
            f"{len(report.removed)} removed."))
        for removed in report.removed:
            self.stdout.write(f"  removed {removed}")
