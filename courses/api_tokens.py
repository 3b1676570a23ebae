"""The page where staff create and revoke their API token (``rest_framework.authtoken``).

A user has at most one token. Creating one replaces the old one (which stops working at once);
the new key is shown once, on the page that created it. Revoking deletes it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from courses.models import Course


def may_have_token(user) -> bool:
    """Staff users and the TAs and instructors of a course (the teaching team's scripts)."""
    return user.is_staff or user.is_superuser or Course.objects.staffed_by(user).exists()


@login_required
@require_http_methods(["GET", "POST"])
def token_page(request):
    if not may_have_token(request.user):
        context = {
            "title": "API tokens are for staff",
            "message": "Only a course's teaching team uses API tokens.",
        }
        return TemplateResponse(request, "unavailable.html", context, status=403)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "create":
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
        return TemplateResponse(request, "courses/api_token.html", {"token": token, "new_key": token.key})
    if action == "revoke":
        deleted, _ = Token.objects.filter(user=request.user).delete()
        messages.success(request, "Your API token is revoked." if deleted else "You had no API token.")
        return redirect("api:token")
    token = Token.objects.filter(user=request.user).first()
    return TemplateResponse(request, "courses/api_token.html", {"token": token, "new_key": None})
