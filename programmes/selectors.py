"""Reads for programmes and strategy priorities, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import DELIVERY_ROLES
from accounts.typing import AnyUser
from core.access import can_write, is_network_admin, visible_organisation_ids
from core.formatting import UK_TIME
from core.lookups import AnyOf  # noqa: F401 - registers the any_of lookup
from involvement.models import Activity
from programmes.models import PlannedInvolvement, Programme, StrategyPriority

# Staff, involvement leads and network admins run programmes; finance officers only look.


def programmes_visible_to(user: AnyUser) -> QuerySet[Programme]:
    """Programmes owned by, or shared with, one of the user's organisations."""
    return programmes_of_organisations(sorted(visible_organisation_ids(user)))


def programmes_of_organisations(organisation_ids: Any) -> QuerySet[Programme]:
    """Programmes owned by, or shared with, one of these organisations: a list of ids, or an array
    expression (a prepared query's placeholder, core.prepared)."""
    shared = Programme.shared_with.through.objects.filter(
        programme_id=OuterRef("pk"), organisation_id__any_of=organisation_ids
    )
    return Programme.objects.filter(Q(organisation_id__any_of=organisation_ids) | Exists(shared))


def get_programme_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Programme:
    """One programme: 404 unless owned by or shared with the user's AHSN; 403 to edit it
    unless the user is staff of the owning AHSN (or a network admin)."""
    try:
        programme = (
            programmes_visible_to(user)
            .select_related("organisation", "lead")
            .prefetch_related("priorities", "shared_with")
            .get(pk=pk)
        )
    except (Programme.DoesNotExist, ValueError) as exc:
        raise Http404("No such programme.") from exc
    if write and not can_write(user, programme.organisation_id, roles=DELIVERY_ROLES):
        raise PermissionDenied("Only staff at the AHSN that owns this programme can change it.")
    return programme


def get_planned_involvement_for_user(
    user: AnyUser, programme_pk: int, pk: int, *, write: bool = False
) -> PlannedInvolvement:
    """One line of a programme's plan: 404 unless the programme is visible to the user and the line
    is in it; 403 to change it unless the user is staff of the owning AHSN."""
    programme = get_programme_for_user(user, programme_pk, write=write)
    try:
        item = PlannedInvolvement.objects.get(programme=programme, pk=pk)
    except (PlannedInvolvement.DoesNotExist, ValueError) as exc:
        raise Http404("No such planned involvement.") from exc
    item.programme = programme
    return item


def can_edit_programme(user: AnyUser, programme: Programme) -> bool:
    return can_write(user, programme.organisation_id, roles=DELIVERY_ROLES)


def programme_owner_organisations(user: AnyUser) -> QuerySet[Any]:
    """Organisations where the user may create programmes."""

    return Organisation.objects.filter(id__in=visible_organisation_ids(user, roles=DELIVERY_ROLES))


def can_create_programmes(user: AnyUser) -> bool:
    """Whether `programme_owner_organisations(user)` has any, from the memberships the request
    has read already (no query)."""
    return bool(visible_organisation_ids(user, roles=DELIVERY_ROLES))


def programmes_for_logging(*, organisation_id: int) -> QuerySet[Programme]:
    """Programmes an AHSN may log activities against: its own and those shared with it."""
    shared = Programme.shared_with.through.objects.filter(programme_id=OuterRef("pk"), organisation_id=organisation_id)
    return (
        Programme.objects.filter(Q(organisation_id=organisation_id) | Exists(shared))
        .exclude(status="closed")
        .select_related("organisation")
        .order_by("name")
    )


@dataclass(frozen=True)
class FinancialQuarter:
    """A quarter of the UK financial year: Q1 is April to June."""

    year: int  # the year the financial year starts in
    number: int

    @classmethod
    def containing(cls, day: date) -> FinancialQuarter:
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @property
    def first_day(self) -> date:
        month = 4 + (self.number - 1) * 3
        return date(self.year + (1 if month > 12 else 0), (month - 1) % 12 + 1, 1)

    @property
    def next(self) -> FinancialQuarter:
        return FinancialQuarter(self.year, self.number + 1) if self.number < 4 else FinancialQuarter(self.year + 1, 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """Start (inclusive) and end (exclusive) as aware datetimes in Europe/London."""
        start = datetime.combine(self.first_day, time.min, tzinfo=UK_TIME)
        end = datetime.combine(self.next.first_day, time.min, tzinfo=UK_TIME)
        return start, end


def programme_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Programme]:
    """The programmes list with its filters: type, stage, status, has involvement this quarter."""

    filters = filters or {}
    qs = programmes_visible_to(user)
    if filters.get("programme_type"):
        qs = qs.filter(programme_type=filters["programme_type"])
    if filters.get("innovation_stage"):
        qs = qs.filter(innovation_stage=filters["innovation_stage"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    start, end = FinancialQuarter.containing(timezone.localdate()).bounds()
    this_quarter = Activity.objects.filter(
        programme_id=OuterRef("pk"), starts_at__gte=start, starts_at__lt=end
    ).exclude(status="cancelled")
    qs = qs.annotate(involvement_this_quarter=Exists(this_quarter))
    involvement = filters.get("involvement")
    if involvement == "yes":
        qs = qs.filter(involvement_this_quarter=True)
    elif involvement == "no":
        qs = qs.filter(involvement_this_quarter=False)
    return qs.select_related("organisation").order_by("name", "id")  # the list shows no lead


def priorities(*, include_inactive: bool = False) -> QuerySet[StrategyPriority]:
    qs = StrategyPriority.objects.all()
    if not include_inactive:
        qs = qs.filter(active=True)
    return qs.order_by("strategy", "order", "code")


def get_priority_for_user(user: AnyUser, pk: int, *, write: bool = False) -> StrategyPriority:
    """Any signed-in member of staff may read a priority; only network admins change them."""
    if not visible_organisation_ids(user):
        raise Http404("No such priority.")
    try:
        priority = StrategyPriority.objects.get(pk=pk)
    except (StrategyPriority.DoesNotExist, ValueError) as exc:
        raise Http404("No such priority.") from exc
    if write and not is_network_admin(user):
        raise PermissionDenied("Only network admins can change strategy priorities.")
    return priority
