"""The quiz admin with the "Import questions" pages (``authoring.import_admin``) among its URLs.

``quizzes`` may not import ``authoring`` (docs/architecture.md), so this app registers the quiz admin
again, as a subclass that only adds the two URLs; the course's and the quiz's admin pages link to them
from their templates (``templates/admin/courses/course/``, ``templates/admin/quizzes/quiz/``).
"""

from django.contrib import admin
from django.urls import path
from django.views.decorators.http import require_POST

from authoring.import_admin import question_import, question_import_confirm
from quizzes.admin import QuizAdmin
from quizzes.models import Quiz


class QuizImportAdmin(QuizAdmin):
    def get_urls(self):
        upload = self.admin_site.admin_view(self.import_view)
        confirm = self.admin_site.admin_view(require_POST(self.import_confirm_view))
        return [path("import/", upload, name="quizzes_quiz_import"),
                path("import/confirm/", confirm, name="quizzes_quiz_import_confirm"),
                *super().get_urls()]

    def import_view(self, request):
        return question_import(request, self)

    def import_confirm_view(self, request):
        return question_import_confirm(request, self)


admin.site.unregister(Quiz)
admin.site.register(Quiz, QuizImportAdmin)
