from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time
from django.urls import reverse

from accounts.models import Organisation, Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.conftest import client_for
from tests.partners.factories import PartnerLinkFactory, partner_with_login

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def current_code(secret: str = SECRET) -> str:
    """The code of this 30-second step. allauth's counters run from the step before to the step
    after (MFA_TOTP_TOLERANCE = 1): the middle one is now, and is accepted for 30 to 60 seconds; the
    first, the step before, ran out within 30, which a sign-in on a busy machine could outlast."""
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]
    return f"{hotp_value(secret, counter):06d}"


def test_wrong_password_shows_a_clear_message(client, staff):
    response = client.post("/accounts/login/", {"login": staff.email, "password": "wrong"})
    assert response.status_code == 200
    assert b"email address and/or password you specified are not correct" in response.content


def test_staff_sign_in_with_email_and_password_then_a_code(client, staff):
    response = client.post("/accounts/login/", {"login": staff.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/partners/").status_code == 302, "no personal data on the password alone"
    assert client.post("/accounts/2fa/authenticate/", {"code": current_code()}).status_code == 302
    assert client.get("/notifications/").status_code == 200


def test_unverified_email_cannot_sign_in(client, wessex):
    user = UserFactory(email="unverified@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    MembershipFactory(user=user, organisation=wessex)
    response = client.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery"}, follow=True)
    assert b"Verify your email address" in response.content or b"verify" in response.content.lower()
    assert client.get("/notifications/").status_code == 302  # not signed in ("/" is the public home page)


def test_lead_with_authenticator_is_asked_for_a_code(client, lead):
    response = client.post("/accounts/login/", {"login": lead.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert b"Incorrect code" in wrong.content
    right = client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    assert right.status_code == 302
    assert client.get("/notifications/").status_code == 200


@pytest.mark.parametrize("role", [Role.STAFF, Role.INVOLVEMENT_LEAD, Role.FINANCE])
def test_every_staff_role_without_mfa_is_sent_to_set_it_up(wessex, role):
    user = UserFactory()
    MembershipFactory(user=user, organisation=wessex, role=role, totp=False)
    client = client_for(user)
    for path in ("/", "/team/", "/audit/", "/account/", "/partners/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    # Public pages and the set-up itself stay reachable.
    assert client.get("/accessibility/").status_code == 200


def test_staff_cannot_see_or_download_partners_details_before_setting_up_a_second_step(wessex):
    partner = PartnerLinkFactory(organisation=wessex, partner__full_name="Rosa Private").partner
    user = UserFactory()
    MembershipFactory(user=user, organisation=wessex, role=Role.STAFF, totp=False)
    client = client_for(user)
    for path in ("/partners/", "/partners/export.csv", f"/partners/{partner.pk}/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/totp/activate/"), path
        assert b"Rosa Private" not in response.content


def test_a_lay_partner_signs_in_with_a_password_and_may_add_a_second_step(client, wessex):
    partner = partner_with_login(wessex, email="lay.person@example.net")
    response = client.post("/accounts/login/", {"login": partner.user.email, "password": "correct-horse-battery"})
    assert "/2fa/" not in response["Location"]
    account = client.get("/account/").content.decode()
    assert "Set up an authenticator app" in account and "You can choose to be asked for a code" in account
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert "you need to set up two-step verification" not in page.content.decode()
    secret = page.context["form"].secret
    assert client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)}).status_code == 302
    assert Authenticator.objects.filter(user=partner.user, type=Authenticator.Type.TOTP).exists()
    client.post("/accounts/logout/")
    again = client.post("/accounts/login/", {"login": partner.user.email, "password": "correct-horse-battery"})
    assert again["Location"].startswith("/accounts/2fa/authenticate/"), "once added, it is asked for"


def test_unverified_email_is_told_to_verify_and_gets_a_new_link(client, wessex, mailoutbox):
    user = UserFactory(email="unverified@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    MembershipFactory(user=user, organisation=wessex)
    response = client.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery"}, follow=True)
    assert b"<h1>Verify your email address</h1>" in response.content
    assert [m.to for m in mailoutbox] == [[user.email]], "a fresh confirmation link is sent"
    mine = client.get("/notifications/")  # "/" is the public home page for anyone not signed in
    assert mine.status_code == 302 and mine["Location"].startswith("/accounts/login/")


def test_wrong_code_at_sign_in_leaves_the_person_signed_out(client, lead):
    client.post("/accounts/login/", {"login": lead.email, "password": "correct-horse-battery"})
    client.post("/accounts/2fa/authenticate/", {"code": "123456" if current_code() != "123456" else "654321"})
    response = client.get("/team/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_recovery_code_signs_in_when_the_phone_is_lost(client, lead):
    codes = RecoveryCodes.activate(lead).generate_codes()
    client.post("/accounts/login/", {"login": lead.email, "password": "correct-horse-battery"})
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert client.get("/team/").status_code == 200


def _privileged_user(role: str):
    short_name = "Network" if role == Role.NETWORK_ADMIN else "Wessex"
    user = UserFactory()
    MembershipFactory(user=user, organisation=Organisation.objects.get(short_name=short_name), role=role, totp=False)
    return user


@pytest.mark.parametrize("role", [Role.STAFF, Role.INVOLVEMENT_LEAD, Role.FINANCE, Role.NETWORK_ADMIN])
def test_no_page_beyond_mfa_set_up_until_it_is_done(db, role):
    client = client_for(_privileged_user(role))
    pages = [
        "/",
        "/team/",
        "/team/invite/",
        "/audit/",
        "/account/",
        "/notifications/",
        reverse("programmes:programme_list"),
        reverse("payments:claim_queue"),
        "/django-admin/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/totp/activate/"), path
    # Writes are refused the same way, so nothing can be changed before the second factor exists.
    assert client.post("/team/invite/", {"email": "x@example.org"})["Location"].startswith(
        "/accounts/2fa/totp/activate/"
    )


def test_mfa_set_up_refuses_a_wrong_code_then_opens_the_portal(wessex):
    user = UserFactory()
    MembershipFactory(user=user, organisation=wessex, role=Role.FINANCE, totp=False)
    client = client_for(user)
    redirect = client.get("/team/?organisation=1")
    assert redirect["Location"] == "/accounts/2fa/totp/activate/?next=%2Fteam%2F%3Forganisation%3D1"
    page = client.get(redirect["Location"])
    assert page.status_code == 200, "setting up a first factor does not ask for the password again"
    assert b"you need to set up two-step verification before you carry on" in page.content
    secret = page.context["form"].secret
    counter = next(iter(yield_hotp_counters_from_time()))
    right = f"{hotp_value(secret, counter):06d}"
    wrong = "000000" if right != "000000" else "111111"

    refused = client.post("/accounts/2fa/totp/activate/", {"code": wrong})
    assert refused.status_code == 200
    assert b"Incorrect code" in refused.content
    assert not Authenticator.objects.filter(user=user).exists()
    assert client.get("/").status_code == 302

    assert client.post("/accounts/2fa/totp/activate/", {"code": right}).status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/notifications/").status_code == 200


def test_password_reset_sends_a_link_that_sets_a_new_password(client, staff, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": staff.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [staff.email]
    link = re.search(r"http://[^/\s]+(/accounts/password/reset/key/\S+/)", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    form_page = client.get(link.group(1), follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    done = client.post(set_url, {"password1": "a-new-long-passphrase-4", "password2": "a-new-long-passphrase-4"})
    assert done.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("a-new-long-passphrase-4")
    # The link works once only.
    again = client.get(link.group(1), follow=True)
    assert b"has expired or has already been used" in again.content


def test_password_reset_for_an_unknown_address_looks_the_same(client, db, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert not any("/accounts/password/reset/key/" in m.body for m in mailoutbox)


def test_sign_out_ends_the_session(staff_client):
    assert staff_client.post("/accounts/logout/").status_code == 302
    assert staff_client.get("/notifications/").status_code == 302  # "/" is now the public home page
    assert "Help shape health innovation" in staff_client.get("/").content.decode()
