"""``manage.py regrade_question ID [--dry-run] [--reason TEXT]``: grade every answer to a question again.

Without ``--dry-run`` the regrade is queued as a Celery task (run at once without a broker); with it,
nothing is written and the command prints what would change (``quizzes.regrading``).
"""

from django.core.management.base import BaseCommand, CommandError

from quizzes.models import Question
from quizzes.regrading import question_regrade
from quizzes.tasks import question_regrade as regrade_task


class Command(BaseCommand):
    help = "Regrade every graded answer to question ID against the question as it is now (see --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("question_id", type=int)
        parser.add_argument("--dry-run", action="store_true", help="Only show what would change.")
        parser.add_argument("--reason", default="", help="Why (kept with each changed answer's record).")

    def handle(self, *args, question_id: int, dry_run: bool, reason: str, **options):
        question = Question.objects.filter(pk=question_id).first()
        if question is None:
            raise CommandError(f"There is no question {question_id}.")
        report = question_regrade(question=question, dry_run=True)
        self.stdout.write(
            f"{report.question} (version {report.version}): {report.checked} graded answer(s) checked, "
            f"{len(report.changes)} change for {report.students} student(s); {report.resolved} variant(s) solved again."
        )
        for change in report.changes:
            self.stdout.write(f"  {change.student}, try {change.try_number}: score {change.old_score} → "
                              f"{change.new_score}, points {change.old_points} → {change.new_points}")
        for error in report.errors:
            self.stdout.write(f"  not solved again: {error}")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            return
        regrade_task.delay(question.pk, None, reason)
        self.stdout.write("Regrade queued (done already when Celery runs eagerly).")
