from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, User
from accounts.services import AccountsError, invitation_create
from core.models import AuditEntry
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    """Emails go out after commit; run those callbacks as soon as they are queued."""
    _on_commit["capture"] = django_capture_on_commit_callbacks


_on_commit: dict[str, object] = {}


def _invite(client, organisation, email="new.person@example.org", role=Role.STAFF):
    with _on_commit["capture"](execute=True):
        return client.post(
            "/team/invite/",
            {"full_name": "New Person", "email": email, "organisation": organisation.pk, "role": role},
        )


def _link_from_email() -> str:
    match = re.search(r"http://[^\s]+/invitations/([^\s/]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return f"/invitations/{match.group(1)}/"


def test_lead_invites_staff_and_the_invitee_sets_a_password(lead_client, wessex, client):
    response = _invite(lead_client, wessex)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert "Wessex AHSN" in mail.outbox[0].subject
    link = _link_from_email()

    page = client.get(link)
    assert page.status_code == 200
    assert b"Join Wessex AHSN" in page.content

    response = client.post(
        link, {"full_name": "New Person", "password1": "a-long-passphrase-9", "password2": "a-long-passphrase-9"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.check_password("a-long-passphrase-9")
    assert Membership.objects.get(user=user).role == Role.STAFF
    assert AuditEntry.objects.filter(action="accounts.membership.created", organisation=wessex).exists()
    # The new member is signed in and, like all staff, sets up a second step before anything else.
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].startswith("/accounts/2fa/totp/activate/")


def test_invitation_link_cannot_be_used_twice(lead_client, wessex, client):
    _invite(lead_client, wessex)
    link = _link_from_email()
    data = {"full_name": "New Person", "password1": "a-long-passphrase-9", "password2": "a-long-passphrase-9"}
    client.post(link, data)
    again = client.post(link, data)
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert User.objects.filter(email="new.person@example.org").count() == 1


def test_expired_invitation_is_refused_with_a_clear_message(lead_client, wessex, client):
    _invite(lead_client, wessex)
    link = _link_from_email()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(link)
    assert response.status_code == 410
    assert b"This invitation has expired" in response.content


def test_unknown_invitation_link_is_refused(client, db):
    response = client.get("/invitations/not-a-real-token/")
    assert response.status_code == 410
    assert b"not valid" in response.content


def test_mismatched_passwords_keep_the_name_entered(lead_client, wessex, client):
    _invite(lead_client, wessex)
    link = _link_from_email()
    response = client.post(link, {"full_name": "Kept Name", "password1": "a-long-passphrase-9", "password2": "x"})
    assert response.status_code == 200
    assert b"The passwords do not match" in response.content
    assert b"Kept Name" in response.content
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_weak_password_is_refused_and_nothing_is_created(lead_client, wessex, client):
    _invite(lead_client, wessex)
    link = _link_from_email()
    response = client.post(link, {"full_name": "Someone", "password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert Invitation.objects.get().accepted_at is None


def test_lead_cannot_invite_into_another_ahsn(lead_client, yorkshire):
    response = _invite(lead_client, yorkshire)
    assert response.status_code == 200
    assert b"You can only invite people to an organisation where you are an involvement lead" in response.content
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_lead_cannot_make_a_network_admin(lead_client, wessex):
    response = _invite(lead_client, wessex, role=Role.NETWORK_ADMIN)
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_staff_cannot_open_the_invite_page(staff_client):
    assert staff_client.get("/team/invite/").status_code == 403


def test_inviting_an_existing_member_is_refused(lead_client, wessex, staff):
    response = _invite(lead_client, wessex, email=staff.email)
    assert response.status_code == 200
    assert b"already a member" in response.content


def test_existing_user_accepts_an_invitation_to_a_second_organisation(network_admin, yorkshire, staff, client):
    admin = client_for(network_admin)
    _invite(admin, yorkshire, email=staff.email)
    link = _link_from_email()
    staff_client = client_for(staff)
    assert b"Accept and join" in staff_client.get(link).content
    assert staff_client.post(link).status_code == 302
    assert Membership.objects.filter(user=staff, organisation=yorkshire).exists()
    assert Membership.objects.filter(user=staff).count() == 2


def test_open_sign_up_is_closed(client, db):
    response = client.post(
        "/accounts/signup/", {"email": "x@example.org", "password1": "a-long-pass-1", "password2": "a-long-pass-1"}
    )
    assert not User.objects.filter(email="x@example.org").exists()
    assert response.status_code in (200, 403)


def test_a_replaced_invitation_link_no_longer_works(lead_client, wessex, client):
    _invite(lead_client, wessex)
    first = _link_from_email()
    _invite(lead_client, wessex)
    second = _link_from_email()
    assert first != second
    response = client.get(first)
    assert response.status_code == 410
    assert b"This invitation link is not valid" in response.content
    assert client.get(second).status_code == 200


def test_the_service_refuses_a_lead_inviting_into_another_ahsn(lead, yorkshire):
    with pytest.raises(AccountsError, match="You cannot manage the team at Yorkshire"):
        invitation_create(actor=lead, organisation=yorkshire, email="someone@example.org", role=Role.STAFF)
    assert not Invitation.objects.exists()
    assert not AuditEntry.objects.exists()
    assert mail.outbox == []


def test_finance_cannot_invite(finance):
    assert client_for(finance).get("/team/invite/").status_code == 403


def test_invitation_for_an_existing_account_needs_that_person_signed_in(network_admin, yorkshire, staff, lead, client):
    _invite(client_for(network_admin), yorkshire, email=staff.email)
    link = _link_from_email()
    # Signed in as someone else: refused, nothing joined.
    response = client_for(lead).post(link, follow=True)
    assert b"Sign in as staff@wessex.example.org to accept" in response.content
    assert not Membership.objects.filter(organisation=yorkshire, user__in=[staff, lead]).exists()
    assert Invitation.objects.get().accepted_at is None


def test_invitation_sends_nothing_when_the_write_fails(lead_client, wessex, staff):
    """A refused invitation (already a member) leaves no invitation, no audit entry, no email."""
    _invite(lead_client, wessex, email=staff.email.upper())
    assert not Invitation.objects.exists()
    assert not AuditEntry.objects.filter(action="accounts.invitation.created").exists()
    assert mail.outbox == []
