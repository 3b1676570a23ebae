"""Forms for joining the site and a course."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from courses import usernames


class RegisterForm(UserCreationForm):
    email = forms.EmailField(required=True, help_text="Used only to reset your password.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_username(self) -> str | None:
        """NFKC-normalised (Django's UsernameField), unique in any case (Django's check), then the
        look-alike rules of ``courses.usernames``."""
        username = super().clean_username()
        if username is None:  # taken, in some case: Django's error is on the field already
            return None
        if usernames.mixed_scripts(username):
            raise forms.ValidationError(
                "Use the letters of one alphabet only: this name mixes "
                f"{' and '.join(sorted(s.title() for s in usernames.scripts(username)))} letters."
            )
        if usernames.taken_by_lookalike(username):
            raise forms.ValidationError(
                "This username looks like one that is taken (letters that look alike count as the "
                "same, and case does not count). Choose another."
            )
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address exists already. Log in instead.")
        return email


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="Enrolment code",
        max_length=32,
        help_text="Your instructor gives you this code, e.g. in the first lecture.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
