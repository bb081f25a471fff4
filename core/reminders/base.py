"""What every reminder sweep shares: the registry, the runner and the wording helpers.

Each feature app owns its sweeps in `<app>/reminders.py` (decorated with `@sweep`) and imports
that module from its `AppConfig.ready()`; core knows no feature app. Sweeps run in the order they
were registered: the order of the apps in INSTALLED_APPS, then the order in each module.

A sweep is ONE set-based query that selects (subject, recipient, occurrence) rows not notified
yet, turned into `Draft`s in Python (formatting only, no queries), then one bulk insert that
skips anything already there. Each sweep runs in its own transaction; delivery of the new
notifications is queued after it commits.

An incremental sweep (`@sweep(..., incremental=True)`) is also given `since`: the time of its
last run, less `OVERLAP`, or None for a run that must look at everything (its first run, the first
run of each day in Europe/London, after the settings changed, or when `now` is before the last
run). It need
only look at what could have become due since then; the full run catches anything else, such
as an activity's times edited after the event. Beat runs the sweeps every ten minutes, so a run
with nothing new must be cheap (issue "Network scale")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import CharField, Exists, Func, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from core.delivery import skip_cancelled_reminders
from core.models import Notification, ReminderSettings, SweepRun
from core.notifications import Draft, Recipient, create_notifications

# Reminders look back this far past their threshold, so switching the portal on (or restoring an
# old backup) does not flood people with reminders about things long past.
LOOKBACK = timedelta(days=30)
# After creating this many notifications in one run, refresh the table's planner statistics.
REFRESH_STATISTICS_AFTER = 5000
# An incremental sweep looks back this far before its last run: a change saved (and stamped) just
# before a run but committed after it is still seen by the next.
OVERLAP = timedelta(minutes=15)


@dataclass(frozen=True)
class Sweep:
    kind: str
    label: str
    collect: Callable[..., list[Draft]]
    incremental: bool = False


SWEEPS: list[Sweep] = []


def sweep(kind: str, label: str, *, incremental: bool = False) -> Callable[..., Any]:
    """Register a function `(now, settings) -> list[Draft]` as the sweep for `kind` (one per kind);
    with `incremental`, `(now, settings, since) -> list[Draft]` (see the module's docstring)."""

    def register(function: Callable[..., list[Draft]]) -> Callable[..., Any]:
        for existing in SWEEPS:
            if existing.kind != kind:
                continue
            if (
                existing.collect.__qualname__ == function.__qualname__
                and existing.collect.__module__ == function.__module__
            ):
                return function  # the same module imported twice
            raise ImproperlyConfigured(
                f"Two reminder sweeps for {kind}: {existing.collect.__module__} and {function.__module__}"
            )
        SWEEPS.append(Sweep(kind=kind, label=label, collect=function, incremental=incremental))
        return function

    return register


def run_sweeps(
    *, now: datetime | None = None, dry_run: bool = False, kinds: Iterable[str] | None = None
) -> dict[str, int]:
    """Run every sweep once. Returns {kind: how many notifications were (or would be) created}."""
    now = now or timezone.now()
    wanted = set(kinds) if kinds is not None else None
    settings_row = ReminderSettings.load()
    counts: dict[str, int] = {}
    for item in SWEEPS:
        if wanted is not None and item.kind not in wanted:
            continue
        with transaction.atomic():
            if item.incremental:
                since = _since(item.kind, now=now, settings_row=settings_row)
                drafts = item.collect(now, settings_row, since)
            else:
                drafts = item.collect(now, settings_row)
            counts[item.kind] = len(drafts) if dry_run else len(create_notifications(drafts))
            if item.incremental and not dry_run:
                _ran(item.kind, now=now, settings_row=settings_row)
    if not dry_run:
        # Reminders still waiting (held for the summary, to send by hand, failed) for an activity or
        # meeting cancelled since: marked "not sent", in one UPDATE.
        skip_cancelled_reminders()
    if sum(counts.values()) >= REFRESH_STATISTICS_AFTER and not dry_run and not connection.in_atomic_block:
        # So many new rows at once leaves the planner's picture of the notifications table stale until
        # autovacuum catches up, and the next sweep's NOT EXISTS would stop using the unique index.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Notification._meta.db_table}")
    return counts


def _since(kind: str, *, now: datetime, settings_row: ReminderSettings) -> datetime | None:
    """Where an incremental sweep may start looking, or None to look at everything. Locks the
    sweep's row (made on its first run), so two runs at once take turns."""
    never = datetime(2000, 1, 1, tzinfo=UTC)
    SweepRun.objects.bulk_create([SweepRun(kind=kind, ran_at=never, settings_at=never)], ignore_conflicts=True)
    last = SweepRun.objects.select_for_update().get(kind=kind)
    # Once a day everything: dates that move on by the day (the last day to claim) and anything no
    # lookup sees (an activity's times edited after the event).
    new_day = timezone.localdate(now) != timezone.localdate(last.ran_at)
    if last.settings_at != settings_row.updated_at or now < last.ran_at or new_day:
        return None
    return last.ran_at - OVERLAP


def _ran(kind: str, *, now: datetime, settings_row: ReminderSettings) -> None:
    SweepRun.objects.filter(kind=kind).update(ran_at=now, settings_at=settings_row.updated_at)


def available_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every registered sweep, in the order they run."""
    return [(item.kind, item.label) for item in SWEEPS]


# --- Query helpers -----------------------------------------------------------------------------


def recipient_key_of(*, user_field: str | None = None, partner_field: str | None = None) -> Any:
    """SQL for the outer row's "p:<partner id>" or "u:<user id>" (`Notification.recipient_key`)."""
    if partner_field is not None:
        return Concat(Value("p:"), Cast(OuterRef(partner_field), CharField()), output_field=CharField())
    assert user_field is not None
    return Concat(Value("u:"), Cast(OuterRef(user_field), CharField()), output_field=CharField())


def local_date_of(field: str) -> Func:
    """The outer row's timestamp as its London calendar date, 'YYYY-MM-DD'."""
    return Func(
        OuterRef(field),
        template="to_char((%(expressions)s AT TIME ZONE 'Europe/London'), 'YYYY-MM-DD')",
        output_field=CharField(),
    )


def already_notified(
    *, kind: str, subject_model: type[models.Model], subject_field: str, recipient: Any, occurrence: Any
) -> Exists:
    """EXISTS (the notification for this row) — sweeps filter on its negation."""
    if isinstance(occurrence, str):
        occurrence = Value(occurrence)
    return Exists(
        Notification.objects.filter(
            kind=kind,
            subject_type=subject_model._meta.label_lower,
            subject_id=Cast(OuterRef(subject_field), CharField()),
            recipient_key=recipient,
            occurrence=occurrence,
        )
    )


def partner_recipient(row: dict[str, Any], prefix: str = "partner__") -> Recipient:
    return Recipient(
        user_id=row.get(f"{prefix}user_id"),
        partner_id=row[f"{prefix}id"],
        user_email=row.get(f"{prefix}user__email") or "",
        partner_email=row.get(f"{prefix}email") or "",
        phone=row.get(f"{prefix}phone") or "",
        address=row.get(f"{prefix}address") or "",
        contact_methods=tuple(row.get(f"{prefix}contact_methods") or ()),
        communication_needs=tuple(row.get(f"{prefix}communication_needs") or ()),
    )


PARTNER_FIELDS = (
    "id",
    "user_id",
    "user__email",
    "email",
    "phone",
    "address",
    "contact_methods",
    "communication_needs",
    "full_name",
    "preferred_name",
)


def partner_values(prefix: str = "partner__") -> list[str]:
    return [f"{prefix}{name}" for name in PARTNER_FIELDS]


def partner_name(row: dict[str, Any], prefix: str = "partner__") -> str:
    return row.get(f"{prefix}preferred_name") or row.get(f"{prefix}full_name") or ""


# --- Wording ---------------------------------------------------------------------------------


def url_for(name: str, *args: Any) -> str:
    """The page's path. A renamed or missing URL raises NoReverseMatch (a test fails), never a blank link."""
    return reverse(name, args=args)


def greeting(name: str) -> str:
    return f"Hello {name}," if name else "Hello,"


def join_lines(*lines: str) -> str:
    """Paragraphs separated by a blank line, empty ones left out."""
    return "\n\n".join(line for line in lines if line)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"
