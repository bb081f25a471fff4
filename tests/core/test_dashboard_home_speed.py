"""The home pages' sections read only the columns their lines show (values, not model instances)
and reverse each URL once: the lines, links and escaping are what they were."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.dashboard import regroup_lists, union_of_lists
from core.formatting import date_text
from core.links import url_for_each
from involvement import services
from involvement.models import Activity
from opportunities.models import InterestStatus
from partners.sections import home_sections_for
from tests.conftest import client_for
from tests.evidence.factories import CaseStudyFactory
from tests.involvement.factories import ActivityFactory, ParticipationFactory
from tests.opportunities.factories import InterestFactory, open_opportunity
from tests.partners.factories import partner_with_login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "viewname",
    ["involvement:activity_detail", "payments:claim_detail", "partners:partner_detail", "evidence:quote_answer"],
)
def test_url_for_each_is_reverse(viewname):
    url = url_for_each(viewname)
    for pk in (1, 7, 12, 2147483646, 31415926):
        assert url(pk) == reverse(viewname, args=[pk])


def test_staff_home_lines_are_escaped_and_linked(staff_client, wessex):
    done = ActivityFactory(organisation=wessex, title="<script>alert('done')</script>", status="completed")
    now = timezone.now()
    this_week = ActivityFactory(
        organisation=wessex, title="Panel & <b>friends</b>", starts_at=now, ends_at=now + timedelta(hours=1)
    )
    page = staff_client.get("/").content.decode()
    assert "<script>alert" not in page
    assert (
        f'<a href="{reverse("involvement:outcome_create", args=[done.pk])}">'
        "&lt;script&gt;alert(&#x27;done&#x27;)&lt;/script&gt;</a>" in page
    )
    assert (
        f'<a href="{reverse("involvement:activity_detail", args=[this_week.pk])}">'
        "Panel &amp; &lt;b&gt;friends&lt;/b&gt;</a>" in page
    )
    assert f"ended {date_text(done.ends_at)}, {wessex.short_name}" in page


def test_partner_home_lines(wessex, staff):
    partner = partner_with_login(wessex)
    start = timezone.now() + timedelta(days=2)
    coming = ParticipationFactory(
        partner=partner,
        response="coming",
        activity=ActivityFactory(
            organisation=wessex, title="Panel <one>", starts_at=start, ends_at=start + timedelta(hours=1)
        ),
    )
    past = ParticipationFactory(partner=partner, attended=True, hours=Decimal("2"))
    services.outcome_record(
        actor=staff,
        activity=past.activity,
        what_we_heard="Parking was hard",
        what_we_did="We booked a venue with parking. " * 10,
        status="changed",
        decided_on=timezone.localdate(),
    )
    sections = {s.title: s for s in home_sections_for(partner)}
    (line,) = sections["Coming up"].items
    assert line["text"] == "Panel <one>"  # escaped by the template, as before
    assert line["url"] == reverse("involvement:my_activity", args=[coming.pk])
    assert line["meta"].endswith(f", {coming.activity.get_format_display().lower()}, you are coming")
    (outcome,) = sections["You said, we did"].items
    assert outcome["text"] == f"{past.activity.title}: {('We booked a venue with parking. ' * 10)[:120]}"
    assert outcome["url"] == reverse("involvement:my_outcomes")
    assert outcome["meta"] == f"Changed, {date_text(timezone.localdate())}"
    (feedback,) = sections["Feedback you can still give"].items
    assert feedback["url"] == reverse("involvement:feedback", args=[past.pk])
    page = client_for(partner.user).get(reverse("partners:home")).content.decode()
    assert "Panel &lt;one&gt;" in page and "Panel <one>" not in page


def test_staff_home_opportunities_waiting_and_draft_case_studies(lead, wessex, yorkshire):
    soon = open_opportunity(title="Soon <b>", closes_on=timezone.localdate() + timedelta(days=2))
    later = open_opportunity(title="Later", closes_on=timezone.localdate() + timedelta(days=9))
    nobody = open_opportunity(title="Nobody waiting")
    for status in (InterestStatus.INTERESTED, InterestStatus.RESERVE, InterestStatus.SELECTED):
        InterestFactory(opportunity=soon, status=status)
    InterestFactory(opportunity=later, status=InterestStatus.INTERESTED)
    InterestFactory(opportunity=nobody, status=InterestStatus.SELECTED)
    elsewhere = open_opportunity(title="Yorkshire's", organisation=yorkshire)
    InterestFactory(opportunity=elsewhere, status=InterestStatus.INTERESTED)
    draft = CaseStudyFactory(title="Draft & <i>new</i>", state="draft", shared_at=None)
    CaseStudyFactory(title="Shared one")
    CaseStudyFactory(title="Yorkshire draft", state="draft", shared_at=None, organisation=yorkshire)

    page = client_for(lead).get("/").content.decode()
    waiting = page.split("Opportunities with people waiting to hear")[1].split("</section>")[0]
    assert (
        f'<a href="{reverse("opportunities:interested", args=[soon.pk])}">Soon &lt;b&gt;</a>' in waiting
        and f"2 interested, closes {date_text(soon.closes_on)}" in waiting
    )
    assert waiting.index("Soon &lt;b&gt;") < waiting.index("Later")
    assert "Nobody waiting" not in waiting and "Yorkshire" not in waiting
    drafts = page.split("Draft case studies")[1].split("</section>")[0]
    assert (
        f'<a href="{reverse("evidence:case_study_detail", args=[draft.pk])}">Draft &amp; &lt;i&gt;new&lt;/i&gt;</a>'
        in drafts
    )
    assert "Shared one" not in drafts and "Yorkshire draft" not in drafts


def test_short_lists_in_one_query_keep_each_lists_order(wessex, django_assert_num_queries):
    now = timezone.now()
    made = [
        ActivityFactory(
            organisation=wessex,
            title=f"A{i}",
            starts_at=now + timedelta(days=i),
            ends_at=now + timedelta(days=i, hours=1),
        )
        for i in (3, 1, 2, 5, 4)
    ]
    activities = Activity.objects.filter(pk__in=[a.pk for a in made])
    with django_assert_num_queries(1):
        first, second, nothing = regroup_lists(
            union_of_lists(
                (activities.order_by("starts_at"), ("title",), 3),
                (activities.order_by("-starts_at"), ("title",), 2),
                (activities.filter(organisation_id__in=[]), ("title",), 5),
            ),
            3,
        )
    assert first == [("A1",), ("A2",), ("A3",)]
    assert second == [("A5",), ("A4",)]
    assert nothing == []
