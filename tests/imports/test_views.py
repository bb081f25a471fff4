"""The import pages: who may use them (involvement leads of the AHSN, network admins; others 404)
and what each page shows."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportBatch, ImportStatus
from partners.models import LayPartner
from tests.conftest import client_for
from tests.imports.files import PARTNER_HEADER, csv_bytes, import_now, upload

pytestmark = pytest.mark.django_db

ROWS = [
    PARTNER_HEADER,
    ["Sam Okafor", "sam@example.com", "07700 900982", "SO16 7NS", ""],
    ["Bad Phone", "bad@example.com", "123", "", ""],
]


@pytest.fixture
def batch(lead, wessex) -> ImportBatch:
    return upload(csv_bytes(ROWS), actor=lead, organisation=wessex)


def test_only_leads_and_network_admins_reach_the_import_pages(lead_client, staff_client, admin_client_portal, finance):
    url = reverse("imports:import_list")
    assert lead_client.get(url).status_code == 200
    assert admin_client_portal.get(url).status_code == 200
    assert staff_client.get(url).status_code == 404
    assert client_for(finance).get(url).status_code == 404
    assert staff_client.get(reverse("imports:import_new")).status_code == 404


@pytest.mark.parametrize(
    "name", ["import_detail", "import_columns", "import_problems", "import_progress", "import_undo"]
)
def test_an_outsider_or_staff_member_gets_404_for_an_import(name, batch, outsider_client, staff_client):
    url = reverse(f"imports:{name}", args=[batch.pk])
    assert outsider_client.get(url).status_code == 404
    assert staff_client.get(url).status_code == 404


def test_an_outsider_cannot_confirm_or_undo_another_ahsns_import(batch, outsider_client, lead):
    assert outsider_client.post(reverse("imports:import_confirm", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED
    done = import_now(batch, actor=lead)
    assert outsider_client.post(reverse("imports:import_undo", args=[done.pk])).status_code == 404
    assert LayPartner.objects.count() == 1


def test_an_upload_into_another_ahsn_is_a_404(outsider_client, wessex):
    page = outsider_client.post(
        reverse("imports:import_new"),
        {"organisation": wessex.pk, "kind": "partners", "file": SimpleUploadedFile("p.csv", csv_bytes(ROWS))},
    )
    assert page.status_code == 404
    assert not ImportBatch.objects.exists()


def test_the_templates_download_with_a_sheet_explaining_each_column(lead_client):
    csv_page = lead_client.get(reverse("imports:template_download", args=["lay-partners", "csv"]))
    assert csv_page.content.decode("utf-8-sig").splitlines()[0].startswith("Full name,Preferred name,Email address")
    xlsx_page = lead_client.get(reverse("imports:template_download", args=["participation", "xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_page.content))
    first, guide = workbook.worksheets
    assert [c.value for c in first[1]][:2] == ["Activity title", "Activity date"]
    assert first.max_row == 2
    assert guide["A1"].value == "Column" and "exactly as it is in the portal" in guide["C2"].value
    assert lead_client.get(reverse("imports:template_download", args=["claims", "csv"])).status_code == 404


def test_uploading_shows_ready_rows_and_problems_by_row(lead_client, wessex):
    page = lead_client.post(
        reverse("imports:import_new"),
        {"organisation": wessex.pk, "kind": "partners", "file": SimpleUploadedFile("mine.txt", csv_bytes(ROWS))},
        follow=True,
    )
    html = page.content.decode()
    assert "1 row ready, 1 needs changes" in html
    assert "Enter a UK phone number" in html
    assert LayPartner.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_page(lead_client, wessex):
    page = lead_client.post(
        reverse("imports:import_new"),
        {"organisation": wessex.pk, "kind": "partners", "file": SimpleUploadedFile("p.csv", b"%PDF-1.7\n%...")},
    )
    assert "This file is not one we can read" in page.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_file_over_20_mb_is_refused_with_a_clear_message(lead_client, wessex, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    big = SimpleUploadedFile("big.csv", b"Full name\n" + b"x" * (20 * 1024 * 1024 + 10))
    page = lead_client.post(reverse("imports:import_new"), {"organisation": wessex.pk, "kind": "partners", "file": big})
    assert "The largest file you can import is 20 MB" in page.content.decode()


def test_columns_page_matches_unrecognised_headings(lead_client, lead, wessex):
    odd = upload(csv_bytes([["Who", "Contact"], ["Sam", "s@example.com"]]), actor=lead, organisation=wessex)
    url = reverse("imports:import_columns", args=[odd.pk])
    page = lead_client.get(url)
    assert "Match your columns" in page.content.decode()
    response = lead_client.post(url, {"full_name": "0", "email": "1"})
    assert response.status_code == 302
    odd.refresh_from_db()
    assert odd.status == ImportStatus.CHECKED and odd.ready_count == 1


def test_confirm_imports_and_the_page_then_offers_invite_and_undo(
    lead_client, batch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(reverse("imports:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    html = lead_client.get(reverse("imports:import_detail", args=[batch.pk])).content.decode()
    assert "Invite 1 lay partner" in html and "Undo this import" in html
    progress = lead_client.get(reverse("imports:import_progress", args=[batch.pk])).json()
    assert progress["status"] == "done" and progress["progress"] == 100
    lead_client.post(reverse("imports:import_undo", args=[batch.pk]))
    assert LayPartner.objects.count() == 0


def test_the_problems_csv_downloads(lead_client, batch):
    page = lead_client.get(reverse("imports:import_problems", args=[batch.pk]))
    body = b"".join(page.streaming_content).decode("utf-8-sig")
    assert "Bad Phone" in body and "Sam Okafor" not in body


def test_the_import_list_costs_a_fixed_number_of_queries(lead_client, lead, wessex, django_assert_max_num_queries):
    for _ in range(30):
        upload(csv_bytes(ROWS[:2]), actor=lead, organisation=wessex)
    with django_assert_max_num_queries(12):
        page = lead_client.get(reverse("imports:import_list"))
    assert page.content.decode().count("Lay partners from partners.csv") == 30


def test_a_network_admin_can_import_into_any_ahsn(admin_client_portal, yorkshire):
    page = admin_client_portal.post(
        reverse("imports:import_new"),
        {"organisation": yorkshire.pk, "kind": "partners", "file": SimpleUploadedFile("p.csv", csv_bytes(ROWS))},
    )
    assert page.status_code == 302
    assert ImportBatch.objects.get().organisation == yorkshire
