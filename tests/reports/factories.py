"""Builders for report tests: plain model rows with the dates the test says, nothing random."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from core.formatting import UK_TIME
from involvement.models import Activity, Feedback, Outcome, OutcomeStatusChange, Participation
from partners.models import LayPartner, PartnerLink
from payments.models import Claim, ClaimLine
from programmes.models import Programme


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UK_TIME)


def programme(
    org: Any,
    name: str,
    *,
    created: date,
    status: str = "active",
    started: date | None = None,
    closed: date | None = None,
) -> Programme:
    """Entered on `created`; the work started on `started` (default: the day it was entered) and,
    if closed, closed on `closed` (default: the day it was entered)."""
    if status == "closed" and closed is None:
        closed = created
    item = Programme.objects.create(
        organisation=org,
        name=name,
        programme_type="local",
        innovation_stage="design",
        status=status,
        start_on=started or created,
        closed_on=closed,
    )
    Programme.objects.filter(pk=item.pk).update(created_at=at(created))
    return item


def activity(
    org: Any,
    prog: Programme | None,
    *,
    day: date,
    level: str,
    stage: str = "",
    method: str = "workshop",
    status: str = "completed",
    seldom: list[str] | None = None,
    support: list[str] | None = None,
) -> Activity:
    return Activity.objects.create(
        organisation=org,
        programme=prog,
        title=f"{method} on {day}",
        starts_at=at(day),
        ends_at=at(day) + timedelta(hours=2),
        format="in_person",
        method=method,
        level=level,
        stage=stage,
        status=status,
        cancellation_reason="Too few people could come" if status == "cancelled" else "",
        seldom_heard_groups=seldom or [],
        support_offered=support or [],
    )


def partner(org: Any, name: str, *, joined: date) -> LayPartner:
    item = LayPartner.objects.create(full_name=name)
    PartnerLink.objects.create(partner=item, organisation=org, joined_on=joined)
    return item


def took_part(act: Activity, who: LayPartner, *, attended: bool | None = True) -> Participation:
    return Participation.objects.create(activity=act, partner=who, attended=attended, hours=2 if attended else None)


def feedback(part: Participation, scores: tuple[int, int, int, int]) -> Feedback:
    return Feedback.objects.create(
        participation=part,
        listened_to=scores[0],
        role_clear=scores[1],
        support_right=scores[2],
        take_part_again=scores[3],
        submitted_at=part.activity.ends_at,
    )


def outcome(
    org: Any,
    *,
    act: Activity | None = None,
    prog: Programme | None = None,
    status: str,
    decided: date,
    shareable: bool = False,
    heard: str = "People said the form was too long",
    did: str = "We cut it to one page",
) -> Outcome:
    made = Outcome.objects.create(
        organisation=org,
        activity=act,
        programme=prog,
        what_we_heard=heard,
        what_we_did=did,
        status=status,
        reason="It is outside what the AHSN can change" if status == "not_taken_forward" else "",
        decided_on=decided,
        shareable=shareable,
    )
    # The first step of its history, as `services.outcome_record` writes it.
    OutcomeStatusChange.objects.create(
        outcome=made, to_status=status, changed_on=decided, note="Recorded.", reason=made.reason
    )
    return made


def outcome_step(made: Outcome, *, status: str, on: date, reason: str = "") -> OutcomeStatusChange:
    """A later step in an outcome's history, with the outcome's status moved as the service does."""
    step = OutcomeStatusChange.objects.create(
        outcome=made, from_status=made.status, to_status=status, changed_on=on, note="Moved on.", reason=reason
    )
    Outcome.objects.filter(pk=made.pk).update(status=status, reason=reason)
    made.refresh_from_db()
    return step


def claim(
    org: Any,
    who: LayPartner,
    *,
    by: Any,
    status: str,
    submitted: datetime | None,
    paid: datetime | None = None,
    lines: list[tuple[str, str, Participation | None]] = (),  # type: ignore[assignment]
) -> Any:
    item = Claim.objects.create(
        reference=f"CL-TEST-{Claim.objects.count() + 1}",
        organisation=org,
        partner=who,
        status=status,
        payment_choice="pay",
        submitted_at=submitted,
        first_submitted_at=submitted,
        paid_at=paid,
        created_by=by,
    )
    for kind, amount, part in lines:
        ClaimLine.objects.create(claim=item, kind=kind, amount=Decimal(amount), participation=part)
    return item
