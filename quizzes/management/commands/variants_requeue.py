"""``manage.py variants_requeue``: queue again the variants whose solving was lost or failed, and
grade the answers whose grading was lost.

The same as the periodic Celery task (``quizzes.tasks.variants_requeue``), for sites that run cron
instead of Celery beat, e.g. ``* * * * * cd /srv/quizserver && .venv/bin/python manage.py variants_requeue``.
"""

from django.core.management.base import BaseCommand

from quizzes.submissions import submissions_grade_lost
from quizzes.variants import ERROR_RETRY_SECONDS, STALE_PENDING_SECONDS, variants_requeue


class Command(BaseCommand):
    help = (
        f"Queue solving again for variants pending longer than {STALE_PENDING_SECONDS} s (a lost task) and for "
        f"failed ones {ERROR_RETRY_SECONDS} s after the failure; grade answers whose grading was lost after "
        "solving. Run it every minute from cron if you do not run Celery beat."
    )

    def handle(self, *args, **options):
        count = variants_requeue()
        graded = submissions_grade_lost()
        self.stdout.write(f"{count} variant(s) queued again, {graded} answer(s) graded whose grading was lost.")
