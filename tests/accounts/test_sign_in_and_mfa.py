from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time

from accounts.models import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def current_code(secret: str = SECRET) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return f"{hotp_value(secret, counter):06d}"


def test_wrong_password_shows_a_clear_message(client, staff):
    response = client.post("/accounts/login/", {"login": staff.email, "password": "wrong"})
    assert response.status_code == 200
    assert b"email address and/or password you specified are not correct" in response.content


def test_staff_signs_in_with_email_and_password(client, staff):
    response = client.post("/accounts/login/", {"login": staff.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_unverified_email_cannot_sign_in(client, wessex):
    user = UserFactory(email="unverified@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    MembershipFactory(user=user, organisation=wessex)
    response = client.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery"}, follow=True)
    assert b"Verify your email address" in response.content or b"verify" in response.content.lower()
    assert client.get("/").status_code == 302


def test_lead_with_authenticator_is_asked_for_a_code(client, lead):
    response = client.post("/accounts/login/", {"login": lead.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert b"Incorrect code" in wrong.content
    right = client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    assert right.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", [Role.INVOLVEMENT_LEAD, Role.FINANCE])
def test_privileged_role_without_mfa_is_sent_to_set_it_up(wessex, role):
    user = UserFactory()
    MembershipFactory(user=user, organisation=wessex, role=role)
    client = client_for(user)
    for path in ("/", "/team/", "/audit/", "/account/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    # Public pages and the set-up itself stay reachable.
    assert client.get("/accessibility/").status_code == 200


def test_staff_role_does_not_need_mfa(staff_client):
    assert staff_client.get("/").status_code == 200
