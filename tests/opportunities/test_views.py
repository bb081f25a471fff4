"""Opportunity pages: who may see and do what (insider, read-only, outsider, partner of another
AHSN), every refusal as a person meets it, and query budgets at size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from involvement.models import Participation
from opportunities import services
from opportunities.models import Interest, InterestStatus, Opportunity, OpportunityState
from opportunities.public import open_public_opportunities
from partners.models import LayPartner, PartnerApplication, PartnerLink
from tests.conftest import client_for
from tests.involvement.factories import ActivityFactory, LayPartnerFactory
from tests.opportunities.factories import InterestFactory, OpportunityFactory, open_opportunity
from tests.opportunities.test_services import PDF_BYTES
from tests.partners.factories import EqualityFactory

pytestmark = pytest.mark.django_db


def _form(**overrides):
    closes = timezone.localdate() + timedelta(days=10)
    data = {
        "title": "Help us test a falls app",
        "purpose": "So that older people fall less.",
        "what_you_would_do": "Try the app at home <script>alert(1)</script>",
        "how_chosen": "First come, first served.",
        "closes_on_day": closes.day,
        "closes_on_month": closes.month,
        "closes_on_year": closes.year,
        "ways_to_take_part": ["online", "phone"],
        "payment": "paid",
        "topics": "falls, Older people, falls",
    }
    data.update(overrides)
    return data


# --- Staff access -----------------------------------------------------------------------------


def test_staff_pages_insider_read_only_outsider(lead_client, finance, outsider_client):
    opportunity = open_opportunity()
    InterestFactory(opportunity=opportunity)
    finance_client = client_for(finance)
    for name in ("manage_detail", "manage_preview", "interested"):
        url = reverse(f"opportunities:{name}", args=[opportunity.pk])
        assert lead_client.get(url).status_code == 200
        assert finance_client.get(url).status_code == 200  # read-only sees
        assert outsider_client.get(url).status_code == 404
    for name in ("manage_edit", "manage_filled", "manage_cancel", "on_behalf"):
        url = reverse(f"opportunities:{name}", args=[opportunity.pk])
        assert lead_client.get(url).status_code == 200
        assert finance_client.get(url).status_code == 403
        assert outsider_client.get(url).status_code == 404
    close = reverse("opportunities:manage_move", args=[opportunity.pk, "close"])
    assert finance_client.post(close).status_code == 403
    assert outsider_client.post(close).status_code == 404
    opportunity.refresh_from_db()
    assert opportunity.state == OpportunityState.OPEN


def test_outsider_staff_cannot_select(outsider_client):
    opportunity = open_opportunity()
    interest = InterestFactory(opportunity=opportunity)
    url = reverse("opportunities:interested", args=[opportunity.pk])
    response = outsider_client.post(url, {"interests": [interest.pk], "decision": "selected", "confirmed": "yes"})
    assert response.status_code == 404
    interest.refresh_from_db()
    assert interest.status == InterestStatus.INTERESTED


def test_lead_writes_previews_and_publishes(lead_client):
    response = lead_client.post(reverse("opportunities:manage_create"), _form())
    assert response.status_code == 302
    opportunity = Opportunity.objects.get()
    assert opportunity.topics == ["falls", "Older people"]
    preview = lead_client.get(reverse("opportunities:manage_preview", args=[opportunity.pk]))
    assert b"Preview" in preview.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in preview.content  # free text escaped
    assert b"an hour, plus travel and carer costs" in preview.content
    lead_client.post(reverse("opportunities:manage_move", args=[opportunity.pk, "publish"]))
    opportunity.refresh_from_db()
    assert opportunity.state == OpportunityState.OPEN


def test_create_form_shows_errors_in_the_summary(lead_client):
    response = lead_client.post(reverse("opportunities:manage_create"), _form(title="", image_alt=""))
    assert response.status_code == 200
    assert b"There is a problem" in response.content and b"Enter a title" in response.content
    assert not Opportunity.objects.exists()


def test_publish_refusals_are_shown_on_the_page(lead_client):
    past = OpportunityFactory(closes_on=timezone.localdate() - timedelta(days=1))
    response = lead_client.post(reverse("opportunities:manage_move", args=[past.pk, "publish"]), follow=True)
    assert b"closing date is in the past" in response.content
    no_way = OpportunityFactory(ways_to_take_part=[])
    response = lead_client.post(reverse("opportunities:manage_move", args=[no_way.pk, "publish"]), follow=True)
    assert b"at least one way" in response.content
    assert Opportunity.objects.filter(state=OpportunityState.DRAFT).count() == 2


def test_cancel_needs_confirmation_and_reason(lead_client):
    opportunity = open_opportunity()
    url = reverse("opportunities:manage_cancel", args=[opportunity.pk])
    response = lead_client.post(url, {"reason": ""})
    assert b"Say why the opportunity is cancelled" in response.content
    lead_client.post(url, {"reason": "Funding ended"})
    opportunity.refresh_from_db()
    assert opportunity.state == OpportunityState.CANCELLED


def test_bulk_decision_asks_for_confirmation_then_decides(lead_client):
    opportunity = open_opportunity()
    a, b, c = (InterestFactory(opportunity=opportunity) for _ in range(3))
    url = reverse("opportunities:interested", args=[opportunity.pk])
    check = lead_client.post(url, {"interests": [a.pk, b.pk], "decision": "selected"})
    assert b"Choose these people?" in check.content
    assert Interest.objects.filter(status=InterestStatus.SELECTED).count() == 0
    lead_client.post(url, {"interests": [a.pk, b.pk], "decision": "selected", "confirmed": "yes"})
    lead_client.post(url, {"interests": [c.pk], "decision": "declined", "confirmed": "yes"})
    statuses = dict(Interest.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "selected", b.pk: "selected", c.pk: "declined"}
    nothing = lead_client.post(url, {"decision": "selected"})
    assert b"Select at least one person" in nothing.content


# --- Partners ---------------------------------------------------------------------------------


def test_partner_sees_opportunities_from_every_linked_ahsn(yorkshire):
    partner = LayPartnerFactory()
    PartnerLink.objects.create(partner=partner, organisation=yorkshire, joined_on=timezone.localdate())
    mine = open_opportunity(title="Wessex opportunity")
    theirs = open_opportunity(title="Yorkshire opportunity", organisation=yorkshire)
    draft = OpportunityFactory(title="Draft opportunity")
    client = client_for(partner.user)
    page = client.get(reverse("opportunities:list")).content.decode()
    assert mine.title in page and theirs.title in page and draft.title not in page
    home = client.get(reverse("partners:home")).content.decode()
    assert "Opportunities to take part" in home and mine.title in home
    nav = client.get(reverse("partners:home")).content.decode()
    assert reverse("opportunities:list") in nav


def test_partner_filters_by_way_and_topic():
    partner = LayPartnerFactory()
    open_opportunity(title="Phone one", ways_to_take_part=["phone"], topics=["Diabetes"])
    open_opportunity(title="Post one", ways_to_take_part=["post"], topics=["Falls"])
    client = client_for(partner.user)
    page = client.get(reverse("opportunities:list"), {"way": "phone"}).content.decode()
    assert "Phone one" in page and "Post one" not in page
    page = client.get(reverse("opportunities:list"), {"topic": "Falls"}).content.decode()
    assert "Post one" in page and "Phone one" not in page


def test_partner_of_another_ahsn_gets_404_unless_public(yorkshire):
    outsider_partner = LayPartnerFactory(organisation=yorkshire)
    private = open_opportunity()
    public = open_opportunity(open_to_new_people=True)
    client = client_for(outsider_partner.user)
    assert client.get(reverse("opportunities:detail", args=[private.pk])).status_code == 404
    assert client.get(reverse("opportunities:express", args=[private.pk])).status_code == 404
    assert client.post(reverse("opportunities:express", args=[private.pk]), {}).status_code == 404
    response = client.get(reverse("opportunities:detail", args=[public.pk]))
    assert response.status_code == 200 and b"Register with Wessex first" in response.content
    assert not Interest.objects.exists()


def test_draft_is_404_for_partners_and_public():
    partner = LayPartnerFactory()
    draft = OpportunityFactory(open_to_new_people=True)
    assert client_for(partner.user).get(reverse("opportunities:detail", args=[draft.pk])).status_code == 404
    assert Client().get(reverse("opportunities:public_detail", args=[draft.pk])).status_code == 404


def test_partner_says_interested_in_two_taps_and_can_withdraw():
    partner = LayPartnerFactory()
    partner.access_needs = "Step-free access"
    partner.save()
    opportunity = open_opportunity()
    client = client_for(partner.user)
    form = client.get(reverse("opportunities:express", args=[opportunity.pk]))
    assert b"Step-free access" in form.content  # pre-filled from the profile
    response = client.post(
        reverse("opportunities:express", args=[opportunity.pk]),
        {"access_needs": "Step-free access and a quiet room", "why": "", "availability": ""},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.access_needs == "Step-free access and a quiet room"
    interest = Interest.objects.get()
    assert interest.status == InterestStatus.INTERESTED
    again = client.post(reverse("opportunities:express", args=[opportunity.pk]), {})
    assert b"already told us" in again.content
    client.post(reverse("opportunities:withdraw", args=[opportunity.pk]))
    interest.refresh_from_db()
    assert interest.status == InterestStatus.WITHDRAWN


def test_interest_after_closing_shows_a_clear_message():
    partner = LayPartnerFactory()
    opportunity = open_opportunity(closes_on=timezone.localdate() - timedelta(days=1))
    opportunity.state = OpportunityState.CLOSED
    opportunity.save()
    InterestFactory(opportunity=opportunity, partner=partner, status=InterestStatus.WITHDRAWN)
    response = client_for(partner.user).post(reverse("opportunities:express", args=[opportunity.pk]), {})
    assert b"no longer taking interest" in response.content
    assert Interest.objects.get().status == InterestStatus.WITHDRAWN


def test_staff_record_interest_on_behalf(staff_client):
    opportunity = open_opportunity()
    partner = LayPartnerFactory(user=None, email="", full_name="Assisted Person")
    response = staff_client.post(
        reverse("opportunities:on_behalf", args=[opportunity.pk]), {"partner": partner.pk, "why": "By phone"}
    )
    assert response.status_code == 302
    assert Interest.objects.get().recorded_by is not None
    people = staff_client.get(reverse("opportunities:interested", args=[opportunity.pk])).content.decode()
    assert "Assisted Person" in people and "Recorded by staff for them" in people


def test_pool_reach_is_suppressed_under_five(lead_client):
    opportunity = open_opportunity()
    for _ in range(3):
        interest = InterestFactory(opportunity=opportunity)
        EqualityFactory(partner=interest.partner, seldom_heard_groups=["carers"])
    page = lead_client.get(reverse("opportunities:interested", args=[opportunity.pk])).content.decode()
    assert "&lt;5" in page
    assert ">3<" not in page


# --- Public -----------------------------------------------------------------------------------


def test_public_page_lists_only_open_to_new_people(client):
    public = open_opportunity(title="Everyone welcome", open_to_new_people=True)
    open_opportunity(title="Partners only")
    page = client.get(reverse("opportunities:public_list")).content.decode()
    assert "Everyone welcome" in page and "Partners only" not in page
    assert f"{reverse('partners:join')}?opportunity={public.pk}" in page


# --- Query budgets ----------------------------------------------------------------------------


def test_partner_list_budget_with_500_opportunities(django_assert_max_num_queries, wessex):
    partner = LayPartnerFactory()
    closes = timezone.localdate() + timedelta(days=5)
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                organisation=wessex,
                title=f"Opportunity {i}",
                purpose="Purpose",
                what_you_would_do="Things",
                how_chosen="Fairly",
                closes_on=closes + timedelta(days=i % 30),
                ways_to_take_part=["online"],
                topics=[f"Topic {i % 7}"],
                state=OpportunityState.OPEN,
                opened_at=timezone.now(),
            )
            for i in range(500)
        ]
    )
    Interest.objects.bulk_create([Interest(opportunity=o, partner=partner) for o in Opportunity.objects.all()[:100]])
    client = client_for(partner.user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("opportunities:list"))
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("opportunities:list"), {"page": "3", "way": "online"}).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("partners:home")).status_code == 200


def test_interested_list_budget_with_2000_people(django_assert_max_num_queries, lead_client, wessex):
    opportunity = open_opportunity()
    partners = LayPartner.objects.bulk_create(
        [LayPartner(full_name=f"Person {i}", reference=f"LP-B{i:06d}", methods=["workshop"]) for i in range(2000)]
    )
    PartnerLink.objects.bulk_create(
        [PartnerLink(partner=p, organisation=wessex, joined_on=timezone.localdate()) for p in partners]
    )
    Interest.objects.bulk_create([Interest(opportunity=opportunity, partner=p) for p in partners])
    activity = ActivityFactory()
    Participation.objects.bulk_create(
        [Participation(activity=activity, partner=p, attended=True) for p in partners[:500]]
    )
    url = reverse("opportunities:interested", args=[opportunity.pk])
    with django_assert_max_num_queries(14):
        response = lead_client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        assert lead_client.get(url, {"page": "15"}).status_code == 200
    with django_assert_max_num_queries(14):
        assert lead_client.get(reverse("opportunities:manage_list")).status_code == 200


def test_messages_are_kind_and_exactly_once(lead_client):
    opportunity = open_opportunity()
    declined = InterestFactory(opportunity=opportunity)
    url = reverse("opportunities:interested", args=[opportunity.pk])
    lead_client.post(url, {"interests": [declined.pk], "decision": "declined", "confirmed": "yes"})
    lead_client.post(url, {"interests": [declined.pk], "decision": "declined", "confirmed": "yes"})
    message = Notification.objects.get(kind="opportunities.declined")
    assert message.title.startswith("Thank you for your interest")


def test_register_interest_from_a_public_opportunity_records_it(client, lead_client, wessex, yorkshire):
    public = open_opportunity(title="Everyone welcome", open_to_new_people=True)
    private = open_opportunity(title="Partners only")
    page = client.get(reverse("partners:join"), {"opportunity": public.pk}).content.decode()
    assert "You are registering your interest in" in page and "Everyone welcome" in page
    assert "Partners only" not in client.get(reverse("partners:join"), {"opportunity": private.pk}).content.decode()
    details = {
        "full_name": "Sam Visitor",
        "organisation": wessex.pk,
        "contact_method": "email",
        "email": "sam@example.net",
        "opportunity": public.pk,
    }
    wrong = client.post(reverse("partners:join"), {**details, "organisation": yorkshire.pk, "email": "x@example.net"})
    assert b"run by another AHSN" in wrong.content
    assert client.post(reverse("partners:join"), details).status_code == 302
    application = PartnerApplication.objects.get()
    assert application.opportunity == public
    shown = lead_client.get(reverse("partners:application_detail", args=[application.pk])).content.decode()
    assert "Came from the opportunity" in shown and "Everyone welcome" in shown


def test_easy_read_pdf_is_served_only_to_people_who_may_see_it(lead, yorkshire, client):
    pdf = SimpleUploadedFile("easy.pdf", PDF_BYTES, content_type="application/pdf")
    opportunity = services.opportunity_create(
        actor=lead,
        organisation=lead.memberships.get().organisation,
        easy_read_upload=pdf,
        title="With an easy read PDF",
        purpose="Purpose",
        what_you_would_do="Things",
        how_chosen="Fairly",
        closes_on=timezone.localdate() + timedelta(days=5),
        ways_to_take_part=["online"],
    )
    url = reverse("opportunities:easy_read", args=[opportunity.pk])
    partner = LayPartnerFactory()
    assert client_for(partner.user).get(url).status_code == 404  # a draft
    services.opportunity_publish(actor=lead, opportunity=opportunity)
    response = client_for(partner.user).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(LayPartnerFactory(organisation=yorkshire).user).get(url).status_code == 404
    assert client.get(url).status_code == 404  # not open to new people


def test_public_home_section_lists_open_public_opportunities(rf):
    assert open_public_opportunities(rf.get("/")) is None
    public = open_opportunity(title="Everyone welcome", open_to_new_people=True)
    open_opportunity(title="Partners only")
    section = open_public_opportunities(rf.get("/"))
    assert section is not None
    assert [item.text for item in section.items] == ["Everyone welcome"]
    assert section.items[0].url == reverse("opportunities:public_detail", args=[public.pk])
