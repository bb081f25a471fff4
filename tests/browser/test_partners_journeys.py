"""Lay partner journeys in a real browser, with axe on every page visited."""

from __future__ import annotations

import re

import pytest

from partners import services
from partners.models import LayPartner, PartnerApplication
from tests.accounts.test_sign_in_and_mfa import SECRET
from tests.browser.conftest import assert_accessible, sign_in
from tests.partners.factories import PartnerApplicationFactory, assisted_partner, partner_with_login

pytestmark = pytest.mark.django_db(transaction=True)


PASSWORD = "blue-kettle-garden-7"


def _accept_invitation_and_update_needs(page, token: str) -> None:
    page.goto(f"/partners/invitations/{token}/")
    assert page.locator("h1").inner_text() == "Join Wessex AHSN as a lay partner"
    assert_accessible(page)
    # A mistake first: the error summary appears and the page stays accessible.
    page.get_by_label("Your full name").fill("Jo Bloggs")
    page.get_by_role("button", name="Create your account").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.locator("#id_contact_0").check()
    page.locator("#id_named_in_notes_1").check()
    page.locator("#id_photos_1").check()
    page.get_by_role("button", name="Create your account").click()
    page.wait_for_url("**/partners/me/")
    assert page.locator("h1").inner_text() == "Hello, Jo Bloggs"
    assert_accessible(page)

    page.get_by_role("link", name="Update your communication, access and support needs").click()
    page.wait_for_url("**/partners/me/details/needs/")
    assert_accessible(page)
    page.get_by_label("British Sign Language interpreter").first.check()
    page.get_by_label("Tell us about any access or support needs").fill("A hearing loop, please.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/partners/me/details/")
    assert page.get_by_text("A hearing loop, please.").is_visible()
    assert_accessible(page)


def _invite_token(staff, wessex) -> str:
    _invitation, token = services.partner_invite(
        actor=staff, organisation=wessex, email="jo@example.net", full_name="Jo Bloggs"
    )
    return token


def test_partner_accepts_invitation_sets_password_and_updates_support_needs(page, staff, wessex):
    _accept_invitation_and_update_needs(page, _invite_token(staff, wessex))
    partner = LayPartner.objects.get(email="jo@example.net")
    assert partner.communication_needs == ["bsl"]
    assert partner.user.check_password(PASSWORD)
    # The rest of the partner's own area is accessible too.
    for path in (
        "/partners/me/consent/",
        "/partners/me/equality/",
        "/partners/me/my-information/",
        "/partners/me/leave/",
        "/partners/me/details/contact/",
        "/partners/me/details/taking-part/",
        "/partners/me/details/payment/",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)


def test_partner_journey_on_a_small_phone(phone_page, staff, wessex):
    _accept_invitation_and_update_needs(phone_page, _invite_token(staff, wessex))
    # Nothing is wider than the screen.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375


def test_public_join_page_and_lead_accepts_the_application(page, browser, live_server, lead, wessex):
    page.goto("/partners/join/")
    assert_accessible(page)
    page.get_by_label("Your name").fill("Sam Carter")
    page.get_by_label("Which area do you live in?").select_option(value=str(wessex.pk))
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address").fill("sam@example.net")
    page.get_by_label("What are you interested in?").fill("Digital health")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/partners/join/thank-you/")
    assert_accessible(page)
    assert PartnerApplication.objects.filter(full_name="Sam Carter", status="pending").exists()

    context = browser.new_context(base_url=live_server.url)
    lead_page = context.new_page()
    sign_in(lead_page, lead.email, totp_secret=SECRET)
    lead_page.wait_for_url(re.compile(r".*/$"))
    lead_page.goto("/partners/applications/")
    assert_accessible(lead_page)
    lead_page.get_by_role("link", name="Sam Carter").click()
    assert_accessible(lead_page)
    lead_page.get_by_role("button", name="Accept").click()
    lead_page.wait_for_url("**/partners/applications/")
    assert lead_page.get_by_text("We have emailed Sam Carter an invitation").is_visible()
    assert_accessible(lead_page)
    assert PartnerApplication.objects.get(full_name="Sam Carter").status == "accepted"
    context.close()


def test_staff_pages_are_accessible(page, lead, wessex):
    partner = partner_with_login(wessex, full_name="Rosa Martin", communication_needs=["easy_read"])
    person = assisted_partner(wessex, full_name="Arthur Penn")
    PartnerApplicationFactory(full_name="Pat Lee")
    sign_in(page, lead.email, totp_secret=SECRET)
    page.wait_for_url(re.compile(r".*/$"))
    link = partner.links.get()
    for path in (
        "/partners/",
        "/partners/?q=rosa&status=active",
        f"/partners/{partner.pk}/",
        f"/partners/links/{link.pk}/",
        "/partners/invite/",
        "/partners/register/",
        "/partners/equality/",
        f"/partners/applications/{PartnerApplication.objects.get().pk}/decline/",
        # Pages where staff act for an assisted-digital partner.
        f"/partners/{person.pk}/",
        f"/partners/{person.pk}/edit/needs/",
        f"/partners/{person.pk}/consent/",
        f"/partners/{person.pk}/give-login/",
        f"/partners/{person.pk}/their-information/",
        f"/partners/{person.pk}/leave/",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    # Registering someone without email: a mistake shows the error summary, accessibly.
    page.goto("/partners/register/")
    page.get_by_role("button", name="Register").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
