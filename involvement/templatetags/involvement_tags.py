"""Template tags and filters for activities.

The busy parts of the activity pages (the activity table's rows, which the activity list and the
programme page draw 25 to 50 times) are written here in Python, with the markup the templates had:
a template row cost about 140 µs in variable lookups, `{% url %}` and `get_FOO_display` calls."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template.defaultfilters import floatformat, linebreaksbr, truncatechars
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from core.choices import ActivityFormat, InvolvementMethod, LadderLevel
from core.formatting import date_text
from core.links import url_for_each
from core.tables import cell
from involvement.models import ActivityStatus, OutcomeStatus
from programmes.models import Programme

register = template.Library()

# NHS.UK tag colours: grey for cancelled, green for completed, blue for planned.
STATUS_TAGS = {
    ActivityStatus.CANCELLED: ("grey", "Cancelled"),
    ActivityStatus.COMPLETED: ("green", "Completed"),
}
PLANNED_TAG = ("blue", "Planned")
TAG_HTML: dict[str | None, SafeString] = {
    status: format_html('<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>', colour, label)
    for status, (colour, label) in [*STATUS_TAGS.items(), (None, PLANNED_TAG)]
}
METHOD_LABELS = dict(InvolvementMethod.choices)
LEVEL_LABELS = dict(LadderLevel.choices)


@register.filter
def activity_tag(activity: Any) -> SafeString:
    """The activity's status as an NHS.UK tag (a filter, not an include: it is drawn on every row
    of the activity lists)."""
    return TAG_HTML.get(activity.status, TAG_HTML[None])


def activity_rows_html(
    activities: Iterable[Any],
    *,
    show_organisation: bool = False,
    show_programme: bool = False,
    visible_org_ids: Any = None,
) -> SafeString:
    """The activity table's body rows (templates/involvement/_activity_table.html).

    Each activity is a row of `selectors.ACTIVITY_ROW_COLUMNS` (`selectors.activity_rows`). The title
    links to the activity unless `visible_org_ids` is given and does not hold its AHSN."""
    detail_url = url_for_each("involvement:activity_detail")
    esc = conditional_escape
    rows = []
    for a in activities:
        title: str = esc(a.title)
        if visible_org_ids is None or a.organisation_id in visible_org_ids:
            title = f'<a href="{detail_url(a.pk)}">{title}</a>'
        if show_programme:
            programme = esc(a.programme__name) if a.programme_id is not None else "Not part of a programme"
            title += f'<br><span class="nhsuk-body-s nhsuk-u-secondary-text-color">{programme}</span>'
        if a.status == ActivityStatus.PLANNED:
            people = f"{a.participant_count} invited"
        else:
            people = f"{a.attended_count} of {a.participant_count} came"
        organisation = cell("AHSN", esc(a.organisation__short_name)) if show_organisation else ""
        rows.append(
            '\n    <tr class="nhsuk-table__row">\n'
            f"      {cell('Date', date_text(a.starts_at))}\n"
            f"      {cell('Activity', title)}\n"
            f"      {organisation}\n"
            f"      {cell('Method', esc(METHOD_LABELS.get(a.method, a.method)))}\n"
            f"      {cell('Level', esc(LEVEL_LABELS.get(a.level, a.level)))}\n"
            f"      {cell('People', people)}\n"
            f"      {cell('Status', TAG_HTML.get(a.status, TAG_HTML[None]))}\n"
            "    </tr>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def activity_rows(context: template.Context, activities: Iterable[Any]) -> SafeString:
    """`{% activity_rows activities %}`: the table's rows, with `show_organisation`,
    `show_programme` and `visible_org_ids` taken from the template's context as the include
    passes them (absent means no, no and every AHSN)."""
    return activity_rows_html(
        activities,
        show_organisation=bool(context.get("show_organisation")),
        show_programme=bool(context.get("show_programme")),
        visible_org_ids=context.get("visible_org_ids"),
    )


COMING_HTML = {
    "coming": '<strong class="nhsuk-tag nhsuk-tag--green">Coming</strong>',
    "apologies": '<strong class="nhsuk-tag nhsuk-tag--orange">Sent apologies</strong>',
}
NOT_ANSWERED_HTML = '<strong class="nhsuk-tag nhsuk-tag--grey">Not answered</strong>'


def participant_rows_html(participations: Iterable[Any], *, can_write: bool) -> SafeString:
    """The staff activity page's rows of lay partners (templates/involvement/activity_detail.html).

    Each participation needs its `partner` and its `payment` (`selectors.activity_participants_page`).
    `can_write` adds the "Remove" link for people whose attendance is not recorded yet."""
    partner_url = url_for_each("partners:partner_detail")
    remove_url = url_for_each("involvement:participation_remove")
    esc = conditional_escape
    rows = []
    for p in participations:
        name = esc(p.partner.display_name)
        coming = COMING_HTML.get(p.response, NOT_ANSWERED_HTML)
        if p.response == "apologies" and p.apology_reason:
            coming += f'<br><span class="nhsuk-body-s">{esc(p.apology_reason)}</span>'
        hours = floatformat(p.hours, "-2") if p.hours is not None else "—"
        payment = p.payment
        paid = f'<strong class="{esc(payment.tag_class)}">{esc(payment.label)}</strong>'
        if payment.detail:
            paid += f'<br><span class="nhsuk-body-s">{esc(payment.detail)}</span>'
        attended = "Not recorded" if p.attended is None else ("Yes" if p.attended else "No")
        name_link = f'<a href="{partner_url(p.partner_id)}">{name}</a>'
        actions = ""
        if can_write:
            remove = ""
            if p.attended is None:
                remove = f'<a href="{remove_url(p.pk)}">Remove<span class="nhsuk-u-visually-hidden"> {name}</span></a>'
            actions = f'<td class="nhsuk-table__cell">{remove}</td>'
        rows.append(
            '\n    <tr class="nhsuk-table__row">\n'
            f"      {cell('Name', name_link)}\n"
            f"      {cell('Role', esc(p.role or 'Taking part'))}\n"
            f"      {cell('Expected hours', floatformat(p.expected_hours, '-2'), numeric=True)}\n"
            f"      {cell('Coming?', coming)}\n"
            f"      {cell('Attended', attended)}\n"
            f"      {cell('Hours', hours, numeric=True)}\n"
            f"      {cell('Involvement payment', paid)}\n"
            f"      {actions}\n"
            "    </tr>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def participant_rows(participations: Iterable[Any], can_write: bool) -> SafeString:
    """`{% participant_rows participations can_write %}`: see `participant_rows_html`."""
    return participant_rows_html(participations, can_write=bool(can_write))


OUTCOME_STATUS_LABELS = dict(OutcomeStatus.choices)
FORMAT_LABELS = {value: str(label) for value, label in ActivityFormat.choices}


@register.filter
def format_label(value: Any) -> str:
    """`{{ row.activity__format|format_label }}`: "In person", as `get_format_display` says it."""
    return FORMAT_LABELS.get(value, value)


def outcome_card_html(
    outcome: Any,
    *,
    show_source: bool = False,
    partner_view: bool = False,
    can_change: bool = False,
    level: Any = "",
) -> SafeString:
    """One "You said, we did" card (it was templates/involvement/_outcome_card.html, included once
    per outcome: 20 of them cost the programme page 9 ms). `show_source` starts the heading with the
    activity's title (or the programme's name); `partner_view` links to the lay partner's page for
    the outcome; `can_change` adds "Record progress"; `level` is the heading's level (3 if not given)."""
    esc = conditional_escape
    heading_level = esc(level or "3")
    source = ""
    if show_source:
        if outcome.activity:
            source = esc(outcome.activity.title)
        else:
            programme = outcome.programme
            source = esc((programme.name if programme is not None else "") or "The whole programme")
        source += " — "
    status = esc(OUTCOME_STATUS_LABELS.get(outcome.status, outcome.status))
    heard = outcome.what_we_heard
    short = esc(truncatechars(heard, 60))
    page = "involvement:my_outcome_detail" if partner_view else "involvement:outcome_detail"
    links = f'<a href="{url_for_each(page)(outcome.pk)}">How this has moved on'
    links += f'<span class="nhsuk-u-visually-hidden">: {short}</span></a>'
    if can_change:
        progress = url_for_each("involvement:outcome_progress")(outcome.pk)
        links += f' | <a href="{progress}">Record progress<span class="nhsuk-u-visually-hidden">: {short}</span></a>'
    reason = ""
    if outcome.reason:
        reason = f'<p class="nhsuk-u-margin-bottom-2"><strong>Why:</strong> {linebreaksbr(outcome.reason)}</p>'
    return mark_safe(  # noqa: S308 - every value below is escaped
        '<div class="nhsuk-card">\n  <div class="nhsuk-card__content">\n'
        f'    <h{heading_level} class="nhsuk-card__heading nhsuk-heading-s">{source}{status}, '
        f"{date_text(outcome.decided_on)}</h{heading_level}>\n"
        f'    <p class="nhsuk-u-margin-bottom-2"><strong>You said:</strong> {linebreaksbr(heard)}</p>\n'
        f'    <p class="nhsuk-u-margin-bottom-2"><strong>We did:</strong> {linebreaksbr(outcome.what_we_did)}</p>\n'
        f"    {reason}\n"
        f'    <p class="nhsuk-u-margin-bottom-0">{links}</p>\n'
        "  </div>\n</div>\n"
    )


@register.simple_tag
def outcome_card(
    outcome: Any, show_source: Any = False, partner_view: Any = False, can_change: Any = False, level: Any = ""
) -> SafeString:
    """`{% outcome_card outcome show_source=True partner_view=True can_change=can_write level="2" %}`:
    see `outcome_card_html`."""
    return outcome_card_html(
        outcome,
        show_source=bool(show_source),
        partner_view=bool(partner_view),
        can_change=bool(can_change),
        level=level,
    )


def my_past_rows_html(rows: Iterable[Any]) -> SafeString:
    """The rows of "What you have taken part in" on a lay partner's page (my_involvement.html),
    from `selectors.MY_PAST`'s named rows."""
    activity_url = url_for_each("involvement:my_activity")
    esc = conditional_escape
    html = []
    for row in rows:
        cancelled = row.activity__status == ActivityStatus.CANCELLED
        if cancelled:
            attended = "Cancelled"
        else:
            attended = "Not recorded yet" if row.attended is None else ("Yes" if row.attended else "No")
        title = f'<a href="{activity_url(row.pk)}">{esc(row.activity__title)}</a>' + (
            " (cancelled)" if cancelled else ""
        )
        hours = floatformat(row.hours, "-2") if row.hours is not None else "—"
        html.append(
            '\n    <tr class="nhsuk-table__row">\n'
            f"      {cell('Date', date_text(row.activity__starts_at))}\n"
            f"      {cell('Activity', title)}\n"
            f"      {cell('AHSN', esc(row.activity__organisation__short_name))}\n"
            f"      {cell('You attended', attended)}\n"
            f"      {cell('Hours', hours, numeric=True)}\n"
            "    </tr>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


@register.simple_tag
def my_past_rows(rows: Iterable[Any]) -> SafeString:
    """`{% my_past_rows page_obj %}`: see `my_past_rows_html`."""
    return my_past_rows_html(rows)


def my_feedback_due_html(rows: Iterable[Any]) -> SafeString:
    """The items of "Feedback you can still give" on a lay partner's page (my_involvement.html),
    from `selectors.MY_FEEDBACK_DUE`'s named rows (`feedback` is the feedback's id, None if not given)."""
    feedback_url = url_for_each("involvement:feedback")
    esc = conditional_escape
    items = []
    for row in rows:
        title = esc(row.activity__title)
        text = f"Change your feedback on {title}" if row.feedback else f"Tell us how {title} went"
        items.append(
            f'\n  <li><a href="{feedback_url(row.pk)}">{text}</a>\n'
            f'    <span class="nhsuk-body-s nhsuk-u-secondary-text-color"> — {date_text(row.activity__starts_at)}</span></li>'
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


@register.simple_tag
def my_feedback_due(rows: Iterable[Any]) -> SafeString:
    """`{% my_feedback_due feedback_due %}`: see `my_feedback_due_html`."""
    return my_feedback_due_html(rows)


def programme_people_rows_html(people: Iterable[dict[str, Any]]) -> SafeString:
    """The rows of "People involved" on the programme page (`selectors.programme_people`)."""
    partner_url = url_for_each("partners:partner_detail")
    rows: list[str] = []
    esc = conditional_escape
    for person in people:
        link = f'<a href="{partner_url(person["partner_id"])}">{esc(person["name"])}</a>'
        rows.append(
            '\n    <tr class="nhsuk-table__row">\n'
            f"      {cell('Lay partner', link)}\n"
            f"      {cell('Activities attended', esc(person['activities']), numeric=True)}\n"
            f"      {cell('Hours', floatformat(person['hours'], '-2'), numeric=True)}\n"
            "    </tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def programme_people_rows(people: Iterable[dict[str, Any]]) -> SafeString:
    """`{% programme_people_rows people %}`: see `programme_people_rows_html`."""
    return programme_people_rows_html(people)


def _labels(model: Any, field: str) -> dict[Any, str]:
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


PROGRAMME_TYPE_LABELS = _labels(Programme, "programme_type")
PROGRAMME_STAGE_LABELS = _labels(Programme, "innovation_stage")
PROGRAMME_STATUS_LABELS = _labels(Programme, "status")


def programme_rows_html(programmes: Iterable[Any]) -> SafeString:
    """The rows of the programme list (templates/programmes/programme_list.html). Each programme
    needs its `organisation` and `involvement_this_quarter` (`programmes.selectors.programme_list`)."""
    detail_url = url_for_each("programmes:programme_detail")
    esc = conditional_escape
    rows = []
    for p in programmes:
        name = f'<a href="{detail_url(p.pk)}">{esc(p.name)}</a>'
        rows.append(
            '\n    <tr class="nhsuk-table__row">\n'
            f"      {cell('Programme', name)}\n"
            f"      {cell('AHSN', esc(p.organisation.short_name))}\n"
            f"      {cell('Type', esc(PROGRAMME_TYPE_LABELS.get(p.programme_type, p.programme_type)))}\n"
            f"      {cell('Stage', esc(PROGRAMME_STAGE_LABELS.get(p.innovation_stage, p.innovation_stage)))}\n"
            f"      {cell('Status', esc(PROGRAMME_STATUS_LABELS.get(p.status, p.status)))}\n"
            f"      {cell('Involvement this quarter', 'Yes' if p.involvement_this_quarter else 'Not yet')}\n"
            "    </tr>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def programme_rows(programmes: Iterable[Any]) -> SafeString:
    """`{% programme_rows page_obj %}`: see `programme_rows_html`."""
    return programme_rows_html(programmes)
