"""Types for the people the portal serves, so code says `actor: User`, not `Any`.

`request.user` is a `User` or an `AnonymousUser`; a view behind `login_required` takes an
`AuthenticatedHttpRequest`, whose `user` is always a `User`. Rules that also answer for someone
not signed in (selectors, permissions, navigation) take `AnyUser`.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from accounts.models import User

AnyUser = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def signed_in_user(request: HttpRequest) -> User | None:
    """The signed-in person on a page anyone may open (None for a visitor)."""
    return request.user if isinstance(request.user, User) else None
