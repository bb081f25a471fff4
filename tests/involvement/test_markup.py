"""The pages' busy markup written in Python (involvement_tags) is the markup the templates drew.

Each test renders the template the page used before (kept here, word for word) and the page's
template now, on the same rows, and compares them byte for byte: titles with markup in them,
every status, activities in and out of a programme, and an AHSN whose activities the viewer
cannot open."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Membership
from accounts.roles import Role
from core.prepared import PreparedList
from involvement.models import Activity, ActivityStatus, Feedback, Outcome, OutcomeStatus
from involvement.selectors import (
    MY_FEEDBACK_DUE,
    MY_PAST,
    activity_participants_page,
    activity_rows,
    participant_counts,
    partner_feedback_due,
    partner_past,
    with_counts,
)
from involvement.templatetags.involvement_tags import (
    my_feedback_due_html,
    my_past_rows_html,
    outcome_card_html,
    participant_rows_html,
    programme_people_rows_html,
    programme_rows_html,
)
from programmes.models import StrategyPriority
from programmes.selectors import programme_list as programme_list_selector
from tests.conftest import client_for
from tests.involvement.factories import ActivityFactory, ParticipationFactory
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

OLD_ACTIVITY_TABLE = """{% load portal involvement_tags %}<table class="nhsuk-table-responsive">
  <caption class="nhsuk-table__caption">{{ caption }}</caption>
  <thead class="nhsuk-table__head">
    <tr class="nhsuk-table__row">
      <th scope="col" class="nhsuk-table__header">Date</th>
      <th scope="col" class="nhsuk-table__header">Activity</th>
      {% if show_organisation %}<th scope="col" class="nhsuk-table__header">AHSN</th>{% endif %}
      <th scope="col" class="nhsuk-table__header">Method</th>
      <th scope="col" class="nhsuk-table__header">Level</th>
      <th scope="col" class="nhsuk-table__header">People</th>
      <th scope="col" class="nhsuk-table__header">Status</th>
    </tr>
  </thead>
  <tbody class="nhsuk-table__body">
  {% for a in activities %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Date </span>{{ a.starts_at|date_text }}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Activity </span>{% if visible_org_ids is None or a.organisation_id in visible_org_ids %}<a href="{% url 'involvement:activity_detail' a.pk %}">{{ a.title }}</a>{% else %}{{ a.title }}{% endif %}{% if show_programme %}<br><span class="nhsuk-body-s nhsuk-u-secondary-text-color">{% if a.programme %}{{ a.programme.name }}{% else %}Not part of a programme{% endif %}</span>{% endif %}</td>
      {% if show_organisation %}<td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">AHSN </span>{{ a.organisation.short_name }}</td>{% endif %}
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Method </span>{{ a.get_method_display }}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Level </span>{{ a.get_level_display }}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">People </span>{% if a.status == "planned" %}{{ a.participant_count }} invited{% else %}{{ a.attended_count }} of {{ a.participant_count }} came{% endif %}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Status </span>{{ a|activity_tag }}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>
"""


@pytest.fixture
def activities(wessex, yorkshire):
    now = timezone.now()
    programme = ProgrammeFactory(organisation=wessex, name="Heart <b>failure</b>")
    evil = ActivityFactory(
        organisation=wessex, programme=programme, title="<script>alert('x')</script> & co", starts_at=now
    )
    ActivityFactory(
        organisation=wessex,
        programme=None,
        title="Completed one",
        status=ActivityStatus.COMPLETED,
        method="focus_group",
        level="informing",
        starts_at=now - timedelta(days=40),
    )
    ActivityFactory(
        organisation=yorkshire,
        title="Elsewhere",
        status=ActivityStatus.CANCELLED,
        starts_at=now,
        cancellation_reason="Rain",
    )
    ParticipationFactory(activity=evil)
    ParticipationFactory(activity=evil, attended=True)
    done = Activity.objects.get(title="Completed one")
    ParticipationFactory(activity=done, attended=True)
    ParticipationFactory(activity=done, attended=False)
    qs = with_counts(Activity.objects.all()).select_related("organisation", "programme").order_by("-starts_at", "-id")
    rows = activity_rows(Activity.objects.all(), named=True)
    return {"objects": list(qs), "rows": list(rows)}  # the old template read models; the rows are the page's


@pytest.mark.parametrize(
    "extra",
    [
        {"show_organisation": True, "show_programme": True, "visible_org_ids": None},
        {"show_organisation": False, "show_programme": True, "visible_org_ids": None},
        {"show_organisation": True},
        {"show_organisation": True, "visible_org_ids": "wessex"},
    ],
)
def test_the_activity_table_is_drawn_as_the_template_drew_it(activities, wessex, extra) -> None:
    if extra.get("visible_org_ids") == "wessex":
        extra = {**extra, "visible_org_ids": {wessex.pk}}
    context = {"caption": "Activities <here>", **extra}
    old = Template(OLD_ACTIVITY_TABLE).render(Context({**context, "activities": activities["objects"]}))
    new = render_to_string("involvement/_activity_table.html", {**context, "activities": activities["rows"]})
    assert new == old
    assert "<script>" not in new
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in new


def test_an_outsiders_activity_is_not_a_link(activities, wessex) -> None:
    html = render_to_string(
        "involvement/_activity_table.html",
        {"activities": activities["rows"], "caption": "", "show_organisation": True, "visible_org_ids": {wessex.pk}},
    )
    elsewhere = next(a for a in activities["rows"] if a.title == "Elsewhere")
    assert f"/involvement/activities/{elsewhere.pk}/" not in html
    assert "Elsewhere" in html
    assert "1 of 2 came" in html and "2 invited" in html


OLD_PARTICIPANT_ROWS = """{% for p in participations %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Name </span><a href="{% url 'partners:partner_detail' p.partner_id %}">{{ p.partner.display_name }}</a></td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Role </span>{{ p.role|default:"Taking part" }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Expected hours </span>{{ p.expected_hours|floatformat:"-2" }}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Coming? </span>{% if p.response == "coming" %}<strong class="nhsuk-tag nhsuk-tag--green">Coming</strong>{% elif p.response == "apologies" %}<strong class="nhsuk-tag nhsuk-tag--orange">Sent apologies</strong>{% if p.apology_reason %}<br><span class="nhsuk-body-s">{{ p.apology_reason }}</span>{% endif %}{% else %}<strong class="nhsuk-tag nhsuk-tag--grey">Not answered</strong>{% endif %}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Attended </span>{% if p.attended is None %}Not recorded{% elif p.attended %}Yes{% else %}No{% endif %}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Hours </span>{% if p.hours is not None %}{{ p.hours|floatformat:"-2" }}{% else %}—{% endif %}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Involvement payment </span><strong class="{{ p.payment.tag_class }}">{{ p.payment.label }}</strong>{% if p.payment.detail %}<br><span class="nhsuk-body-s">{{ p.payment.detail }}</span>{% endif %}</td>
      {% if can_write %}<td class="nhsuk-table__cell">{% if p.attended is None %}<a href="{% url 'involvement:participation_remove' p.pk %}">Remove<span class="nhsuk-u-visually-hidden"> {{ p.partner.display_name }}</span></a>{% endif %}</td>{% endif %}
    </tr>
  {% endfor %}"""


@pytest.mark.parametrize("can_write", [True, False])
def test_the_participant_rows_are_drawn_as_the_template_drew_them(activity, partner, can_write) -> None:
    partner.preferred_name = "<script>Pri</script>"
    partner.save()
    ParticipationFactory(activity=activity, partner=partner, role="", response="coming")
    ParticipationFactory(
        activity=activity,
        response="apologies",
        apology_reason="Ill <b>again</b>",
        attended=False,
        expected_hours=Decimal("1.5"),
    )
    ParticipationFactory(activity=activity, response="apologies", attended=True, hours=Decimal("2.25"))
    ParticipationFactory(activity=activity, attended=True, hours=Decimal("3"), expected_hours=Decimal("3.10"))
    counts = participant_counts(activity)
    page = activity_participants_page(activity, 1, counts=counts)
    context = {"participations": page.object_list, "can_write": can_write}
    old = Template(OLD_PARTICIPANT_ROWS).render(Context(context))
    new = participant_rows_html(page.object_list, can_write=can_write)
    assert new == old
    assert "&lt;script&gt;Pri&lt;/script&gt;" in new and "<script>" not in new
    assert ("Remove<span" in new) is can_write


def test_the_filter_menus_show_your_ahsns_and_the_priorities(lead, wessex, yorkshire) -> None:
    """The AHSN and priority menus are plain choices now: the same options, the choice kept, an
    id not in the menu refused as before."""
    Membership.objects.create(user=lead, organisation=yorkshire, role=Role.STAFF)
    ActivityFactory(organisation=wessex, title="At Wessex")
    ActivityFactory(organisation=yorkshire, title="At Yorkshire")
    priority = StrategyPriority.objects.order_by("strategy", "order").first()
    assert priority is not None
    client = client_for(lead)
    url = reverse("involvement:activity_list")
    page = client.get(url, {"organisation": yorkshire.pk, "priority": ""}).content.decode()
    assert '<option value="">All your AHSNs</option>' in page
    assert f'<option value="{wessex.pk}">{escape(wessex.name)}</option>' in page
    assert f'<option value="{yorkshire.pk}" selected>{escape(yorkshire.name)}</option>' in page
    assert f'<option value="{priority.pk}">{escape(priority.code)} {escape(priority.title)}</option>' in page
    assert "At Yorkshire" in page and "At Wessex" not in page
    names = sorted([wessex, yorkshire], key=lambda o: o.name)
    assert page.index(f'value="{names[0].pk}"') < page.index(f'value="{names[1].pk}"')
    refused = client.get(url, {"organisation": 999999, "priority": 999999}).content.decode()
    assert refused.count("That choice is not one of the available choices") >= 2


OLD_OUTCOME_CARD = """{% load portal %}<div class="nhsuk-card">
  <div class="nhsuk-card__content">
    <h{{ level|default:"3" }} class="nhsuk-card__heading nhsuk-heading-s">{% if show_source %}{% if outcome.activity %}{{ outcome.activity.title }}{% else %}{{ outcome.programme.name|default:"The whole programme" }}{% endif %} — {% endif %}{{ outcome.get_status_display }}, {{ outcome.decided_on|date_text }}</h{{ level|default:"3" }}>
    <p class="nhsuk-u-margin-bottom-2"><strong>You said:</strong> {{ outcome.what_we_heard|linebreaksbr }}</p>
    <p class="nhsuk-u-margin-bottom-2"><strong>We did:</strong> {{ outcome.what_we_did|linebreaksbr }}</p>
    {% if outcome.reason %}<p class="nhsuk-u-margin-bottom-2"><strong>Why:</strong> {{ outcome.reason|linebreaksbr }}</p>{% endif %}
    <p class="nhsuk-u-margin-bottom-0">{% if partner_view %}<a href="{% url 'involvement:my_outcome_detail' outcome.pk %}">{% else %}<a href="{% url 'involvement:outcome_detail' outcome.pk %}">{% endif %}How this has moved on<span class="nhsuk-u-visually-hidden">: {{ outcome.what_we_heard|truncatechars:60 }}</span></a>{% if can_change %} | <a href="{% url 'involvement:outcome_progress' outcome.pk %}">Record progress<span class="nhsuk-u-visually-hidden">: {{ outcome.what_we_heard|truncatechars:60 }}</span></a>{% endif %}</p>
  </div>
</div>
"""


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"can_change": True},
        {"show_source": True},
        {"show_source": True, "partner_view": True},
        {"show_source": True, "partner_view": True, "level": "2"},
    ],
)
def test_an_outcome_card_is_drawn_as_the_template_drew_it(activity, wessex, extra) -> None:
    programme = ProgrammeFactory(organisation=wessex, name="Stroke & <i>rehab</i>")
    long_heard = "We heard <that> the room was too hot\nand too far away from the bus stop, " * 3
    outcomes = [
        Outcome.objects.create(
            organisation=wessex,
            activity=activity,
            what_we_heard=long_heard,
            what_we_did="Moved <b>it</b>\n\nto the library",
            status=OutcomeStatus.NOT_TAKEN_FORWARD,
            reason="No budget & no room",
            decided_on=date(2026, 3, 27),
        ),
        Outcome.objects.create(
            organisation=wessex,
            programme=programme,
            what_we_heard="Short",
            what_we_did="Done",
            status=OutcomeStatus.CHANGED,
            decided_on=date(2026, 1, 2),
        ),
        Outcome.objects.create(
            organisation=wessex,
            activity=activity,
            what_we_heard="Being thought about",
            what_we_did="Nothing yet",
            status=OutcomeStatus.CONSIDERED,
            decided_on=date(2026, 1, 3),
        ),
    ]
    for outcome in outcomes:
        old = Template(OLD_OUTCOME_CARD).render(Context({"outcome": outcome, **extra}))
        new = outcome_card_html(
            outcome,
            show_source=extra.get("show_source", False),
            partner_view=extra.get("partner_view", False),
            can_change=extra.get("can_change", False),
            level=extra.get("level", ""),
        )
        assert new == old
        assert "<that>" not in new and "<i>" not in new


OLD_MY_FEEDBACK_DUE = """{% load portal %}{% for p in feedback_due %}
  <li><a href="{% url 'involvement:feedback' p.pk %}">{% if p.feedback %}Change your feedback on {{ p.activity.title }}{% else %}Tell us how {{ p.activity.title }} went{% endif %}</a>
    <span class="nhsuk-body-s nhsuk-u-secondary-text-color"> — {{ p.activity.starts_at|date_text }}</span></li>{% endfor %}"""
OLD_MY_PAST_ROWS = """{% load portal %}{% for p in page_obj %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Date </span>{{ p.activity.starts_at|date_text }}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Activity </span><a href="{% url 'involvement:my_activity' p.pk %}">{{ p.activity.title }}</a>{% if p.activity.status == "cancelled" %} (cancelled){% endif %}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">AHSN </span>{{ p.activity.organisation.short_name }}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">You attended </span>{% if p.activity.status == "cancelled" %}Cancelled{% elif p.attended is None %}Not recorded yet{% elif p.attended %}Yes{% else %}No{% endif %}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Hours </span>{% if p.hours is not None %}{{ p.hours|floatformat:"-2" }}{% else %}—{% endif %}</td>
    </tr>{% endfor %}"""


def test_a_partners_lists_are_drawn_as_the_template_drew_them(partner, wessex) -> None:
    now = timezone.now()
    rows = [
        ParticipationFactory(
            partner=partner,
            activity=ActivityFactory(organisation=wessex, title="<b>Bold</b> & co", starts_at=now - timedelta(days=3)),
            attended=True,
            hours=Decimal("2.5"),
        ),
        ParticipationFactory(
            partner=partner,
            activity=ActivityFactory(organisation=wessex, title="Plain", starts_at=now - timedelta(days=5)),
            attended=True,
            hours=Decimal("3"),
        ),
        ParticipationFactory(
            partner=partner,
            activity=ActivityFactory(
                organisation=wessex,
                title="Called off",
                status=ActivityStatus.CANCELLED,
                cancellation_reason="Snow",
                starts_at=now - timedelta(days=6),
            ),
        ),
        ParticipationFactory(
            partner=partner,
            activity=ActivityFactory(organisation=wessex, title="Missed", starts_at=now - timedelta(days=7)),
            attended=False,
        ),
        ParticipationFactory(
            partner=partner,
            activity=ActivityFactory(organisation=wessex, title="Unknown", starts_at=now - timedelta(days=8)),
        ),
    ]
    Feedback.objects.create(
        participation=rows[1], listened_to=5, role_clear=4, support_right=4, take_part_again=5, submitted_at=now
    )
    past = list(partner_past(partner, now=now))
    due = list(partner_feedback_due(partner, now=now))
    assert len(past) == 5 and len(due) == 2
    mine = {"partner": partner.pk, "now": now}
    past_rows = MY_PAST.rows(**mine)
    due_rows = MY_FEEDBACK_DUE.rows(**mine)
    assert my_past_rows_html(past_rows) == Template(OLD_MY_PAST_ROWS).render(Context({"page_obj": past}))
    assert my_feedback_due_html(due_rows) == Template(OLD_MY_FEEDBACK_DUE).render(Context({"feedback_due": due}))
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in my_past_rows_html(past_rows)
    assert "Change your feedback on Plain" in my_feedback_due_html(due_rows)
    page = Paginator(PreparedList(MY_PAST, **mine), 2).get_page(2)
    assert page.paginator.count == 5 and [r.pk for r in page] == [p.pk for p in past[2:4]]


OLD_PEOPLE_ROWS = """{% for person in people %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Lay partner </span><a href="{% url 'partners:partner_detail' person.partner_id %}">{{ person.name }}</a></td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Activities attended </span>{{ person.activities }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Hours </span>{{ person.hours|floatformat:"-2" }}</td>
    </tr>{% endfor %}"""


def test_the_people_rows_are_drawn_as_the_template_drew_them() -> None:
    people = [
        {"partner_id": 7, "name": "<b>Sam</b> & Jo", "activities": 12, "hours": Decimal("30.50")},
        {"partner_id": 8, "name": "Ann", "activities": 1, "hours": Decimal("2")},
        {"partner_id": 9, "name": "Bo", "activities": 3, "hours": Decimal("0")},
    ]
    new = programme_people_rows_html(people)
    assert new == Template(OLD_PEOPLE_ROWS).render(Context({"people": people}))
    assert "&lt;b&gt;Sam&lt;/b&gt; &amp; Jo" in new


OLD_PROGRAMME_ROWS = """{% for p in page_obj %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Programme </span><a href="{% url 'programmes:programme_detail' p.pk %}">{{ p.name }}</a></td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">AHSN </span>{{ p.organisation.short_name }}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Type </span>{{ p.get_programme_type_display }}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Stage </span>{{ p.get_innovation_stage_display }}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Status </span>{{ p.get_status_display }}</td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Involvement this quarter </span>{% if p.involvement_this_quarter %}Yes{% else %}Not yet{% endif %}</td>
    </tr>
  {% endfor %}"""


def test_the_programme_rows_are_drawn_as_the_template_drew_them(lead, wessex) -> None:
    ProgrammeFactory(organisation=wessex, name="<i>Heart</i> & lungs", status="closed")
    ProgrammeFactory(organisation=wessex, name="Plain")
    ActivityFactory(organisation=wessex, programme=ProgrammeFactory(organisation=wessex, name="Busy"))
    rows = list(programme_list_selector(user=lead))
    assert len(rows) == 3
    new = programme_rows_html(rows)
    assert new == Template(OLD_PROGRAMME_ROWS).render(Context({"page_obj": rows}))
    assert "&lt;i&gt;Heart&lt;/i&gt; &amp; lungs" in new and "Not yet" in new
