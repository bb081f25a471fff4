from __future__ import annotations

import pytest

from accounts.models import Membership, Role
from core.models import AuditEntry
from tests.accounts.factories import MembershipFactory

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
