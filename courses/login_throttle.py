"""Login rate limiting: after too many failed logins for one username from one address, wait.

Counts failures in the cache, keyed by client address and (lower-cased) username, in a
window of ``LOGIN_FAILURE_WINDOW`` seconds. A successful login clears the count.
"""

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core.cache import cache


def client_address(request) -> str:
    """The client's address: behind our proxy (BEHIND_PROXY) the last hop it added to
    X-Forwarded-For, else REMOTE_ADDR (which would be the proxy's, shared by everyone)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _key(request, username: str) -> str:
    ident = f"{client_address(request)}|{username.strip().lower()}"
    return "login-failures:" + hashlib.sha256(ident.encode()).hexdigest()


class ThrottledLoginView(LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        key = _key(request, request.POST.get("username", ""))
        if cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT:
            form = self.get_form()
            form.is_valid()  # populate cleaned_data/errors without counting a new failure
            form.errors.clear()
            minutes = settings.LOGIN_FAILURE_WINDOW // 60
            form.add_error(
                None,
                forms.ValidationError(f"Too many failed logins. Wait {minutes} minutes, then try again."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = _key(self.request, self.request.POST.get("username", ""))
        if cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW) is False:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)
        return super().form_invalid(form)

    def form_valid(self, form):
        cache.delete(_key(self.request, form.get_user().get_username()))
        return super().form_valid(form)
