"""A lay partner's activities in their own calendar feed (core.calendar).

Apologies: an activity the partner sent apologies for stays in the feed marked CANCELLED (with
"Apologies sent" in its title) rather than being left out. A subscribed calendar then shows it
struck through instead of silently dropping it, the partner can see the answer they gave (and
change it until the activity starts: the event comes back as confirmed under the same uid), and
it is the same way an activity or meeting called off by the AHSN is shown.

Forum meetings come from the forum app's provider; the activity a forum meeting makes when its
attendance is recorded is left out here, so the meeting is never in the feed twice."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from core.calendar import CalendarEvent, event_uid
from involvement.models import ActivityStatus, Participation, ParticipationResponse


def partner_calendar_participations(user: User, *, since: datetime) -> list[Participation]:
    """The person's participations in activities starting from `since`, in one query."""
    return list(
        Participation.objects.filter(
            partner__user=user, activity__starts_at__gte=since, activity__forum_meeting__isnull=True
        )
        .select_related("activity")
        .order_by("activity__starts_at", "pk")
    )


def personal_activity_events(user: User, since: datetime) -> list[CalendarEvent]:
    site = settings.SITE_URL.rstrip("/")
    events = []
    for participation in partner_calendar_participations(user, since=since):
        activity = participation.activity
        apologised = participation.response == ParticipationResponse.APOLOGIES
        description = [str(activity.get_format_display())]
        if activity.joining_details:
            description.append(f"How to join: {activity.joining_details}")
        if participation.role:
            description.append(f"Your role: {participation.role}")
        if apologised:
            description.append("You sent apologies for this.")
        description.append(site + reverse("involvement:my_activity", args=[participation.pk]))
        events.append(
            CalendarEvent(
                uid=event_uid("activity", activity.pk),
                summary=f"Apologies sent: {activity.title}" if apologised else activity.title,
                starts_at=activity.starts_at,
                ends_at=activity.ends_at,
                location=activity.location,
                description="\n".join(description),
                cancelled=apologised or activity.status == ActivityStatus.CANCELLED,
            )
        )
    return events
