"""Every write in payments. Each state change: one transaction, the claim row locked, the current
state checked, the change written, the audit log written, the claimant told after commit."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from core import money
from core.audit import log_action
from core.choices import PaymentPreference
from core.errors import DomainError
from core.formatting import date_text, local_date
from core.idempotency import submit_once
from core.money import format_money
from core.notifications import notify
from involvement.models import Participation
from partners.models import LayPartner, PartnerLink
from payments import permissions, selectors
from payments.models import (
    EDITABLE_STATUSES,
    Claim,
    ClaimLine,
    ClaimStatus,
    ExpenseCategory,
    ExpenseRule,
    LineKind,
    PaymentBatch,
    RateCard,
    Receipt,
    _private_storage,
)
from payments.rates import (
    ABSOLUTE_LINE_LIMIT,
    MAX_MILES,
    deadline_for,
    fee_for_hours,
    mileage_amount,
)
from payments.receipts import ReceiptRejected, check_receipt, without_metadata
from payments.retention import receipts_past_retention
from payments.selectors import batch_claims_with_totals, with_claim_facts


class ClaimError(DomainError):
    """A claim, line, receipt, rate card or batch change that cannot be made; the message says why
    and `field` names the form field it is about, when there is one."""


# --- helpers ---------------------------------------------------------------------------------


def _lock(claim: Claim) -> Claim:
    """The claim's row, locked. Only the claim's own row (`of=self`): locking the joined partner
    and organisation rows too would make two services on one AHSN wait on each other, and a
    return racing a payment deadlock."""
    return Claim.objects.select_for_update(of=("self",)).select_related("partner", "organisation").get(pk=claim.pk)


def _on_behalf(claim: Claim, actor: User) -> str:
    return "" if permissions.is_claimant(actor, claim) else claim.partner.reference


def _check_editor(claim: Claim, actor: User) -> None:
    if not permissions.is_claim_editor(actor, claim):
        raise ClaimError("Only the person claiming, or staff supporting them, can change this claim.")


def _check_editable(claim: Claim) -> None:
    if claim.status not in EDITABLE_STATUSES:
        raise ClaimError(f"This claim is {claim.get_status_display().lower()}, so it cannot be changed.")


def _claim_url(claim: Claim) -> str:
    return reverse("payments:claim_detail", args=[claim.pk])


def _tell_claimant(claim: Claim, *, kind: str, title: str, body: str, occurrence: str, essential: bool) -> None:
    notify(
        kind=f"payments.claim_{kind}",
        subject=claim,
        partner=claim.partner,
        organisation=claim.organisation,
        title=title,
        body=body,
        url=_claim_url(claim),
        occurrence=occurrence,
        essential=essential,
    )


def rate_card_in_force(*, organisation_id: int, on: date) -> RateCard | None:
    return (
        RateCard.objects.filter(organisation_id=organisation_id, effective_from__lte=on)
        .prefetch_related("expense_rules")
        .order_by("-effective_from", "-id")
        .first()
    )


def parse_money(value: Any, *, what: str = "The amount", field: str = "amount") -> Decimal:
    """A positive amount in pounds and pence, read exactly as typed (core.money), or a ClaimError
    (about `field`) that says what to type."""
    try:
        amount = money.parse_money(value, what=what)
    except money.AmountError as exc:
        raise ClaimError(str(exc), field=field) from exc
    if amount <= 0:
        raise ClaimError(f"{what} must be more than £0", field=field)
    if amount > ABSOLUTE_LINE_LIMIT:
        raise ClaimError(f"{what} must be {format_money(ABSOLUTE_LINE_LIMIT)} or less", field=field)
    return amount


# --- rate cards ------------------------------------------------------------------------------


def rate_card_create(
    *,
    organisation: Organisation,
    actor: User,
    effective_from: date,
    hourly_rate: Decimal,
    half_day_rate: Decimal,
    half_day_hours: Decimal,
    full_day_rate: Decimal,
    full_day_hours: Decimal,
    mileage_rate_per_mile: Decimal,
    claim_deadline_days: int,
    rules: Iterable[dict[str, Any]],
) -> RateCard:
    """A lead sets new rates from a date. Old cards stay; existing lines keep the rate they used."""
    if not permissions.can_edit_rates(actor, organisation.pk):
        raise ClaimError("Only involvement leads can change rates.")
    if full_day_hours <= half_day_hours:
        raise ClaimError("A full day must be more hours than a half day", field="full_day_hours")
    if full_day_rate < half_day_rate:
        raise ClaimError("The full-day rate must be at least the half-day rate", field="full_day_rate")
    with transaction.atomic():
        if RateCard.objects.filter(organisation=organisation, effective_from=effective_from).exists():
            raise ClaimError(
                "There are already rates that take effect on that date. Choose another date.", field="effective_from"
            )
        card = RateCard.objects.create(
            organisation=organisation,
            effective_from=effective_from,
            hourly_rate=hourly_rate,
            half_day_rate=half_day_rate,
            half_day_hours=half_day_hours,
            full_day_rate=full_day_rate,
            full_day_hours=full_day_hours,
            mileage_rate_per_mile=mileage_rate_per_mile,
            claim_deadline_days=claim_deadline_days,
            created_by=actor,
        )
        for rule in rules:
            ExpenseRule.objects.create(rate_card=card, **rule)
        log_action(
            actor=actor,
            action="payments.ratecard.created",
            target=card,
            organisation=organisation,
            data={
                "effective_from": effective_from.isoformat(),
                "hourly_rate": str(hourly_rate),
                "half_day_rate": str(half_day_rate),
                "full_day_rate": str(full_day_rate),
                "mileage_rate_per_mile": str(mileage_rate_per_mile),
                "claim_deadline_days": claim_deadline_days,
            },
        )
    return card


# --- claims ----------------------------------------------------------------------------------


def claim_start(*, partner: LayPartner, organisation: Organisation, actor: User) -> Claim:
    """Start a draft claim with one AHSN. Staff may start one for an assisted-digital partner."""
    on_behalf = not permissions.is_partner_themselves(actor, partner)
    if on_behalf:
        if not partner.is_assisted_digital:
            raise ClaimError("Staff can only prepare claims for partners who are supported by staff.")
        if not permissions.can_prepare_claims(actor, organisation.pk):
            raise ClaimError("You can only prepare claims for your own AHSN.")
    if (
        not PartnerLink.objects.filter(partner=partner, organisation=organisation)
        .exclude(status=PartnerLink.Status.LEFT)
        .exists()
    ):
        raise ClaimError(f"{partner.display_name} is not working with {organisation.name}.")
    with transaction.atomic():
        claim = Claim.objects.create(
            organisation=organisation,
            partner=partner,
            payment_choice=partner.payment_preference,
            created_by=actor,
            prepared_on_behalf=on_behalf,
        )
        claim.reference = f"CLM-{claim.pk:06d}"
        claim.save(update_fields=["reference"])
        log_action(
            actor=actor,
            action="payments.claim.started",
            target=claim,
            organisation=organisation,
            data={"payment_choice": claim.payment_choice, "prepared_on_behalf": on_behalf},
            on_behalf_of=partner.reference if on_behalf else "",
        )
    return claim


def _activity_date(participation: Any) -> date:
    activity = participation.activity
    return local_date(activity.ends_at or activity.starts_at)


def _fee_refusal(participation: Any) -> str:
    """Why this participation's involvement payment cannot be claimed, for the person claiming."""

    title = participation.activity.title
    blocker = selectors.claim_blocker(participation)
    if blocker == selectors.BLOCKED_CLAIMED:
        return f"{title} has already been claimed for."
    if blocker == selectors.BLOCKED_DEADLINE_PASSED:
        return (
            f"The last day to claim for {title} was {date_text(participation.last_day)}. "
            "Ask your involvement lead if you think you should still be paid."
        )
    if blocker == selectors.BLOCKED_NO_RATES:
        return "There are no payment rates for the date of this activity. Ask your involvement lead."
    if blocker in (selectors.BLOCKED_NO_HOURS, selectors.BLOCKED_NOT_RECORDED):
        return "The hours for this activity have not been recorded yet. Ask your involvement lead."
    return "You cannot claim an involvement payment for that activity."


def claim_add_fee_line(*, claim: Claim, participation: Any, actor: User, today: date | None = None) -> ClaimLine:
    """An involvement payment for one participation, worked out from the rate card in force then.

    Whether it can be claimed is `payments.selectors.with_claim_facts`' answer, the one the claim
    page, the counts and the reminders use."""

    today = today or timezone.localdate()
    with transaction.atomic():
        claim = _lock(claim)
        _check_editor(claim, actor)
        _check_editable(claim)
        if not claim.carries_fees:
            if claim.payment_choice == PaymentPreference.DECLINE:
                raise ClaimError(
                    "You told us you do not want to be paid for your time, so this claim is for expenses only."
                )
            raise ClaimError("You chose expenses only, so this claim cannot include an involvement payment.")
        participation = (
            with_claim_facts(
                Participation.objects.filter(
                    pk=participation.pk, partner_id=claim.partner_id, activity__organisation_id=claim.organisation_id
                ),
                today=today,
            )
            .select_related("activity", "partner")
            .first()
        )
        if participation is None:
            raise ClaimError("You cannot claim an involvement payment for that activity.", field="participation")
        if not participation.can_claim:
            raise ClaimError(_fee_refusal(participation), field="participation")
        activity_day = local_date(participation.activity.starts_at)
        card = rate_card_in_force(organisation_id=claim.organisation_id, on=activity_day)
        if card is None:  # rates removed since the check above
            raise ClaimError(_fee_refusal(participation), field="participation")
        worked = fee_for_hours(
            hours=Decimal(participation.hours or 0),
            hourly_rate=card.hourly_rate,
            half_day_rate=card.half_day_rate,
            half_day_hours=card.half_day_hours,
            full_day_rate=card.full_day_rate,
            full_day_hours=card.full_day_hours,
        )
        try:
            with transaction.atomic():
                line = ClaimLine.objects.create(
                    claim=claim,
                    kind=LineKind.FEE,
                    participation=participation,
                    description=participation.activity.title,
                    amount=worked.amount,
                    rate_card=card,
                    rate_used=worked.rate_used,
                    rule_used=worked.rule_used,
                )
        except IntegrityError as exc:
            raise ClaimError(
                f"{participation.activity.title} has already been claimed for.", field="participation"
            ) from exc
        _line_logged(claim, line, actor, "added")
    return line


def _line_logged(claim: Claim, line: ClaimLine, actor: User, verb: str) -> None:
    log_action(
        actor=actor,
        action=f"payments.claimline.{verb}",
        target=claim,
        organisation=claim.organisation,
        data={"line": line.pk, "kind": line.kind, "amount": str(line.amount), "rule": line.rule_used},
        on_behalf_of=_on_behalf(claim, actor),
    )


@dataclass(frozen=True)
class _WorkedExpense:
    card: RateCard
    miles: Decimal | None
    amount: Decimal
    rate_used: Decimal | None
    rule_used: str


def _check_expense_answers(*, category: str, expense_date: date, description: str, reason: str, today: date) -> None:
    """The checks that need no database: the kind, the reasons asked for, the date."""
    if category not in ExpenseCategory.values:
        raise ClaimError("Choose what kind of expense this is", field="category")
    if category == ExpenseCategory.TAXI and not reason:
        raise ClaimError("Tell us why you needed a taxi", field="reason")
    if category == ExpenseCategory.OTHER and not description:
        raise ClaimError("Tell us what the expense was for", field="description")
    if expense_date > today:
        raise ClaimError("The date of the expense must be today or in the past", field="expense_date")


def _work_out_expense(
    *,
    claim: Claim,
    category: str,
    expense_date: date,
    amount: Decimal | str | None,
    miles: Decimal | str | None,
    today: date,
    check_deadline: bool,
) -> _WorkedExpense:
    """The rate card for the day, the deadline, and the amount (worked out from miles for mileage,
    typed and checked against the category's cap otherwise). Called with the claim locked."""
    card = rate_card_in_force(organisation_id=claim.organisation_id, on=expense_date)
    if card is None:
        raise ClaimError("There are no payment rates for that date. Ask your involvement lead.", field="expense_date")
    if check_deadline:
        last_day = deadline_for(activity_date=expense_date, deadline_days=card.claim_deadline_days)
        if today > last_day:
            raise ClaimError(
                f"The last day to claim for an expense on {date_text(expense_date)} was {date_text(last_day)}. "
                "Ask your involvement lead if you think you should still be paid.",
                field="expense_date",
            )
    miles_value: Decimal | None = None
    if category == ExpenseCategory.MILEAGE:
        try:
            miles_value = money.parse_miles(miles) if miles not in (None, "") else None
        except money.AmountError as exc:
            raise ClaimError(str(exc), field="miles") from exc
        if miles_value is None or not miles_value.is_finite() or miles_value <= 0:
            raise ClaimError("Enter how many miles you drove, more than 0", field="miles")
        if miles_value > MAX_MILES:
            raise ClaimError(f"Miles must be {MAX_MILES} or fewer for one journey", field="miles")
        if miles_value.as_tuple().exponent < -1:  # type: ignore[operator]
            raise ClaimError("Miles can have no more than 1 number after the point", field="miles")
        worked = mileage_amount(miles=miles_value, rate_per_mile=card.mileage_rate_per_mile)
        value, rate_used, rule_used = worked.amount, worked.rate_used, worked.rule_used
    else:
        value = parse_money(amount)
        rate_used, rule_used = None, "Amount spent"
    rule = card.rule_for(category)
    if rule is not None and rule.cap is not None and value > rule.cap:
        raise ClaimError(
            f"{ExpenseCategory(category).label} can be up to {format_money(rule.cap)} on one line. "
            "Ask your involvement lead before claiming more.",
            field="miles" if category == ExpenseCategory.MILEAGE else "amount",
        )
    return _WorkedExpense(card=card, miles=miles_value, amount=value, rate_used=rate_used, rule_used=rule_used)


def claim_add_expense_line(
    *,
    claim: Claim,
    actor: User,
    category: str,
    expense_date: date,
    amount: Decimal | str | None = None,
    miles: Decimal | str | None = None,
    description: str = "",
    reason: str = "",
    today: date | None = None,
    submission_token: str = "",
) -> ClaimLine:
    """An expense. Mileage is worked out from the miles; every other amount is typed and checked.
    The same form sent twice adds it once (`submission_token`, core.idempotency)."""
    today = today or timezone.localdate()
    description = description.strip()
    reason = reason.strip()
    _check_expense_answers(
        category=category, expense_date=expense_date, description=description, reason=reason, today=today
    )
    with transaction.atomic():
        claim = _lock(claim)
        once = submit_once(token=submission_token, actor=actor)
        _check_editor(claim, actor)
        _check_editable(claim)
        worked = _work_out_expense(
            claim=claim,
            category=category,
            expense_date=expense_date,
            amount=amount,
            miles=miles,
            today=today,
            check_deadline=True,
        )
        line = ClaimLine.objects.create(
            claim=claim,
            kind=category,
            description=description,
            reason=reason,
            miles=worked.miles,
            expense_date=expense_date,
            amount=worked.amount,
            rate_card=worked.card,
            rate_used=worked.rate_used,
            rule_used=worked.rule_used,
        )
        once.made(line)
        _line_logged(claim, line, actor, "added")
    return line


def claim_change_expense_line(
    *,
    line: ClaimLine,
    actor: User,
    expense_date: date,
    amount: Decimal | str | None = None,
    miles: Decimal | str | None = None,
    description: str = "",
    reason: str = "",
    new_receipt: UploadedFile | None = None,
    today: date | None = None,
) -> ClaimLine:
    """Change an expense on a draft or returned claim in place. Its receipts stay with it unless
    `new_receipt` is given, which replaces them. The kind of expense stays (remove the line and
    add another to change it).

    A returned claim was sent in time, so its deadline is checked again only if the date changes."""
    today = today or timezone.localdate()
    description = description.strip()
    reason = reason.strip()
    if new_receipt is not None:
        try:
            check_receipt(new_receipt)
        except ReceiptRejected as exc:
            raise ClaimError(str(exc), field="receipt") from exc
    with transaction.atomic():
        claim = _lock(line.claim)
        _check_editor(claim, actor)
        _check_editable(claim)
        line = ClaimLine.objects.select_for_update().get(pk=line.pk, claim=claim)
        if line.is_fee:
            raise ClaimError(
                "An involvement payment is worked out from your hours, so it cannot be changed here. "
                "Remove it if it should not be in this claim."
            )
        _check_expense_answers(
            category=line.kind, expense_date=expense_date, description=description, reason=reason, today=today
        )
        worked = _work_out_expense(
            claim=claim,
            category=line.kind,
            expense_date=expense_date,
            amount=amount,
            miles=miles,
            today=today,
            check_deadline=claim.status == ClaimStatus.DRAFT or expense_date != line.expense_date,
        )
        was = {"amount": str(line.amount), "expense_date": line.expense_date.isoformat() if line.expense_date else ""}
        line.description = description
        line.reason = reason
        line.miles = worked.miles
        line.expense_date = expense_date
        line.amount = worked.amount
        line.rate_card = worked.card
        line.rate_used = worked.rate_used
        line.rule_used = worked.rule_used
        line.save(
            update_fields=[
                "description",
                "reason",
                "miles",
                "expense_date",
                "amount",
                "rate_card",
                "rate_used",
                "rule_used",
            ]
        )
        replaced: list[str] = []
        if new_receipt is not None:
            old = list(line.receipts.all())
            line.claim = claim
            receipt_add(line=line, uploaded=new_receipt, actor=actor)
            replaced = [r.file.name for r in old if r.file.name]
            Receipt.objects.filter(pk__in=[r.pk for r in old]).delete()
            transaction.on_commit(lambda: _delete_files(replaced))
        log_action(
            actor=actor,
            action="payments.claimline.changed",
            target=claim,
            organisation=claim.organisation,
            data={
                "line": line.pk,
                "kind": line.kind,
                "was": was,
                "amount": str(line.amount),
                "expense_date": expense_date.isoformat(),
                "rule": line.rule_used,
                "receipt_replaced": new_receipt is not None,
            },
            on_behalf_of=_on_behalf(claim, actor),
        )
    return line


def claim_remove_line(*, line: ClaimLine, actor: User) -> None:
    with transaction.atomic():
        claim = _lock(line.claim)
        _check_editor(claim, actor)
        _check_editable(claim)
        line = ClaimLine.objects.get(pk=line.pk, claim=claim)
        _line_logged(claim, line, actor, "removed")
        names = [r.file.name for r in line.receipts.all() if r.file.name]
        transaction.on_commit(lambda: _delete_files(names))
        line.delete()


def _delete_files(names: list[str]) -> None:
    storage = _private_storage()
    for name in names:
        storage.delete(name)


def receipt_add(*, line: ClaimLine, uploaded: UploadedFile, actor: User) -> Receipt:
    """Attach a receipt (PDF, JPEG or PNG, checked by content and size) to a line. Photos are
    stored without their EXIF data (where and when they were taken)."""
    try:
        content, checked = without_metadata(uploaded, check_receipt(uploaded))
    except ReceiptRejected as exc:
        raise ClaimError(str(exc)) from exc
    with transaction.atomic():
        claim = _lock(line.claim)
        _check_editor(claim, actor)
        _check_editable(claim)
        receipt = Receipt(
            line=line,
            original_name=(uploaded.name or "receipt")[:200],
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        receipt.file.save(f"receipt.{checked.extension}", content, save=False)
        stored_name, storage = receipt.file.name, receipt.file.storage
        try:
            receipt.save()
            log_action(
                actor=actor,
                action="payments.receipt.added",
                target=claim,
                organisation=claim.organisation,
                data={
                    "line": line.pk,
                    "receipt": receipt.pk,
                    "content_type": checked.content_type,
                    "size": checked.size,
                },
                on_behalf_of=_on_behalf(claim, actor),
            )
        except Exception:
            if stored_name:
                storage.delete(stored_name)
            raise
    return receipt


def receipt_files_delete_expired(*, today: date | None = None, limit: int = 5000) -> int:
    """Delete the files of receipts kept as long as the financial record needs them
    (`payments.retention`). One receipt per transaction, each audited; the receipt row keeps its
    name and date and loses only its file, so running this again deletes nothing more."""

    deleted = 0
    for pk in list(receipts_past_retention(today=today).values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            receipt = (
                receipts_past_retention(today=today)
                .select_for_update(of=("self",), skip_locked=True)
                .select_related("line__claim__organisation")
                .filter(pk=pk)
                .first()
            )
            if receipt is None:  # deleted meanwhile, or another run has it
                continue
            claim = receipt.line.claim
            # Storage first: if the commit then fails, the next run finds the row again and
            # deleting a file that has already gone does nothing.
            receipt.file.storage.delete(receipt.file.name or "")
            Receipt.objects.filter(pk=receipt.pk).update(file="")
            log_action(
                actor=None,
                action="payments.receipt.file_deleted",
                target=claim,
                organisation=claim.organisation,
                data={"receipt": receipt.pk, "line": receipt.line_id, "reason": "retention period over"},
            )
            deleted += 1
    return deleted


def claims_partner_left(*, partner: LayPartner, organisation_ids: list[int] | None, actor: User) -> dict[str, int]:
    """A lay partner has left an AHSN (`organisation_ids`) or the portal (None): withdraw their
    claims still with them (draft or returned: they can no longer send them) and clear the free
    text they wrote on their expense lines (what it was for, why a taxi). The amounts, categories,
    dates and mileage finance must keep for six years stay. Runs inside the leaving transaction;
    the receipts of withdrawn drafts go at the next retention run (`payments.retention`)."""
    claims = Claim.objects.filter(partner=partner)
    if organisation_ids is not None:
        claims = claims.filter(organisation_id__in=organisation_ids)
    withdrawn = list(
        claims.filter(status__in=EDITABLE_STATUSES).select_for_update(of=("self",)).select_related("organisation")
    )
    for claim in withdrawn:
        claim.status = ClaimStatus.WITHDRAWN
        claim.save(update_fields=["status", "updated_at"])
        log_action(
            actor=actor,
            action="payments.claim.withdrawn",
            target=claim,
            organisation=claim.organisation,
            data={"reason": "the lay partner left"},
            on_behalf_of=_on_behalf(claim, actor),
        )
    ClaimLine.objects.filter(claim__in=[c.pk for c in withdrawn]).update(participation_locked=False)
    cleared = (
        ClaimLine.objects.filter(claim__in=claims).exclude(description="", reason="").update(description="", reason="")
    )
    return {"claims_withdrawn": len(withdrawn), "lines_cleared": cleared}


def missing_receipts(claim: Claim) -> list[ClaimLine]:
    """Lines whose rate card rule needs a receipt that has not been uploaded."""
    lines = claim.lines.select_related("rate_card").prefetch_related("receipts", "rate_card__expense_rules")
    missing = []
    for line in lines:
        if line.is_fee or line.rate_card is None:
            continue
        rule = line.rate_card.rule_for(line.kind)
        if rule is not None and rule.needs_receipt(line.amount) and not line.receipts.all():
            missing.append(line)
    return missing


def _check_ready_to_submit(claim: Claim, *, declaration: bool) -> None:
    if not declaration:
        raise ClaimError("Confirm that the information you have given is correct", field="confirm")
    if not claim.lines.exists():
        raise ClaimError("Add at least one payment or expense before you send the claim")
    missing = missing_receipts(claim)
    if missing:
        names = ", ".join(line.get_kind_display().lower() for line in missing)
        raise ClaimError(f"Add a receipt for: {names}")


def _check_lines_in_time(claim: Claim, *, today: date) -> None:
    """Every line must still be inside its claim deadline when a draft is first sent.

    A line added in time can fall outside the deadline while the draft waits, so the check is made
    again here. (A returned claim is not checked again: it was sent in time.)"""
    for line in claim.lines.select_related("participation__activity", "rate_card"):
        if line.rate_card is None:
            continue
        if line.is_fee and line.participation is not None:
            happened, what = _activity_date(line.participation), line.description
        elif line.expense_date is not None:
            happened = line.expense_date
            what = f"the {line.get_kind_display().lower()} on {date_text(happened)}"
        else:
            continue
        last_day = deadline_for(activity_date=happened, deadline_days=line.rate_card.claim_deadline_days)
        if today > last_day:
            raise ClaimError(
                f"The last day to claim for {what} was {date_text(last_day)}. Remove it, or ask your involvement lead."
            )


def claim_submit(*, claim: Claim, actor: User, declaration: bool, today: date | None = None) -> Claim:
    """Send a draft claim for approval (after "check your answers" and the declaration)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        claim = _lock(claim)
        _check_editor(claim, actor)
        if claim.status != ClaimStatus.DRAFT:
            raise ClaimError(f"This claim is {claim.get_status_display().lower()}, so it cannot be sent again.")
        _check_ready_to_submit(claim, declaration=declaration)
        _check_lines_in_time(claim, today=today)
        now = timezone.now()
        claim.status = ClaimStatus.SUBMITTED
        claim.declaration_accepted_at = now
        claim.submitted_at = now
        claim.first_submitted_at = now
        claim.save(
            update_fields=["status", "declaration_accepted_at", "submitted_at", "first_submitted_at", "updated_at"]
        )
        total = claim_total(claim)
        log_action(
            actor=actor,
            action="payments.claim.submitted",
            target=claim,
            organisation=claim.organisation,
            data={"total": str(total)},
            on_behalf_of=_on_behalf(claim, actor),
        )
        _tell_claimant(
            claim,
            kind="submitted",
            title=f"We have your claim {claim.reference}",
            body=(
                f"Your claim {claim.reference} for {format_money(total)} has been sent to "
                f"{claim.organisation.name}. An involvement lead will check it. We will tell you when it is approved."
            ),
            occurrence="submit-1",
            essential=False,
        )
    return claim


def claim_resubmit(*, claim: Claim, actor: User, declaration: bool) -> Claim:
    """Send a returned claim back after the changes were made. Clears the approver's line queries."""
    with transaction.atomic():
        claim = _lock(claim)
        _check_editor(claim, actor)
        if claim.status != ClaimStatus.RETURNED:
            raise ClaimError(f"This claim is {claim.get_status_display().lower()}, so it cannot be sent again.")
        _check_ready_to_submit(claim, declaration=declaration)
        now = timezone.now()
        claim.status = ClaimStatus.SUBMITTED
        claim.declaration_accepted_at = now
        claim.submitted_at = now
        claim.save(update_fields=["status", "declaration_accepted_at", "submitted_at", "updated_at"])
        claim.lines.exclude(query_note="").update(query_note="")
        total = claim_total(claim)
        log_action(
            actor=actor,
            action="payments.claim.resubmitted",
            target=claim,
            organisation=claim.organisation,
            data={"total": str(total), "times_returned": claim.times_returned},
            on_behalf_of=_on_behalf(claim, actor),
        )
        _tell_claimant(
            claim,
            kind="submitted",
            title=f"We have your changed claim {claim.reference}",
            body=f"Your changed claim {claim.reference} for {format_money(total)} has been sent for approval again.",
            occurrence=f"submit-{claim.times_returned + 1}",
            essential=False,
        )
    return claim


def _check_approver(claim: Claim, actor: User) -> None:
    if not permissions.can_approve_at(actor, claim.organisation_id):
        raise ClaimError(f"Only involvement leads at {claim.organisation.short_name} can do this.")
    if not permissions.can_decide_claim(actor, claim):
        raise ClaimError("You cannot approve or return a claim you made or prepared. Ask another involvement lead.")


def _check_reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ClaimError(f"Tell the claimant why the claim is being {what}", field="reason")
    return reason


def claim_return(*, claim: Claim, actor: User, reason: str) -> Claim:
    """Send a submitted (or approved but unpaid) claim back to the claimant to change."""
    reason = _check_reason(reason, "returned")
    with transaction.atomic():
        claim = _lock(claim)
        _check_approver(claim, actor)
        if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.APPROVED):
            raise ClaimError(f"This claim is {claim.get_status_display().lower()}, so it cannot be returned.")
        was = claim.status
        claim.status = ClaimStatus.RETURNED
        claim.return_reason = reason
        claim.times_returned += 1
        claim.approved_at = None
        claim.approved_by = None
        claim.batch = None
        claim.save(
            update_fields=[
                "status",
                "return_reason",
                "times_returned",
                "approved_at",
                "approved_by",
                "batch",
                "updated_at",
            ]
        )
        log_action(
            actor=actor,
            action="payments.claim.returned",
            target=claim,
            organisation=claim.organisation,
            data={"reason": reason, "from": was},
        )
        _tell_claimant(
            claim,
            kind="returned",
            title=f"Your claim {claim.reference} needs a change",
            body=(
                f"{claim.organisation.name} has sent your claim {claim.reference} back to you. "
                f"They said: {reason}\n\nPlease make the change and send the claim again."
            ),
            occurrence=f"return-{claim.times_returned}",
            essential=True,
        )
    return claim


def claim_reject(*, claim: Claim, actor: User, reason: str) -> Claim:
    reason = _check_reason(reason, "rejected")
    with transaction.atomic():
        claim = _lock(claim)
        _check_approver(claim, actor)
        if claim.status != ClaimStatus.SUBMITTED:
            raise ClaimError(f"This claim is {claim.get_status_display().lower()}, so it cannot be rejected.")
        claim.status = ClaimStatus.REJECTED
        claim.rejection_reason = reason
        claim.save(update_fields=["status", "rejection_reason", "updated_at"])
        claim.lines.update(participation_locked=False)
        log_action(
            actor=actor,
            action="payments.claim.rejected",
            target=claim,
            organisation=claim.organisation,
            data={"reason": reason},
        )
        _tell_claimant(
            claim,
            kind="rejected",
            title=f"Your claim {claim.reference} was not approved",
            body=(
                f"{claim.organisation.name} could not approve your claim {claim.reference}. "
                f"They said: {reason}\n\nIf you have questions, contact your involvement lead."
            ),
            occurrence="reject",
            essential=True,
        )
    return claim


def claim_withdraw(*, claim: Claim, actor: User) -> Claim:
    """The claimant (or staff supporting them) withdraws a draft or returned claim."""
    with transaction.atomic():
        claim = _lock(claim)
        _check_editor(claim, actor)
        if claim.status not in EDITABLE_STATUSES:
            raise ClaimError(f"This claim is {claim.get_status_display().lower()}, so it cannot be withdrawn.")
        claim.status = ClaimStatus.WITHDRAWN
        claim.save(update_fields=["status", "updated_at"])
        claim.lines.update(participation_locked=False)
        log_action(
            actor=actor,
            action="payments.claim.withdrawn",
            target=claim,
            organisation=claim.organisation,
            on_behalf_of=_on_behalf(claim, actor),
        )
    return claim


def claim_approve(*, claim: Claim, actor: User) -> Claim:
    with transaction.atomic():
        claim = _lock(claim)
        _check_approver(claim, actor)
        if claim.status != ClaimStatus.SUBMITTED:
            raise ClaimError(
                f"This claim is already {claim.get_status_display().lower()}"
                + (f" by {claim.approved_by}" if claim.approved_by_id else "")
                + ", so it cannot be approved now."
            )
        claim.status = ClaimStatus.APPROVED
        claim.approved_at = timezone.now()
        claim.approved_by = actor
        claim.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
        total = claim_total(claim)
        log_action(
            actor=actor,
            action="payments.claim.approved",
            target=claim,
            organisation=claim.organisation,
            data={"total": str(total)},
        )
        _tell_claimant(
            claim,
            kind="approved",
            title=f"Your claim {claim.reference} is approved",
            body=(
                f"Your claim {claim.reference} for {format_money(total)} has been approved. "
                "Our finance team will pay it in their next payment run."
            ),
            occurrence=f"approve-{claim.times_returned}",
            essential=False,
        )
    return claim


def line_query(*, line: ClaimLine, actor: User, note: str) -> ClaimLine:
    """The approver asks about one line. The claim stays with them; the claimant is told."""
    note = note.strip()
    if not note:
        raise ClaimError("Enter your question about this line", field="note")
    with transaction.atomic():
        claim = _lock(line.claim)
        _check_approver(claim, actor)
        if claim.status != ClaimStatus.SUBMITTED:
            raise ClaimError("You can only ask about a line on a claim waiting for approval.")
        line = ClaimLine.objects.get(pk=line.pk, claim=claim)
        line.query_note = note
        line.save(update_fields=["query_note"])
        log_action(
            actor=actor,
            action="payments.claimline.queried",
            target=claim,
            organisation=claim.organisation,
            data={"line": line.pk, "note": note},
        )
        _tell_claimant(
            claim,
            kind="queried",
            title=f"A question about your claim {claim.reference}",
            body=f"{claim.organisation.name} has a question about the {line.get_kind_display().lower()} on your claim: {note}",
            occurrence=f"query-{line.pk}-{timezone.now().isoformat()}",
            essential=False,
        )
    return line


def claim_total(claim: Claim) -> Decimal:
    return claim.lines.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


# --- payment batches -------------------------------------------------------------------------


def batch_create(*, organisation: Organisation, actor: User, claim_ids: Iterable[int] | None = None) -> PaymentBatch:
    """Finance gathers the approved, unbatched claims they chose at their AHSN into a batch
    (`claim_ids`; None takes every one waiting, as the demo data does).

    If a chosen claim has been returned, paid or put in another batch since the page was shown,
    nothing is made and the message says which claim."""
    if not permissions.can_pay(actor, organisation.pk):
        raise ClaimError(f"Only finance officers at {organisation.short_name} can make a payment batch.")
    chosen = None if claim_ids is None else set(claim_ids)
    if chosen is not None and not chosen:
        raise ClaimError("Select at least one claim to put in the payment batch", field="claims")
    with transaction.atomic():
        waiting = Claim.objects.select_for_update().filter(
            organisation=organisation, status=ClaimStatus.APPROVED, batch__isnull=True
        )
        if chosen is not None:
            waiting = waiting.filter(pk__in=chosen)
        claims = list(waiting.order_by("approved_at", "pk"))
        if not claims and chosen is None:
            raise ClaimError("There are no approved claims waiting to be paid.")
        gone = (chosen or set()) - {c.pk for c in claims}
        if gone:
            refs = ", ".join(
                sorted(Claim.objects.filter(pk__in=gone, organisation=organisation).values_list("reference", flat=True))
            )
            raise ClaimError(
                f"{refs or 'A claim you chose'} is no longer waiting to be paid (it was returned, paid or put in "
                "another batch). No batch has been made. Choose again.",
                field="claims",
            )
        approved_by_actor = [c.reference for c in claims if c.approved_by_id == actor.pk]
        if approved_by_actor:
            raise ClaimError(
                f"You approved {', '.join(approved_by_actor)}, so someone else in finance must pay it. "
                "Leave it out of your batch.",
                field="claims",
            )
        batch = PaymentBatch.objects.create(organisation=organisation, created_by=actor)
        batch.reference = f"PAY-{batch.pk:06d}"
        batch.save(update_fields=["reference"])
        Claim.objects.filter(pk__in=[c.pk for c in claims]).update(batch=batch, updated_at=timezone.now())
        log_action(
            actor=actor,
            action="payments.batch.created",
            target=batch,
            organisation=organisation,
            data={"claims": [c.reference for c in claims]},
        )
    return batch


CSV_HEADER = [
    "batch_reference",
    "claim_reference",
    "payee_reference",
    "payment_method",
    "fees",
    "expenses",
    "total",
    "approved_on",
]


def batch_export_csv(*, batch: PaymentBatch, actor: User) -> str:
    """The batch as CSV for the finance system: one row per claim, fees and expenses apart."""

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for claim in batch_claims_with_totals(batch):
        writer.writerow(
            [
                batch.reference,
                claim.reference,
                claim.partner.reference,
                "voucher" if claim.payment_choice == PaymentPreference.VOUCHERS else "bank",
                f"{claim.fees_total:.2f}",
                f"{claim.expenses_total:.2f}",
                f"{claim.fees_total + claim.expenses_total:.2f}",
                timezone.localtime(claim.approved_at).date().isoformat() if claim.approved_at else "",
            ]
        )
    log_action(actor=actor, action="payments.batch.exported", target=batch, organisation=batch.organisation)
    return out.getvalue()


def batch_mark_paid(
    *, batch: PaymentBatch, actor: User, expected_claim_ids: Iterable[int] | None = None
) -> tuple[PaymentBatch, bool]:
    """Mark a batch and its claims paid. Returns (batch, changed); a second call changes nothing.

    `expected_claim_ids` are the claims finance saw on the page: if the batch has changed since
    (a claim returned to its claimant), nothing is paid and the message says which claim."""
    if not permissions.can_pay(actor, batch.organisation_id):
        raise ClaimError("Only finance officers can mark a batch paid.")
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=batch.pk)
        if batch.paid_at is not None:
            return batch, False
        claims = list(
            Claim.objects.select_for_update(of=("self",)).filter(batch=batch).select_related("partner", "organisation")
        )
        if expected_claim_ids is not None:
            expected = set(expected_claim_ids)
            gone = expected - {c.pk for c in claims}
            if gone:
                refs = ", ".join(sorted(Claim.objects.filter(pk__in=gone).values_list("reference", flat=True)))
                raise ClaimError(
                    f"{refs} was returned to the claimant after this batch was made, so it has been taken out "
                    "of the batch. Nothing has been marked paid. Check the batch and try again."
                )
        not_approved = [c for c in claims if c.status != ClaimStatus.APPROVED]
        if not_approved:
            refs = ", ".join(c.reference for c in not_approved)
            raise ClaimError(
                f"{refs} is no longer approved, so the batch cannot be paid. Nothing has been marked paid."
            )
        if not claims:
            raise ClaimError("This batch has no claims left in it, so there is nothing to pay.")
        approved_by_actor = [c.reference for c in claims if c.approved_by_id == actor.pk]
        if approved_by_actor:
            raise ClaimError(
                f"You approved {', '.join(approved_by_actor)}, so someone else in finance must mark this batch "
                "paid. Nothing has been marked paid."
            )
        now = timezone.now()
        batch.paid_at = now
        batch.paid_by = actor
        batch.save(update_fields=["paid_at", "paid_by"])
        Claim.objects.filter(pk__in=[c.pk for c in claims]).update(status=ClaimStatus.PAID, paid_at=now, updated_at=now)
        log_action(
            actor=actor,
            action="payments.batch.paid",
            target=batch,
            organisation=batch.organisation,
            data={"claims": [c.reference for c in claims]},
        )
        for claim in claims:
            claim.status = ClaimStatus.PAID
            claim.paid_at = now
            total = claim_total(claim)
            log_action(
                actor=actor,
                action="payments.claim.paid",
                target=claim,
                organisation=claim.organisation,
                data={"batch": batch.reference, "total": str(total)},
            )
            _tell_claimant(
                claim,
                kind="paid",
                title=f"Your claim {claim.reference} has been paid",
                body=(
                    f"We have paid your claim {claim.reference} for {format_money(total)} on "
                    f"{date_text(now)}. It can take up to 3 working days to reach you."
                ),
                occurrence="paid",
                essential=True,
            )
    return batch, True
