"""Reminders about involvement activities: participants before, activity leads after."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Concat

from core.choices import ActivityFormat, SupportType
from core.formatting import day_text, local_date, time_text, when_text
from core.models import ReminderSettings
from core.notifications import Draft, Recipient
from core.reminders.base import (
    LOOKBACK,
    already_notified,
    greeting,
    join_lines,
    local_date_of,
    partner_name,
    partner_recipient,
    partner_values,
    recipient_key_of,
    sweep,
    url_for,
)
from involvement.models import Activity, ActivityStatus, Outcome, Participation, ParticipationResponse
from partners.models import PartnerLink

ACTIVITY_UPCOMING = "reminders.activity_upcoming"
OUTCOME_MISSING = "reminders.outcome_missing"


def support_text(codes: list[str] | None) -> str:
    labels = dict(SupportType.choices)
    return ", ".join(str(labels.get(code, code)).lower() for code in (codes or []))


def place_lines(*, format: str, location: str, joining_details: str) -> tuple[str, str]:
    """(Standard wording, easy read wording) for where to go or how to join."""
    location = location.strip()
    joining = joining_details.strip()
    standard: list[str] = []
    easy: list[str] = []
    if format in (ActivityFormat.IN_PERSON, ActivityFormat.HYBRID) and location:
        standard.append(f"Where: {location}")
        easy.append(f"Go to: {location}.")
    if format in (ActivityFormat.ONLINE, ActivityFormat.HYBRID, ActivityFormat.ASYNCHRONOUS) and joining:
        standard.append(f"How to join: {joining}")
        easy.append(f"How to join: {joining}")
    if not standard:
        standard.append("Where: we will send you the details. Please contact us if you have not had them.")
        easy.append("We will tell you where to go.")
    return "\n".join(standard), "\n".join(easy)


def contact_lines(*, name: str, email: str, organisation: str) -> tuple[str, str]:
    if name and email:
        return f"Who to contact: {name}, {email} ({organisation})", f"Questions? Contact {name} at {email}."
    if email:
        return f"Who to contact: {email} ({organisation})", f"Questions? Email {email}."
    return f"Who to contact: the involvement team at {organisation}", f"Questions? Contact {organisation}."


@sweep(ACTIVITY_UPCOMING, "Participants before an activity")
def activity_upcoming(now: datetime, settings: ReminderSettings) -> list[Draft]:
    """Everyone taking part in a planned activity starting within the reminder window."""
    rows = (
        Participation.objects.filter(
            activity__status=ActivityStatus.PLANNED,
            activity__starts_at__gt=now,
            activity__starts_at__lte=now + timedelta(hours=settings.activity_reminder_hours),
            partner__left_at__isnull=True,
            partner__anonymised=False,
        )
        .exclude(attended=False)
        .exclude(response=ParticipationResponse.APOLOGIES)  # they told us they cannot come
        .exclude(
            Exists(
                PartnerLink.objects.filter(
                    partner_id=OuterRef("partner_id"),
                    organisation_id=OuterRef("activity__organisation_id"),
                    status=PartnerLink.Status.LEFT,
                )
            )
        )
        .exclude(
            already_notified(
                kind=ACTIVITY_UPCOMING,
                subject_model=Activity,
                subject_field="activity_id",
                recipient=recipient_key_of(partner_field="partner_id"),
                occurrence=_before(local_date_of("activity__starts_at")),
            )
        )
        .values(
            "activity_id",
            "activity__title",
            "activity__starts_at",
            "activity__ends_at",
            "activity__format",
            "activity__location",
            "activity__joining_details",
            "activity__support_offered",
            "activity__organisation_id",
            "activity__organisation__name",
            "activity__lead__full_name",
            "activity__lead__email",
            *partner_values(),
        )
        .order_by("activity_id", "partner_id")
    )
    url = url_for("involvement:my_involvement")
    drafts = []
    for row in rows:
        starts_at = row["activity__starts_at"]
        place, easy_place = place_lines(
            format=row["activity__format"],
            location=row["activity__location"],
            joining_details=row["activity__joining_details"],
        )
        contact, easy_contact = contact_lines(
            name=row["activity__lead__full_name"] or "",
            email=row["activity__lead__email"] or "",
            organisation=row["activity__organisation__name"],
        )
        support = support_text(row["activity__support_offered"])
        title = row["activity__title"]
        body = join_lines(
            greeting(partner_name(row)),
            f"This is a reminder that you are taking part in {title}.",
            f"When: {when_text(starts_at, row['activity__ends_at'])}\n{place}",
            f"Support we have arranged: {support}."
            if support
            else "If you need any support to take part, please tell us as soon as you can.",
            contact,
            "If you can no longer take part, please let us know.",
        )
        easy = join_lines(
            greeting(partner_name(row)),
            f"You are taking part in: {title}.",
            f"The day is {day_text(starts_at)}.\nIt starts at {time_text(starts_at)}.\n"
            f"It ends at {time_text(row['activity__ends_at'])}.",
            easy_place,
            f"We have arranged: {support}." if support else "Tell us if you need help to take part.",
            easy_contact,
        )
        drafts.append(
            Draft(
                kind=ACTIVITY_UPCOMING,
                subject_type=Activity._meta.label_lower,
                subject_id=str(row["activity_id"]),
                recipient=partner_recipient(row),
                occurrence=f"before:{local_date(starts_at).isoformat()}",
                organisation_id=row["activity__organisation_id"],
                title=f"Reminder: {title} on {day_text(starts_at)}",
                body=body,
                easy_read_body=easy,
                url=url,
            )
        )
    return drafts


def _before(expression: Any) -> Any:
    return Concat(Value("before:"), expression, output_field=CharField())


@sweep(OUTCOME_MISSING, "Activity leads: no outcome recorded")
def outcome_missing(now: datetime, settings: ReminderSettings) -> list[Draft]:
    """Completed activities with no "you said, we did" outcome this many days after they ended."""
    threshold = now - timedelta(days=settings.outcome_after_days)
    rows = (
        Activity.objects.filter(
            status=ActivityStatus.COMPLETED,
            ends_at__lte=threshold,
            ends_at__gt=threshold - LOOKBACK,
            lead__isnull=False,
            lead__is_active=True,
        )
        .exclude(Exists(Outcome.objects.filter(activity_id=OuterRef("pk"))))
        .exclude(
            already_notified(
                kind=OUTCOME_MISSING,
                subject_model=Activity,
                subject_field="pk",
                recipient=recipient_key_of(user_field="lead_id"),
                occurrence="no-outcome",
            )
        )
        .values("id", "title", "ends_at", "organisation_id", "lead_id", "lead__email", "lead__full_name")
        .order_by("id")
    )
    drafts = []
    for row in rows:
        ended = day_text(row["ends_at"])
        drafts.append(
            Draft(
                kind=OUTCOME_MISSING,
                subject_type=Activity._meta.label_lower,
                subject_id=str(row["id"]),
                recipient=Recipient(user_id=row["lead_id"], user_email=row["lead__email"]),
                occurrence="no-outcome",
                organisation_id=row["organisation_id"],
                title=f"Record what changed after {row['title']}",
                body=join_lines(
                    greeting(row["lead__full_name"]),
                    f"{row['title']} finished on {ended}. No outcome has been recorded for it yet.",
                    "Please record what we heard and what we did about it (\u201cyou said, we did\u201d). "
                    "The people who took part are told when you do.",
                ),
                url=url_for("involvement:outcome_create", row["id"]),
            )
        )
    return drafts
