from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class PortalAccountAdapter(DefaultAccountAdapter):
    """Open sign-up is closed: staff join by invitation from a lead or network admin."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
