"""Reminders about money: lay partners who have not claimed; leads and finance with claims waiting."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Membership, Organisation, Role
from core.formatting import day_text
from core.models import ReminderSettings
from core.notifications import Draft, Recipient
from core.reminders.base import (
    LOOKBACK,
    already_notified,
    greeting,
    join_lines,
    partner_name,
    partner_recipient,
    partner_values,
    plural,
    recipient_key_of,
    sweep,
    url_for,
)
from involvement.models import Participation
from payments.models import ClaimLine, ClaimStatus
from payments.selectors import claimable_participations, last_day_between, participations_on_unsent_drafts

UNCLAIMED = "reminders.unclaimed"
CLAIM_DEADLINE = "reminders.claim_deadline"
AWAITING_APPROVAL = "reminders.claims_awaiting_approval"
AWAITING_PAYMENT = "reminders.claims_awaiting_payment"
# A digest lists this many claims and then says how many more there are.
DIGEST_LIMIT = 15


def _unclaimed_participations(today: date) -> Any:
    """Participations whose involvement payment can still be claimed, with `last_day`: the payments
    app's one answer (`payments.selectors.claimable_participations`), the same the partner's claim
    page and home page counts use. A participation on a draft claim is claimed (the draft holds it)."""
    return claimable_participations(today=today)


_PARTICIPATION_VALUES = (
    "id",
    "last_day",
    "activity__title",
    "activity__starts_at",
    "activity__organisation_id",
    "activity__organisation__name",
)


def _claim_drafts(rows: Any, *, kind: str, occurrence: str, unsent: bool = False) -> list[Draft]:
    """`unsent`: the participation is on a draft claim the partner started and never sent."""
    drafts = []
    for row in rows:
        title = row["activity__title"]
        took_part = day_text(row["activity__starts_at"])
        last_day = day_text(row["last_day"])
        has_login = row["partner__user_id"] is not None
        how = (
            "You can claim online in the portal, under \u201cMy payments\u201d."
            if has_login
            else f"Please contact {row['activity__organisation__name']} and we will make the claim for you."
        )
        if unsent:
            title_text = f"Send your claim for {title} by {last_day}"
            opening = (
                f"You took part in {title} on {took_part}. You started a claim for it but have not sent it yet, "
                "and the time to claim ends soon."
            )
            easy_opening = (
                f"You took part in {title}.\nYou started to ask to be paid, but you have not sent it.\n"
                "Time is running out."
            )
        elif kind == UNCLAIMED:
            title_text = f"You can claim for {title}"
            opening = f"You took part in {title} on {took_part}. Thank you. You have not claimed for it yet."
            easy_opening = f"You took part in {title}. Thank you.\nYou can get paid for it.\nYou have not asked yet."
        else:
            title_text = f"Claim for {title} by {last_day}"
            opening = (
                f"You took part in {title} on {took_part}. You have not claimed for it yet, and the time to claim "
                "ends soon."
            )
            easy_opening = f"You took part in {title}.\nYou have not asked to be paid yet.\nTime is running out."
        drafts.append(
            Draft(
                kind=kind,
                subject_type=Participation._meta.label_lower,
                subject_id=str(row["id"]),
                recipient=partner_recipient(row),
                occurrence=occurrence,
                organisation_id=row["activity__organisation_id"],
                title=title_text,
                body=join_lines(
                    greeting(partner_name(row)),
                    opening,
                    f"The last day to claim your involvement payment and expenses is {last_day}.",
                    how,
                    "If you do not want to be paid, you can ignore this message.",
                ),
                easy_read_body=join_lines(
                    greeting(partner_name(row)),
                    easy_opening,
                    f"The last day to ask is {last_day}.",
                    "Log in to the portal and go to My payments." if has_login else "Call us and we will help you.",
                ),
                url=url_for("payments:my_money") if has_login else "",
            )
        )
    return drafts


# More changed than this (an import of a spreadsheet, say), and the sweep's own query over its
# window is cheaper than a list of ids that long.
MAX_CANDIDATES = 5_000


def _candidates(since: datetime | None, *, threshold: datetime, delay: timedelta) -> set[int] | None:
    """The participations a claim sweep need look at, or None for all of them (a full run, or more
    changed than `MAX_CANDIDATES`). Since `since`, each set found through an index: their activity
    ended by `threshold` (`delay` ago) but not by `since - delay`; they were changed (attendance or
    hours recorded, added late); or a claim holding them was changed (withdrawn, rejected). Ids
    only: the sweep's own query decides."""
    if since is None:
        return None
    crossed = Participation.objects.filter(
        activity__ends_at__gt=since - delay, activity__ends_at__lte=threshold
    ).values_list("pk", flat=True)
    changed = Participation.objects.filter(updated_at__gt=since).values_list("pk", flat=True)
    freed = ClaimLine.objects.filter(claim__updated_at__gt=since, participation__isnull=False).values_list(
        "participation_id", flat=True
    )
    found = {*crossed, *changed, *freed}
    return None if len(found) > MAX_CANDIDATES else found


def _not_yet_told(participations: Any, *, kind: str, occurrence: str, candidates: set[int] | None) -> Any:
    """The rows for `_claim_drafts`: among `candidates` (None: all), those not reminded yet."""
    if candidates is not None:
        participations = participations.filter(pk__in=candidates)
    return (
        participations.exclude(
            already_notified(
                kind=kind,
                subject_model=Participation,
                subject_field="pk",
                recipient=recipient_key_of(partner_field="partner_id"),
                occurrence=occurrence,
            )
        )
        .values(*_PARTICIPATION_VALUES, *partner_values())
        .order_by("id")
    )


@sweep(UNCLAIMED, "Lay partners who took part but have not claimed", incremental=True)
def unclaimed(now: datetime, settings: ReminderSettings, since: datetime | None) -> list[Draft]:
    threshold = now - timedelta(days=settings.unclaimed_after_days)
    today = timezone.localdate(now)
    candidates = _candidates(since, threshold=threshold, delay=now - threshold)
    if candidates is not None and not candidates:
        return []
    rows = (
        _unclaimed_participations(today)
        .filter(activity__ends_at__lte=threshold, activity__ends_at__gt=threshold - LOOKBACK)
        # Inside the last days before the deadline the deadline reminder says it all: one message, not two.
        .filter(last_day__gt=today + timedelta(days=settings.claim_deadline_warning_days))
    )
    rows = _not_yet_told(rows, kind=UNCLAIMED, occurrence="unclaimed-7d", candidates=candidates)
    return _claim_drafts(rows, kind=UNCLAIMED, occurrence="unclaimed-7d")


@sweep(CLAIM_DEADLINE, "Lay partners whose claim deadline is near", incremental=True)
def claim_deadline(now: datetime, settings: ReminderSettings, since: datetime | None) -> list[Draft]:
    """Near the last day to claim: those who have not claimed, and those whose claim holding it is
    a draft they never sent (one message per participation either way).

    The last days to claim move on by the day, and each day's first run looks at everything (see
    `core.reminders.base`); later runs look at what changed since. An activity that ended since
    counts too: with a deadline shorter than the warning, it is due as soon as it ends."""
    today = timezone.localdate(now)
    candidates = _candidates(since, threshold=now, delay=timedelta(0))
    if candidates is not None and not candidates:
        return []
    warn_until = today + timedelta(days=settings.claim_deadline_warning_days)

    def due(participations: Any) -> Any:
        near = participations.filter(last_day_between(last=warn_until), last_day__lte=warn_until).filter(
            activity__ends_at__lte=now
        )
        return _not_yet_told(near, kind=CLAIM_DEADLINE, occurrence="deadline-14d", candidates=candidates)

    return [
        *_claim_drafts(due(_unclaimed_participations(today)), kind=CLAIM_DEADLINE, occurrence="deadline-14d"),
        *_claim_drafts(
            due(participations_on_unsent_drafts(today=today)),
            kind=CLAIM_DEADLINE,
            occurrence="deadline-14d",
            unsent=True,
        ),
    ]


def _claim_digest(
    *, now: datetime, kind: str, role: str, status: str, since_field: str, days: int, waiting_for: str
) -> list[Draft]:
    """One message a day to each lead (or finance officer) listing their AHSN's claims waiting too long."""
    threshold = now - timedelta(days=days)
    occurrence = timezone.localdate(now).isoformat()
    claim_filter = {
        "organisation__claims__status": status,
        f"organisation__claims__{since_field}__lte": threshold,
    }
    rows = (
        Membership.objects.filter(role=role, user__is_active=True, **claim_filter)
        .exclude(
            already_notified(
                kind=kind,
                subject_model=Organisation,
                subject_field="organisation_id",
                recipient=recipient_key_of(user_field="user_id"),
                occurrence=occurrence,
            )
        )
        .values(
            "user_id",
            "user__email",
            "user__full_name",
            "organisation_id",
            "organisation__name",
            "organisation__claims__reference",
            f"organisation__claims__{since_field}",
        )
        .order_by("organisation_id", "user_id", f"organisation__claims__{since_field}", "organisation__claims__id")
    )
    grouped: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[(row["organisation_id"], row["user_id"])].append(row)
    url = url_for("payments:claim_queue")
    drafts = []
    for (organisation_id, user_id), claims in grouped.items():
        first = claims[0]
        lines = []
        for claim in claims[:DIGEST_LIMIT]:
            since = claim[f"organisation__claims__{since_field}"]
            waited = (timezone.localdate(now) - timezone.localtime(since).date()).days
            lines.append(f"- {claim['organisation__claims__reference']}: since {day_text(since)} ({waited} days)")
        if len(claims) > DIGEST_LIMIT:
            lines.append(f"- and {len(claims) - DIGEST_LIMIT} more")
        count = plural(len(claims), "claim")
        drafts.append(
            Draft(
                kind=kind,
                subject_type=Organisation._meta.label_lower,
                subject_id=str(organisation_id),
                recipient=Recipient(user_id=user_id, user_email=first["user__email"]),
                occurrence=occurrence,
                organisation_id=organisation_id,
                title=f"{count} waiting for {waiting_for} at {first['organisation__name']}",
                body=join_lines(
                    greeting(first["user__full_name"]),
                    f"{count} at {first['organisation__name']} {'has' if len(claims) == 1 else 'have'} been "
                    f"waiting for {waiting_for} for more than {plural(days, 'day')}:",
                    "\n".join(lines),
                    "Lay partners are waiting for this money. Please deal with these claims as soon as you can.",
                ),
                url=url,
            )
        )
    return drafts


@sweep(AWAITING_APPROVAL, "Involvement leads: claims waiting for approval")
def claims_awaiting_approval(now: datetime, settings: ReminderSettings) -> list[Draft]:
    return _claim_digest(
        now=now,
        kind=AWAITING_APPROVAL,
        role=Role.INVOLVEMENT_LEAD,
        status=ClaimStatus.SUBMITTED,
        since_field="submitted_at",
        days=settings.lead_digest_after_days,
        waiting_for="approval",
    )


@sweep(AWAITING_PAYMENT, "Finance: approved claims not yet paid")
def claims_awaiting_payment(now: datetime, settings: ReminderSettings) -> list[Draft]:
    return _claim_digest(
        now=now,
        kind=AWAITING_PAYMENT,
        role=Role.FINANCE,
        status=ClaimStatus.APPROVED,
        since_field="approved_at",
        days=settings.finance_digest_after_days,
        waiting_for="payment",
    )
