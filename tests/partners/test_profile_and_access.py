"""Profile edits by the partner and by staff, and who may see or change a partner's record."""

from __future__ import annotations

import pytest
from django.core import mail

from core.dashboard import DashboardSection
from core.models import AuditEntry
from partners import sections
from partners.models import LayPartner, PartnerLink
from tests.conftest import client_for
from tests.partners.factories import assisted_partner, partner_with_login

pytestmark = pytest.mark.django_db


def test_partner_updates_own_support_needs(partner_client, partner):
    page = partner_client.get("/partners/me/details/needs/")
    assert page.status_code == 200
    response = partner_client.post(
        "/partners/me/details/needs/",
        {
            "communication_needs": ["bsl", "other_language"],
            "other_language": "Polish",
            "access_needs": "Step-free access please",
            "support_tags": ["bsl", "accessible_venue"],
            "carer_needs": "",
        },
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.communication_needs == ["bsl", "other_language"]
    assert partner.other_language == "Polish"
    assert partner.access_needs == "Step-free access please"
    entry = AuditEntry.objects.get(action="partners.partner.updated")
    assert entry.on_behalf_of == ""  # the partner did it themselves
    assert entry.data["fields"] == ["access_needs", "communication_needs", "other_language", "support_tags"]
    assert "Step-free" not in str(entry.data)
    summary = partner_client.get("/partners/me/details/")
    assert b"British Sign Language interpreter" in summary.content
    assert b"Step-free access please" in summary.content


def test_other_language_needs_the_language(partner_client, partner):
    response = partner_client.post(
        "/partners/me/details/needs/", {"communication_needs": ["other_language"], "other_language": ""}
    )
    assert response.status_code == 200
    assert b"Enter the language you need information in" in response.content
    assert b"<title>Error:" in response.content


def test_contact_details_are_normalised_and_invalid_ones_refused(partner_client, partner):
    data = {
        "full_name": "Rosa Martin",
        "preferred_name": "Ro",
        "pronouns": "she/her",
        "email": "rosa@example.net",
        "phone": "+44 7700 900 982",
        "address": "2 Low Road",
        "postcode": "ls1 4ap",
        "contact_methods": ["text", "post"],
    }
    assert partner_client.post("/partners/me/details/contact/", data).status_code == 302
    partner.refresh_from_db()
    assert partner.phone == "07700900982"
    assert partner.postcode == "LS1 4AP"
    assert partner.display_name == "Ro"

    bad = partner_client.post("/partners/me/details/contact/", {**data, "phone": "0770", "postcode": "1234"})
    assert bad.status_code == 200
    assert b"Enter a UK phone number" in bad.content
    assert b"Enter a real postcode" in bad.content
    assert b'value="0770"' in bad.content  # what they typed is kept
    partner.refresh_from_db()
    assert partner.phone == "07700900982"


def test_duplicate_email_is_a_clear_error(partner_client, partner, wessex):
    other = partner_with_login(wessex, email="taken@example.net")
    response = partner_client.post(
        "/partners/me/details/contact/",
        {"full_name": "Rosa Martin", "email": "Taken@Example.net", "contact_methods": ["email"]},
    )
    assert response.status_code == 200
    assert b"already registered" in response.content
    partner.refresh_from_db()
    assert partner.email == "rosa@example.net"
    assert other.email == "taken@example.net"


def test_email_contact_method_needs_an_email(partner_client):
    response = partner_client.post(
        "/partners/me/details/contact/", {"full_name": "Rosa", "email": "", "contact_methods": ["email"]}
    )
    assert b"Enter an email address, or choose another way to be contacted" in response.content


def test_payment_page_signposts_benefits_advice(partner_client, partner):
    page = partner_client.get("/partners/me/details/payment/")
    assert b"may affect some benefits" in page.content
    assert b"Citizens Advice" in page.content
    partner_client.post("/partners/me/details/payment/", {"payment_preference": "vouchers"})
    partner.refresh_from_db()
    assert partner.payment_preference == "vouchers"


def test_partner_home_shows_details_and_links(partner_client, partner):
    page = partner_client.get("/partners/me/")
    assert page.status_code == 200
    assert b"Hello, Rosa Martin" in page.content
    assert b"Update your communication, access and support needs" in page.content
    assert b"Wessex AHSN" in page.content


def test_staff_without_a_partner_record_get_404_on_partner_pages(staff_client):
    assert staff_client.get("/partners/me/").status_code == 404
    assert staff_client.get("/partners/me/details/").status_code == 404


def test_unknown_profile_section_is_404(partner_client):
    assert partner_client.get("/partners/me/details/bank-details/").status_code == 404


# --- Staff view and edit --------------------------------------------------------------------------


def test_staff_lead_finance_can_view_outsider_cannot(
    staff_client, lead_client, finance_client, outsider_client, partner
):
    for client in (staff_client, lead_client, finance_client):
        page = client.get(f"/partners/{partner.pk}/")
        assert page.status_code == 200
        assert b"Rosa Martin" in page.content
    assert outsider_client.get(f"/partners/{partner.pk}/").status_code == 404


def test_staff_can_edit_only_where_the_partner_agreed(staff_client, partner):
    data = {"methods": ["survey"], "topics": "Stroke", "availability": "Mornings"}
    assert staff_client.get(f"/partners/{partner.pk}/edit/taking-part/").status_code == 403
    assert staff_client.post(f"/partners/{partner.pk}/edit/taking-part/", data).status_code == 403
    PartnerLink.objects.filter(partner=partner).update(staff_can_edit=True)
    assert staff_client.post(f"/partners/{partner.pk}/edit/taking-part/", data).status_code == 302
    partner.refresh_from_db()
    assert partner.topics == "Stroke"
    assert AuditEntry.objects.get(action="partners.partner.updated").on_behalf_of == partner.reference


def test_finance_is_read_only_and_outsider_gets_404_on_edits(finance_client, outsider_client, partner):
    PartnerLink.objects.filter(partner=partner).update(staff_can_edit=True)
    data = {"methods": ["survey"], "topics": "Stroke", "availability": ""}
    assert finance_client.post(f"/partners/{partner.pk}/edit/taking-part/", data).status_code == 403
    assert outsider_client.post(f"/partners/{partner.pk}/edit/taking-part/", data).status_code == 404
    partner.refresh_from_db()
    assert partner.topics == ""


def test_staff_edit_of_assisted_digital_partner_is_logged_on_their_behalf(staff_client, staff, wessex):
    person = assisted_partner(wessex, full_name="Arthur Penn")
    response = staff_client.post(
        f"/partners/{person.pk}/edit/needs/", {"communication_needs": ["large_print"], "access_needs": "Hearing loop"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="partners.partner.updated")
    assert entry.actor == staff
    assert entry.on_behalf_of == person.reference
    assert "Arthur" not in entry.target_label
    # Staff also record their consent on their behalf.
    response = staff_client.post(
        f"/partners/{person.pk}/consent/", {"contact": "yes", "named_in_notes": "no", "photos": "no"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="partners.consent.recorded").on_behalf_of == person.reference


def test_staff_cannot_record_consent_for_a_partner_who_has_a_login(staff_client, partner):
    PartnerLink.objects.filter(partner=partner).update(staff_can_edit=True)
    assert staff_client.get(f"/partners/{partner.pk}/consent/").status_code == 403


def test_a_partner_cannot_read_another_partners_record(partner_client, wessex):
    other = partner_with_login(wessex, full_name="Someone Else")
    assert partner_client.get(f"/partners/{other.pk}/").status_code == 404
    assert partner_client.get(f"/partners/{other.pk}/edit/contact/").status_code == 404
    assert partner_client.get("/partners/").status_code == 403


def test_staff_of_one_ahsn_cannot_read_a_partner_known_only_to_another(staff_client, yorkshire):
    elsewhere = partner_with_login(yorkshire, full_name="Only Yorkshire")
    assert staff_client.get(f"/partners/{elsewhere.pk}/").status_code == 404
    assert b"Only Yorkshire" not in staff_client.get("/partners/").content
    assert staff_client.get(f"/partners/?organisation={yorkshire.pk}").status_code == 404


def test_network_admin_sees_partners_everywhere(admin_client_portal, yorkshire):
    elsewhere = partner_with_login(yorkshire, full_name="Only Yorkshire")
    assert admin_client_portal.get(f"/partners/{elsewhere.pk}/").status_code == 200


def test_staff_change_status_at_their_ahsn(staff_client, finance_client, outsider_client, partner):
    link = partner.links.get()
    data = {"status": "paused", "joined_on": "2024-03-01"}
    assert finance_client.post(f"/partners/links/{link.pk}/", data).status_code == 403
    assert outsider_client.post(f"/partners/links/{link.pk}/", data).status_code == 404
    assert staff_client.get(f"/partners/links/{link.pk}/").status_code == 200
    assert staff_client.post(f"/partners/links/{link.pk}/", data).status_code == 302
    link.refresh_from_db()
    assert link.status == "paused"
    assert link.joined_on.isoformat() == "2024-03-01"
    future = staff_client.post(f"/partners/links/{link.pk}/", {"status": "active", "joined_on": "2999-01-01"})
    assert b"cannot be in the future" in future.content


def test_profile_sections_from_other_apps_are_rendered_and_scoped(staff_client, partner, wessex):
    seen = {}

    def provider(p, organisation_ids, user):
        seen["ids"] = organisation_ids
        return [
            DashboardSection(
                title="What they have taken part in", items=[{"text": "Workshop", "url": "", "meta": "May"}]
            )
        ]

    sections.register_profile_section(provider)
    try:
        page = staff_client.get(f"/partners/{partner.pk}/")
    finally:
        sections._profile_providers.remove(provider)  # noqa: SLF001 -- the registry has no unregister; the test takes its provider out again
    assert b"What they have taken part in" in page.content
    assert seen["ids"] == {wessex.pk}


def test_home_sections_from_other_apps_are_rendered(partner_client):
    def provider(p):
        return [DashboardSection(title="Coming up", empty_text="Nothing is booked yet.")]

    sections.register_home_section(provider)
    try:
        page = partner_client.get("/partners/me/")
    finally:
        sections._home_providers.remove(provider)  # noqa: SLF001 -- the registry has no unregister; the test takes its provider out again
    assert b"Coming up" in page.content
    assert b"Nothing is booked yet." in page.content


def test_anonymous_visitors_are_sent_to_sign_in(client, partner):
    for url in ("/partners/", "/partners/me/", f"/partners/{partner.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_lay_partner_and_staff_client_helper_is_not_a_member(partner):
    assert not LayPartner.objects.get(pk=partner.pk).user.memberships.exists()
    assert client_for(partner.user).get("/").status_code == 302


def test_staff_invite_an_assisted_digital_partner_to_use_the_portal(staff_client, wessex, run_on_commit, client):
    person = assisted_partner(wessex, full_name="Arthur Penn")
    assert b"They do not have an email address" in staff_client.get(f"/partners/{person.pk}/give-login/").content
    LayPartner.objects.filter(pk=person.pk).update(email="arthur@example.net")
    with run_on_commit(execute=True):
        response = staff_client.post(f"/partners/{person.pk}/give-login/")
    assert response.status_code == 302
    link = mail.outbox[-1].body.split("http://", 1)[1].split()[0]
    link = "/" + link.split("/", 1)[1]
    client.post(
        link,
        {
            "full_name": "Arthur Penn",
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
            "contact": "yes",
            "named_in_notes": "no",
            "photos": "no",
        },
    )
    person.refresh_from_db()
    assert person.user is not None and person.user.email == "arthur@example.net"
    assert not person.is_assisted_digital
    assert LayPartner.objects.count() == 1  # the same record, not a copy


def test_give_login_and_record_leaving_are_only_for_assisted_partners(
    staff_client, finance_client, outsider_client, partner, wessex
):
    PartnerLink.objects.filter(partner=partner).update(staff_can_edit=True)
    assert staff_client.get(f"/partners/{partner.pk}/give-login/").status_code == 403
    assert staff_client.post(f"/partners/{partner.pk}/leave/").status_code == 403
    person = assisted_partner(wessex)
    assert finance_client.post(f"/partners/{person.pk}/leave/").status_code == 403
    assert outsider_client.post(f"/partners/{person.pk}/leave/").status_code == 404
    assert staff_client.get(f"/partners/{person.pk}/leave/").status_code == 200
    assert staff_client.post(f"/partners/{person.pk}/leave/").status_code == 302
    person.refresh_from_db()
    assert person.anonymised
    assert AuditEntry.objects.get(action="partners.partner.left").on_behalf_of == person.reference
