"""Joining: staff invitations, assisted-digital registration, and register-your-interest."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role, User
from core.models import AuditEntry, Notification
from partners.models import ConsentRecord, LayPartner, PartnerApplication, PartnerInvitation, PartnerLink
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.conftest import client_for
from tests.partners.factories import PartnerApplicationFactory, partner_with_login

pytestmark = pytest.mark.django_db

ACCEPT = {
    "full_name": "Jo Bloggs",
    "password1": "a-long-passphrase-9",
    "password2": "a-long-passphrase-9",
    "contact": "yes",
    "named_in_notes": "no",
    "photos": "yes",
}


def _invite(client, run_on_commit, organisation, email="jo@example.net"):
    with run_on_commit(execute=True):
        return client.post(
            "/partners/invite/", {"full_name": "Jo Bloggs", "email": email, "organisation": organisation.pk}
        )


def _link_from_email() -> str:
    match = re.search(r"http://[^\s]+(/partners/invitations/[^\s/]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_staff_invite_names_the_ahsn_and_accepting_creates_account_partner_and_link(
    staff_client, run_on_commit, wessex, client
):
    response = _invite(staff_client, run_on_commit, wessex)
    assert response.status_code == 302
    assert mail.outbox[0].to == ["jo@example.net"]
    assert "Wessex AHSN" in mail.outbox[0].subject
    assert "Wessex AHSN" in mail.outbox[0].body
    link = _link_from_email()

    page = client.get(link)
    assert page.status_code == 200
    assert b"Join Wessex AHSN as a lay partner" in page.content

    response = client.post(link, ACCEPT)
    assert response.status_code == 302
    assert response["Location"] == "/partners/me/"
    user = User.objects.get(email="jo@example.net")
    assert user.check_password("a-long-passphrase-9")
    assert not user.memberships.exists()  # lay partners are not staff
    partner = LayPartner.objects.get(user=user)
    assert partner.full_name == "Jo Bloggs"
    assert PartnerLink.objects.get(partner=partner).organisation == wessex
    consents = {c.kind: c.given for c in ConsentRecord.objects.filter(partner=partner)}
    assert consents == {"contact": True, "named_in_notes": False, "photos": True}
    assert ConsentRecord.objects.filter(partner=partner, privacy_notice_version="1.0").count() == 3
    # Signed in, and the site home sends a lay partner to their own area.
    assert client.get("/").url == "/partners/me/"
    assert b"Hello, Jo Bloggs" in client.get("/partners/me/").content


def test_invitation_link_is_single_use(staff_client, run_on_commit, wessex, client):
    _invite(staff_client, run_on_commit, wessex)
    link = _link_from_email()
    client.post(link, ACCEPT)
    again = client_for(UserFactory()).post(link, ACCEPT)
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert LayPartner.objects.filter(email="jo@example.net").count() == 1


def test_expired_and_unknown_invitation_links_say_why(staff_client, run_on_commit, wessex, client):
    _invite(staff_client, run_on_commit, wessex)
    link = _link_from_email()
    PartnerInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(link)
    assert expired.status_code == 410
    assert b"expired" in expired.content
    unknown = client.get("/partners/invitations/not-a-real-token/")
    assert unknown.status_code == 410
    assert b"not valid" in unknown.content


def test_password_mismatch_keeps_what_was_typed(staff_client, run_on_commit, wessex, client):
    _invite(staff_client, run_on_commit, wessex)
    response = client.post(_link_from_email(), {**ACCEPT, "password2": "something-else-22"})
    assert response.status_code == 200
    assert b"The passwords do not match" in response.content
    assert b'value="Jo Bloggs"' in response.content
    assert not User.objects.filter(email="jo@example.net").exists()


def test_cannot_invite_to_an_ahsn_the_inviter_does_not_belong_to(staff_client, yorkshire):
    response = staff_client.post("/partners/invite/", {"email": "jo@example.net", "organisation": yorkshire.pk})
    assert response.status_code == 200
    assert b"You can only invite lay partners to an AHSN you work for" in response.content
    assert not PartnerInvitation.objects.exists()
    assert mail.outbox == []


def test_finance_cannot_invite(finance_client, wessex):
    assert finance_client.get("/partners/invite/").status_code == 403
    response = finance_client.post("/partners/invite/", {"email": "jo@example.net", "organisation": wessex.pk})
    assert response.status_code == 403


def test_inviting_someone_already_a_partner_here_is_refused(staff_client, wessex, partner):
    response = staff_client.post("/partners/invite/", {"email": partner.email.upper(), "organisation": wessex.pk})
    assert response.status_code == 200
    assert b"is already a lay partner at Wessex AHSN" in response.content
    assert not PartnerInvitation.objects.exists()


def test_partner_of_another_ahsn_joins_a_second_one_and_each_sees_only_its_link(
    run_on_commit, wessex, yorkshire, outsider
):
    partner = partner_with_login(wessex, email="both@example.net")
    _invite(client_for(outsider), run_on_commit, yorkshire, email="both@example.net")
    link = _link_from_email()
    partner_client = client_for(partner.user)
    page = partner_client.get(link)
    assert b"You already have an account" in page.content
    response = partner_client.post(link, {"contact": "yes", "named_in_notes": "yes", "photos": "no"})
    assert response.status_code == 302
    assert set(partner.links.values_list("organisation__short_name", flat=True)) == {"Wessex", "Y&H AHSN"}
    # Y&H staff see their own relationship only.
    detail = client_for(outsider).get(f"/partners/{partner.pk}/")
    assert b"Yorkshire" in detail.content
    assert b"Wessex AHSN" not in detail.content


def test_existing_account_must_sign_in_to_accept(run_on_commit, wessex, outsider, yorkshire, client):
    partner = partner_with_login(wessex, email="both@example.net")
    _invite(client_for(outsider), run_on_commit, yorkshire, email="both@example.net")
    link = _link_from_email()
    response = client.post(link, {"contact": "yes", "named_in_notes": "yes", "photos": "no"})
    assert response.status_code == 200
    assert b"Sign in as both@example.net" in response.content
    assert partner.links.count() == 1


# --- Assisted digital -------------------------------------------------------------------------------

REGISTER = {
    "full_name": "Arthur Penn",
    "phone": "+44 (0)1632 960 001",
    "address": "1 High Street\nSouthampton",
    "postcode": "so167ns",
    "contact_methods": ["phone", "post"],
    "communication_needs": ["large_print"],
    "payment_preference": "expenses_only",
    "contact": "yes",
    "named_in_notes": "no",
    "photos": "no",
}


def test_staff_register_assisted_digital_partner_without_email(staff_client, staff, wessex):
    response = staff_client.post("/partners/register/", {**REGISTER, "organisation": wessex.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    partner = LayPartner.objects.get(full_name="Arthur Penn")
    assert partner.user is None
    assert partner.is_assisted_digital
    assert partner.phone == "01632960001"
    assert partner.postcode == "SO16 7NS"
    link = partner.links.get()
    assert link.organisation == wessex and link.staff_can_edit
    entry = AuditEntry.objects.get(action="partners.partner.registered_assisted")
    assert entry.on_behalf_of == partner.reference
    assert entry.actor == staff
    assert "Arthur" not in entry.target_label
    assert ConsentRecord.objects.filter(partner=partner, recorded_by=staff).count() == 3


def test_register_rejects_bad_phone_and_postcode_and_keeps_input(staff_client, wessex):
    response = staff_client.post(
        "/partners/register/",
        {**REGISTER, "organisation": wessex.pk, "phone": "12345", "postcode": "XX1 1"},
    )
    assert response.status_code == 200
    assert b"Enter a UK phone number" in response.content
    assert b"Enter a real postcode" in response.content
    assert b'value="Arthur Penn"' in response.content
    assert not LayPartner.objects.exists()


def test_register_refuses_a_duplicate_email(staff_client, wessex, partner):
    response = staff_client.post(
        "/partners/register/",
        {**REGISTER, "organisation": wessex.pk, "email": "ROSA@example.net", "contact_methods": ["email"]},
    )
    assert response.status_code == 200
    assert b"already registered" in response.content
    assert LayPartner.objects.count() == 1


def test_register_to_another_ahsn_is_refused(staff_client, yorkshire):
    response = staff_client.post("/partners/register/", {**REGISTER, "organisation": yorkshire.pk})
    assert response.status_code == 200
    assert b"You can only register lay partners at an AHSN you work for" in response.content


# --- Register your interest ---------------------------------------------------------------------------

JOIN = {
    "full_name": "Sam Carter",
    "contact_method": "email",
    "email": "sam@example.net",
    "interests": "Mental health services for young people",
}


def test_public_join_creates_pending_application_and_tells_the_lead(client, lead, wessex, run_on_commit):
    with run_on_commit(execute=True):
        response = client.post("/partners/join/", {**JOIN, "organisation": wessex.pk})
    assert response.status_code == 302
    application = PartnerApplication.objects.get()
    assert application.status == PartnerApplication.Status.PENDING
    assert application.organisation == wessex
    notification = Notification.objects.get(kind="partners.application.received")
    assert notification.user == lead
    assert "sam@example.net" not in notification.body


def test_join_page_needs_no_sign_in_and_has_a_hidden_honeypot(client):
    page = client.get("/partners/join/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="website"' in html
    assert 'aria-hidden="true"' in html
    assert 'tabindex="-1"' in html


def test_honeypot_filled_in_keeps_nothing(client, wessex):
    response = client.post("/partners/join/", {**JOIN, "organisation": wessex.pk, "website": "http://spam"})
    assert response.status_code == 302
    assert not PartnerApplication.objects.exists()


def test_join_is_rate_limited_per_address(client, wessex, settings):
    settings.PARTNER_JOIN_RATE_LIMIT = "2/3600"

    cache.clear()
    for n in range(2):
        data = {**JOIN, "organisation": wessex.pk, "email": f"sam{n}@example.net"}
        assert client.post("/partners/join/", data).status_code == 302
    blocked = client.post("/partners/join/", {**JOIN, "organisation": wessex.pk, "email": "new@example.net"})
    assert blocked.status_code == 429
    assert PartnerApplication.objects.count() == 2
    cache.clear()


def test_join_needs_the_contact_detail_for_the_chosen_method(client, wessex):
    response = client.post(
        "/partners/join/",
        {"full_name": "Sam", "organisation": wessex.pk, "contact_method": "post", "postcode": "XX"},
    )
    assert response.status_code == 200
    assert b"Enter a postal address" in response.content
    assert b"Enter a real postcode" in response.content
    assert not PartnerApplication.objects.exists()


def test_lead_accepts_application_which_sends_the_invitation(lead_client, wessex, run_on_commit):
    application = PartnerApplicationFactory(email="sam@example.net", full_name="Sam Carter")
    assert lead_client.get(f"/partners/applications/{application.pk}/").status_code == 200
    with run_on_commit(execute=True):
        response = lead_client.post(f"/partners/applications/{application.pk}/accept/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.ACCEPTED
    assert mail.outbox[-1].to == ["sam@example.net"]
    assert PartnerInvitation.objects.get().application == application
    assert AuditEntry.objects.filter(action="partners.application.accepted").exists()
    # Accepting twice is refused.
    again = lead_client.post(f"/partners/applications/{application.pk}/accept/", follow=True)
    assert b"already been decided" in again.content
    assert PartnerInvitation.objects.count() == 1


def test_accepting_application_without_email_registers_assisted_partner(lead_client, wessex):
    application = PartnerApplicationFactory(email="", phone="07700900456", contact_method="phone", full_name="Pat Lee")
    response = lead_client.post(f"/partners/applications/{application.pk}/accept/")
    partner = LayPartner.objects.get(full_name="Pat Lee")
    assert response["Location"] == f"/partners/{partner.pk}/"
    assert partner.is_assisted_digital and partner.user is None
    assert partner.phone == "07700900456"


def test_lead_declines_with_a_reason(lead_client, run_on_commit):
    application = PartnerApplicationFactory(email="sam@example.net")
    assert lead_client.get(f"/partners/applications/{application.pk}/decline/").status_code == 200
    with run_on_commit(execute=True):
        response = lead_client.post(
            f"/partners/applications/{application.pk}/decline/", {"reason": "We are not recruiting now."}
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.DECLINED
    assert "We are not recruiting now." in mail.outbox[-1].body


def test_application_access_lead_staff_outsider(lead_client, staff_client, outsider_client):
    application = PartnerApplicationFactory()
    assert lead_client.get("/partners/applications/").status_code == 200
    shown_name = escape(application.full_name).encode()  # as the page prints it: "O&#x27;Brien"
    assert shown_name in lead_client.get("/partners/applications/").content
    # Staff can read it but only leads decide.
    assert staff_client.get("/partners/applications/").status_code == 403
    assert staff_client.get(f"/partners/applications/{application.pk}/").status_code == 200
    assert staff_client.post(f"/partners/applications/{application.pk}/accept/").status_code == 403
    # Another AHSN's lead cannot see it at all.
    assert outsider_client.get(f"/partners/applications/{application.pk}/").status_code == 404
    assert outsider_client.post(f"/partners/applications/{application.pk}/accept/").status_code == 404
    assert shown_name not in outsider_client.get("/partners/applications/").content
    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.PENDING


def test_application_queue_query_count_is_fixed(lead_client, django_assert_max_num_queries, wessex):
    PartnerApplicationFactory.create_batch(120)
    with django_assert_max_num_queries(15):
        response = lead_client.get("/partners/applications/")
    assert response.status_code == 200


def test_staff_email_cannot_be_invited_as_partner(staff_client, wessex):
    MembershipFactory(user=UserFactory(email="colleague@example.org"), organisation=wessex, role=Role.STAFF)
    response = staff_client.post("/partners/invite/", {"email": "colleague@example.org", "organisation": wessex.pk})
    assert b"belongs to a member of staff" in response.content


def test_leads_home_page_lists_applications_waiting(lead_client, staff_client):
    PartnerApplicationFactory(full_name="Waiting Person")
    home = lead_client.get("/")
    assert b"People who want to become lay partners" in home.content
    assert b"Waiting Person" in home.content
    assert b"Waiting Person" not in staff_client.get("/").content


def test_sending_the_join_form_twice_makes_one_application(client, wessex):
    client.post("/partners/join/", {**JOIN, "organisation": wessex.pk})
    client.post("/partners/join/", {**JOIN, "organisation": wessex.pk, "email": "SAM@example.net"})
    assert PartnerApplication.objects.count() == 1
