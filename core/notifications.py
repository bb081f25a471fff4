"""The one notification mechanism every app uses.

    notify(kind="payments.claim_returned", subject=claim, user=partner.user, partner=partner,
           title="Your claim needs a change", body="...", url="/claims/12/", essential=True)

creates (at most once per kind, subject, recipient and occurrence) a `Notification` inside the
caller's transaction, and after commit queues a Celery task that delivers it by the person's
channel. Everyone signed in also sees it on their notifications page.

Scheduled reminders create many at once with `create_notifications(drafts)`: one
`INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING id` whatever the number of rows,
so a sweep costs the same number of queries for ten people or ten thousand.

Whether and how a message goes out:

* the channel comes from the person: email for staff; for a lay partner, the first way they
  asked to be contacted that we have details for (email, text, post, phone call);
* the frequency comes from their `NotificationPreference` for the kind's group: straight away,
  held for the weekly summary, or not sent. Essential messages (claim returned, claim paid,
  meeting or activity cancelled, anything created with `essential=True`) always go straight away.
  Reminders before an activity or meeting are never held: a weekly summary would arrive after the
  event, so "weekly" means straight away for them (they go straight away or not at all).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import ConnectionError as RedisConnectionError

from core import people
from core.access import memberships_of
from core.audit import log_action
from core.choices import ContactMethod
from core.models import Notification, NotificationFrequency, NotificationPreference

logger = logging.getLogger(__name__)

# --- Kinds and their groups ----------------------------------------------------------------


@dataclass(frozen=True)
class KindGroup:
    key: str
    label: str
    hint: str
    audience: str  # "partner", "staff" or "all": who sees it on the preferences page
    # False for messages about something about to happen: a weekly summary would arrive too late,
    # so a "weekly" choice sends them straight away.
    can_wait: bool = True


GROUPS: tuple[KindGroup, ...] = (
    KindGroup(
        "before_activity",
        "Reminders before an activity or meeting",
        "What, when and where, and the support we have arranged for you. Reminders before an activity "
        "or meeting always come straight away, because a weekly summary would arrive too late.",
        "all",
        can_wait=False,
    ),
    KindGroup(
        "claim_reminders",
        "Reminders to claim your payment",
        "When you have taken part but not yet claimed, and before the claim deadline.",
        "partner",
    ),
    KindGroup("claims", "Updates about your claims", "When a claim is approved or rejected.", "partner"),
    KindGroup(
        "involvement",
        "Activities and what changed because of them",
        "New activities, outcomes (\u201cyou said, we did\u201d) and how they move on, requests to record an "
        "outcome, and requests to quote you in a case study.",
        "all",
    ),
    KindGroup("forum", "Forums", "Meeting notes, overdue actions and other forum news.", "all"),
    KindGroup(
        "opportunities",
        "New opportunities to take part",
        "When an opportunity that matches what you are interested in opens. You can have these in a weekly "
        "summary instead.",
        "partner",
    ),
    KindGroup(
        "claim_digests",
        "Claims waiting for you",
        "Claims waiting for approval or payment longer than agreed.",
        "staff",
    ),
    KindGroup("reports", "Quarterly reports", "When a quarterly report is ready to read.", "staff"),
    KindGroup("other", "Other messages", "Anything else the portal needs to tell you.", "all"),
)
GROUP_KEYS = frozenset(group.key for group in GROUPS)
# Groups whose messages are never held for the weekly summary.
IMMEDIATE_ONLY_GROUPS = frozenset(group.key for group in GROUPS if not group.can_wait)

KIND_GROUPS: dict[str, str] = {
    "reminders.activity_upcoming": "before_activity",
    "reminders.meeting_upcoming": "before_activity",
    "reminders.unclaimed": "claim_reminders",
    "reminders.claim_deadline": "claim_reminders",
    "reminders.claims_awaiting_approval": "claim_digests",
    "reminders.claims_awaiting_payment": "claim_digests",
    "reminders.notes_unpublished": "forum",
    "reminders.action_overdue": "forum",
    "reminders.outcome_missing": "involvement",
    "reminders.report_ready": "reports",
}
_PREFIX_GROUPS = {
    "payments": "claims",
    "forum": "forum",
    "involvement": "involvement",
    "evidence": "involvement",  # requests to quote a lay partner in a case study
    "reports": "reports",
    "opportunities": "opportunities",
}

# Messages that always go, whatever the person's preference: they change what someone must do.
ESSENTIAL_KIND_NAMES = frozenset(
    {"claim_returned", "claim_paid", "meeting_cancelled", "activity_cancelled", "weekly_digest"}
)


def group_for_kind(kind: str) -> str:
    if kind in KIND_GROUPS:
        return KIND_GROUPS[kind]
    return _PREFIX_GROUPS.get(kind.split(".", 1)[0], "other")


def is_essential(kind: str, essential: bool = False) -> bool:
    return essential or kind.rsplit(".", 1)[-1] in ESSENTIAL_KIND_NAMES


def effective_frequency(*, group: str, frequency: str) -> str:
    """The person's choice for the group, except that a reminder before an activity or meeting is
    never held for the weekly summary (it would arrive after the event): it goes straight away."""
    if frequency == NotificationFrequency.WEEKLY and group in IMMEDIATE_ONLY_GROUPS:
        return NotificationFrequency.IMMEDIATELY
    return frequency


# --- Channel and status ----------------------------------------------------------------------


def channel_for(
    *,
    is_partner: bool,
    user_email: str = "",
    partner_email: str = "",
    phone: str = "",
    address: str = "",
    contact_methods: Iterable[str] = (),
    has_login: bool = False,
) -> str:
    """Pick the channel from what we know about the person (pure: no queries)."""
    if not is_partner:
        return Notification.Channel.EMAIL if user_email else Notification.Channel.PORTAL
    has_email = bool(partner_email or user_email)
    for method in contact_methods or ():
        if method == ContactMethod.EMAIL and has_email:
            return Notification.Channel.EMAIL
        if method == ContactMethod.TEXT and phone:
            return Notification.Channel.TEXT
        if method == ContactMethod.POST and address:
            return Notification.Channel.LETTER
        if method == ContactMethod.PHONE and phone:
            return Notification.Channel.PHONE
    if has_email:
        return Notification.Channel.EMAIL
    if has_login:
        return Notification.Channel.PORTAL
    if address:
        return Notification.Channel.LETTER
    # A phone call, or (with no details at all) a message staff must find a way to pass on.
    return Notification.Channel.PHONE


def choose_channel(*, user: Any | None, partner: Any | None) -> str:
    """Email for staff; for lay partners, the first way they asked to be contacted."""
    if partner is not None:
        return channel_for(
            is_partner=True,
            user_email=user.email if user is not None else "",
            partner_email=partner.email,
            phone=partner.phone,
            address=partner.address,
            contact_methods=partner.contact_methods or [],
            has_login=user is not None,
        )
    return channel_for(is_partner=False, user_email=user.email if user is not None else "")


def initial_status(*, channel: str, frequency: str, essential: bool) -> str:
    """Where a new notification starts: sent (portal only), pending delivery, held, or skipped."""
    if channel == Notification.Channel.PORTAL:
        return Notification.Status.SENT
    if not essential and frequency == NotificationFrequency.NEVER:
        return Notification.Status.SKIPPED
    if not essential and frequency == NotificationFrequency.WEEKLY:
        return Notification.Status.HELD
    return Notification.Status.PENDING


def frequency_for(*, group: str, user_id: int | None, partner_id: int | None) -> str:
    owner = {"user_id": user_id} if user_id is not None else {"partner_id": partner_id}
    found = NotificationPreference.objects.filter(group=group, **owner).values_list("frequency", flat=True).first()
    return found or NotificationFrequency.IMMEDIATELY


# More than this many new notifications are queued in batches, one task per batch, so a sweep that
# creates tens of thousands of reminders sends hundreds of broker messages, not tens of thousands.
DELIVERY_BATCH = 50


def send_to_workers(notification_ids: Sequence[int]) -> bool:
    """Queue delivery tasks now. False (and a warning logged) if the broker could not take them.

    Never raises: the notifications are already saved as pending, which is the durable record;
    `core.tasks.requeue_stale_notifications` queues them again once the broker is back."""
    # The one cycle in core: the delivery tasks (core.tasks -> core.delivery) queue again through here.
    from core.tasks import deliver_notification, deliver_notification_batch  # noqa: PLC0415

    ids = list(notification_ids)
    try:
        if len(ids) <= DELIVERY_BATCH:
            for pk in ids:
                deliver_notification.delay(pk)
        else:
            for start in range(0, len(ids), DELIVERY_BATCH):
                deliver_notification_batch.delay(ids[start : start + DELIVERY_BATCH])
    except (KombuError, RedisConnectionError, OSError) as error:  # the broker did not take them
        logger.warning(
            "could not queue notification delivery; it waits for the requeue",
            extra={"notification_ids": ids[:20], "count": len(ids), "error": f"{type(error).__name__}: {error}"[:200]},
        )
        return False
    return True


def queue_delivery(notification_ids: Sequence[int]) -> None:
    """After the surrounding transaction commits, queue delivery of the notifications.

    A broker that is down never turns the saved change into an error page (see send_to_workers)."""
    if not notification_ids:
        return
    ids = list(notification_ids)
    transaction.on_commit(lambda: send_to_workers(ids))


# --- One at a time (called by the apps) -----------------------------------------------------


def _recipient_key(user: Any | None, partner: Any | None) -> str:
    if partner is not None:
        return f"p:{partner.pk}"
    if user is not None:
        return f"u:{user.pk}"
    raise ValueError("A notification needs a recipient.")


def notify(
    *,
    kind: str,
    subject: models.Model,
    title: str,
    body: str,
    user: Any | None = None,
    partner: Any | None = None,
    organisation: Any | None = None,
    url: str = "",
    occurrence: str = "",
    essential: bool = False,
    easy_read_body: str = "",
) -> tuple[Notification, bool]:
    """Create the notification once; returns (notification, created). Delivery runs after commit."""
    if partner is not None and user is None:
        user = partner.user
    key = {
        "kind": kind,
        "subject_type": subject._meta.label_lower,
        "subject_id": str(subject.pk),
        "recipient_key": _recipient_key(user, partner),
        "occurrence": occurrence,
    }
    existing = Notification.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    essential = is_essential(kind, essential)
    channel = choose_channel(user=user, partner=partner)
    frequency: str = NotificationFrequency.IMMEDIATELY
    if not essential and channel != Notification.Channel.PORTAL:
        group = group_for_kind(kind)
        frequency = effective_frequency(
            group=group,
            frequency=frequency_for(
                group=group,
                user_id=user.pk if user is not None else None,
                partner_id=partner.pk if user is None and partner is not None else None,
            ),
        )
    status = initial_status(channel=channel, frequency=frequency, essential=essential)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                **key,
                user=user,
                partner=partner,
                organisation=organisation,
                title=title[:200],
                body=body,
                easy_read_body=easy_read_body,
                url=url[:300],
                essential=essential,
                channel=channel,
                status=status,
                delivered_at=timezone.now() if status == Notification.Status.SENT else None,
            )
    except IntegrityError:
        # Another worker created the same notification a moment ago.
        return Notification.objects.get(**key), False
    if notification.status == Notification.Status.PENDING:
        queue_delivery([notification.pk])
    return notification, True


# --- Many at once (the reminder sweeps) -----------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """What a sweep knows about one person, read in the same query as the subject."""

    user_id: int | None = None
    partner_id: int | None = None
    user_email: str = ""
    partner_email: str = ""
    phone: str = ""
    address: str = ""
    contact_methods: tuple[str, ...] = ()
    communication_needs: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"p:{self.partner_id}" if self.partner_id is not None else f"u:{self.user_id}"

    @property
    def channel(self) -> str:
        return channel_for(
            is_partner=self.partner_id is not None,
            user_email=self.user_email,
            partner_email=self.partner_email,
            phone=self.phone,
            address=self.address,
            contact_methods=self.contact_methods,
            has_login=self.user_id is not None,
        )

    @property
    def easy_read(self) -> bool:
        return "easy_read" in self.communication_needs


@dataclass
class Draft:
    """A notification a sweep wants to create."""

    kind: str
    subject_type: str
    subject_id: str
    recipient: Recipient
    occurrence: str
    title: str
    body: str
    organisation_id: int | None = None
    url: str = ""
    easy_read_body: str = ""
    essential: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "text"),
    ("subject_type", "text"),
    ("subject_id", "text"),
    ("recipient_key", "text"),
    ("occurrence", "text"),
    ("user_id", "bigint"),
    ("partner_id", "bigint"),
    ("organisation_id", "bigint"),
    ("title", "text"),
    ("body", "text"),
    ("easy_read_body", "text"),
    ("url", "text"),
    ("essential", "boolean"),
    ("channel", "text"),
    ("status", "text"),
    ("delivered_at", "timestamptz"),
)


def _preferences(drafts: Sequence[Draft]) -> dict[tuple[str, str], str]:
    """Every non-default preference for the groups involved, in one query: {(owner key, group): frequency}."""
    groups = {group_for_kind(d.kind) for d in drafts}
    rows = NotificationPreference.objects.filter(group__in=groups).exclude(frequency=NotificationFrequency.IMMEDIATELY)
    found: dict[tuple[str, str], str] = {}
    for user_id, partner_id, group, frequency in rows.values_list("user_id", "partner_id", "group", "frequency"):
        owner = f"u:{user_id}" if user_id is not None else f"p:{partner_id}"
        found[(owner, group)] = frequency
    return found


def create_notifications(drafts: Sequence[Draft]) -> list[tuple[int, str]]:
    """Insert the drafts that do not exist yet; returns [(id, status)] of the ones created.

    Two queries whatever the number of drafts (preferences, then one INSERT). Must run inside
    a transaction; delivery of the new pending ones is queued for after it commits."""
    if not drafts:
        return []
    preferences = _preferences(drafts)
    now = timezone.now()
    columns: dict[str, list[Any]] = {name: [] for name, _ in _COLUMNS}
    seen: set[tuple[str, str, str, str, str]] = set()
    for draft in drafts:
        recipient = draft.recipient
        unique = (draft.kind, draft.subject_type, draft.subject_id, recipient.key, draft.occurrence)
        if unique in seen:
            continue
        seen.add(unique)
        essential = is_essential(draft.kind, draft.essential)
        channel = recipient.channel
        owner = f"u:{recipient.user_id}" if recipient.user_id is not None else recipient.key
        group = group_for_kind(draft.kind)
        frequency = effective_frequency(
            group=group, frequency=preferences.get((owner, group), NotificationFrequency.IMMEDIATELY)
        )
        status = initial_status(channel=channel, frequency=frequency, essential=essential)
        values = {
            "kind": draft.kind,
            "subject_type": draft.subject_type,
            "subject_id": draft.subject_id,
            "recipient_key": recipient.key,
            "occurrence": draft.occurrence,
            "user_id": recipient.user_id,
            "partner_id": recipient.partner_id,
            "organisation_id": draft.organisation_id,
            "title": draft.title[:200],
            "body": draft.body,
            "easy_read_body": draft.easy_read_body,
            "url": draft.url[:300],
            "essential": essential,
            "channel": channel,
            "status": status,
            "delivered_at": now if status == Notification.Status.SENT else None,
        }
        for name, value in values.items():
            columns[name].append(value)
    table = Notification._meta.db_table
    names = ", ".join(name for name, _ in _COLUMNS)
    arrays = ", ".join(f"%s::{sql_type}[]" for _, sql_type in _COLUMNS)
    sql = (
        f"INSERT INTO {table} ({names}, attempts, last_error, created_at) "  # noqa: S608 - names are ours
        f"SELECT {names}, 0, '', %s FROM unnest({arrays}) AS draft({names}) "
        "ON CONFLICT (kind, subject_type, subject_id, recipient_key, occurrence) DO NOTHING "
        "RETURNING id, status"
    )
    params: list[Any] = [now, *(columns[name] for name, _ in _COLUMNS)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        created = [(int(pk), str(status)) for pk, status in cursor.fetchall()]
    queue_delivery([pk for pk, status in created if status == Notification.Status.PENDING])
    return created


# --- Preferences --------------------------------------------------------------------------------


def groups_for_user(user: Any) -> list[KindGroup]:
    """The groups a person can choose for: lay partners' ones, staff ones, or both."""
    is_staff_member = bool(memberships_of(user))
    is_partner = people.is_lay_partner(user)
    audiences = {"all"}
    if is_partner or not is_staff_member:
        audiences.add("partner")
    if is_staff_member:
        audiences.add("staff")
    return [group for group in GROUPS if group.audience in audiences]


def preferences_for(*, user: Any) -> dict[str, str]:
    """{group: frequency} for every group, with the default (straight away) filled in."""
    saved = dict(NotificationPreference.objects.filter(user=user).values_list("group", "frequency"))
    return {group.key: saved.get(group.key, NotificationFrequency.IMMEDIATELY) for group in GROUPS}


def preferences_update(*, user: Any, frequencies: dict[str, str]) -> None:
    """Save how often the person wants each group. Unknown groups or values are refused."""
    for group, frequency in frequencies.items():
        if group not in GROUP_KEYS or frequency not in NotificationFrequency.values:
            raise ValueError(f"Unknown preference {group}={frequency}")
    with transaction.atomic():
        for group, frequency in frequencies.items():
            NotificationPreference.objects.update_or_create(user=user, group=group, defaults={"frequency": frequency})
        log_action(
            actor=user,
            action="core.notification_preference.updated",
            target=None,
            data={"frequencies": dict(sorted(frequencies.items()))},
        )
