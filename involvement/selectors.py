"""Reads for involvement, shared by views, tasks, reports and the payments app.

Every list is built so that a page costs a fixed number of queries whatever the data size:
counts come from correlated subqueries, related rows from select_related/prefetch_related."""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    Avg,
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    DecimalField,
    Exists,
    F,
    Field,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format

from accounts.models import Organisation
from accounts.roles import DELIVERY_ROLES
from accounts.typing import AnyUser
from core.access import scoped_get_or_404, visible_organisation_ids
from core.choices import InvolvementMethod, LadderLevel
from core.dashboard import regroup_lists, union_of_lists
from core.formatting import UK_TIME, date_text
from core.lookups import AnyOf  # noqa: F401 - registers the any_of lookup
from core.paginator import CAP, CappedPaginator
from core.prepared import Prepared, PreparedList
from involvement.models import (
    Activity,
    ActivityStatus,
    Feedback,
    Outcome,
    OutcomeStatusChange,
    Participation,
    ProgrammeFiguresVersion,
)
from partners.models import LayPartner, PartnerLink
from partners.selectors import partner_for_user
from payments.models import ClaimStatus
from payments.selectors import (
    BLOCKED_CANCELLED,
    BLOCKED_CLAIMED,
    BLOCKED_DEADLINE_PASSED,
    BLOCKED_DECLINES,
    BLOCKED_DID_NOT_ATTEND,
    BLOCKED_EXPENSES_ONLY,
    BLOCKED_LEFT,
    BLOCKED_NO_HOURS,
    BLOCKED_NO_RATES,
    BLOCKED_NOT_LINKED,
    BLOCKED_NOT_RECORDED,
    claim_blocker,
    with_claim_facts,
)
from programmes.lookups import OPTIONS_TO_READ, programme_filter_value, programme_q
from programmes.models import PlannedInvolvement, Programme, StrategyPriority
from programmes.selectors import programmes_of_organisations

FEEDBACK_EDITABLE_DAYS = 14

# Staff, involvement leads and network admins log activities; finance officers only look.


# ---------------------------------------------------------------- one record for this user


def get_activity_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Activity:
    return scoped_get_or_404(
        Activity.objects.select_related("organisation", "programme", "lead"),
        user,
        write=write,
        write_roles=DELIVERY_ROLES,
        pk=pk,
    )


def get_participation_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Participation:
    return scoped_get_or_404(
        Participation.objects.select_related("activity", "activity__organisation", "partner"),
        user,
        organisation_field="activity__organisation",
        write=write,
        write_roles=DELIVERY_ROLES,
        pk=pk,
    )


def get_outcome_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Outcome:
    return scoped_get_or_404(
        Outcome.objects.select_related("organisation", "activity", "programme"),
        user,
        write=write,
        write_roles=DELIVERY_ROLES,
        pk=pk,
    )


def get_feedback_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Feedback:
    """Staff read feedback on their AHSN's activities; nobody on the staff side changes it."""
    return scoped_get_or_404(
        Feedback.objects.select_related("participation", "participation__activity"),
        user,
        organisation_field="participation__activity__organisation",
        write=write,
        write_roles=frozenset(),
        pk=pk,
    )


def participation_for_partner(partner: LayPartner | None, pk: int) -> Participation:
    """A lay partner's own participation, or 404."""
    if partner is None:
        raise Http404("No such activity.")
    try:
        return Participation.objects.select_related(
            "activity", "activity__organisation", "activity__programme", "activity__lead", "feedback"
        ).get(pk=pk, partner=partner)
    except (Participation.DoesNotExist, ValueError) as exc:
        raise Http404("No such activity.") from exc


# ---------------------------------------------------------------- counts as subqueries


def _count_of(qs: QuerySet[Any], key: str) -> Coalesce:
    counted = qs.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Add participant_count and attended_count (the activity table's "People") without
    multiplying rows. The export adds outcome_count (`activity_export_rows`)."""
    mine = Participation.objects.filter(activity_id=OuterRef("pk"))
    return qs.annotate(
        participant_count=_count_of(mine, "activity_id"),
        attended_count=_count_of(mine.filter(attended=True), "activity_id"),
    )


# ---------------------------------------------------------------- the activity list


def activities_visible_to(user: AnyUser) -> QuerySet[Activity]:
    return activities_of_organisations(sorted(visible_organisation_ids(user)))


def activities_of_organisations(organisation_ids: Any) -> QuerySet[Activity]:
    """Activities at these organisations: a list of ids, or an array placeholder (core.prepared)."""
    return Activity.objects.filter(organisation_id__any_of=organisation_ids)


def writable_ahsns(organisation_ids: Any) -> QuerySet[Organisation]:
    """The AHSNs among these organisations (those the user logs activities for, given the ids of
    `visible_organisation_ids(user, roles=DELIVERY_ROLES)`): an activity belongs to an AHSN."""
    return Organisation.objects.filter(id__any_of=organisation_ids, kind=Organisation.Kind.AHSN)


@dataclass(frozen=True)
class ActivityMenus:
    """What the activity list's filter offers the user, and whether they may log an activity."""

    organisations: list[tuple[int, str]]  # the AHSN menu: (id, name) by name
    programmes: list[tuple[int, str]]  # programmes_of_organisations' first OPTIONS_TO_READ, by name
    priorities: list[tuple[int, str]]  # (id, "code title") by strategy and order
    can_log: bool


# Every organisation and strategy priority fits: there are 16 organisations and a few dozen priorities.
_MENU_ROWS = 10_000
# The menus, and whether the user may log an activity, in one query built once per process
# (core.prepared): four queries built on every view were about 3 ms of the list's time.
_ACTIVITY_MENUS = Prepared(
    lambda slots: union_of_lists(
        (Organisation.objects.filter(id__any_of=slots.organisations).order_by("name"), ("pk", "name"), _MENU_ROWS),
        (programmes_of_organisations(slots.organisations).order_by("name"), ("pk", "name"), OPTIONS_TO_READ),
        (
            StrategyPriority.objects.order_by("strategy", "order").annotate(
                label=Concat("code", Value(" "), "title", output_field=CharField())
            ),
            ("pk", "label"),
            _MENU_ROWS,
        ),
        (writable_ahsns(slots.writable), ("pk", "name"), 1),
    ),
    organisations=ArrayField(BigIntegerField()),
    writable=ArrayField(BigIntegerField()),
)


def activity_filter_menus(*, user: AnyUser) -> ActivityMenus:
    """The activity list's menus for the user (one query)."""
    organisations, programmes, priorities, writable = regroup_lists(
        _ACTIVITY_MENUS.rows(
            organisations=sorted(visible_organisation_ids(user)),
            writable=sorted(visible_organisation_ids(user, roles=DELIVERY_ROLES)),
        ),
        4,
    )
    return ActivityMenus(organisations, programmes, priorities, can_log=bool(writable))


def activity_filter_values(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The list's cleaned filters as the values its query compares, named as in FILTER_FIELDS: only
    the filters chosen. A date range runs from the start of its first UK day to the end of its last."""
    values = {
        key: filters[key] for key in ("organisation", "level", "method", "status", "priority") if filters.get(key)
    }
    programme = programme_filter_value(filters.get("programme"))
    if programme is not None:
        kind, value = programme
        values[f"programme_{kind}"] = value
    if filters.get("date_from"):
        values["starts_from"] = datetime.combine(filters["date_from"], time.min, tzinfo=UK_TIME)
    if filters.get("date_to"):
        values["starts_before"] = datetime.combine(filters["date_to"] + timedelta(days=1), time.min, tzinfo=UK_TIME)
    return values


FILTER_FIELDS: dict[str, Field[Any, Any]] = {
    "organisation": BigIntegerField(),
    "programme_id": BigIntegerField(),
    "programme_name": CharField(),
    "starts_from": DateTimeField(),
    "starts_before": DateTimeField(),
    "level": CharField(),
    "method": CharField(),
    "status": CharField(),
    "priority": BigIntegerField(),
}


def filter_activities(qs: QuerySet[Activity], values: Mapping[str, Any]) -> QuerySet[Activity]:
    """`qs` with the filters of `activity_filter_values` (values, or a prepared query's placeholders).
    Each filter uses an index (see Activity.Meta)."""
    if "organisation" in values:
        qs = qs.filter(organisation_id=values["organisation"])
    for kind in ("id", "name"):
        if f"programme_{kind}" in values:
            qs = qs.filter(programme_q(kind, values[f"programme_{kind}"]))
    if "starts_from" in values:
        qs = qs.filter(starts_at__gte=values["starts_from"])
    if "starts_before" in values:
        qs = qs.filter(starts_at__lt=values["starts_before"])
    for key in ("level", "method", "status"):
        if key in values:
            qs = qs.filter(**{key: values[key]})
    if "priority" in values:
        through = Activity.priorities.through.objects.filter(
            activity_id=OuterRef("pk"), strategypriority_id=values["priority"]
        )
        qs = qs.filter(Exists(through))
    return qs


def activity_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Activity]:
    """Activities at the user's AHSNs, filtered (the export's rows: `activity_export_rows`)."""
    qs = filter_activities(activities_visible_to(user), activity_filter_values(filters or {}))
    return with_counts(qs).select_related("organisation", "programme").order_by("-starts_at", "-id")


# What a row of the activity table shows (involvement_tags.activity_rows_html). The counts, which
# are annotations, come last: a prepared query's columns are in its SQL's order, fields first.
ACTIVITY_ROW_COLUMNS = (
    "pk",
    "title",
    "starts_at",
    "status",
    "method",
    "level",
    "organisation_id",
    "programme_id",
    "programme__name",
    "organisation__short_name",
    "participant_count",
    "attended_count",
)


def activity_rows(qs: QuerySet[Activity], *, named: bool = False) -> QuerySet[Any]:
    """The activity table's rows of `qs`, newest first (named: as tuples with the columns' names;
    a prepared query names its rows itself)."""
    return with_counts(qs).order_by("-starts_at", "-id").values_list(*ACTIVITY_ROW_COLUMNS, named=named)


_ACTIVITY_LISTS: dict[frozenset[str], Prepared] = {}
_ACTIVITY_LISTS_LOCK = threading.Lock()


def _activity_list_query(shape: frozenset[str]) -> Prepared:
    """The list's query for one set of filters chosen, built once per process. There are at most
    2^8 sets; people use a handful (the list with none is where everyone lands)."""
    prepared = _ACTIVITY_LISTS.get(shape)
    if prepared is None:
        with _ACTIVITY_LISTS_LOCK:
            prepared = _ACTIVITY_LISTS.get(shape)
            if prepared is None:

                def chosen(slots: Any) -> QuerySet[Activity]:
                    organisations = activities_of_organisations(slots.organisations)
                    return filter_activities(organisations, {key: getattr(slots, key) for key in shape})

                prepared = Prepared(
                    lambda slots: activity_rows(chosen(slots)),
                    chosen,
                    named=True,
                    organisations=ArrayField(BigIntegerField()),
                    **{key: FILTER_FIELDS[key] for key in shape},
                )
                _ACTIVITY_LISTS[shape] = prepared
    return prepared


def activity_list_rows(*, user: AnyUser, filters: Mapping[str, Any]) -> PreparedList:
    """The activity list's rows (ACTIVITY_ROW_COLUMNS, named) for the user and cleaned filters,
    for a paginator: one query for the page, and one that counts no further than CAP + 1."""
    values = activity_filter_values(filters)
    return PreparedList(
        _activity_list_query(frozenset(values)),
        at_most=CAP + 1,
        organisations=sorted(visible_organisation_ids(user)),
        **values,
    )


def activity_export_rows(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """The filtered list for CSV: counts and codes only, no personal data."""

    codes = StrategyPriority.objects.filter(activities=OuterRef("pk")).order_by("order").values("code")
    attended = Participation.objects.filter(activity_id=OuterRef("pk"), attended=True)
    hours = attended.order_by().values("activity_id").annotate(total=Sum("hours")).values("total")
    return qs.annotate(
        outcome_count=_count_of(Outcome.objects.filter(activity_id=OuterRef("pk")), "activity_id"),
        priority_codes=ArraySubquery(codes),
        attended_hours=Coalesce(Subquery(hours, output_field=DecimalField()), Value(0, output_field=DecimalField())),
    )


# ---------------------------------------------------------------- one activity


def activity_participations(activity: Activity, *, today: date | None = None) -> QuerySet[Participation]:
    """The activity's participants, each with the payments app's claim facts (`claim_status`,
    `partner_linked`, `claim_deadline_days`, `last_day`, `can_claim`: see
    `payments.selectors.with_claim_facts`), in one query however many people took part."""
    return (
        with_claim_facts(Participation.objects.filter(activity=activity), today=today)
        .select_related("partner", "feedback")
        .order_by("partner_sort_name", "id")
    )


@dataclass(frozen=True)
class PaymentState:
    """Whether an involvement payment can be claimed for a participation, in plain English."""

    label: str
    colour: str  # the NHS.UK tag colour
    detail: str = ""
    last_day: date | None = None

    @property
    def tag_class(self) -> str:
        return f"nhsuk-tag nhsuk-tag--{self.colour}"


CAN_BE_CLAIMED = "Can be claimed"
CLAIMED = "Claimed"
NOT_CLAIMABLE = "Not claimable"
CLAIM_STATUS_TEXT = {
    ClaimStatus.DRAFT: "The partner has started a claim",
    ClaimStatus.SUBMITTED: "Waiting for approval",
    ClaimStatus.RETURNED: "Returned to the partner for changes",
    ClaimStatus.APPROVED: "Approved, waiting to be paid",
    ClaimStatus.PAID: "Paid",
}


def payment_state(participation: Participation, *, activity: Activity) -> PaymentState:
    """The participation's payment state, from the annotations of `activity_participations`.

    Whether it can be claimed is the payments app's answer (`can_claim`, the same one the claim
    page, the counts and the reminders use); this only says it in words for staff."""
    p: Any = participation
    blocker = claim_blocker(p)
    if not blocker:
        return PaymentState(CAN_BE_CLAIMED, "green", f"Claim by {date_text(p.last_day)}", p.last_day)
    if blocker == BLOCKED_CLAIMED:
        return PaymentState(CLAIMED, "blue", CLAIM_STATUS_TEXT.get(p.claim_status, ""))
    if blocker == BLOCKED_DEADLINE_PASSED:
        return PaymentState(NOT_CLAIMABLE, "grey", f"Claim deadline passed on {date_text(p.last_day)}", p.last_day)
    reasons = {
        BLOCKED_CANCELLED: "The activity was cancelled",
        BLOCKED_NOT_RECORDED: "Attendance not recorded yet",
        BLOCKED_DID_NOT_ATTEND: "Did not attend",
        BLOCKED_NO_HOURS: "No hours recorded",
        BLOCKED_LEFT: "The partner has left",
        BLOCKED_NOT_LINKED: f"No longer working with {activity.organisation.short_name}",
        BLOCKED_DECLINES: "The partner does not want to be paid",
        BLOCKED_EXPENSES_ONLY: "The partner claims expenses only",
        BLOCKED_NO_RATES: "No payment rates for the date of the activity",
    }
    return PaymentState(NOT_CLAIMABLE, "grey", reasons[blocker])


def activity_participants(activity: Activity, *, today: date | None = None) -> list[Participation]:
    """Every participant of the activity, each row carrying its `payment` (for small activities
    and tests; the staff activity page shows one page at a time: `activity_participants_page`)."""
    return _with_payment(list(activity_participations(activity, today=today)), activity)


def _with_payment(rows: list[Participation], activity: Activity) -> list[Participation]:
    for p in rows:
        p.activity = activity  # already loaded: no query per row
        p.payment = payment_state(p, activity=activity)  # type: ignore[attr-defined]
    return rows


PARTICIPANTS_PER_PAGE = 50


@dataclass(frozen=True)
class ParticipantCounts:
    """How many people are on an activity, by what was recorded about them."""

    total: int
    attended: int
    did_not_attend: int
    not_recorded: int

    @property
    def summary(self) -> str:
        """'1,000 lay partners: 800 attended, 150 did not attend, 50 not recorded yet'."""
        people = f"{number_format(self.total, force_grouping=True)} lay partner{'' if self.total == 1 else 's'}"
        parts = [
            f"{number_format(n, force_grouping=True)} {what}"
            for n, what in (
                (self.attended, "attended"),
                (self.did_not_attend, "did not attend"),
                (self.not_recorded, "not recorded yet"),
            )
            if n
        ]
        return f"{people}: {', '.join(parts)}" if parts else people


def participant_counts(activity: Activity) -> ParticipantCounts:
    """Counted in SQL, one query over the activity's participations (an index range on
    `activity_id`), however many people took part."""
    row = Participation.objects.filter(activity=activity).aggregate(
        n_total=Count("id"),
        n_attended=Count("id", filter=Q(attended=True)),
        n_did_not_attend=Count("id", filter=Q(attended=False)),
        n_not_recorded=Count("id", filter=Q(attended__isnull=True)),
    )
    return ParticipantCounts(
        total=row["n_total"],
        attended=row["n_attended"],
        did_not_attend=row["n_did_not_attend"],
        not_recorded=row["n_not_recorded"],
    )


# What the staff activity page and the attendance form read of each person shown (and what
# `payment_state` needs), by a query built once per process (core.prepared): building the claim
# rules into it was about 8 ms of Python on every view.
def _in_field_order(model: Any, names: tuple[str, ...]) -> tuple[str, ...]:
    """`names` in the order of the model's fields, as `Model.from_db` takes a row's values."""
    place = {field.attname: n for n, field in enumerate(model._meta.concrete_fields)}
    return tuple(sorted(names, key=place.__getitem__))


_SHOWN_PARTICIPATION = _in_field_order(
    Participation, ("id", "partner_id", "role", "expected_hours", "response", "apology_reason", "attended", "hours")
)
_SHOWN_PARTNER = _in_field_order(
    LayPartner, ("full_name", "preferred_name", "left_at", "anonymised", "payment_preference")
)
_SHOWN_FACTS = ("claim_status", "partner_linked", "claim_deadline_days", "last_day", "can_claim")


def _by_name(activity: Any) -> QuerySet[Participation]:
    """The activity's people in name order, read from the `participation_by_name` index."""
    return Participation.objects.filter(activity_id=activity).order_by("partner_sort_name", "id")


@functools.lru_cache(maxsize=64)
def participants_shown(offset: int) -> Prepared:
    """The query for the page of people starting at `offset`, built once per page and process:
    the page's ids are picked (`_by_name`, LIMIT and OFFSET) inside the query that works out the
    claim facts, so each page is one query. Asked of all 1,000 people and then cut to 50, the claim
    facts hashed every partner link in the network (20,000 rows, twice); for 50 it looks each up."""
    return Prepared(
        lambda slots: (
            with_claim_facts(
                Participation.objects.filter(
                    pk__in=_by_name(slots.activity).values("pk")[offset : offset + PARTICIPANTS_PER_PAGE]
                ),
                today=slots.today,
            )
            .order_by("partner_sort_name", "id")
            .values_list(*_SHOWN_PARTICIPATION, *(f"partner__{name}" for name in _SHOWN_PARTNER), *_SHOWN_FACTS)
        ),
        activity=BigIntegerField(),
        today=DateField(),
    )


def _shown(row: tuple[Any, ...]) -> Participation:
    """A participation from a row of `participants_shown(...)`, loaded as `.only()` loads one:
    with its partner (the columns read) and the claim facts as attributes."""
    own, partner_values, facts = (
        row[: len(_SHOWN_PARTICIPATION)],
        row[len(_SHOWN_PARTICIPATION) : -len(_SHOWN_FACTS)],
        row[-len(_SHOWN_FACTS) :],
    )
    participation = Participation.from_db("default", _SHOWN_PARTICIPATION, own)
    partner_id = own[_SHOWN_PARTICIPATION.index("partner_id")]
    participation.partner = LayPartner.from_db("default", ("id", *_SHOWN_PARTNER), (partner_id, *partner_values))
    for name, value in zip(_SHOWN_FACTS, facts, strict=True):
        setattr(participation, name, value)
    return participation


def activity_participants_page(
    activity: Activity, page_number: Any, *, counts: ParticipantCounts, today: date | None = None
) -> Page:
    """One page (`PARTICIPANTS_PER_PAGE` people, by name) of the staff activity page's
    participants table, each row with its `payment`: the claim facts are worked out for the
    rows shown only. `counts` (from `participant_counts`) gives the paginator its total."""
    paginator = CappedPaginator(_by_name(activity.pk).values_list("pk", flat=True), PARTICIPANTS_PER_PAGE)
    paginator.count = counts.total  # counted already: no second COUNT query
    page = paginator.get_page(page_number)  # the number checked; its rows are read below
    offset = (page.number - 1) * PARTICIPANTS_PER_PAGE
    rows = participants_shown(offset).rows(activity=activity.pk, today=today or timezone.localdate())
    page.object_list = _with_payment([_shown(row) for row in rows], activity)
    return page


def partners_to_add(*, activity: Activity, query: str = "", limit: int = 50) -> QuerySet[LayPartner]:
    """The AHSN's active lay partners not yet on this activity, matching the search."""
    qs = LayPartner.objects.filter(
        Exists(
            PartnerLink.objects.filter(
                partner_id=OuterRef("pk"), organisation_id=activity.organisation_id, status=PartnerLink.Status.ACTIVE
            )
        ),
        left_at__isnull=True,
        anonymised=False,
    ).exclude(Exists(Participation.objects.filter(activity=activity, partner_id=OuterRef("pk"))))
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(full_name__icontains=query)
            | Q(preferred_name__icontains=query)
            | Q(email__icontains=query)
            | Q(reference__iexact=query)
        )
    return qs.order_by("full_name", "id")[:limit]


SCORE_FIELDS = ("listened_to", "role_clear", "support_right", "take_part_again")
SCORE_LABELS = {
    "listened_to": "Felt listened to",
    "role_clear": "Role was clear",
    "support_right": "Support was right",
    "take_part_again": "Would take part again",
}


def feedback_summary(
    feedback: QuerySet[Feedback], *, comments_limit: int = 10, name_organisation_ids: Any = None
) -> dict[str, Any]:
    """Average scores (out of 5) and count by database aggregation, and recent comments.

    A comment carries the partner's name only when they chose to be named and, when
    `name_organisation_ids` is given, only for activities run by one of those AHSNs (on a shared
    programme another AHSN's partners are never named)."""
    nameable = None if name_organisation_ids is None else set(name_organisation_ids)
    totals = feedback.aggregate(count=Count("pk"), **{f: Avg(f) for f in SCORE_FIELDS})
    scores = _scores(totals)
    if not totals["count"]:
        return {"count": 0, "scores": scores, "comments": []}  # nobody has answered: no comments to read
    recent = (
        feedback.exclude(comments="")
        .select_related("participation__partner", "participation__activity")
        .order_by("-submitted_at")[:comments_limit]
    )
    comments = [
        _comment(
            f.comments,
            f.may_use_name,
            f.participation.partner,
            f.participation.activity,
            f.submitted_at,
            nameable=nameable,
        )
        for f in recent
    ]
    return {"count": totals["count"], "scores": scores, "comments": comments}


def _comment(
    text: str, may_use_name: bool, partner: LayPartner, activity: Activity, submitted_at: Any, *, nameable: Any = None
) -> dict[str, Any]:
    """One comment of `feedback_summary`: the partner's name only if they chose to be named and,
    with `nameable` given, only for an activity run by one of those AHSNs."""
    named = may_use_name and (nameable is None or activity.organisation_id in nameable)
    return {
        "text": text,
        "name": partner.display_name if named else "",
        "activity": activity,
        "submitted_at": submitted_at,
    }


def _scores(totals: dict[str, Any]) -> list[dict[str, Any]]:
    """Each score's label and average out of 5 (one decimal place), from `count` and `SCORE_FIELDS` averages."""
    return [
        {"label": SCORE_LABELS[f], "average": round(float(totals[f]), 1) if totals.get(f) is not None else None}
        for f in SCORE_FIELDS
    ]


# The staff activity page's feedback, as `feedback_summary` gives it, by two queries built once per
# process (core.prepared): building them was about 6 ms of Python on every view of the page.
_FEEDBACK_NAME = _in_field_order(LayPartner, ("id", "full_name", "preferred_name"))
_ACTIVITY_FEEDBACK_TOTALS = Prepared(
    lambda slots: (
        Feedback.objects.filter(participation__activity_id=slots.activity)
        .order_by()
        .values("participation__activity_id")
        .annotate(count=Count("pk"), **{f: Avg(f) for f in SCORE_FIELDS})
        .values_list("count", *SCORE_FIELDS)
    ),
    activity=BigIntegerField(),
)
_ACTIVITY_COMMENTS = Prepared(
    lambda slots: (
        Feedback.objects.filter(participation__activity_id=slots.activity)
        .exclude(comments="")
        .order_by("-submitted_at")
        .values_list(
            "comments", "may_use_name", "submitted_at", *(f"participation__partner__{name}" for name in _FEEDBACK_NAME)
        )[:10]
    ),
    activity=BigIntegerField(),
)


def activity_feedback(activity: Activity) -> dict[str, Any]:
    """`feedback_summary` of the activity's feedback: every partner on it is the AHSN's own, so a
    comment carries the name of whoever chose to be named."""
    found = _ACTIVITY_FEEDBACK_TOTALS.rows(activity=activity.pk)
    totals = dict(zip(("count", *SCORE_FIELDS), found[0], strict=True)) if found else {"count": 0}
    if not totals["count"]:
        return {"count": 0, "scores": _scores(totals), "comments": []}
    comments = [
        _comment(text, may_use_name, LayPartner.from_db("default", _FEEDBACK_NAME, partner), activity, submitted_at)
        for text, may_use_name, submitted_at, *partner in _ACTIVITY_COMMENTS.rows(activity=activity.pk)
    ]
    return {"count": totals["count"], "scores": _scores(totals), "comments": comments}


# ---------------------------------------------------------------- one programme


def programme_activities_page(*, programme: Programme, page_number: Any, figures: dict[str, Any]) -> Page:
    """One page (25, latest first) of `programme_activities`, counted by `programme_figures`
    (`activity_total`, cached with the other sums): no COUNT query over thousands of activities."""
    paginator = Paginator(programme_activities(programme=programme), 25)
    paginator.count = figures["activity_total"]
    return paginator.get_page(page_number)


def programme_activities(*, programme: Programme) -> QuerySet[Any]:
    """All activities logged against the programme, by any AHSN it is shared with: the activity
    table's rows (ACTIVITY_ROW_COLUMNS, named)."""
    return activity_rows(Activity.objects.filter(programme=programme), named=True)


# --- The involvement plan against what was logged -------------------------------------------------


class PlanDelivery:
    """Where one line of a programme's involvement plan stands (see `plan_against_delivery`)."""

    DONE = "done"
    DONE_DIFFERENTLY = "done_differently"
    LATE = "late"
    NOT_STARTED = "not_started"

    LABELS = {
        DONE: "Done",
        DONE_DIFFERENTLY: "Done differently",
        LATE: "Late",
        NOT_STARTED: "Not started",
    }
    # NHS.UK tag colours: green done, yellow done differently, red late, grey not started.
    TAGS = {
        DONE: "nhsuk-tag--green",
        DONE_DIFFERENTLY: "nhsuk-tag--yellow",
        LATE: "nhsuk-tag--red",
        NOT_STARTED: "nhsuk-tag--grey",
    }


def _ladder_rank(field: str) -> Case:
    """A level's position on the ladder of co-production: informing 0 ... co-production 4."""
    return Case(
        *(When(**{field: value}, then=Value(rank)) for rank, (value, _label) in enumerate(LadderLevel.choices)),
        default=Value(-1),
        output_field=IntegerField(),
    )


def plan_against_delivery(
    plans: QuerySet[PlannedInvolvement], *, today: date | None = None
) -> QuerySet[PlannedInvolvement]:
    """The one rule for how a planned line stands, as `delivery` (a PlanDelivery value), in SQL.

    Activities that count are those logged against the same programme (by any AHSN it is shared
    with), not cancelled, that had started by `today`, at the planned innovation stage:

    * done: one of them reached the planned level or higher, with every planned seldom-heard
      group, in or before the planned period;
    * done differently: none matched, but one took place in the planned period (so at a lower
      level, or with other groups);
    * late: nothing of either kind and the planned period has passed;
    * not started: nothing yet and the period has not passed (it is ahead, or still running).

    The programme page, the quarterly report (with `today` at a quarter's end) and the demo all
    ask this function."""
    today = today or timezone.localdate()
    logged = Activity.objects.filter(
        programme_id=OuterRef("programme_id"), stage=OuterRef("stage"), starts_at__date__lte=today
    ).exclude(status=ActivityStatus.CANCELLED)
    matching = (
        logged.annotate(level_rank=_ladder_rank("level"))
        .filter(level_rank__gte=OuterRef("level_rank"))
        .filter(seldom_heard_groups__contains=OuterRef("seldom_heard_groups"))
        .filter(starts_at__date__lte=OuterRef("period_end"))
    )
    in_period = logged.filter(
        starts_at__date__gte=OuterRef("period_start"), starts_at__date__lte=OuterRef("period_end")
    )
    return plans.annotate(level_rank=_ladder_rank("level")).annotate(
        delivery=Case(
            When(Exists(matching), then=Value(PlanDelivery.DONE)),
            When(Exists(in_period), then=Value(PlanDelivery.DONE_DIFFERENTLY)),
            When(period_end__lt=today, then=Value(PlanDelivery.LATE)),
            default=Value(PlanDelivery.NOT_STARTED),
            output_field=CharField(),
        )
    )


def programme_plan(*, programme: Programme, today: date | None = None) -> list[PlannedInvolvement]:
    """The programme's plan, earliest first, each line with `delivery` and its label and tag colour
    for pages (one query)."""
    plans = PlannedInvolvement.objects.filter(programme=programme).order_by("period_start", "id")
    if not plans.exists():
        return []  # most programmes have no plan: a small query, not the rule's (2 ms to build in Python)
    lines = list(plan_against_delivery(plans, today=today))
    for line in lines:
        line.delivery_label = PlanDelivery.LABELS[line.delivery]  # type: ignore[attr-defined]
        line.delivery_tag = PlanDelivery.TAGS[line.delivery]  # type: ignore[attr-defined]
    return lines


def programmes_with_late_involvement(*, today: date) -> QuerySet[PlannedInvolvement]:
    """Planned lines that are late on `today`; correlate on `programme_id` for "is this programme on plan?"."""
    return plan_against_delivery(PlannedInvolvement.objects.all(), today=today).filter(Q(delivery=PlanDelivery.LATE))


def programme_summary(*, programme: Programme, organisation_ids: Any = None) -> dict[str, Any]:
    """People involved, levels reached, outcomes and feedback for the programme page.

    `organisation_ids`: the viewer's AHSNs; feedback comments name only their own partners."""
    activities = Activity.objects.filter(programme=programme).exclude(status=ActivityStatus.CANCELLED)
    attended = Participation.objects.filter(activity__programme=programme, attended=True).exclude(
        activity__status=ActivityStatus.CANCELLED
    )
    people = attended.aggregate(
        partners=Count("partner_id", distinct=True), hours=Coalesce(Sum("hours"), Value(0, output_field=DecimalField()))
    )
    public = activities.aggregate(n=Coalesce(Sum("public_participants_count"), Value(0)))["n"]
    by_level = dict(activities.order_by().values_list("level").annotate(n=Count("pk")))
    levels = [{"label": label, "value": value, "count": by_level.get(value, 0)} for value, label in LadderLevel.choices]
    return {
        "activity_count": activities.count(),
        "partner_count": people["partners"],
        "hours": people["hours"],
        "public_count": public,
        "levels": levels,
        "feedback": feedback_summary(
            Feedback.objects.filter(participation__activity__programme=programme).exclude(
                participation__activity__status=ActivityStatus.CANCELLED
            ),
            name_organisation_ids=organisation_ids,
        ),
    }


def programme_outcome_ids(*, programme: Programme, limit: int = 20) -> dict[str, Any]:
    """The ids of the programme's latest outcomes (its own and its activities') and how many there are."""
    # No OR across a join (it hash-joined every activity, twice): the programme's activities are
    # listed once, then both conditions use the outcome table's own indexes.
    outcomes = Outcome.objects.filter(
        Q(programme=programme)
        | Q(activity_id__any_of=ArraySubquery(Activity.objects.filter(programme=programme).order_by().values("pk")))
    )
    return {
        "ids": list(outcomes.order_by("-decided_on", "-id").values_list("pk", flat=True)[:limit]),
        "count": outcomes.count(),
    }


def programme_outcomes(figures: dict[str, Any]) -> dict[str, Any]:
    """`outcomes` (the latest, read now by id) and `outcome_count` from `programme_figures`."""
    found = Outcome.objects.filter(pk__in=figures["outcome_ids"]["ids"]).select_related("activity", "organisation")
    return {
        "outcomes": sorted(found, key=lambda o: (o.decided_on, o.pk), reverse=True),
        "outcome_count": figures["outcome_ids"]["count"],
    }


# A change makes a new version at once; the time limit is for what the old versions hold: the names
# of the most involved, which must not outlive a partner forgotten by more than an hour.
FIGURES_CACHE_SECONDS = 60 * 60
FIGURES_SHAPE = 2  # one more whenever what `programme_figures` holds changes, so a release reads none of the old


def programme_figures(*, programme: Programme, organisation_ids: Any) -> dict[str, Any]:
    """The programme page's sums over all its activities, for a viewer at `organisation_ids`:
    `summary` (`programme_summary`), `people` (`programme_people`), `outcome_ids`
    (`programme_outcome_ids`, read with `programme_outcomes`) and `activity_total` (every activity,
    cancelled too: the count `programme_activities_page` pages by).

    A programme of 3,000 activities took 150 ms of SQL to sum on every view. The sums are cached
    under the programme's `ProgrammeFiguresVersion`, which database triggers move on whenever an
    activity, participation, feedback, outcome or partner's name behind them changes: a change
    shows on the next view, and an unchanged programme costs one index lookup. The version is read
    before the sums, so sums cached under a version are never older than it."""
    org_key = ",".join(str(pk) for pk in sorted(set(organisation_ids)))
    version = ProgrammeFiguresVersion.objects.filter(programme_id=programme.pk).values_list("version", flat=True)
    # The programme's creation time tells apart two programmes given the same id (after a restore).
    current = next(iter(version), 0)
    created = int(programme.created_at.timestamp())
    key = f"programme-figures:{FIGURES_SHAPE}:{programme.pk}:{created}:{current}:{org_key}"
    figures: dict[str, Any] | None = cache.get(key)
    if figures is None:
        figures = {
            "summary": programme_summary(programme=programme, organisation_ids=organisation_ids),
            "people": programme_people(programme=programme, organisation_ids=organisation_ids),
            "outcome_ids": programme_outcome_ids(programme=programme),
            "activity_total": Activity.objects.filter(programme=programme).count(),
        }
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


def programme_people(*, programme: Programme, organisation_ids: Any, limit: int = 20) -> list[dict[str, Any]]:
    """Lay partners who attended the programme's activities run by the given AHSNs, most involved
    first: name, activities attended and hours. Other AHSNs' partners on a shared programme are
    only counted in the summary, never named."""
    rows = (
        Participation.objects.filter(
            activity__programme=programme,
            activity__organisation_id__in=list(organisation_ids),
            attended=True,
            partner__anonymised=False,
        )
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .values("partner_id", "partner__full_name", "partner__preferred_name")
        .annotate(
            activities=Count("activity_id", distinct=True),
            hours=Coalesce(Sum("hours"), Value(0, output_field=DecimalField())),
        )
        .order_by("-activities", "partner__full_name")[:limit]
    )
    return [
        {
            "partner_id": r["partner_id"],
            "name": r["partner__preferred_name"] or r["partner__full_name"],
            "activities": r["activities"],
            "hours": r["hours"],
        }
        for r in rows
    ]


# ---------------------------------------------------------------- the lay partner's view


def partner_participations(partner: LayPartner) -> QuerySet[Participation]:
    return Participation.objects.filter(partner=partner).select_related(
        "activity", "activity__organisation", "activity__programme", "feedback"
    )


def partner_upcoming(partner: LayPartner, *, now: datetime | None = None) -> QuerySet[Participation]:
    now = now or timezone.now()
    return (
        partner_participations(partner)
        .filter(activity__ends_at__gte=now, activity__status=ActivityStatus.PLANNED)
        .order_by("activity__starts_at", "id")
    )


def partner_past(partner: LayPartner, *, now: datetime | None = None) -> QuerySet[Participation]:
    now = now or timezone.now()
    return (
        partner_participations(partner)
        .filter(Q(activity__ends_at__lt=now) | ~Q(activity__status=ActivityStatus.PLANNED))
        .order_by("-activity__starts_at", "-id")
    )


def partner_feedback_due(partner: LayPartner, *, now: datetime | None = None) -> QuerySet[Participation]:
    """Attended activities the partner can still give (or change) feedback on."""
    now = now or timezone.now()
    return (
        partner_participations(partner)
        .filter(attended=True)
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .filter(Q(feedback__isnull=True) | Q(feedback__submitted_at__gte=now - timedelta(days=FEEDBACK_EDITABLE_DAYS)))
        .order_by("-activity__starts_at", "-id")
    )


# "What I've been part of" (views.my_involvement): each list is a query built once per process
# (core.prepared) and read as named rows of the columns the page shows. Built on each view, the
# four lists (with a participation, activity, AHSN, programme and feedback made for each row) were
# half the page's time.
_PARTNER_SLOTS: dict[str, Field[Any, Any]] = {"partner": BigIntegerField(), "now": DateTimeField()}
MY_UPCOMING = Prepared(
    lambda slots: partner_upcoming(slots.partner, now=slots.now).values_list(
        "pk",
        "response",
        "role",
        "activity__title",
        "activity__starts_at",
        "activity__ends_at",
        "activity__format",
        "activity__location",
        "activity__joining_details",
        "activity__organisation__short_name",
    )[:50],
    named=True,
    **_PARTNER_SLOTS,
)
MY_PAST = Prepared(  # paged: see core.prepared.PreparedList
    lambda slots: partner_past(slots.partner, now=slots.now).values_list(
        "pk",
        "attended",
        "hours",
        "activity__title",
        "activity__starts_at",
        "activity__status",
        "activity__organisation__short_name",
    ),
    named=True,
    **_PARTNER_SLOTS,
)
MY_FEEDBACK_DUE = Prepared(
    lambda slots: partner_feedback_due(slots.partner, now=slots.now).values_list(
        "pk", "feedback", "activity__title", "activity__starts_at"
    )[:20],
    named=True,
    **_PARTNER_SLOTS,
)


def partner_outcomes(partner: LayPartner) -> QuerySet[Outcome]:
    """ "You said, we did" from activities the partner took part in (and their programmes).

    The partner's activities and programmes are worked out once (`any_of`), so the outcomes are
    found through their activity and programme indexes rather than by checking every outcome."""
    mine = Participation.objects.filter(partner=partner).order_by()
    activity_ids = mine.exclude(attended=False).values("activity_id")
    programme_ids = mine.filter(attended=True, activity__programme_id__isnull=False).values("activity__programme_id")
    return (
        Outcome.objects.filter(
            Q(activity_id__any_of=ArraySubquery(activity_ids)) | Q(programme_id__any_of=ArraySubquery(programme_ids))
        )
        .select_related("activity", "programme", "organisation")
        .order_by("-decided_on", "-id")
    )


def partner_outcome(partner: LayPartner | None, pk: int) -> Outcome:
    """One outcome from an activity (or programme) the partner took part in, or 404."""
    if partner is None:
        raise Http404("No such outcome.")
    outcome = partner_outcomes(partner).filter(pk=pk).first()
    if outcome is None:
        raise Http404("No such outcome.")
    return outcome


def outcome_history(outcome: Outcome) -> QuerySet[OutcomeStatusChange]:
    """An outcome's steps, oldest first (the order a timeline reads)."""
    return outcome.status_changes.select_related("changed_by").order_by("changed_on", "id")


def get_status_change_for_user(user: Any, pk: int) -> OutcomeStatusChange:
    """A step whose evidence this person may open: staff at the outcome's AHSN, or a partner who
    took part in what the outcome came from. Anyone else gets 404."""
    change = OutcomeStatusChange.objects.select_related("outcome", "outcome__organisation").filter(pk=pk).first()
    if change is None:
        raise Http404("No such evidence.")
    if change.outcome.organisation_id in visible_organisation_ids(user):
        return change
    partner = partner_for_user(user)
    if partner is not None and partner_outcomes(partner).filter(pk=change.outcome_id).exists():
        return change
    raise Http404("No such evidence.")


def outcome_status_on(day: date) -> Coalesce:
    """An expression for the status an outcome had at the end of `day`: its latest step on or
    before that day, or nothing if it had not been recorded yet. An outcome with no history at all
    (made outside the services, as a test's fixture might) counts with its current status from its
    date. The report counts outcomes with this, so a quarter keeps the figures it had."""
    steps = OutcomeStatusChange.objects.filter(outcome_id=OuterRef("pk"))
    latest = steps.filter(changed_on__lte=day).order_by("-changed_on", "-id").values("to_status")[:1]
    no_history = Case(
        When(~Exists(steps) & Q(decided_on__lte=day), then=F("status")),
        default=Value(None),
        output_field=CharField(),
    )
    return Coalesce(Subquery(latest), no_history, output_field=CharField())


# ---------------------------------------------------------------- staff side summaries


def participations_for_partner(*, partner: LayPartner, organisation_ids: Any) -> QuerySet[Participation]:
    """What a partner has taken part in at the given AHSNs (staff view of a partner)."""
    return (
        Participation.objects.filter(partner=partner, activity__organisation_id__in=list(organisation_ids))
        .select_related("activity", "activity__programme", "activity__organisation")
        .order_by("-activity__starts_at", "-id")
    )


def week_bounds(day: date) -> tuple[datetime, datetime]:
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time.min, tzinfo=UK_TIME)
    return start, start + timedelta(days=7)


def activities_this_week(
    *, organisation_ids: Any, today: date | None = None, week: tuple[Any, Any] | None = None
) -> QuerySet[Activity]:
    """`organisation_ids`: ids, or an array placeholder (core.prepared); `week`: its bounds, values
    or placeholders (else the week of `today`)."""
    start, end = week or week_bounds(today or timezone.localdate())
    return (
        Activity.objects.filter(organisation_id__any_of=organisation_ids, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("organisation")
        .order_by("starts_at", "id")
    )


def completed_without_outcome(*, organisation_ids: Any) -> QuerySet[Activity]:
    """Completed activities with no "you said, we did" yet. Forum meetings are left out: what
    changed because of them goes in their published notes and decisions."""
    return (
        Activity.objects.filter(organisation_id__any_of=organisation_ids, status=ActivityStatus.COMPLETED)
        .exclude(method=InvolvementMethod.FORUM_MEETING)
        .exclude(Exists(Outcome.objects.filter(activity_id=OuterRef("pk"))))
        .select_related("organisation")
        .order_by("-ends_at", "-id")
    )
