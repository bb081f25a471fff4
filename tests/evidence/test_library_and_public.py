"""The network's library (search by priority, method, level, seldom-heard group, stage, words), the
public page per AHSN with its Atom feeds, and what each costs with hundreds of rows."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import CaseStudy, CaseStudyState, QuoteConsent
from involvement.models import Outcome
from programmes.models import StrategyPriority
from tests.evidence.factories import CaseStudyFactory, CaseStudyQuoteFactory
from tests.involvement.factories import LayPartnerFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _titles(response) -> list[str]:
    return [c.title for c in response.context["page_obj"].object_list]


def test_the_library_finds_shared_case_studies_by_each_filter(wessex, yorkshire, outsider_client):
    match = CaseStudyFactory(
        title="Carers redesign discharge",
        levels=["co_production"],
        methods=["co_design"],
        stages=["implementation"],
        seldom_heard_groups=["homeless"],
    )
    priority = StrategyPriority.objects.get(code="2.1")
    match.priorities.add(priority)
    CaseStudyFactory(title="Something else")
    CaseStudyFactory(title="Carers draft", state=CaseStudyState.DRAFT, levels=["co_production"])
    url = reverse("evidence:library")
    for query in (
        {"level": "co_production"},
        {"method": "co_design"},
        {"stage": "implementation"},
        {"group": "homeless"},
        {"priority": priority.pk},
        {"q": "redesign"},
        {"q": "REDESIGN", "organisation": wessex.pk},
    ):
        assert _titles(outsider_client.get(url, query)) == ["Carers redesign discharge"], query
    assert "Carers draft" not in outsider_client.get(url).content.decode()
    assert _titles(outsider_client.get(url, {"organisation": yorkshire.pk})) == []


def test_the_library_is_for_staff(priya_client, client):
    url = reverse("evidence:library")
    assert priya_client.get(url).status_code == 403
    assert client.get(url).status_code == 302  # to sign in


def test_the_public_page_shows_only_published_case_studies_and_public_outcomes(wessex, outcome, client):
    published = CaseStudyFactory(title="Published story", state=CaseStudyState.PUBLISHED, published_at=timezone.now())
    CaseStudyFactory(title="Shared only")
    Outcome.objects.filter(pk=outcome.pk).update(public=True)
    Outcome.objects.create(
        organisation=wessex,
        activity=outcome.activity,
        what_we_heard="Not for the public",
        what_we_did="Kept inside",
        status="considered",
        decided_on=timezone.localdate(),
    )
    page = client.get(reverse("evidence:public_page", args=["wessex"])).content.decode()
    assert "Published story" in page and "Shared only" not in page
    assert outcome.what_we_heard in page and "Not for the public" not in page
    assert client.get(reverse("evidence:public_case_study", args=["wessex", published.pk])).status_code == 200
    shared = CaseStudy.objects.get(title="Shared only")
    assert client.get(reverse("evidence:public_case_study", args=["wessex", shared.pk])).status_code == 404
    assert client.get(reverse("evidence:public_page", args=["nowhere"])).status_code == 404


def test_a_public_quote_appears_only_while_the_partner_agrees(wessex, client):
    published = CaseStudyFactory(state=CaseStudyState.PUBLISHED, published_at=timezone.now())
    quote = CaseStudyQuoteFactory(
        case_study=published,
        partner=LayPartnerFactory(full_name="Sam Named"),
        text="It changed how I feel about hospital.",
        consent=QuoteConsent.AGREED,
        attribution="named",
    )
    url = reverse("evidence:public_case_study", args=["wessex", published.pk])
    assert "Sam Named" in client.get(url).content.decode()
    quote.attribution = "anonymous"
    quote.save()
    page = client.get(url).content.decode()
    assert "Sam Named" not in page and "A lay partner" in page
    quote.consent, quote.attribution = QuoteConsent.REFUSED, ""
    quote.save()
    assert "It changed how I feel" not in client.get(url).content.decode()


def test_atom_feeds_list_published_case_studies_and_public_outcomes(wessex, outcome, client):
    CaseStudyFactory(title="Published story", state=CaseStudyState.PUBLISHED, published_at=timezone.now())
    CaseStudyFactory(title="Shared only")
    Outcome.objects.filter(pk=outcome.pk).update(public=True)
    response = client.get(reverse("evidence:public_case_studies_feed", args=["wessex"]))
    assert response["Content-Type"].startswith("application/atom+xml")
    titles = [e.findtext(f"{ATOM}title") for e in ET.fromstring(response.content).iter(f"{ATOM}entry")]
    assert titles == ["Published story"]
    outcomes = ET.fromstring(client.get(reverse("evidence:public_outcomes_feed", args=["wessex"])).content)
    (entry,) = outcomes.iter(f"{ATOM}entry")
    assert outcome.what_we_heard[:40] in entry.findtext(f"{ATOM}title")


# ---------------------------------------------------------------- query budgets


def test_lists_cost_the_same_with_hundreds_of_rows(
    wessex, lead_client, outsider_client, client, django_assert_max_num_queries
):
    programme = CaseStudyFactory().programme
    CaseStudy.objects.bulk_create(
        CaseStudy(
            organisation=wessex,
            programme=programme,
            title=f"Story {n}",
            challenge="c",
            involvement="i",
            what_changed="w",
            state=CaseStudyState.PUBLISHED if n % 2 else CaseStudyState.SHARED,
            shared_at=timezone.now(),
            published_at=timezone.now(),
            levels=["co_design"],
            seldom_heard_groups=["carers"],
        )
        for n in range(300)
    )
    for case_study in CaseStudy.objects.all()[:50]:
        case_study.priorities.add(StrategyPriority.objects.get(code="2.1"))
        CaseStudyQuoteFactory(case_study=case_study, consent=QuoteConsent.ASKED)
    Outcome.objects.bulk_create(
        Outcome(
            organisation=wessex,
            programme=programme,
            what_we_heard=f"Heard {n}",
            what_we_did="Did",
            status="changed",
            decided_on=timezone.localdate(),
            public=True,
        )
        for n in range(300)
    )
    with django_assert_max_num_queries(10):
        assert lead_client.get(reverse("evidence:case_study_list"), {"page": "2"}).status_code == 200
    with django_assert_max_num_queries(10):
        assert outsider_client.get(reverse("evidence:library"), {"level": "co_design", "page": "3"}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("evidence:public_page", args=["wessex"]), {"page": "2"}).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("evidence:public_case_studies_feed", args=["wessex"])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("evidence:public_outcomes_feed", args=["wessex"])).status_code == 200
