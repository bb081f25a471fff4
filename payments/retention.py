"""How long receipt files are kept: only as long as the financial record needs them.

HMRC expects payment records (and the receipts behind expenses) to be kept for six years after
the end of the tax year the payment was made in. So a receipt on a claim paid on 1 May 2020 (tax
year 6 April 2020 to 5 April 2021) is kept until 5 April 2027 and deleted from 6 April 2027.

* Paid claims: six years after the end of the tax year of payment.
* Claims that were sent and then rejected or withdrawn: six years after the end of the tax year
  of that decision (no payment, but a decision someone may ask about).
* Claims withdrawn before they were ever sent (including drafts withdrawn when a lay partner
  leaves): nobody in finance ever relied on them, so their receipts are not kept at all.
Claims still in progress keep their receipts. Only the files go: the claim, its lines (amounts,
categories, dates) and the receipt's name and date stay, and each deletion is audited."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.formatting import UK_TIME
from payments.models import ClaimStatus, Receipt
from payments.selectors import TaxYear

YEARS_KEPT = 6


def retention_cutoff(today: date) -> datetime:
    """Claims paid (or decided) before this moment have passed their retention period on `today`:
    the start of the tax year that began six years before the current one."""
    current = TaxYear.containing(today)
    return datetime.combine(date(current.start.year - YEARS_KEPT, 4, 6), time.min, tzinfo=UK_TIME)


def receipts_past_retention(*, today: date | None = None) -> QuerySet[Receipt]:
    """Receipts whose file is still stored but no longer needs to be."""
    cutoff = retention_cutoff(today or timezone.localdate())
    paid = Q(line__claim__status=ClaimStatus.PAID, line__claim__paid_at__lt=cutoff)
    decided = Q(
        line__claim__status__in=[ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN],
        line__claim__first_submitted_at__isnull=False,
        line__claim__updated_at__lt=cutoff,
    )
    never_sent = Q(line__claim__status=ClaimStatus.WITHDRAWN, line__claim__first_submitted_at__isnull=True)
    return Receipt.objects.exclude(file="").filter(paid | decided | never_sent)
