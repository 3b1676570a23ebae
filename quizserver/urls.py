"""Top-level URL routes."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from courses import views as course_views
from courses.login_throttle import ThrottledLoginView

urlpatterns = [
    path("", course_views.home, name="home"),
    path("accounts/register/", course_views.register, name="register"),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("courses/", include("courses.urls")),
    path("courses/", include("quizzes.urls")),
    path("courses/", include("progress.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
