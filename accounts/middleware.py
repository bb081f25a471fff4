"""Signed-in sessions end on time (accounts.sessions); staff must set up a second factor first."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from accounts.roles import STAFF_ROLES
from accounts.sessions import session_expiry_reason
from accounts.typing import AnyUser
from core.access import memberships_of
from core.user_cache import for_user

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


def needs_mfa_setup(user: AnyUser) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if not any(m.role in STAFF_ROLES for m in memberships_of(user)):
        return False
    return not for_user(
        user, "has_totp", lambda: Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


class RequireMfaForPrivilegedRolesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(_ALWAYS_ALLOWED_PREFIXES) and needs_mfa_setup(request.user):
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class SessionLimitsMiddleware:
    """Sign out a session that has been idle too long or open too long (accounts.sessions), and
    send the person to the sign-in page with a message that says why, then back where they were."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            reason = session_expiry_reason(user=user, session=request.session)
            if reason is not None:
                logout(request)
                messages.info(request, reason)
                back = request.get_full_path() if request.method == "GET" else ""
                login_url = resolve_url(settings.LOGIN_URL)
                return redirect(f"{login_url}?{urlencode({'next': back})}" if back else login_url)
        return self.get_response(request)
