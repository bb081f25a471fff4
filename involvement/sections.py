"""What involvement adds to other apps' pages.

* A lay partner's home page: "Coming up", "You said, we did", "Feedback you can still give".
* A member of staff's view of a lay partner: "What they have taken part in".
* The staff home page (core.dashboard): "Activities this week", "Completed activities with no outcome yet".

The partner sections are registered through `partners.sections` when that module exists."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, DateTimeField
from django.urls import reverse
from django.utils import timezone

from accounts.roles import DELIVERY_ROLES
from accounts.typing import AnyUser
from core.access import memberships_of, visible_organisation_ids
from core.choices import ActivityFormat
from core.dashboard import DashboardSection, register, regroup_lists, union_of_lists
from core.formatting import date_text, day_text, time_text
from core.links import url_for_each
from core.prepared import Prepared
from involvement import selectors
from involvement.models import OutcomeStatus, ParticipationResponse
from partners import sections as partner_sections


def _day(moment: Any) -> str:
    return f"{day_text(moment)}, {time_text(moment)}"


_ANSWER_TEXT: dict[str, str] = {
    ParticipationResponse.COMING: ", you are coming",
    ParticipationResponse.APOLOGIES: ", you sent apologies",
}
_FORMAT_LABELS = {value: str(label).lower() for value, label in ActivityFormat.choices}
_OUTCOME_STATUS_LABELS = dict(OutcomeStatus.choices)


# The partner home's two reads, each built once per process (core.prepared): building them was
# about 9 ms of Python on every view, for 6 ms of SQL.
_PARTNER_COLUMNS = ("pk", "activity__title", "activity__starts_at", "activity__format", "response")
_PARTNER_LISTS = Prepared(
    lambda slots: union_of_lists(
        (selectors.partner_upcoming(slots.partner, now=slots.now), _PARTNER_COLUMNS, 5),
        (
            selectors.partner_feedback_due(slots.partner, now=slots.now).filter(feedback__isnull=True),
            _PARTNER_COLUMNS,
            5,
        ),
    ),
    partner=BigIntegerField(),
    now=DateTimeField(),
)
_PARTNER_OUTCOMES = Prepared(
    lambda slots: selectors.partner_outcomes(slots.partner).values_list(
        "activity_id", "activity__title", "programme__name", "what_we_did", "status", "decided_on"
    )[:3],
    partner=BigIntegerField(),
)


def partner_home_sections(partner: Any) -> list[DashboardSection]:
    """Only the columns each line shows are read (no model instances): this is the partner's home page."""
    mine = reverse("involvement:my_involvement")
    my_activity_url = url_for_each("involvement:my_activity")
    feedback_url = url_for_each("involvement:feedback")
    outcomes_url = reverse("involvement:my_outcomes")
    upcoming, due = regroup_lists(_PARTNER_LISTS.rows(partner=partner.pk, now=timezone.now()), 2)
    outcomes = _PARTNER_OUTCOMES.rows(partner=partner.pk)
    return [
        DashboardSection(
            title="Coming up",
            items=[
                {
                    "text": title,
                    "url": my_activity_url(pk),
                    "meta": f"{_day(starts_at)}, {_FORMAT_LABELS.get(format_, str(format_).lower())}"
                    + _ANSWER_TEXT.get(response, ", tell us if you can come"),
                }
                for pk, title, starts_at, format_, response in upcoming
            ],
            empty_text="You have nothing coming up.",
            link_url=mine,
            link_text="See everything you have been part of",
        ),
        DashboardSection(
            title="You said, we did",
            items=[
                {
                    "text": f"{activity_title if activity_id is not None else (programme_name or '')}: {what_we_did[:120]}",
                    "url": outcomes_url,
                    "meta": f"{_OUTCOME_STATUS_LABELS.get(status, status)}, {date_text(decided_on)}",
                }
                for activity_id, activity_title, programme_name, what_we_did, status, decided_on in outcomes
            ],
            empty_text="There are no outcomes from your activities yet. We will tell you when there are.",
        ),
        DashboardSection(
            title="Feedback you can still give",
            items=[
                {
                    "text": f"Tell us how {title} went",
                    "url": feedback_url(pk),
                    "meta": f"{date_text(starts_at)}",
                }
                for pk, title, starts_at, _format, _response in due
            ],
            empty_text="There is no feedback for you to give right now.",
        ),
    ]


def partner_profile_sections(partner: Any, organisation_ids: Any, user: AnyUser) -> list[DashboardSection]:
    participations = list(selectors.participations_for_partner(partner=partner, organisation_ids=organisation_ids)[:10])
    items = []
    for p in participations:
        if p.activity.is_cancelled:
            state = "cancelled"
        elif p.attended is None:
            state = "attendance not recorded"
        elif p.attended:
            state = f"attended, {p.hours or 0:g} hours"
        else:
            state = "did not attend"
        items.append(
            {
                "text": p.activity.title,
                "url": reverse("involvement:activity_detail", args=[p.activity_id]),
                "meta": f"{date_text(p.activity.starts_at)}, {state}",
            }
        )
    return [
        DashboardSection(
            title="What they have taken part in",
            items=items,
            empty_text="They have not taken part in any activities here yet.",
        )
    ]


# The staff home's two lists, in one query built once per process (core.prepared): building it was
# about 6 ms of Python on every view of the home page.
_STAFF_LISTS = Prepared(
    lambda slots: union_of_lists(
        (
            selectors.activities_this_week(
                organisation_ids=slots.organisations, week=(slots.week_start, slots.week_end)
            ),
            ("pk", "title", "starts_at", "organisation__short_name"),
            10,
        ),
        (
            selectors.completed_without_outcome(organisation_ids=slots.organisations),
            ("pk", "title", "ends_at", "organisation__short_name"),
            10,
        ),
    ),
    organisations=ArrayField(BigIntegerField()),
    week_start=DateTimeField(),
    week_end=DateTimeField(),
)


@register
def staff_dashboard_sections(user: AnyUser) -> list[DashboardSection]:
    roles = {m.role for m in memberships_of(user)}
    if not roles & DELIVERY_ROLES:
        return []
    org_ids = visible_organisation_ids(user, roles=DELIVERY_ROLES)
    start, end = selectors.week_bounds(timezone.localdate())
    this_week, no_outcome = regroup_lists(
        _STAFF_LISTS.rows(organisations=sorted(org_ids), week_start=start, week_end=end), 2
    )
    activity_url = url_for_each("involvement:activity_detail")
    outcome_url = url_for_each("involvement:outcome_create")
    return [
        DashboardSection(
            title="Activities this week",
            items=[
                {"text": title, "url": activity_url(pk), "meta": f"{_day(starts_at)}, {short_name}"}
                for pk, title, starts_at, short_name in this_week
            ],
            empty_text="There are no activities this week.",
            link_url=reverse("involvement:activity_create"),
            link_text="Log an activity",
        ),
        DashboardSection(
            title="Completed activities with no outcome yet",
            items=[
                {"text": title, "url": outcome_url(pk), "meta": f"ended {date_text(ends_at)}, {short_name}"}
                for pk, title, ends_at, short_name in no_outcome
            ],
            empty_text="Every completed activity has an outcome recorded.",
        ),
    ]


def register_partner_sections() -> None:
    """Add involvement's sections to the partner's home page and profile (from AppConfig.ready)."""
    partner_sections.register_home_section(partner_home_sections)
    partner_sections.register_profile_section(partner_profile_sections)
