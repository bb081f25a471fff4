from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.models import Authenticator
from django.http import HttpRequest


class PortalAccountAdapter(DefaultAccountAdapter):
    """Open sign-up is closed: staff join by invitation from a lead or network admin."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Someone setting up their FIRST second factor has just signed in to be sent there:
        asking for the password again would only get in the way. Changing or removing an
        existing second factor still asks for it."""
        if app == "allauth.mfa":
            request = context.request
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and not Authenticator.objects.filter(user=user).exists():
                return False
        return super().is_reauthentication_required(app=app, **kwargs)
