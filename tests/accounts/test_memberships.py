from __future__ import annotations

import pytest

from accounts.models import Membership, Role
from core.models import AuditEntry
from tests.accounts.factories import MembershipFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_team_list_shows_only_own_organisation(lead_client, staff, outsider):
    page = lead_client.get("/team/")
    assert page.status_code == 200
    assert staff.email.encode() in page.content
    assert outsider.email.encode() not in page.content


def test_staff_can_read_the_team_but_has_no_manage_links(staff_client, lead):
    page = staff_client.get("/team/")
    assert page.status_code == 200
    assert lead.email.encode() in page.content
    assert b"Change role" not in page.content


def test_change_role_insider_read_only_outsider(lead_client, staff_client, outsider_client, staff, lead):
    membership = Membership.objects.get(user=staff)
    url = f"/team/{membership.pk}/role/"
    assert lead_client.get(url).status_code == 200
    assert staff_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, {"role": Role.FINANCE}).status_code == 404

    assert lead_client.post(url, {"role": Role.FINANCE}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.FINANCE
    entry = AuditEntry.objects.get(action="accounts.membership.role_changed")
    assert entry.actor == lead
    assert entry.data == {"from": "staff", "to": "finance"}


def test_remove_insider_read_only_outsider(lead_client, staff_client, outsider_client, staff, finance):
    membership = Membership.objects.get(user=finance)
    url = f"/team/{membership.pk}/remove/"
    assert outsider_client.get(url).status_code == 404
    assert staff_client.post(url).status_code == 403
    page = lead_client.get(url)
    assert b"Yes, remove them" in page.content
    assert Membership.objects.filter(pk=membership.pk).exists(), "GET must only ask for confirmation"
    assert lead_client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(action="accounts.membership.removed").count() == 1


def test_last_lead_cannot_be_removed_or_demoted(lead_client, lead):
    membership = Membership.objects.get(user=lead)
    response = lead_client.post(f"/team/{membership.pk}/remove/")
    assert response.status_code == 200
    assert b"must keep at least one involvement lead" in response.content
    response = lead_client.post(f"/team/{membership.pk}/role/", {"role": Role.STAFF})
    assert b"must keep at least one involvement lead" in response.content
    membership.refresh_from_db()
    assert membership.role == Role.INVOLVEMENT_LEAD


def test_a_lead_can_be_removed_when_another_lead_remains(lead_client, lead, wessex):
    other = MembershipFactory(organisation=wessex, role=Role.INVOLVEMENT_LEAD)
    assert lead_client.post(f"/team/{other.pk}/remove/").status_code == 302


def test_network_admin_sees_and_manages_every_ahsn(admin_client_portal, staff, outsider):
    page = admin_client_portal.get("/team/")
    assert staff.email.encode() in page.content
    assert outsider.email.encode() in page.content
    membership = Membership.objects.get(user=staff)
    assert admin_client_portal.get(f"/team/{membership.pk}/role/").status_code == 200


def test_team_list_query_count_is_fixed(lead_client, wessex, django_assert_max_num_queries):
    MembershipFactory.create_batch(60, organisation=wessex)
    with django_assert_max_num_queries(14):
        response = lead_client.get("/team/?page=2")
    assert response.status_code == 200


def test_last_network_admin_cannot_be_removed_or_demoted(admin_client_portal, network_admin):
    membership = Membership.objects.get(user=network_admin)
    response = admin_client_portal.post(f"/team/{membership.pk}/remove/")
    assert response.status_code == 200
    assert b"The network must keep at least one network admin" in response.content
    response = admin_client_portal.post(f"/team/{membership.pk}/role/", {"role": Role.STAFF})
    assert response.status_code == 200
    assert b"The network must keep at least one network admin" in response.content
    membership.refresh_from_db()
    assert membership.role == Role.NETWORK_ADMIN
    assert not AuditEntry.objects.filter(action__startswith="accounts.membership.").exists()


def test_a_network_admin_can_step_down_when_another_remains(admin_client_portal, network_admin, network):
    MembershipFactory(organisation=network, role=Role.NETWORK_ADMIN)
    membership = Membership.objects.get(user=network_admin)
    assert admin_client_portal.post(f"/team/{membership.pk}/role/", {"role": Role.STAFF}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.STAFF


def test_finance_reads_the_team_but_cannot_change_it(finance, staff):
    client = client_for(finance)
    assert client.get("/team/").status_code == 200
    membership = Membership.objects.get(user=staff)
    assert client.post(f"/team/{membership.pk}/role/", {"role": Role.FINANCE}).status_code == 403
    assert client.post(f"/team/{membership.pk}/remove/").status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.STAFF


def test_team_filter_on_another_organisation_is_not_found(lead_client, yorkshire):
    assert lead_client.get(f"/team/?organisation={yorkshire.pk}").status_code == 404


def test_my_account_shows_memberships_and_saves_the_name(staff_client, staff):
    page = staff_client.get("/account/")
    assert page.status_code == 200
    assert b"Wessex AHSN" in page.content
    assert staff_client.post("/account/", {"full_name": "  Sam Jones "}).status_code == 302
    staff.refresh_from_db()
    assert staff.full_name == "Sam Jones"
    assert AuditEntry.objects.filter(action="accounts.user.name_changed", actor=staff).count() == 1


def test_my_account_refuses_a_blank_name(staff_client, staff):
    before = staff.full_name
    response = staff_client.post("/account/", {"full_name": ""})
    assert response.status_code == 200
    assert b"Enter your name" in response.content
    staff.refresh_from_db()
    assert staff.full_name == before
    assert not AuditEntry.objects.exists()
