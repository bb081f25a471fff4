"""The staff directory of lay partners for each AHSN, and its CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEntry
from tests.partners.factories import ConsentRecordFactory, LayPartnerFactory, PartnerLinkFactory, partner_with_login

pytestmark = pytest.mark.django_db


def _names(response) -> str:
    return response.content.decode()


def test_directory_lists_this_ahsns_partners_only(staff_client, wessex, yorkshire):
    partner_with_login(wessex, full_name="Wendy Wessex")
    partner_with_login(yorkshire, full_name="Yusuf Yorkshire")
    page = staff_client.get("/partners/")
    assert page.status_code == 200
    assert "Wendy Wessex" in _names(page)
    assert "Yusuf Yorkshire" not in _names(page)


def test_directory_search_and_filters(staff_client, wessex):
    a = partner_with_login(wessex, full_name="Alice Archer", communication_needs=["bsl"], methods=["survey"])
    a.topics = "Diabetes, heart health"
    a.save()
    partner_with_login(wessex, full_name="Bob Baker", communication_needs=["easy_read"], methods=["workshop"])
    paused = partner_with_login(wessex, full_name="Cara Cole")
    paused.links.update(status="paused")

    def names(**query):
        return _names(staff_client.get("/partners/", query))

    assert "Alice Archer" in names(q="arch") and "Bob Baker" not in names(q="arch")
    assert "Bob Baker" in names(communication_need="easy_read") and "Alice" not in names(communication_need="easy_read")
    assert "Alice Archer" in names(method="survey") and "Bob" not in names(method="survey")
    assert "Cara Cole" in names(status="paused") and "Alice" not in names(status="paused")
    assert "Alice Archer" in names(interests="diabetes") and "Bob" not in names(interests="diabetes")
    assert "No lay partners match your search" in names(q="zzz")


def test_empty_directory_says_so(staff_client):
    assert "There are no lay partners at Wessex AHSN yet" in _names(staff_client.get("/partners/"))


def test_directory_access_roles(staff_client, lead_client, outsider_client, partner_client, client, wessex):
    for c in (staff_client, lead_client):
        assert c.get("/partners/").status_code == 200
    # Another AHSN's staff cannot ask for Wessex's list.
    assert outsider_client.get(f"/partners/?organisation={wessex.pk}").status_code == 404
    assert outsider_client.get(f"/partners/export.csv?organisation={wessex.pk}").status_code == 404
    # Lay partners have no directory.
    assert partner_client.get("/partners/").status_code == 403
    assert client.get("/partners/").status_code == 302


def test_network_admin_chooses_an_ahsn(admin_client_portal, yorkshire):
    partner_with_login(yorkshire, full_name="Yusuf Yorkshire")
    page = admin_client_portal.get(f"/partners/?organisation={yorkshire.pk}")
    assert "Yusuf Yorkshire" in _names(page)


def test_directory_is_paginated(staff_client, wessex):
    for i in range(55):
        PartnerLinkFactory(partner=LayPartnerFactory(full_name=f"Person {i:03d}"), organisation=wessex)
    first = _names(staff_client.get("/partners/"))
    assert "Person 000" in first and "Person 054" not in first
    second = _names(staff_client.get("/partners/?page=2"))
    assert "Person 054" in second


def test_directory_query_count_stays_fixed_with_hundreds_of_partners(
    staff_client, wessex, django_assert_max_num_queries
):
    def add(n):
        partners = LayPartnerFactory.create_batch(n, communication_needs=["large_print"], methods=["survey"])
        for p in partners:
            PartnerLinkFactory(partner=p, organisation=wessex)

    add(20)

    with CaptureQueriesContext(connection) as few:
        staff_client.get("/partners/?communication_need=large_print")
    add(280)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get("/partners/?communication_need=large_print&method=survey&status=active")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 300
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get("/partners/?page=6")


def _contactable(organisation, **kwargs):
    partner = partner_with_login(organisation, **kwargs)
    ConsentRecordFactory(partner=partner)
    return partner


def test_csv_export_of_filtered_set_is_audited_without_names(staff_client, staff, wessex):
    _contactable(wessex, full_name="Alice Archer", communication_needs=["bsl"])
    _contactable(wessex, full_name="Bob Baker")
    response = staff_client.get("/partners/export.csv", {"q": "Alice", "communication_need": "bsl"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Name",
        "Preferred name",
        "Email",
        "Phone",
        "How to contact",
        "Communication needs",
        "Status",
        "Joined",
    ]
    assert [r[0] for r in rows[1:]] == ["Alice Archer"]
    assert rows[1][5] == "British Sign Language interpreter"
    entry = AuditEntry.objects.get(action="partners.directory.exported")
    assert entry.actor == staff
    assert entry.organisation == wessex
    assert entry.data == {"count": 1, "filters": {"q": True, "communication_need": "bsl"}}
    assert "Alice" not in str(entry.data)


def test_csv_cells_cannot_become_formulas(staff_client, wessex):
    _contactable(wessex, full_name="=HYPERLINK(1)")
    text = staff_client.get("/partners/export.csv").content.decode()
    assert "'=HYPERLINK(1)" in text


def test_contact_list_leaves_out_everyone_who_did_not_say_yes_to_being_contacted(staff_client, wessex):
    yes = _contactable(wessex, full_name="Yasmin Yes")
    changed_mind = _contactable(wessex, full_name="Nadia Changed")
    ConsentRecordFactory(partner=changed_mind, given=False)  # the latest answer is the one in force
    said_no = partner_with_login(wessex, full_name="Norman No")
    ConsentRecordFactory(partner=said_no, given=False)
    partner_with_login(wessex, full_name="Never Asked")
    now_yes = partner_with_login(wessex, full_name="Olu Now-yes")
    ConsentRecordFactory(partner=now_yes, given=False)
    ConsentRecordFactory(partner=now_yes, given=True)
    named_only = partner_with_login(wessex, full_name="Nora Named-only")
    ConsentRecordFactory(partner=named_only, kind="named_in_notes", given=True)
    left = _contactable(wessex, full_name="Lionel Left")
    left.links.update(status="left")

    rows = list(csv.reader(io.StringIO(staff_client.get("/partners/export.csv").content.decode())))
    names = sorted(r[0] for r in rows[1:])
    assert names == ["Olu Now-yes", "Yasmin Yes"]
    text = "\n".join(",".join(r) for r in rows)
    for absent in (changed_mind, said_no, named_only, left):
        assert absent.email not in text
    assert yes.email in text
    # The directory page still lists everyone (staff need to see who they work with).
    page = _names(staff_client.get("/partners/"))
    assert "Norman No" in page and "Never Asked" in page
    assert AuditEntry.objects.get(action="partners.directory.exported").data["count"] == 2
