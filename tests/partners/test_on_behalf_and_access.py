"""Bad input and access rules across every partner page, and actions staff take on someone's behalf."""

from __future__ import annotations

import csv
import io
import json
import logging

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEntry
from partners import services
from partners.models import LayPartner, PartnerApplication, PartnerInvitation, PartnerLink
from tests.partners.factories import (
    ConsentRecordFactory,
    LayPartnerFactory,
    PartnerApplicationFactory,
    PartnerLinkFactory,
    assisted_partner,
    partner_with_login,
)

pytestmark = pytest.mark.django_db


def _staff_pages(partner: LayPartner) -> list[str]:
    link = partner.links.order_by("pk").first()
    assert link is not None
    return [
        f"/partners/{partner.pk}/",
        f"/partners/{partner.pk}/edit/contact/",
        f"/partners/{partner.pk}/edit/needs/",
        f"/partners/{partner.pk}/consent/",
        f"/partners/{partner.pk}/give-login/",
        f"/partners/{partner.pk}/leave/",
        f"/partners/{partner.pk}/their-information/",
        f"/partners/{partner.pk}/their-information/?format=json",
        f"/partners/links/{link.pk}/",
    ]


# --- Bad input ------------------------------------------------------------------------------------


def test_join_refuses_a_phone_number_that_is_not_one_and_keeps_what_was_typed(client, wessex):
    response = client.post(
        "/partners/join/",
        {"full_name": "Sam Carter", "organisation": wessex.pk, "contact_method": "phone", "phone": "12345"},
    )
    assert response.status_code == 200
    assert b"Enter a UK phone number" in response.content
    assert b'value="Sam Carter"' in response.content
    assert not PartnerApplication.objects.exists()


def test_invite_service_refuses_an_ahsn_the_inviter_does_not_belong_to(staff, yorkshire, run_on_commit):
    """The form only offers the inviter's own AHSNs; the service refuses the rest too."""
    with run_on_commit(execute=True), pytest.raises(services.PartnerError, match="cannot add lay partners"):
        services.partner_invite(actor=staff, organisation=yorkshire, email="jo@example.net")
    assert not PartnerInvitation.objects.exists()
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="partners.invitation.created").exists()


def test_register_service_refuses_a_duplicate_email_in_any_case(staff, wessex):
    partner_with_login(wessex, email="taken@example.net")
    with pytest.raises(services.PartnerError, match="already registered"):
        services.partner_register_assisted(
            actor=staff, organisation=wessex, details={"full_name": "Copy", "email": " TAKEN@example.net "}
        )
    assert LayPartner.objects.count() == 1


# --- Access: a partner, and staff of another AHSN ------------------------------------------------------


def test_a_partner_cannot_reach_any_staff_page_about_another_partner(partner_client, wessex):
    other = assisted_partner(wessex, full_name="Someone Else")
    for url in _staff_pages(other):
        assert partner_client.get(url).status_code == 404, url
    assert partner_client.post(f"/partners/{other.pk}/leave/").status_code == 404
    assert partner_client.post(f"/partners/{other.pk}/edit/needs/", {"access_needs": "Changed"}).status_code == 404
    application = PartnerApplicationFactory(organisation=wessex)
    assert partner_client.get(f"/partners/applications/{application.pk}/").status_code == 404
    assert partner_client.get("/partners/equality/").status_code == 403
    assert partner_client.get("/partners/export.csv").status_code == 403
    other.refresh_from_db()
    assert not other.anonymised and other.access_needs == ""


def test_staff_of_another_ahsn_get_404_on_every_page_about_a_partner_known_only_to_wessex(outsider_client, wessex):
    person = assisted_partner(wessex, full_name="Only Wessex")
    for url in _staff_pages(person):
        assert outsider_client.get(url).status_code == 404, url
    link = person.links.get()
    assert outsider_client.post(f"/partners/{person.pk}/leave/").status_code == 404
    assert (
        outsider_client.post(f"/partners/links/{link.pk}/", {"status": "left", "joined_on": "2024-01-01"}).status_code
        == 404
    )
    person.refresh_from_db()
    link.refresh_from_db()
    assert not person.anonymised and link.status == PartnerLink.Status.ACTIVE
    assert not AuditEntry.objects.filter(action="partners.partner.data_released").exists()


def test_staff_of_another_ahsn_cannot_record_an_assisted_partner_leaving_through_the_service(outsider, wessex):
    person = assisted_partner(wessex)
    with pytest.raises(services.PartnerError, match="Only staff at an AHSN"):
        services.partner_leave(partner=person, actor=outsider)
    person.refresh_from_db()
    assert not person.anonymised


# --- Assisted digital: staff act on the person's behalf, and it is recorded -----------------------------


def test_status_change_and_portal_invitation_for_assisted_partner_are_audited_on_their_behalf(
    staff_client, staff, wessex, run_on_commit
):
    person = assisted_partner(wessex, full_name="Arthur Penn")
    link = person.links.get()
    response = staff_client.post(f"/partners/links/{link.pk}/", {"status": "paused", "joined_on": "2024-03-01"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="partners.link.updated")
    assert entry.actor == staff and entry.on_behalf_of == person.reference
    assert "Arthur" not in entry.target_label

    LayPartner.objects.filter(pk=person.pk).update(email="arthur@example.net")
    with run_on_commit(execute=True):
        assert staff_client.post(f"/partners/{person.pk}/give-login/").status_code == 302
    entry = AuditEntry.objects.get(action="partners.invitation.created")
    assert entry.actor == staff and entry.on_behalf_of == person.reference


def test_staff_produce_an_assisted_partners_information_for_them_on_their_behalf(
    staff_client, staff, finance_client, wessex, yorkshire
):
    person = assisted_partner(wessex, full_name="Arthur Penn", phone="01632960001")
    PartnerLinkFactory(partner=person, organisation=yorkshire)
    page = staff_client.get(f"/partners/{person.pk}/their-information/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Everything we hold about Arthur Penn" in html
    assert "01632960001" in html
    # Only this AHSN's relationship: Wessex staff do not learn he also works with Yorkshire.
    assert "Wessex AHSN" in html and "Yorkshire" not in html
    # Reading it with them on the page is a view, not a release.
    entry = AuditEntry.objects.get(action="partners.partner.data_viewed")
    assert entry.actor == staff
    assert entry.on_behalf_of == person.reference
    assert entry.organisation == wessex
    assert entry.data == {}
    assert not AuditEntry.objects.filter(action="partners.partner.data_released").exists()

    data = json.loads(staff_client.get(f"/partners/{person.pk}/their-information/?format=json").content)
    assert data["profile"]["full_name"] == "Arthur Penn"
    assert [a["organisation"] for a in data["ahsns"]] == ["Wessex AHSN"]
    assert "equality_monitoring" not in data
    assert AuditEntry.objects.filter(action="partners.partner.data_released").count() == 1
    # Read-only roles cannot, and the detail page links to it for those who can.
    assert finance_client.get(f"/partners/{person.pk}/their-information/").status_code == 403
    assert f"/partners/{person.pk}/their-information/".encode() in staff_client.get(f"/partners/{person.pk}/").content


def test_staff_cannot_produce_the_information_of_a_partner_who_has_a_login(staff_client, partner):
    PartnerLink.objects.filter(partner=partner).update(staff_can_edit=True)
    assert staff_client.get(f"/partners/{partner.pk}/their-information/").status_code == 403
    assert not AuditEntry.objects.filter(action="partners.partner.data_released").exists()


def test_own_download_includes_the_register_your_interest_application(partner_client, partner, wessex):
    PartnerApplicationFactory(
        organisation=wessex,
        partner=partner,
        full_name="Rosa Martin",
        email="rosa@example.net",
        interests="Stroke recovery",
        status=PartnerApplication.Status.ACCEPTED,
    )
    data = json.loads(partner_client.get("/partners/me/my-information/?format=json").content)
    assert data["applications"] == [
        {
            "organisation": "Wessex AHSN",
            "full_name": "Rosa Martin",
            "email": "rosa@example.net",
            "phone": "",
            "address": "",
            "postcode": "",
            "best_way_to_contact": "Email",
            "interests": "Stroke recovery",
            "status": "Accepted",
            "sent_at": data["applications"][0]["sent_at"],
            "decided_at": None,
            "decline_reason": "",
        }
    ]
    assert b"Stroke recovery" in partner_client.get("/partners/me/my-information/").content


# --- Equality answers stay out of exports, logs, emails and the audit log -------------------------------


def test_equality_answers_never_reach_csv_audit_log_or_email_along_a_whole_journey(
    staff_client, partner_client, partner, run_on_commit, caplog
):
    answers = {"religion": "buddhist", "sexual_orientation": "gay_lesbian", "seldom_heard_groups": ["lgbtq"]}
    with caplog.at_level(logging.DEBUG), run_on_commit(execute=True):
        assert partner_client.post("/partners/me/equality/", answers).status_code == 302
        csv_text = staff_client.get("/partners/export.csv").content.decode()
        staff_client.get("/partners/equality/")
        staff_client.get(f"/partners/{partner.pk}/")
        assert partner_client.post("/partners/me/leave/").status_code == 302
    secrets = ("buddhist", "gay_lesbian", "gay or lesbian", "lgbtq")
    audit_text = " ".join(f"{e.target_label} {e.data}" for e in AuditEntry.objects.all()).lower()
    email_text = " ".join(f"{m.subject} {m.body}" for m in mail.outbox).lower()
    for secret in secrets:
        assert secret not in csv_text.lower()
        assert secret not in audit_text
        assert secret not in email_text
        assert secret not in caplog.text.lower()


# --- Query budgets --------------------------------------------------------------------------------------


def test_csv_export_query_count_stays_fixed_with_hundreds_of_partners(
    staff_client, wessex, django_assert_max_num_queries
):
    def add(n):
        for p in LayPartnerFactory.create_batch(n, communication_needs=["large_print"]):
            PartnerLinkFactory(partner=p, organisation=wessex)
            ConsentRecordFactory(partner=p)  # the contact list has only people who said yes

    add(10)
    with CaptureQueriesContext(connection) as few:
        staff_client.get("/partners/export.csv?communication_need=large_print")
    add(290)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get("/partners/export.csv?communication_need=large_print")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 301  # the header and 300 partners
