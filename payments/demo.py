"""Demo claims in every state, with small real receipt files, for Wessex and Yorkshire & Humber.

Runs after the partners and involvement demos and uses their lay partners and participations.
Idempotent: an AHSN that already has claims gets nothing new. Default rate cards come from the
data migration, so they exist already."""

from __future__ import annotations

import struct
import zlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Organisation, User
from core.choices import PaymentPreference
from core.formatting import UK_TIME
from involvement.models import Participation
from partners.models import LayPartner
from payments import services
from payments.models import Claim, ClaimLine


def tiny_png() -> bytes:
    """A real 1x1 white PNG, as a stand-in for a photo of a receipt."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def tiny_pdf() -> bytes:
    """A minimal valid one-page PDF saying 'Receipt'."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 18 Tf 20 50 Td (Receipt) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + (body or b"") + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _receipt(line: ClaimLine, actor: Any, kind: str) -> None:
    if kind == "pdf":
        upload = SimpleUploadedFile("taxi-receipt.pdf", tiny_pdf(), content_type="application/pdf")
    else:
        upload = SimpleUploadedFile("IMG_0042.png", tiny_png(), content_type="image/png")
    services.receipt_add(line=line, uploaded=upload, actor=actor)


def _claimable(organisation: Organisation) -> list[Any]:
    live = ClaimLine.objects.filter(participation=OuterRef("pk"), participation_locked=True)
    return list(
        Participation.objects.claimable()
        .filter(activity__organisation=organisation, partner__user__isnull=False, partner__left_at__isnull=True)
        .exclude(Exists(live))
        .select_related("activity", "partner__user")
        .order_by("activity__starts_at", "pk")
    )


def _build(organisation: Organisation, participation: Any, *, with_taxi: bool = False) -> tuple[Claim, date]:
    """A claim on one participation, made as if a few days after the activity."""
    partner = participation.partner
    day = timezone.localtime(participation.activity.ends_at).date()
    claimed_on = day + timedelta(days=3)
    actor = partner.user
    claim = services.claim_start(partner=partner, organisation=organisation, actor=actor)
    if partner.payment_preference not in (PaymentPreference.EXPENSES_ONLY, PaymentPreference.DECLINE):
        services.claim_add_fee_line(claim=claim, participation=participation, actor=actor, today=claimed_on)
    services.claim_add_expense_line(
        claim=claim,
        actor=actor,
        category="mileage",
        miles=Decimal("18.4") + Decimal(participation.pk % 20),
        expense_date=day,
        today=claimed_on,
        description="From home to the venue and back",
    )
    parking = services.claim_add_expense_line(
        claim=claim, actor=actor, category="parking", amount="6.50", expense_date=day, today=claimed_on
    )
    _receipt(parking, actor, "png")
    if with_taxi:
        taxi = services.claim_add_expense_line(
            claim=claim,
            actor=actor,
            category="taxi",
            amount="14.20",
            reason="The last bus had gone when the session finished",
            expense_date=day,
            today=claimed_on,
        )
        _receipt(taxi, actor, "pdf")
    return claim, claimed_on


def _claimant(claim: Claim) -> User:
    """The demo's partners all sign in: the claimant sends their own claim."""
    user = claim.partner.user
    assert user is not None, "a demo partner has an account"
    return user


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UK_TIME)


def _seed_organisation(out: Any, organisation: Organisation, lead: Any, finance: Any, staff: Any) -> int:
    if Claim.objects.filter(organisation=organisation).exists():
        return 0
    participations = _claimable(organisation)
    if len(participations) < 7:
        out.write(f"Demo claims at {organisation.short_name}: skipped (not enough claimable participation)")
        return 0
    made = 0
    paid: list[Claim] = []
    # Two paid claims, in one payment batch.
    for participation in participations[:2]:
        claim, claimed_on = _build(organisation, participation, with_taxi=not paid)
        services.claim_submit(claim=claim, actor=_claimant(claim), declaration=True, today=claimed_on)
        services.claim_approve(claim=claim, actor=lead)
        paid.append(claim)
        made += 1
    batch = services.batch_create(organisation=organisation, actor=finance)
    services.batch_mark_paid(batch=batch, actor=finance)
    for claim in paid:
        claim.refresh_from_db()
        sent_on = timezone.localtime(claim.lines.order_by("pk").first().created_at).date()  # type: ignore[union-attr]
        activity_day = min(line.expense_date or sent_on for line in claim.lines.all())
        Claim.objects.filter(pk=claim.pk).update(
            first_submitted_at=_moment(activity_day + timedelta(days=3), 10),
            submitted_at=_moment(activity_day + timedelta(days=3), 10),
            approved_at=_moment(activity_day + timedelta(days=8), 14),
            paid_at=_moment(activity_day + timedelta(days=15), 11),
        )
    # One approved and waiting for finance, one waiting for a lead.
    for participation, approve in ((participations[2], True), (participations[3], False)):
        claim, claimed_on = _build(organisation, participation)
        services.claim_submit(claim=claim, actor=_claimant(claim), declaration=True, today=claimed_on)
        if approve:
            services.claim_approve(claim=claim, actor=lead)
        made += 1
    # One returned with a reason, one rejected, one withdrawn, one still a draft.
    claim, claimed_on = _build(organisation, participations[4], with_taxi=True)
    services.claim_submit(claim=claim, actor=_claimant(claim), declaration=True, today=claimed_on)
    services.claim_return(
        claim=claim, actor=lead, reason="Please check the miles: the venue is about 12 miles from your home."
    )
    claim, claimed_on = _build(organisation, participations[5])
    services.claim_submit(claim=claim, actor=_claimant(claim), declaration=True, today=claimed_on)
    services.claim_reject(
        claim=claim, actor=lead, reason="This session was cancelled on the day, so there is no payment for it."
    )
    claim, _ = _build(organisation, participations[6])
    services.claim_withdraw(claim=claim, actor=_claimant(claim))
    made += 3
    if len(participations) > 7:
        _build(organisation, participations[7])
        made += 1
    # A claim prepared by staff for a partner they support (assisted digital).

    supported = LayPartner.objects.filter(
        is_assisted_digital=True, links__organisation=organisation, user__isnull=True
    ).first()
    if supported is not None and staff is not None:
        claim = services.claim_start(partner=supported, organisation=organisation, actor=staff)
        line = services.claim_add_expense_line(
            claim=claim,
            actor=staff,
            category="public_transport",
            amount="11.60",
            expense_date=timezone.localdate() - timedelta(days=2),
            description="Return bus fare to the forum meeting",
        )
        _receipt(line, staff, "png")
        services.claim_submit(claim=claim, actor=staff, declaration=True)
        made += 1
    return made


def seed(out: Any, context: dict[str, Any]) -> dict[str, Any]:
    users = context.get("users") or {}
    organisations = context.get("organisations") or {
        o.short_name: o for o in Organisation.objects.filter(short_name__in=["Wessex", "Y&H AHSN"])
    }
    made = 0
    for short, slug in (("Wessex", "wessex"), ("Y&H AHSN", "yorkshire")):
        organisation = organisations.get(short)
        lead, finance = users.get(f"lead.{slug}"), users.get(f"finance.{slug}")
        if organisation is None or lead is None or finance is None:
            continue
        made += _seed_organisation(out, organisation, lead, finance, users.get(f"staff.{slug}"))
    out.write(f"Demo claims: {Claim.objects.count()} ({made} new), in every state, with receipts")
    return {}
