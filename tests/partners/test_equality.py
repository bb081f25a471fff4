"""Equality monitoring: optional, separate, only ever seen in aggregate with small numbers hidden."""

from __future__ import annotations

import logging

import pytest
from django.contrib import admin
from django.core import mail

from core.models import AuditEntry
from partners.models import EqualityMonitoring
from partners.selectors import HIDDEN, SUPPRESSED, equality_aggregates
from tests.partners.factories import ConsentRecordFactory, EqualityFactory, PartnerLinkFactory, partner_with_login

pytestmark = pytest.mark.django_db


def _answers(**overrides):
    base = {
        "age_band": "45_54",
        "disability": "yes",
        "ethnicity": "black",
        "religion": "christian",
        "sex": "female",
        "gender_same_as_birth": "prefer_not_to_say",
        "sexual_orientation": "bisexual",
        "marriage": "married",
        "pregnancy": "no",
        "carer": "yes",
        "seldom_heard_groups": ["carers", "minority_ethnic"],
    }
    return {**base, **overrides}


def test_partner_saves_and_changes_their_own_answers(partner_client, partner, caplog):
    page = partner_client.get("/partners/me/equality/")
    assert page.status_code == 200
    assert b"Prefer not to say" in page.content
    with caplog.at_level(logging.DEBUG):
        response = partner_client.post("/partners/me/equality/", _answers())
    assert response.status_code == 302
    record = EqualityMonitoring.objects.get(partner=partner)
    assert record.ethnicity == "black"
    assert record.seldom_heard_groups == ["carers", "minority_ethnic"]
    # Never in the audit data, logs or emails.
    entry = AuditEntry.objects.get(action="partners.equality.saved")
    assert entry.data == {}
    assert "bisexual" not in caplog.text and "black" not in caplog.text
    assert mail.outbox == []
    # Every question is optional.
    partner_client.post("/partners/me/equality/", {"age_band": "prefer_not_to_say"})
    record.refresh_from_db()
    assert record.ethnicity == "" and record.age_band == "prefer_not_to_say"


def test_partner_can_delete_their_answers(partner_client, partner):
    EqualityFactory(partner=partner, sex="male")
    response = partner_client.post("/partners/me/equality/", {"action": "delete"})
    assert response.status_code == 302
    assert not EqualityMonitoring.objects.filter(partner=partner).exists()


def test_prefer_not_to_say_and_a_community_together_is_refused(partner_client, partner):
    response = partner_client.post("/partners/me/equality/", {"seldom_heard_groups": ["carers", "prefer_not_to_say"]})
    assert response.status_code == 200
    assert "but not both" in response.content.decode()
    assert not EqualityMonitoring.objects.filter(partner=partner).exists()


def _cells(result, question):
    return dict(result[question])


def test_aggregates_suppress_small_counts_and_the_next_smallest(wessex, yorkshire):
    for _ in range(7):
        EqualityFactory(partner=partner_with_login(wessex), sex="female", carer="yes")
    for _ in range(6):
        EqualityFactory(partner=partner_with_login(wessex), sex="male", carer="no")
    for _ in range(2):
        EqualityFactory(partner=partner_with_login(wessex), sex="prefer_not_to_say", carer="no")
    # Answers of a partner only at another AHSN are not counted.
    for _ in range(9):
        EqualityFactory(partner=partner_with_login(yorkshire), sex="male", carer="yes")

    result = equality_aggregates([wessex.pk])
    sex = _cells(result, "Sex")
    # 2 is shown as <5; 6 (the next smallest) is hidden so 2 cannot be worked out from 15 - 7 - 6.
    assert sex == {"Female": "7", "Male": HIDDEN, "Prefer not to say": SUPPRESSED}
    carer = _cells(result, "Unpaid carer")
    assert carer == {"Yes": "7", "No": "8", "Prefer not to say": "0"}
    assert "Communities they belong to" in result
    # No totals anywhere.
    assert not any("total" in question.lower() for question in result)


def test_multi_answer_communities_are_counted_in_the_database(wessex):
    for _ in range(5):
        EqualityFactory(partner=partner_with_login(wessex), seldom_heard_groups=["carers", "rural"])
    EqualityFactory(partner=partner_with_login(wessex), seldom_heard_groups=["deaf"])
    communities = _cells(equality_aggregates([wessex.pk]), "Communities they belong to")
    assert communities["Unpaid carers"] == "5"
    assert communities["People in rural or coastal communities"] == "5"
    assert communities["Deaf people"] == SUPPRESSED
    assert communities["Blind and partially sighted people"] == "0"


def test_partner_linked_to_two_ahsns_is_counted_once_per_ahsn(wessex, yorkshire):
    partner = partner_with_login(wessex)
    PartnerLinkFactory(partner=partner, organisation=yorkshire)
    EqualityFactory(partner=partner, age_band="16_24")
    assert _cells(equality_aggregates([wessex.pk, yorkshire.pk]), "Age")["16 to 24"] == SUPPRESSED


def test_aggregates_query_count_is_fixed(wessex, django_assert_max_num_queries):
    for _ in range(30):
        EqualityFactory(partner=partner_with_login(wessex), age_band="25_34")
    with django_assert_max_num_queries(11):
        equality_aggregates([wessex.pk])


def test_staff_see_only_totals_for_their_ahsn(staff_client, outsider_client, finance_client, wessex, yorkshire):
    for _ in range(6):
        EqualityFactory(partner=partner_with_login(wessex), religion="sikh")
    EqualityFactory(partner=partner_with_login(wessex, full_name="Lone Answerer"), religion="jewish")
    page = staff_client.get("/partners/equality/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sikh" in html and "&lt;5" in html
    assert "Lone Answerer" not in html
    assert finance_client.get("/partners/equality/").status_code == 200
    # Another AHSN cannot ask for Wessex's totals.
    assert outsider_client.get(f"/partners/equality/?organisation={wessex.pk}").status_code == 404


def test_staff_cannot_see_or_save_a_partners_answers(staff_client, partner):
    EqualityFactory(partner=partner, religion="muslim")
    page = staff_client.get(f"/partners/{partner.pk}/")
    assert b"Muslim" not in page.content
    # There is no staff page for a partner's answers: /partners/me/ is the partner's own.
    assert staff_client.get("/partners/me/equality/").status_code == 404


def test_equality_answers_never_appear_in_the_csv(staff_client, partner):
    EqualityFactory(partner=partner, religion="buddhist", sexual_orientation="gay_lesbian")
    ConsentRecordFactory(partner=partner)  # said yes to being contacted, so on the contact list
    response = staff_client.get("/partners/export.csv")
    text = response.content.decode()
    assert "Rosa Martin" in text
    assert "Buddhist" not in text and "buddhist" not in text
    assert "gay" not in text.lower()


def test_admin_does_not_register_equality_answers():
    assert not admin.site.is_registered(EqualityMonitoring)
