"""Login rate limiting: after too many failed logins, wait.

Two counts of failures, in ``courses.rate_limits`` (the database, shared by every worker), over a
window of ``LOGIN_FAILURE_WINDOW`` seconds:

- per address and (lower-cased) username, up to ``LOGIN_FAILURE_LIMIT``: guessing one password.
  A successful login clears it. The account's owner elsewhere is not locked out.
- per address, any usernames, up to ``LOGIN_ADDRESS_FAILURE_LIMIT``: trying a few common passwords
  on many accounts (spraying). A success does not clear it, or one known account would reset it.

Either limit reached: the login page answers 429 without checking the password.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView

from courses.rate_limits import client_address, hits_add, hits_clear, hits_get

USER_SCOPE, ADDRESS_SCOPE = "login", "login-address"


def _user_ident(request, username: str) -> str:
    return f"{client_address(request)}|{username.strip().lower()}"


def _refusal(request) -> str:
    """Why this login attempt is refused now ("" when it may go ahead)."""
    minutes = settings.LOGIN_FAILURE_WINDOW // 60
    if hits_get(scope=ADDRESS_SCOPE, ident=client_address(request)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return f"Too many failed logins from your network. Wait {minutes} minutes, then try again."
    ident = _user_ident(request, request.POST.get("username", ""))
    if hits_get(scope=USER_SCOPE, ident=ident) >= settings.LOGIN_FAILURE_LIMIT:
        return f"Too many failed logins. Wait {minutes} minutes, then try again."
    return ""


class RefusedLoginForm(AuthenticationForm):
    """The login form once a limit is reached: shows ``refusal`` and checks no password."""

    def __init__(self, *args, refusal: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = refusal

    def clean(self):
        raise forms.ValidationError(self.refusal)


class ThrottledLoginView(LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        refusal = _refusal(request)
        if refusal:
            form = RefusedLoginForm(request, data=request.POST, refusal=refusal)
            form.is_valid()  # fills in the errors: the refusal, no failure counted
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        window = settings.LOGIN_FAILURE_WINDOW
        hits_add(scope=USER_SCOPE, ident=_user_ident(self.request, self.request.POST.get("username", "")),
                 window=window)
        hits_add(scope=ADDRESS_SCOPE, ident=client_address(self.request), window=window)
        return super().form_invalid(form)

    def form_valid(self, form):
        hits_clear(scope=USER_SCOPE, ident=_user_ident(self.request, form.get_user().get_username()))
        return super().form_valid(form)
