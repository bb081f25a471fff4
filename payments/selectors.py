"""Reads for payments: scoped look-ups, the claims queue, the partner's money page, totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DateTimeField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.http import Http404
from django.utils import timezone

from accounts.roles import FINANCE_ROLES, MANAGER_ROLES
from accounts.typing import AnyUser
from core.access import scoped_get_or_404, visible_organisation_ids
from core.choices import PaymentPreference
from core.formatting import UK_TIME, date_text
from core.models import AuditEntry
from involvement.models import ActivityStatus, Participation
from partners.models import LayPartner, PartnerLink
from payments import permissions
from payments.models import (
    Claim,
    ClaimLine,
    ClaimStatus,
    LineKind,
    PaymentBatch,
    RateCard,
    Receipt,
)
from programmes.lookups import programme_filter_q

if TYPE_CHECKING:
    from involvement.models import Participation

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))
MONEY = DecimalField(max_digits=12, decimal_places=2)


def _line_sum(condition: Q | None = None) -> Coalesce:
    """The sum of the claim's lines (those meeting `condition`), as a correlated subquery."""
    lines = ClaimLine.objects.filter(claim=OuterRef("pk")).order_by().values("claim")
    chosen = lines.filter(condition) if condition is not None else lines
    return Coalesce(Subquery(chosen.annotate(s=Sum("amount")).values("s")[:1]), ZERO, output_field=MONEY)


def with_total(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    """Add `total` from the lines, in SQL (see `with_totals`): for lists, which show no other sum.
    The other sums' subqueries took 0.5 ms a request to build, whether they were read or not."""
    return qs.annotate(total=_line_sum())  # type: ignore[no-redef]


def with_totals(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    """Add `total`, `fees_total`, `expenses_total` and `line_count` from the lines, in SQL.

    Correlated subqueries, not a JOIN with GROUP BY: PostgreSQL works them out only for the rows
    it returns (a page of 50), where a GROUP BY would sum every claim's lines before the LIMIT,
    and a pagination COUNT leaves them out altogether."""
    lines = ClaimLine.objects.filter(claim=OuterRef("pk")).order_by().values("claim")
    return qs.annotate(  # type: ignore[no-redef]
        total=_line_sum(),
        fees_total=_line_sum(Q(kind=LineKind.FEE)),
        expenses_total=_line_sum(~Q(kind=LineKind.FEE)),
        line_count=Coalesce(Subquery(lines.annotate(n=Count("pk")).values("n")[:1]), 0),
    )


# --- one record for this user ------------------------------------------------------------------


def get_claim_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Claim:
    """A claim the user may see: their own, or one at an AHSN where they are staff.

    Reading: the claimant; leads, finance and network admins of the claim's AHSN; staff of that
    AHSN when the partner is supported by staff (assisted digital). Writing (changing lines,
    sending, withdrawing): the claimant, or staff supporting an assisted-digital partner.
    Approving and paying have their own role checks in the services."""
    qs = Claim.objects.select_related("partner", "organisation", "created_by", "approved_by", "batch")
    partner = permissions.partner_of(user)
    if partner is not None:
        own = qs.filter(pk=pk, partner=partner).first()
        if own is not None:
            return own
    claim = scoped_get_or_404(qs, user, pk=pk)
    if not permissions.can_read_claim(user, claim):
        raise Http404("No such claim.")
    if write and not permissions.is_claim_editor(user, claim):
        raise PermissionDenied("Your role can see this claim but cannot change it.")
    return claim


def get_claimline_for_user(user: AnyUser, pk: int, *, write: bool = False) -> ClaimLine:
    line = ClaimLine.objects.select_related("claim").filter(pk=pk).first()
    if line is None:
        raise Http404("No such line.")
    claim = get_claim_for_user(user, line.claim_id, write=write)
    line.claim = claim
    return line


def get_receipt_for_user(user: AnyUser, pk: int) -> Receipt:
    """Receipts: the claimant, leads, finance and network admins of the claim's AHSN, and the
    member of staff who uploaded it for a partner they support. Nobody else, not even other staff."""
    receipt = Receipt.objects.select_related("line__claim__partner").filter(pk=pk).first()
    if receipt is None:
        raise Http404("No such receipt.")
    claim = get_claim_for_user(user, receipt.line.claim_id)
    if not permissions.can_read_receipt(user, receipt, claim):
        raise Http404("No such receipt.")
    return receipt


def get_ratecard_for_user(user: AnyUser, pk: int, *, write: bool = False) -> RateCard:
    return scoped_get_or_404(
        RateCard.objects.select_related("organisation", "created_by").prefetch_related("expense_rules"),
        user,
        write=write,
        pk=pk,
    )


def get_paymentbatch_for_user(user: AnyUser, pk: int, *, write: bool = False) -> PaymentBatch:
    batch = scoped_get_or_404(
        PaymentBatch.objects.select_related("organisation", "created_by", "paid_by"),
        user,
        write=write,
        write_roles=FINANCE_ROLES,
        pk=pk,
    )
    if not permissions.can_read_batches(user, batch.organisation_id):
        raise Http404("No such payment batch.")
    return batch


# --- the claims queue ------------------------------------------------------------------------

AGE_CHOICES = [
    ("", "Any age"),
    ("7", "Waiting more than 7 days"),
    ("14", "Waiting more than 14 days"),
    ("28", "Waiting more than 28 days"),
]


ALL_STATES = "all"

# What a row of the claims queue shows (payments_tags.claim_queue_rows draws it).
QUEUE_COLUMNS = (
    "pk",
    "reference",
    "status",
    "submitted_at",
    "partner__preferred_name",
    "partner__full_name",
    "partner__reference",
    "organisation__short_name",
)


def queue_default_status(user: AnyUser) -> str:
    """The claims that need this reader's action: approved and unpaid for finance officers, waiting
    for approval for everyone else who reads the queue (leads and network admins)."""
    approvers = visible_organisation_ids(user, roles=MANAGER_ROLES)  # the queue's readers but finance
    return ClaimStatus.SUBMITTED if approvers else ClaimStatus.APPROVED


def claim_queue(
    *,
    user: AnyUser,
    status: str = "",
    older_than_days: int | None = None,
    programme: str = "",
    claimant: str = "",
    organisation_id: int | None = None,
) -> QuerySet[Claim]:
    """Claims at the AHSNs where the user is a lead, finance officer or network admin (the page
    shown is read with `queue_rows`).

    Backed by the `claim_queue` index (organisation, status, submitted_at). Drafts are the
    claimant's own business and are left out unless asked for."""
    org_ids = permissions.claim_reader_organisation_ids(user)
    if organisation_id is not None:
        org_ids &= {organisation_id}
    qs = Claim.objects.filter(organisation_id__in=org_ids)
    if status and status != ALL_STATES:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status__in=[ClaimStatus.DRAFT, ClaimStatus.WITHDRAWN])
    if older_than_days:
        qs = qs.filter(submitted_at__lt=timezone.now() - timedelta(days=older_than_days))
    in_programme = programme_filter_q(programme, field="participation__activity__programme")
    if in_programme is not None:
        qs = qs.filter(Exists(ClaimLine.objects.filter(in_programme, claim=OuterRef("pk"))))
    claimant = claimant.strip()
    if claimant:
        qs = qs.filter(
            Q(partner__reference__iexact=claimant)
            | Q(partner__full_name__icontains=claimant)
            | Q(partner__preferred_name__icontains=claimant)
            | Q(reference__iexact=claimant)
        )
    return with_total(qs).order_by(F("submitted_at").asc(nulls_last=True), "pk")


def queue_rows(claims: QuerySet[Claim]) -> list[Any]:
    """What the claims queue shows of each of `claims` (a page of `claim_queue`): a row of
    `QUEUE_COLUMNS` and `total` each, not a claim, a partner and an AHSN built with every column.
    The partner and the AHSN are joined here, for the page, not in the queue's count."""
    return list(claims.values_list(*QUEUE_COLUMNS, "total", named=True))


def claim_lines(claim: Claim) -> list[ClaimLine]:
    return list(
        claim.lines.select_related("participation__activity", "rate_card").prefetch_related(
            "receipts", "rate_card__expense_rules"
        )
    )


def claim_history(claim: Claim) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(target_type="payments.claim", target_id=str(claim.pk))
        .select_related("actor")
        .order_by("created_at", "id")
    )


def last_return(claim: Claim) -> AuditEntry | None:
    """When (and by whom) the claim was last sent back to the claimant."""
    return claim_history(claim).filter(action="payments.claim.returned").order_by("-created_at", "-id").first()


# --- the partner's side ----------------------------------------------------------------------


@dataclass(frozen=True)
class TaxYear:
    """A UK tax year: 6 April to 5 April."""

    start: date

    @classmethod
    def containing(cls, day: date) -> TaxYear:
        start_year = day.year if day >= date(day.year, 4, 6) else day.year - 1
        return cls(date(start_year, 4, 6))

    @property
    def end(self) -> date:
        return date(self.start.year + 1, 4, 5)

    @property
    def label(self) -> str:
        return f"{date_text(self.start)} to {date_text(self.end)}"

    def bounds(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.start, time.min, tzinfo=UK_TIME),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UK_TIME),
        )


def partner_claims(partner: LayPartner) -> QuerySet[Claim]:
    return with_total(Claim.objects.filter(partner=partner).select_related("organisation")).order_by(
        "-created_at", "-pk"
    )


# What the partner's money page shows of each of their claims (payments_tags.partner_claim_cards).
PARTNER_CLAIM_COLUMNS = ("pk", "reference", "status", "created_at", "paid_at", "organisation__short_name")


def partner_claim_rows(claims: QuerySet[Claim]) -> list[Any]:
    """`PARTNER_CLAIM_COLUMNS` and `total` of each of `claims` (a page of `partner_claims`)."""
    return list(claims.values_list(*PARTNER_CLAIM_COLUMNS, "total", named=True))


def partner_claim_page(partner: LayPartner, number: Any, *, per_page: int = 20) -> Page[Any]:
    """One page of the partner's claims as `partner_claim_rows`, with `Paginator.get_page`'s rules
    for the page number. The first page (nearly every visit) is read first: when it is not full it
    holds every claim, and its length is the count, which is then not asked for."""
    claims = partner_claims(partner)
    paginator: Paginator[Any] = Paginator(claims, per_page)
    if number in (None, "", "1"):
        rows = partner_claim_rows(claims[:per_page])
        if len(rows) < per_page:
            paginator.count = len(rows)  # a cached_property, known here
        return Page(rows, 1, paginator)
    page = paginator.get_page(number)
    page.object_list = partner_claim_rows(cast(QuerySet[Claim], page.object_list))
    return page


def partner_draft_claim(partner: LayPartner, *, organisation_id: int) -> Claim | None:
    """The partner's newest unsent draft claim with one AHSN, to add to rather than start another."""
    return (
        Claim.objects.filter(partner=partner, organisation_id=organisation_id, status=ClaimStatus.DRAFT)
        .select_related("partner", "organisation")
        .order_by("-created_at", "-pk")
        .first()
    )


def tax_year_paid(partner: LayPartner, tax_year: TaxYear) -> dict[str, Decimal]:
    """What was paid to the partner in the tax year, split into fees and expenses."""
    start, end = tax_year.bounds()
    totals = ClaimLine.objects.filter(
        claim__partner=partner, claim__status=ClaimStatus.PAID, claim__paid_at__gte=start, claim__paid_at__lt=end
    ).aggregate(
        total=Coalesce(Sum("amount"), ZERO, output_field=MONEY),
        fees=Coalesce(Sum("amount", filter=Q(kind=LineKind.FEE)), ZERO, output_field=MONEY),
        expenses=Coalesce(Sum("amount", filter=~Q(kind=LineKind.FEE)), ZERO, output_field=MONEY),
    )
    return totals


# --- which participations can be claimed, and by when ---------------------------------------------
#
# One answer for every caller: the claim page, the counts on the partner's home and money pages, the
# staff activity page's payment state, the reminder sweep and `claim_add_fee_line` itself. Worked out
# in SQL, so a list or a count costs one query whatever the number of participations.

# Why a participation cannot be claimed, in the order `claim_blocker` looks (each caller words it
# for its own reader).
BLOCKED_CLAIMED = "claimed"
BLOCKED_CANCELLED = "cancelled"
BLOCKED_NOT_RECORDED = "attendance_not_recorded"
BLOCKED_DID_NOT_ATTEND = "did_not_attend"
BLOCKED_NO_HOURS = "no_hours"
BLOCKED_LEFT = "left"
BLOCKED_NOT_LINKED = "not_linked"
BLOCKED_DECLINES = "declines"
BLOCKED_EXPENSES_ONLY = "expenses_only"
BLOCKED_NO_RATES = "no_rates"
BLOCKED_DEADLINE_PASSED = "deadline_passed"


def with_claim_facts(participations: QuerySet[Participation], *, today: date | None = None) -> QuerySet[Participation]:
    """Add to each participation what decides whether its involvement payment can be claimed:

    * `claim_status`: the status of the live claim holding it, or None. Live means a line with
      `participation_locked` (drafts hold it too; withdrawn and rejected claims free it);
    * `partner_linked`: the partner still works with the activity's AHSN (has not left it);
    * `claim_deadline_days`: from the AHSN's rate card in force on the activity's first day
      (Europe/London), None when there are no rates for that day;
    * `last_day`: the last day to claim, the activity's last day plus those days;
    * `can_claim`: every rule met on `today`: attended with hours, not imported from earlier records
      (`from_history`: paid, or not, outside the portal), the activity went ahead, the
      partner works with the AHSN, has not left or been anonymised and wants to be paid for their
      time, no live claim holds it, and `today` is on or before `last_day`."""

    today = today or timezone.localdate()
    here = timezone.get_current_timezone()
    # At most one live line per participation (a partial unique index), so no ordering is needed.
    live_line = ClaimLine.objects.filter(participation_id=OuterRef("pk"), participation_locked=True).order_by()
    rate_card = RateCard.objects.filter(
        organisation_id=OuterRef("activity__organisation_id"), effective_from__lte=OuterRef("activity_day")
    ).order_by("-effective_from", "-id")
    linked = PartnerLink.objects.filter(
        partner_id=OuterRef("partner_id"), organisation_id=OuterRef("activity__organisation_id")
    ).exclude(status=PartnerLink.Status.LEFT)
    # One annotate() (each later name may use the earlier ones): every call copies the whole query.
    return participations.annotate(
        activity_day=TruncDate("activity__starts_at", tzinfo=here),
        activity_last_day=TruncDate("activity__ends_at", tzinfo=here),
        claim_status=Subquery(live_line.values("claim__status")[:1]),
        partner_linked=Exists(linked),
        claim_deadline_days=Subquery(rate_card.values("claim_deadline_days")[:1]),
        last_day=ExpressionWrapper(F("activity_last_day") + F("claim_deadline_days"), output_field=DateField()),
        can_claim=ExpressionWrapper(
            Q(
                attended=True,
                hours__gt=0,
                from_history=False,
                partner_linked=True,
                partner__left_at__isnull=True,
                partner__anonymised=False,
                last_day__gte=today,
            )
            & ~Exists(live_line)
            & ~Q(activity__status=ActivityStatus.CANCELLED)
            & ~Q(partner__payment_preference__in=[PaymentPreference.DECLINE, PaymentPreference.EXPENSES_ONLY]),
            output_field=BooleanField(),
        ),
    )


def _days(days: Any) -> Func:
    return Func(days, template="make_interval(days => %(expressions)s)", output_field=DurationField())


def last_day_between(first: date | None = None, last: date | None = None) -> Q:
    """A filter on participations' activity end implied by "`last_day` (see `with_claim_facts`)
    is between `first` and `last`", that PostgreSQL serves from the activity's `ends_at` index:
    `last_day` is the activity's last day plus a rate card's deadline, so it lies within the
    shortest and longest deadline of any rate card after the end. The bounds come from two
    one-row subqueries (run once per query), with a day to spare either side for time zones.
    It only narrows what is read: the exact `last_day` filter must still be applied.

    Without it, "can still be claimed" (`last_day >= today`) is an expression over a join that no
    index serves, and a reminder sweep over everyone reads every participation there has ever been."""
    cards = RateCard.objects.order_by()
    bound = Q()
    if first is not None:
        longest = Subquery(cards.order_by("-claim_deadline_days").values("claim_deadline_days")[:1])
        start = datetime.combine(first - timedelta(days=1), time.min, tzinfo=UK_TIME)
        bound &= Q(
            activity__ends_at__gte=ExpressionWrapper(Value(start) - _days(longest), output_field=DateTimeField())
        )
    if last is not None:
        shortest = Subquery(cards.order_by("claim_deadline_days").values("claim_deadline_days")[:1])
        end = datetime.combine(last + timedelta(days=2), time.min, tzinfo=UK_TIME)
        bound &= Q(activity__ends_at__lt=ExpressionWrapper(Value(end) - _days(shortest), output_field=DateTimeField()))
    return bound


def claimable_participations(
    *,
    partner: LayPartner | None = None,
    organisation_ids: Iterable[int] | None = None,
    today: date | None = None,
) -> QuerySet[Participation]:
    """The participations whose involvement payment can be claimed on `today` (see
    `with_claim_facts` for the rules), each annotated with `last_day`, newest activity first.

    For one partner (the claim page, the counts) or everyone (the reminder sweep); `organisation_ids`
    keeps to those AHSNs' activities (a claim is with one AHSN). For everyone, only activities
    that ended recently enough to be claimed for are read (`last_day_between`)."""

    today = today or timezone.localdate()
    # One partner's participations come from the partner index; everyone's from the recent activities.
    qs = Participation.objects.filter(Q(partner=partner) if partner is not None else last_day_between(first=today))
    if organisation_ids is not None:
        qs = qs.filter(activity__organisation_id__in=list(organisation_ids))
    return (
        with_claim_facts(qs, today=today)
        .filter(can_claim=True)  # type: ignore[misc]  # an annotation the stubs cannot see
        .select_related("activity", "activity__organisation", "activity__programme")
        .order_by("-activity__starts_at", "-id")
    )


def claimable_rows(participations: QuerySet[Participation]) -> list[Any]:
    """What the money page lists of each of `claimable_participations`: its id, the activity's
    title, first moment and AHSN's name, and the last day to claim. Not a participation, an
    activity, an AHSN and a programme built with every column."""
    return list(
        participations.values_list(  # type: ignore[misc]  # last_day: an annotation the stubs cannot see
            "pk", "activity__title", "activity__organisation__name", "activity__starts_at", "last_day", named=True
        )
    )


def participations_on_unsent_drafts(*, today: date | None = None) -> QuerySet[Participation]:
    """Participations held by a draft claim that was never sent, annotated with `last_day`, while
    that day has not passed: the partner started claiming, but the claim is not with the AHSN yet
    (`claim_submit` refuses it after the last day). For the deadline reminder. A draft can be sent
    even if the partner has since stopped working with the AHSN, so only leaving the portal counts."""

    today = today or timezone.localdate()
    on_drafts = ClaimLine.objects.filter(
        participation__isnull=False, participation_locked=True, claim__status=ClaimStatus.DRAFT
    ).values("participation_id")
    return (
        with_claim_facts(Participation.objects.filter(last_day_between(first=today), pk__in=on_drafts), today=today)
        .filter(  # type: ignore[misc]  # annotations the stubs cannot see
            partner__left_at__isnull=True,
            partner__anonymised=False,
            last_day__gte=today,
        )
        .select_related("activity", "activity__organisation")
    )


def claim_blocker(participation: Any) -> str:
    """Why a participation annotated by `with_claim_facts` cannot be claimed (one of the BLOCKED_
    codes), or "" when it can. Only explains: `can_claim` decides."""
    p = participation
    if p.can_claim:
        return ""

    checks = [
        (bool(p.claim_status), BLOCKED_CLAIMED),
        (p.activity.status == ActivityStatus.CANCELLED, BLOCKED_CANCELLED),
        (p.attended is None, BLOCKED_NOT_RECORDED),
        (not p.attended, BLOCKED_DID_NOT_ATTEND),
        (not p.hours or p.hours <= 0, BLOCKED_NO_HOURS),
        (p.partner.left_at is not None or p.partner.anonymised, BLOCKED_LEFT),
        (not p.partner_linked, BLOCKED_NOT_LINKED),
        (p.partner.payment_preference == PaymentPreference.DECLINE, BLOCKED_DECLINES),
        (p.partner.payment_preference == PaymentPreference.EXPENSES_ONLY, BLOCKED_EXPENSES_ONLY),
        (p.claim_deadline_days is None, BLOCKED_NO_RATES),
    ]
    return next((code for blocked, code in checks if blocked), BLOCKED_DEADLINE_PASSED)


# --- rate cards and batches ------------------------------------------------------------------


def rate_cards_for(user: AnyUser) -> QuerySet[RateCard]:
    org_ids = visible_organisation_ids(user)
    return (
        RateCard.objects.filter(organisation_id__in=org_ids)
        .select_related("organisation", "created_by")
        .prefetch_related("expense_rules")
        .order_by("organisation__name", "-effective_from", "-id")
    )


def batches_for(user: AnyUser) -> QuerySet[PaymentBatch]:
    """The payment batches at the user's AHSNs, newest first, each with `claim_count` and `total`.

    Correlated subqueries (as `with_totals`), not a JOIN of every batch's claims and lines with a
    GROUP BY: PostgreSQL works them out for the page of batches shown only, and the page's count
    reads the batches alone rather than grouping every claim line the AHSN has ever paid."""
    org_ids = permissions.batch_reader_organisation_ids(user)
    claims = Claim.objects.filter(batch=OuterRef("pk")).order_by().values("batch")
    lines = ClaimLine.objects.filter(claim__batch=OuterRef("pk")).order_by().values("claim__batch")
    return (
        PaymentBatch.objects.filter(organisation_id__in=org_ids)
        .select_related("organisation", "created_by", "paid_by")
        .annotate(  # type: ignore[no-redef]  # claim_count and total, declared on the model
            claim_count=Coalesce(Subquery(claims.annotate(n=Count("pk")).values("n")[:1]), 0),
            total=Coalesce(Subquery(lines.annotate(s=Sum("amount")).values("s")[:1]), ZERO, output_field=MONEY),
        )
        .order_by("-created_at", "-pk")
    )


def batch_claims_with_totals(batch: PaymentBatch) -> QuerySet[Claim]:
    return with_totals(Claim.objects.filter(batch=batch).select_related("partner")).order_by("reference")


def approved_unbatched(user: AnyUser) -> QuerySet[Claim]:
    org_ids = permissions.paying_organisation_ids(user)
    return with_total(
        Claim.objects.filter(
            organisation_id__in=org_ids, status=ClaimStatus.APPROVED, batch__isnull=True
        ).select_related("partner", "organisation")
    ).order_by("approved_at", "pk")


def batch_form_rows(user: AnyUser, *, limit: int = 200) -> list[Any]:
    """What the payment batch form's checkboxes say of each approved claim waiting to be paid (the
    oldest `limit`): id, reference, AHSN, when approved, the payee's reference and the total."""
    claims = approved_unbatched(user).select_related(None).annotate(partner_reference=F("partner__reference"))
    columns = ("pk", "reference", "organisation_id", "approved_at", "partner_reference", "total")
    return list(claims.values_list(*columns, named=True)[:limit])


# --- figures for the quarterly report ---------------------------------------------------------


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, tzinfo=UK_TIME),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UK_TIME),
    )


def totals_by_programme_and_month(org_ids: Any, start: date, end: date) -> list[dict[str, Any]]:
    """Paid money by programme and month (Europe/London) between `start` and `end` inclusive.

    Each row: programme_id, programme_name ("" for lines not tied to a programme: expenses and
    forum meetings), month (first day), fees, expenses, total. One query."""
    lo, hi = _bounds(start, end)
    rows = (
        ClaimLine.objects.filter(
            claim__organisation_id__in=list(org_ids),
            claim__status=ClaimStatus.PAID,
            claim__paid_at__gte=lo,
            claim__paid_at__lt=hi,
        )
        .annotate(month=TruncMonth("claim__paid_at", tzinfo=UK_TIME))
        .values("month", "participation__activity__programme_id", "participation__activity__programme__name")
        .annotate(
            fees=Coalesce(Sum("amount", filter=Q(kind=LineKind.FEE)), ZERO, output_field=MONEY),
            expenses=Coalesce(Sum("amount", filter=~Q(kind=LineKind.FEE)), ZERO, output_field=MONEY),
            total=Sum("amount"),
        )
        .order_by("month", "participation__activity__programme__name")
    )
    return [
        {
            "programme_id": r["participation__activity__programme_id"],
            "programme_name": r["participation__activity__programme__name"] or "",
            "month": r["month"].date() if hasattr(r["month"], "date") else r["month"],
            "fees": r["fees"],
            "expenses": r["expenses"],
            "total": r["total"],
        }
        for r in rows
    ]


def payment_turnaround(org_ids: Any, start: date, end: date) -> dict[str, Any]:
    """Days from first submission to payment for claims paid between `start` and `end`:
    count, median and 90th percentile, worked out in PostgreSQL with percentile_cont."""
    lo, hi = _bounds(start, end)
    ids = list(org_ids)
    if not ids:
        return {"count": 0, "median_days": None, "p90_days": None}
    sql = f"""
        SELECT COUNT(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY days)
        FROM ({_TURNAROUND_DAYS}) AS t
    """  # noqa: S608 - a constant fragment; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [ClaimStatus.PAID, lo, hi, ids])
        count, median, p90 = cursor.fetchone()
    return _turnaround(count, median, p90)


def payment_turnaround_by_organisation(org_ids: Any, start: date, end: date) -> dict[int, dict[str, Any]]:
    """`payment_turnaround` for each organisation at once (one GROUP BY query), keyed by the
    organisation's id; an organisation with no claims paid in the period is left out."""
    lo, hi = _bounds(start, end)
    ids = list(org_ids)
    if not ids:
        return {}
    sql = f"""
        SELECT organisation_id, COUNT(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY days)
        FROM ({_TURNAROUND_DAYS}) AS t
        GROUP BY organisation_id
    """  # noqa: S608 - a constant fragment; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [ClaimStatus.PAID, lo, hi, ids])
        rows = cursor.fetchall()
    return {int(org_id): _turnaround(count, median, p90) for org_id, count, median, p90 in rows}


# Days from first submission to payment of each claim paid in a period, with its organisation.
_TURNAROUND_DAYS = """
    SELECT organisation_id,
           EXTRACT(EPOCH FROM (paid_at - COALESCE(first_submitted_at, submitted_at))) / 86400.0 AS days
    FROM payments_claim
    WHERE status = %s AND paid_at >= %s AND paid_at < %s AND organisation_id = ANY(%s)
"""


def _turnaround(count: Any, median: Any, p90: Any) -> dict[str, Any]:
    return {
        "count": int(count),
        "median_days": None if median is None else round(float(median), 1),
        "p90_days": None if p90 is None else round(float(p90), 1),
    }


def waiting_for_approval(user: AnyUser, *, limit: int = 10) -> QuerySet[Claim]:
    org_ids = permissions.approver_organisation_ids(user)
    return with_total(
        Claim.objects.filter(organisation_id__in=org_ids, status=ClaimStatus.SUBMITTED).select_related(
            "partner", "organisation"
        )
    ).order_by("submitted_at", "pk")[:limit]
