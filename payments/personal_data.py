"""A lay partner's claims in their information download, and what leaving does to them
(partners.personal_data)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from partners.models import LayPartner
from partners.personal_data import PersonalData, iso_date, iso_time, money_text, register
from payments.models import Claim, ClaimLine
from payments.services import claims_partner_left


def _claims(partner: LayPartner, organisation_ids: list[int] | None, include_feedback: bool) -> dict[str, Any]:
    """Claims with their lines and the names of their receipts, never the files."""
    claim_qs = (
        Claim.objects.filter(partner=partner)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ClaimLine.objects.select_related("participation__activity")
                .prefetch_related("receipts")
                .order_by("created_at", "id"),
            )
        )
        .order_by("created_at", "id")
    )
    if organisation_ids is not None:
        claim_qs = claim_qs.filter(organisation_id__in=organisation_ids)
    claims = [
        {
            "reference": claim.reference,
            "ahsn": claim.organisation.name,
            "status": claim.get_status_display(),
            "started": iso_time(claim.created_at),
            "sent": iso_time(claim.first_submitted_at),
            "approved": iso_time(claim.approved_at),
            "paid": iso_time(claim.paid_at),
            "returned_because": claim.return_reason,
            "rejected_because": claim.rejection_reason,
            "lines": [
                {
                    "what": line.get_kind_display(),
                    "activity": line.participation.activity.title if line.participation else None,
                    "activity_date": iso_date(line.participation.activity.starts_at) if line.participation else None,
                    "date": line.expense_date.isoformat() if line.expense_date else None,
                    "amount": money_text(line.amount),
                    "miles": money_text(line.miles),
                    "description": line.description,
                    "why_a_taxi": line.reason,
                    "question_from_staff": line.query_note,
                    "receipts": [
                        {"file_name": receipt.original_name, "added": iso_time(receipt.uploaded_at)}
                        for receipt in line.receipts.all()
                    ],
                }
                for line in claim.lines.all()
            ],
        }
        for claim in claim_qs
    ]
    return {"claims": claims}


def _audit_targets(partner: LayPartner) -> list[tuple[str, QuerySet[Any]]]:
    return [("payments.claim", Claim.objects.filter(partner=partner))]


def _forget(partner: LayPartner, organisation_ids: list[int] | None, actor: Any) -> dict[str, int]:
    return claims_partner_left(partner=partner, organisation_ids=organisation_ids, actor=actor)


register(PersonalData(app="payments", records=_claims, audit_targets=_audit_targets, forget=_forget))
