"""Password reset by e-mail: Django's views, with requests limited per e-mail and per address.

The flow is Django's own (``PasswordResetView`` and friends, routed in ``quizserver/urls.py``
under ``accounts/password-reset/``; templates in ``templates/registration/``): the form asks for
an e-mail address, a mail with a one-time link goes to every active account with a usable
password that has it, the link sets a new password. The page after the form is the same whether
or not an account has the address, so the form tells nobody who is registered.

A request is refused (429) beyond ``PASSWORD_RESET_EMAIL_LIMIT`` requests for one e-mail address
(nobody's inbox gets flooded) or ``PASSWORD_RESET_ADDRESS_LIMIT`` from one client address (nobody
sprays the form), each per ``PASSWORD_RESET_WINDOW`` seconds. Both count every well-formed
request, whether or not the address has an account, so the refusal reveals nothing either. The
counts live in ``courses.rate_limits``, shared by every worker.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.views import PasswordResetView

from courses.rate_limits import client_address, hits_add


class ThrottledPasswordResetView(PasswordResetView):
    def form_valid(self, form):
        window = settings.PASSWORD_RESET_WINDOW
        email = form.cleaned_data["email"].strip().casefold()
        per_email = hits_add(scope="password-reset-email", ident=email, window=window)
        per_address = hits_add(scope="password-reset-address", ident=client_address(self.request), window=window)
        if per_email > settings.PASSWORD_RESET_EMAIL_LIMIT or per_address > settings.PASSWORD_RESET_ADDRESS_LIMIT:
            form.add_error(
                None,
                forms.ValidationError(
                    f"Too many password reset requests. Wait {window // 60} minutes, then try again."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
