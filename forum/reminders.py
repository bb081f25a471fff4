"""Reminders about forums: members before a meeting, co-chairs about notes, owners about actions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.db.models.lookups import IsNull, LessThanOrEqual
from django.utils import timezone

from core.formatting import day_text, time_text, when_text
from core.models import ReminderSettings
from core.notifications import Draft, Recipient
from core.reminders.base import (
    LOOKBACK,
    already_notified,
    greeting,
    join_lines,
    local_date_of,
    sweep,
    url_for,
)
from forum.models import Action, Apology, ForumMember, Meeting, MeetingNotes

MEETING_UPCOMING = "reminders.meeting_upcoming"
NOTES_UNPUBLISHED = "reminders.notes_unpublished"
ACTION_OVERDUE = "reminders.action_overdue"


def member_key_of(prefix: str = "") -> Any:
    """SQL for the outer forum member's recipient key: "p:<partner>" for lay members, else "u:<user>"."""
    return Case(
        When(
            IsNull(OuterRef(f"{prefix}partner_id"), False),
            then=Concat(Value("p:"), Cast(OuterRef(f"{prefix}partner_id"), CharField()), output_field=CharField()),
        ),
        default=Concat(Value("u:"), Cast(OuterRef(f"{prefix}user_id"), CharField()), output_field=CharField()),
        output_field=CharField(),
    )


def active_member_q(prefix: str = "") -> Q:
    """Members still in the forum whose person is still involved (lay partner not left, login active)."""
    return (
        Q(**{f"{prefix}left_on__isnull": True})
        & (Q(**{f"{prefix}partner__isnull": True}) | Q(**{f"{prefix}partner__left_at__isnull": True}))
        & (Q(**{f"{prefix}user__isnull": True}) | Q(**{f"{prefix}user__is_active": True}))
    )


MEMBER_VALUES = (
    "user_id",
    "user__email",
    "user__full_name",
    "partner_id",
    "partner__user_id",
    "partner__user__email",
    "partner__email",
    "partner__phone",
    "partner__address",
    "partner__contact_methods",
    "partner__communication_needs",
    "partner__full_name",
    "partner__preferred_name",
)


def member_values(prefix: str = "") -> list[str]:
    return [f"{prefix}{name}" for name in MEMBER_VALUES]


def member_recipient(row: dict[str, Any], prefix: str = "") -> tuple[Recipient, str]:
    """(Recipient, name) for a forum member row."""
    if row[f"{prefix}partner_id"] is not None:
        recipient = Recipient(
            user_id=row[f"{prefix}partner__user_id"],
            partner_id=row[f"{prefix}partner_id"],
            user_email=row[f"{prefix}partner__user__email"] or "",
            partner_email=row[f"{prefix}partner__email"] or "",
            phone=row[f"{prefix}partner__phone"] or "",
            address=row[f"{prefix}partner__address"] or "",
            contact_methods=tuple(row[f"{prefix}partner__contact_methods"] or ()),
            communication_needs=tuple(row[f"{prefix}partner__communication_needs"] or ()),
        )
        name = row[f"{prefix}partner__preferred_name"] or row[f"{prefix}partner__full_name"]
        return recipient, name
    recipient = Recipient(user_id=row[f"{prefix}user_id"], user_email=row[f"{prefix}user__email"] or "")
    return recipient, row[f"{prefix}user__full_name"] or ""


def _meeting_title(row: dict[str, Any], prefix: str) -> str:
    return row[f"{prefix}title"] or f"{row['forum__name']} meeting"


@sweep(MEETING_UPCOMING, "Forum members before a meeting")
def meeting_upcoming(now: datetime, settings: ReminderSettings) -> list[Draft]:
    """Every active member of a forum with a scheduled meeting inside the reminder window, except
    those who sent apologies."""
    window_end = now + timedelta(hours=settings.activity_reminder_hours)
    # One filter() call, so every condition (the NOT EXISTS ones too) is about the same meeting row:
    # Django reuses a multi-valued join only within a single filter().
    rows = (
        ForumMember.objects.filter(active_member_q())
        .filter(
            Q(
                forum__meetings__status=Meeting.Status.SCHEDULED,
                forum__meetings__starts_at__gt=now,
                forum__meetings__starts_at__lte=window_end,
            ),
            ~Exists(Apology.objects.filter(meeting_id=OuterRef("forum__meetings__id"), member_id=OuterRef("pk"))),
            ~already_notified(
                kind=MEETING_UPCOMING,
                subject_model=Meeting,
                subject_field="forum__meetings__id",
                recipient=member_key_of(),
                occurrence=Concat(
                    Value("before:"), local_date_of("forum__meetings__starts_at"), output_field=CharField()
                ),
            ),
        )
        .values(
            "forum__name",
            "forum__organisation_id",
            "forum__organisation__name",
            "forum__meetings__id",
            "forum__meetings__title",
            "forum__meetings__starts_at",
            "forum__meetings__ends_at",
            "forum__meetings__format",
            "forum__meetings__venue",
            "forum__meetings__joining_link",
            "forum__meetings__access_information",
            *member_values(),
        )
        .order_by("forum__meetings__id", "id")
    )
    drafts = []
    for row in rows:
        recipient, name = member_recipient(row)
        meeting_title = _meeting_title(row, "forum__meetings__")
        starts_at = row["forum__meetings__starts_at"]
        venue = (row["forum__meetings__venue"] or "").strip()
        link = (row["forum__meetings__joining_link"] or "").strip()
        place = []
        easy_place = []
        if venue:
            place.append(f"Where: {venue}")
            easy_place.append(f"Go to: {venue}.")
        if link:
            place.append(f"How to join online: {link}")
            easy_place.append(f"Join online here: {link}")
        if not place:
            place.append("Where: the forum secretariat will send you the details.")
            easy_place.append("We will tell you where to go.")
        access = (row["forum__meetings__access_information"] or "").strip()
        meeting_id = row["forum__meetings__id"]
        drafts.append(
            Draft(
                kind=MEETING_UPCOMING,
                subject_type=Meeting._meta.label_lower,
                subject_id=str(meeting_id),
                recipient=recipient,
                occurrence=f"before:{timezone.localtime(starts_at).date().isoformat()}",
                organisation_id=row["forum__organisation_id"],
                title=f"Reminder: {meeting_title} on {day_text(starts_at)}",
                body=join_lines(
                    greeting(name),
                    f"This is a reminder about the {meeting_title}.",
                    f"When: {when_text(starts_at, row['forum__meetings__ends_at'])}\n" + "\n".join(place),
                    f"Support and access: {access}"
                    if access
                    else "If you need any support to take part, please tell the forum secretariat.",
                    f"Who to contact: the forum secretariat at {row['forum__organisation__name']}.",
                    "If you cannot come, please send your apologies in the portal.",
                ),
                easy_read_body=join_lines(
                    greeting(name),
                    f"There is a meeting of the {row['forum__name']}.",
                    f"The day is {day_text(starts_at)}.\nIt starts at {time_text(starts_at)}.",
                    "\n".join(easy_place),
                    "Tell us if you need help to take part.",
                ),
                url=url_for("forum:meeting_detail", meeting_id),
            )
        )
    return drafts


@sweep(NOTES_UNPUBLISHED, "Co-chairs: meeting notes not yet published")
def notes_unpublished(now: datetime, settings: ReminderSettings) -> list[Draft]:
    """Co-chairs of meetings whose notes are still unpublished 3 (then 7) days after the meeting."""
    first = now - timedelta(days=settings.notes_first_reminder_days)
    second = now - timedelta(days=settings.notes_second_reminder_days)
    day_first = f"day-{settings.notes_first_reminder_days}"
    day_second = f"day-{settings.notes_second_reminder_days}"
    occurrence = Case(
        When(forum__meetings__ends_at__lte=second, then=Value(day_second)),
        default=Value(day_first),
        output_field=CharField(),
    )
    outer_occurrence = Case(
        When(LessThanOrEqual(OuterRef("forum__meetings__ends_at"), second), then=Value(day_second)),
        default=Value(day_first),
        output_field=CharField(),
    )
    meetings_due = Q(
        forum__meetings__status__in=[Meeting.Status.SCHEDULED, Meeting.Status.HELD],
        forum__meetings__ends_at__lte=first,
        forum__meetings__ends_at__gt=second - LOOKBACK,
    )
    published = Exists(
        MeetingNotes.objects.filter(meeting_id=OuterRef("forum__meetings__id"), status=MeetingNotes.Status.PUBLISHED)
    )
    notified = already_notified(
        kind=NOTES_UNPUBLISHED,
        subject_model=Meeting,
        subject_field="forum__meetings__id",
        recipient=member_key_of(),
        occurrence=outer_occurrence,
    )
    rows = (
        ForumMember.objects.filter(active_member_q())
        .filter(role__in=[ForumMember.Role.STAFF_CO_CHAIR, ForumMember.Role.LAY_CO_CHAIR])
        # One filter() call: the NOT EXISTS conditions are about the same meeting row (see above).
        .filter(meetings_due, ~published, ~notified)
        .annotate(occurrence=occurrence)
        .values(
            "occurrence",
            "forum__name",
            "forum__organisation_id",
            "forum__meetings__id",
            "forum__meetings__title",
            "forum__meetings__ends_at",
            *member_values(),
        )
        .order_by("forum__meetings__id", "id")
    )
    drafts = []
    for row in rows:
        recipient, name = member_recipient(row)
        meeting_title = _meeting_title(row, "forum__meetings__")
        ended = row["forum__meetings__ends_at"]
        days = (timezone.localdate(now) - timezone.localtime(ended).date()).days
        drafts.append(
            Draft(
                kind=NOTES_UNPUBLISHED,
                subject_type=Meeting._meta.label_lower,
                subject_id=str(row["forum__meetings__id"]),
                recipient=recipient,
                occurrence=row["occurrence"],
                organisation_id=row["forum__organisation_id"],
                title=f"The notes of the {meeting_title} are not published yet",
                body=join_lines(
                    greeting(name),
                    f"The {meeting_title} was on {day_text(ended)}, {days} days ago. Its notes are not published yet.",
                    "As a co-chair, please check the notes and approve them, so members and the public can "
                    "read what was discussed and decided. Both co-chairs need to approve them.",
                ),
                easy_read_body=join_lines(
                    greeting(name),
                    f"The meeting was on {day_text(ended)}.",
                    "The notes are not ready yet.\nPlease read them and say yes to them.",
                ),
                url=url_for("forum:meeting_detail", row["forum__meetings__id"]),
            )
        )
    return drafts


@sweep(ACTION_OVERDUE, "Action owners: actions past their due date")
def action_overdue(now: datetime, settings: ReminderSettings) -> list[Draft]:
    """Owners of open actions whose due date has passed (again if the due date moves)."""
    today = timezone.localdate(now)
    rows = (
        Action.objects.filter(
            status__in=Action.OPEN_STATUSES,
            due_on__lt=today,
            due_on__gte=today - LOOKBACK,
            owner__isnull=False,
        )
        .filter(active_member_q("owner__"))
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .exclude(
            already_notified(
                kind=ACTION_OVERDUE,
                subject_model=Action,
                subject_field="pk",
                recipient=member_key_of("owner__"),
                occurrence=Concat(Value("overdue:"), Cast(OuterRef("due_on"), CharField()), output_field=CharField()),
            )
        )
        .values(
            "id",
            "description",
            "due_on",
            "meeting_id",
            "meeting__title",
            "meeting__starts_at",
            "meeting__forum__name",
            "meeting__forum__organisation_id",
            *member_values("owner__"),
        )
        .order_by("id")
    )
    drafts = []
    for row in rows:
        recipient, name = member_recipient(row, "owner__")
        description = row["description"].strip()
        short = description if len(description) <= 80 else description[:77].rstrip() + "..."
        forum_name = row["meeting__forum__name"]
        drafts.append(
            Draft(
                kind=ACTION_OVERDUE,
                subject_type=Action._meta.label_lower,
                subject_id=str(row["id"]),
                recipient=recipient,
                occurrence=f"overdue:{row['due_on'].isoformat()}",
                organisation_id=row["meeting__forum__organisation_id"],
                title=f"An action for the {forum_name} was due on {day_text(row['due_on'])}",
                body=join_lines(
                    greeting(name),
                    f"You agreed to this action at the {forum_name} meeting on {day_text(row['meeting__starts_at'])}:",
                    description,
                    f"It was due on {day_text(row['due_on'])}. Please update the action log: say what you have "
                    "done, or agree a new date with the co-chairs.",
                ),
                easy_read_body=join_lines(
                    greeting(name),
                    f"You said you would do this: {short}",
                    f"It was due on {day_text(row['due_on'])}.\nPlease tell us how it is going.",
                ),
                url=url_for("forum:meeting_detail", row["meeting_id"]),
            )
        )
    return drafts
