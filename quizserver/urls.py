"""Top-level URL routes."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from courses import views as course_views
from courses.login_throttle import ThrottledLoginView
from courses.password_reset import ThrottledPasswordResetView
from quizserver import health

urlpatterns = [
    path("", course_views.home, name="home"),
    path("accounts/register/", course_views.register, name="register"),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("courses/", include("courses.urls")),
    path("courses/", include("quizzes.urls")),
    path("courses/", include("progress.urls")),
    path("courses/", include("live.staff_urls")),  # /courses/<slug>/live/: start, present, results
    path("api/", include("api.urls")),
    path("live/", include("live.urls")),
    path("admin/", admin.site.urls),
]

# The load balancer's health check (quizserver/health.py): no login, no cookies, plain HTTP allowed.
urlpatterns.append(path("healthz", health.healthz, name="healthz"))

# Password reset by e-mail (courses/password_reset.py): Django's views and URL names.
urlpatterns += [
    path("accounts/password-reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
