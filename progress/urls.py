"""Pages of a course that show progress: the course page with progress bars, a student's progress,
and the staff's statistics and class overview.

``<id:...>``: a database id of at most 18 digits; a longer one is a 404 (quizserver/converters.py)."""

from django.urls import path

from progress import views

app_name = "progress"
urlpatterns = [
    path("<slug:course_slug>/", views.course_page, name="course"),
    path("<slug:course_slug>/progress/", views.progress_page, name="progress"),
    path("<slug:course_slug>/quizzes/<id:quiz_id>/statistics/", views.statistics_page, name="quiz_statistics"),
    path("<slug:course_slug>/students/", views.students_page, name="students"),
    path("<slug:course_slug>/students/<id:user_id>/", views.student_submissions_page, name="student_submissions"),
]
