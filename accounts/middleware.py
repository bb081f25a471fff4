"""Involvement leads, finance officers and network admins must set up a second factor first."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import MFA_REQUIRED_ROLES
from core.access import memberships_of

# Pages a user without a second factor can still reach: setting it up, signing out, and the
# public pages every visitor can read.
_ALWAYS_ALLOWED_PREFIXES = (
    "/accounts/",
    "/static/",
    "/healthz",
    "/accessibility/",
    "/privacy/",
    "/invitations/",
)


def needs_mfa_setup(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    if not getattr(user, "is_authenticated", False):
        return False
    if not any(m.role in MFA_REQUIRED_ROLES for m in memberships_of(user)):
        return False
    cached = getattr(user, "_portal_has_totp", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._portal_has_totp = cached  # type: ignore[attr-defined]
    return not cached


class RequireMfaForPrivilegedRolesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(_ALWAYS_ALLOWED_PREFIXES) and needs_mfa_setup(request.user):
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
