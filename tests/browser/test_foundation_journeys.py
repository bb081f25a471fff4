"""Sign-in journeys (including the second factor) and an accessibility check on every foundation page."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import Invitation, Membership, Role
from tests.accounts.factories import MembershipFactory, UserFactory, with_totp
from tests.accounts.test_sign_in_and_mfa import SECRET, current_code
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_public_pages_are_accessible(page, live_server):
    for path in ("/accounts/login/", "/accounts/password/reset/", "/accessibility/", "/privacy/", "/no-such-page/"):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    assert page.locator("h1").inner_text() == "Page not found"


def test_a_read_only_role_sees_the_cannot_do_this_page(page, wessex):
    finance = UserFactory(email="read.only@example.org")
    MembershipFactory(user=finance, organisation=wessex, role=Role.FINANCE)
    with_totp(finance)
    sign_in(page, finance.email, totp_secret=SECRET)
    page.wait_for_url(re.compile(r".*/$"))
    response = page.goto("/programmes/new/")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "You cannot do this"
    assert_accessible(page)


def test_staff_member_signs_in_and_sees_their_dashboard(page, staff):
    sign_in(page, staff.email, totp_secret=SECRET)
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text().startswith("Hello")
    assert_accessible(page)
    page.get_by_role("link", name="My account").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Team").first.click()
    assert_accessible(page)


def test_wrong_password_then_right_one(page, staff):
    sign_in(page, staff.email, password="not-the-password")
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
    sign_in(page, staff.email, totp_secret=SECRET)
    page.wait_for_url("**/")


def test_lead_signs_in_with_an_authenticator_code(page, lead):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(lead.email)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/2fa/authenticate/**")
    assert_accessible(page)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    assert page.locator(".nhsuk-error-message, .nhsuk-error-summary").first.is_visible()
    page.get_by_label("Code").fill(current_code(SECRET))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r".*/$"))
    assert page.locator("h1").inner_text().startswith("Hello")


def test_new_finance_officer_must_set_up_an_authenticator_first(page, wessex):
    user = UserFactory(email="new.finance@example.org")
    MembershipFactory(user=user, organisation=wessex, role=Role.FINANCE, totp=False)
    sign_in(page, user.email)
    page.wait_for_url("**/2fa/totp/activate/**")
    assert_accessible(page)
    secret = page.get_by_test_id("totp-secret").inner_text().strip().replace(" ", "")
    page.get_by_label("Authenticator code").fill(current_code(secret))
    page.get_by_role("button", name=re.compile("Activate|Set up|Continue")).click()
    # Recovery codes are shown once; then the portal opens.
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Hello")
    assert_accessible(page)


def test_lead_invites_a_colleague_who_accepts(page, browser, live_server, lead, wessex):
    sign_in(page, lead.email, totp_secret=SECRET)
    page.wait_for_url(re.compile(r".*/$"))
    page.goto("/team/")
    assert_accessible(page)
    page.get_by_role("link", name="Invite someone").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send invitation").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("Full name").fill("Sam Colleague")
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Staff", exact=True).check()
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url("**/team/")
    assert Invitation.objects.filter(email="sam@example.org").exists()

    link = re.search(r"(/invitations/[^\s/]+/)", mail.outbox[-1].body).group(1)
    other = browser.new_context(base_url=live_server.url).new_page()
    other.goto(link)
    assert_accessible(other)
    other.get_by_label("Your full name").fill("Sam Colleague")
    other.get_by_label("Create a password").fill("a-long-passphrase-9")
    other.get_by_label("Type the password again").fill("a-long-passphrase-9")
    other.get_by_role("button", name="Create your account").click()
    # Like all staff, the new member sets up a second step before anything else.
    other.wait_for_url("**/2fa/totp/activate/**")
    assert Membership.objects.filter(user__email="sam@example.org", organisation=wessex).exists()

    # The lead changes Sam's role, then sees the removal confirmation page.
    membership = Membership.objects.get(user__email="sam@example.org")
    page.goto(f"/team/{membership.pk}/role/")
    assert_accessible(page)
    page.goto(f"/team/{membership.pk}/remove/")
    assert_accessible(page)
    page.goto("/audit/")
    assert_accessible(page)
    assert page.get_by_text("Invitation to join the team sent").first.is_visible()
