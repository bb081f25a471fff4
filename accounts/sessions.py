"""How long a signed-in session lasts, enforced on the server.

| who | signed out after this long without using the portal | signed out after this long in all |
| --- | --- | --- |
| staff (anyone with a role) | 30 minutes | 12 hours |
| lay partners | 2 hours | 12 hours |

Staff see many people's names, contact details and access needs, often on shared or office
computers, so a session left open is ended soon. Lay partners see only their own details, and
they fill in claims, expenses and applications at their own pace: many use a screen reader or
magnification, some are helped by a carer, and some stop halfway to find a receipt or a bank
letter. Thirty minutes would sign them out in the middle of a claim and lose what they typed
(WCAG 2.2.1, "timing adjustable"), so they get longer. Nobody stays signed in for more than a
working day: the limit in all is the same for everyone.

The session stores when it started (at sign-in) and when it was last used. Last used is written
at most once a minute, so most pages cost no extra write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.typing import AnyUser
from core.access import memberships_of

STARTED_KEY = "portal_session_started"
LAST_USED_KEY = "portal_session_last_used"
# Last used is only rewritten when it is at least this old: a page a second would otherwise
# save the session on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta
    who: str


STAFF_LIMITS = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=12), who="staff")
PARTNER_LIMITS = SessionLimits(idle=timedelta(hours=2), absolute=timedelta(hours=12), who="partner")


def is_staff_member(user: AnyUser) -> bool:
    """Anyone with a staff role, or with the Django admin (which shows everything)."""
    return bool(memberships_of(user)) or bool(getattr(user, "is_staff", False))


def limits_for(user: AnyUser) -> SessionLimits:
    return STAFF_LIMITS if is_staff_member(user) else PARTNER_LIMITS


def _now() -> float:
    return timezone.now().timestamp()


def session_started(session: Any) -> None:
    """Mark the start of a signed-in session (called when someone signs in)."""
    now = _now()
    session[STARTED_KEY] = now
    session[LAST_USED_KEY] = now


def mark_session_start(sender: object, request: Any, user: object, **kwargs: object) -> None:
    """`user_logged_in` receiver: the 12 hours start when someone signs in."""
    session = getattr(request, "session", None)
    if session is not None:
        session_started(session)


def _duration_text(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"


def session_expiry_reason(*, user: AnyUser, session: Any) -> str | None:
    """Why this signed-in session has ended, in words for the person, or None if it has not.

    Also records that the session was used now (at most once a minute)."""
    now = _now()
    started = session.get(STARTED_KEY)
    last_used = session.get(LAST_USED_KEY)
    if not isinstance(started, int | float) or not isinstance(last_used, int | float):
        # A session from before these limits: it starts counting now.
        session_started(session)
        return None
    limits = limits_for(user)
    if now - started >= limits.absolute.total_seconds():
        return (
            f"You have been signed in for {_duration_text(limits.absolute)}, so we signed you out "
            "to keep people's details safe. Sign in again to carry on."
        )
    if now - last_used >= limits.idle.total_seconds():
        return (
            f"You were signed out because you had not used the portal for {_duration_text(limits.idle)}. "
            "Sign in again to carry on."
        )
    if now - last_used >= LAST_USED_RESOLUTION.total_seconds():
        session[LAST_USED_KEY] = now
    return None
