"""Case studies: written from an outcome with figures from the portal, quotes used only with the
partner's agreement, shared with the network, published publicly; other AHSNs read but never change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEntry, Notification
from evidence import services
from evidence.models import CaseStudyState, QuoteConsent
from tests.conftest import client_for
from tests.involvement.factories import LayPartnerFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

TEXT = {
    "title": "Plain English discharge letters",
    "challenge": "People went home not knowing who to call.",
    "involvement": "Carers on our panel rewrote the letter with ward staff.",
    "what_changed": "Every ward now sends the plain English letter.",
}


@pytest.fixture
def case_study(outcome, lead):
    return services.case_study_create(actor=lead, outcome=outcome, **TEXT)


def _answer(priya, quote, **kwargs):
    return services.quote_answer(partner=priya, quote=quote, **kwargs)


def test_figures_are_filled_from_the_portal(case_study, workshop):
    assert case_study.programme == workshop.programme
    assert (case_study.activity_count, case_study.people_count) == (1, 1)
    assert case_study.levels == ["co_design"]
    assert case_study.methods == ["workshop"]
    assert case_study.stages == ["design"]
    assert case_study.seldom_heard_groups == ["carers"]
    assert case_study.state == CaseStudyState.DRAFT
    assert AuditEntry.objects.filter(action="evidence.case_study.created", target_id=str(case_study.pk)).exists()


def test_people_under_five_are_shown_as_under_five(case_study, lead_client):
    page = lead_client.get(reverse("evidence:case_study_detail", args=[case_study.pk])).content.decode()
    assert "&lt;5" in page


def test_a_quote_asks_the_partner_once_and_is_used_only_as_they_chose(case_study, lead, priya):
    quote = services.quote_add(actor=lead, case_study=case_study, partner=priya, text="I finally understood it.")
    asked = Notification.objects.filter(kind="evidence.quote_consent", partner=priya)
    assert asked.count() == 1
    assert reverse("evidence:quote_answer", args=[quote.pk]) in asked.get().url
    assert quote.consent == QuoteConsent.ASKED
    assert _answer(priya, quote, agree=True, attribution="anonymous").attributed_to == "A lay partner"
    assert _answer(priya, quote, agree=True, attribution="named").attributed_to == "Priya Shah"


def test_only_people_who_took_part_can_be_quoted(case_study, lead, workshop):
    stranger = LayPartnerFactory()
    with pytest.raises(services.CaseStudyError) as refused:
        services.quote_add(actor=lead, case_study=case_study, partner=stranger, text="Words")
    assert refused.value.field == "partner"
    did_not_come = ParticipationFactory(activity=workshop, attended=False).partner
    with pytest.raises(services.CaseStudyError):
        services.quote_add(actor=lead, case_study=case_study, partner=did_not_come, text="Words")


def test_a_refused_quote_blocks_sharing_and_an_unanswered_one_blocks_publishing(case_study, lead, priya):
    quote = services.quote_add(actor=lead, case_study=case_study, partner=priya, text="I finally understood it.")
    _answer(priya, quote, agree=False)
    with pytest.raises(services.CaseStudyError, match="refused"):
        services.case_study_share(actor=lead, case_study=case_study)
    services.quote_remove(actor=lead, quote=quote)
    second = services.quote_add(actor=lead, case_study=case_study, partner=priya, text="The new letter is clear.")
    services.case_study_share(actor=lead, case_study=case_study)  # waiting answers may be shared, not shown
    with pytest.raises(services.CaseStudyError, match="must agree"):
        services.case_study_publish(actor=lead, case_study=case_study)
    _answer(priya, second, agree=True, attribution="named")
    published = services.case_study_publish(actor=lead, case_study=case_study)
    assert published.state == CaseStudyState.PUBLISHED
    assert AuditEntry.objects.filter(action="evidence.case_study.published", target_id=str(case_study.pk)).exists()


def test_staff_can_write_but_only_a_lead_shares(case_study, staff):
    services.case_study_update(actor=staff, case_study=case_study, **{**TEXT, "title": "New title"})
    with pytest.raises(services.CaseStudyError, match="involvement lead"):
        services.case_study_share(actor=staff, case_study=case_study)


def test_another_ahsn_reads_a_shared_one_but_can_never_change_it(case_study, lead, outsider, outsider_client, priya):
    detail = reverse("evidence:case_study_detail", args=[case_study.pk])
    assert outsider_client.get(detail).status_code == 404  # a draft is its own AHSN's
    quote = services.quote_add(actor=lead, case_study=case_study, partner=priya, text="Words still waiting")
    services.case_study_share(actor=lead, case_study=case_study)
    page = outsider_client.get(detail)
    assert page.status_code == 200
    assert "Words still waiting" not in page.content.decode()  # not agreed: not shown outside the AHSN
    for name in ("case_study_edit", "quote_add", "case_study_publish", "case_study_share"):
        assert outsider_client.get(reverse(f"evidence:{name}", args=[case_study.pk])).status_code == 404
    assert outsider_client.get(reverse("evidence:quote_remove", args=[quote.pk])).status_code == 404
    with pytest.raises(services.CaseStudyError):
        services.case_study_update(actor=outsider, case_study=case_study, **TEXT)


def test_read_only_staff_read_but_do_not_change(case_study, finance_client):
    assert finance_client.get(reverse("evidence:case_study_detail", args=[case_study.pk])).status_code == 200
    assert finance_client.get(reverse("evidence:case_study_edit", args=[case_study.pk])).status_code == 403


def test_a_partner_answers_only_their_own_quote(case_study, lead, priya, priya_client):
    quote = services.quote_add(actor=lead, case_study=case_study, partner=priya, text="I finally understood it.")
    url = reverse("evidence:quote_answer", args=[quote.pk])
    assert priya_client.get(url).status_code == 200
    assert client_for(LayPartnerFactory().user).get(url).status_code == 404
    assert priya_client.post(url, {"answer": "refuse"}).status_code == 302
    quote.refresh_from_db()
    assert quote.consent == QuoteConsent.REFUSED and quote.attribution == ""
    assert client_for(lead).get(url).status_code == 404  # staff cannot answer for them


def test_writing_one_from_the_outcome_page(outcome, lead_client, outsider_client):
    url = reverse("evidence:case_study_from_outcome", args=[outcome.pk])
    assert outsider_client.get(url).status_code == 404
    response = lead_client.post(url, TEXT)
    assert response.status_code == 302
    refused = lead_client.post(url, {**TEXT, "challenge": ""})
    assert "Say what the challenge was" in refused.content.decode()
