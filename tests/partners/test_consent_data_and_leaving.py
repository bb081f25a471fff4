"""Consent history, downloading everything held, and leaving (anonymisation)."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.test import Client

from accounts.models import User
from core.models import AuditEntry
from partners import services
from partners.models import ConsentRecord, EqualityMonitoring, LayPartner, PartnerLink
from partners.selectors import current_consent
from tests.conftest import client_for
from tests.partners.factories import EqualityFactory, assisted_partner, partner_with_login

pytestmark = pytest.mark.django_db


def test_consent_changes_are_kept_as_history(partner_client, partner, wessex):
    answers = {"contact": "yes", "named_in_notes": "yes", "photos": "no", "staff_can_edit": [wessex.pk]}
    assert partner_client.post("/partners/me/consent/", answers).status_code == 302
    assert current_consent(partner, "named_in_notes") is True
    assert PartnerLink.objects.get(partner=partner).staff_can_edit
    # Saving the same answers again adds nothing.
    partner_client.post("/partners/me/consent/", answers)
    assert ConsentRecord.objects.filter(partner=partner).count() == 3
    # Changing one answer adds one record; the latest is in force, the old one is kept.
    partner_client.post("/partners/me/consent/", {**answers, "named_in_notes": "no", "staff_can_edit": []})
    assert ConsentRecord.objects.filter(partner=partner, kind="named_in_notes").count() == 2
    assert current_consent(partner, "named_in_notes") is False
    assert not PartnerLink.objects.get(partner=partner).staff_can_edit
    record = ConsentRecord.objects.filter(partner=partner).first()
    assert record.privacy_notice_version == "1.0"
    assert record.recorded_by == partner.user


def test_consent_form_needs_every_answer(partner_client, partner):
    response = partner_client.post("/partners/me/consent/", {"contact": "yes"})
    assert response.status_code == 200
    assert b"Select yes if we can use your name in published notes" in response.content
    assert not ConsentRecord.objects.filter(partner=partner).exists()


def test_download_json_has_everything_held_about_me_only(partner_client, partner, wessex):
    other = partner_with_login(wessex, full_name="Not Me")
    EqualityFactory(partner=partner, age_band="35_44", carer="yes", seldom_heard_groups=["carers"])
    EqualityFactory(partner=other, age_band="75_plus")
    services.consent_update(actor=partner.user, partner=partner, answers={"photos": True})
    response = partner_client.get("/partners/me/my-information/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["full_name"] == "Rosa Martin"
    assert data["profile"]["reference"] == partner.reference
    assert data["ahsns"][0]["organisation"] == "Wessex AHSN"
    assert data["consents"][0]["agreed"] is True
    assert data["equality_monitoring"]["age"] == "35 to 44"
    assert data["equality_monitoring"]["communities"] == ["Unpaid carers"]
    assert "Not Me" not in response.content.decode()
    assert "75 or over" not in response.content.decode()


def test_download_page_is_readable_html(partner_client, partner):
    EqualityFactory(partner=partner, sex="prefer_not_to_say")
    page = partner_client.get("/partners/me/my-information/")
    assert page.status_code == 200
    assert b"Everything we hold about you" in page.content
    assert b"Rosa Martin" in page.content
    assert b"Prefer not to say" in page.content


def test_leaving_anonymises_and_keeps_the_reference(partner_client, partner, wessex, lead_client):
    EqualityFactory(partner=partner, age_band="25_34")
    services.consent_update(actor=partner.user, partner=partner, answers={"contact": True})
    reference = partner.reference
    user_id = partner.user_id
    assert partner_client.get("/partners/me/leave/").status_code == 200
    response = partner_client.post("/partners/me/leave/")
    assert response.status_code == 302
    assert response["Location"] == "/partners/left/"
    partner = LayPartner.objects.get(pk=partner.pk)
    assert partner.reference == reference
    assert partner.anonymised and partner.left_at
    assert partner.full_name == "Former lay partner"
    assert (partner.email, partner.phone, partner.address, partner.postcode) == ("", "", "", "")
    assert partner.access_needs == "" and partner.communication_needs == []
    assert not EqualityMonitoring.objects.filter(partner=partner).exists()
    assert ConsentRecord.objects.filter(partner=partner).count() == 1  # history kept
    assert set(PartnerLink.objects.filter(partner=partner).values_list("status", flat=True)) == {"left"}
    user = User.objects.get(pk=user_id)
    assert not user.is_active
    assert user.email == f"left-{reference.lower()}@invalid"
    assert not user.has_usable_password()
    # Signed out, and the old login no longer works.
    assert partner_client.get("/partners/me/").status_code == 302
    assert client_for(user).get("/partners/me/").status_code == 302  # an inactive account is signed out
    assert not Client().login(username="rosa@example.net", password="correct-horse-battery")
    # Staff see a former partner with no personal details.
    page = lead_client.get(f"/partners/{partner.pk}/")
    assert b"Former lay partner" in page.content
    assert b"Rosa" not in page.content
    entry = AuditEntry.objects.get(action="partners.partner.left")
    assert entry.target_label == reference


def test_leaving_keeps_financial_records_attached_pseudonymously(partner, wessex):
    """Claims point at the partner record; after leaving it still exists, known by reference."""

    services.partner_leave(partner=partner, actor=partner.user)
    assert LayPartner.objects.filter(pk=partner.pk, reference=partner.reference).exists()
    # The record is protected from deletion by the apps that hold money and participation.
    holders = [
        (model, field)
        for model in apps.get_models()
        if model._meta.app_label in {"payments", "involvement"}
        for field in model._meta.get_fields()
        if getattr(field, "related_model", None) is LayPartner and field.many_to_one
    ]
    assert holders, "claims and participations should point at the lay partner record"
    for model, field in holders:
        assert field.remote_field.on_delete.__name__ == "PROTECT", model


def test_leaving_twice_is_refused(partner):
    services.partner_leave(partner=partner, actor=partner.user)
    with pytest.raises(services.PartnerError):
        services.partner_leave(partner=LayPartner.objects.get(pk=partner.pk), actor=partner.user)


def test_staff_cannot_make_a_partner_with_a_login_leave(partner, staff):
    with pytest.raises(services.PartnerError):
        services.partner_leave(partner=partner, actor=staff)
    partner.refresh_from_db()
    assert not partner.anonymised


def test_staff_can_record_an_assisted_digital_partner_leaving(staff, wessex):
    person = assisted_partner(wessex, full_name="Arthur Penn")
    services.partner_leave(partner=person, actor=staff)
    person.refresh_from_db()
    assert person.full_name == "Former lay partner"
    assert AuditEntry.objects.get(action="partners.partner.left").on_behalf_of == person.reference


def test_left_partner_cannot_be_edited_by_staff(staff_client, staff, wessex):
    person = assisted_partner(wessex)
    services.partner_leave(partner=person, actor=staff)
    assert staff_client.get(f"/partners/{person.pk}/edit/needs/").status_code == 403
