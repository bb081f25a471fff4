"""A lead moves their lay partners in from a spreadsheet: downloads the template, uploads a file
with three good rows and two bad ones, sees the problems, fixes them, imports, watches the progress,
finds the partners in the directory and undoes the import. axe checks every page on the way."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from imports.models import ImportBatch
from imports.services import import_run
from imports.tasks import run_import
from partners.models import LayPartner
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

GOOD = [
    ["Sam Okafor", "", "sam.okafor@example.com", "07700 900982", "1 High Street", "SO16 7NS"],
    ["Priya Shah", "Priya", "priya.shah@example.com", "", "", ""],
    ["Jo Bloggs", "", "", "01632 960001", "", ""],
]
BAD = [
    ["Ali Khan", "", "ali.khan@example", "", "", ""],
    ["Mo Green", "", "", "12345", "", ""],
]
FIXED = [
    ["Ali Khan", "", "ali.khan@example.com", "", "", ""],
    ["Mo Green", "", "", "07700 900123", "", ""],
]


def _fill_template(template: Path, rows: list[list[str]], path: Path) -> Path:
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.worksheets[0]
    sheet.delete_rows(2)  # the example row
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _upload(page, path: Path) -> None:
    page.goto(reverse("imports:import_new"))
    assert_accessible(page)
    page.get_by_label("Lay partners").check()
    page.locator("input[type=file][name=file]").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/imports/*/")


def test_a_lead_moves_partners_in_from_a_spreadsheet_and_undoes_it(page, lead, wessex, tmp_path, monkeypatch):
    sign_in(page, lead.email)
    page.goto(reverse("imports:import_list"))
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.locator("a[href$='/lay-partners.xlsx']").click()
    download = download_info.value
    assert download.suggested_filename == "lay-partners-template.xlsx"
    template = tmp_path / download.suggested_filename
    download.save_as(template)

    _upload(page, _fill_template(template, GOOD + BAD, tmp_path / "partners.xlsx"))
    expect(page.get_by_role("heading", name="3 rows ready, 2 need changes")).to_be_visible()
    expect(page.get_by_text("Enter an email address in the correct format")).to_be_visible()
    expect(page.get_by_text("Enter a UK phone number")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path="/tmp/imports-check-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/imports-check-1280.png", full_page=True)
    with page.expect_download() as fix_info:
        page.get_by_role("link", name="Download the 2 rows that need changes (CSV)").click()
    fix_text = Path(fix_info.value.path()).read_text(encoding="utf-8-sig")
    assert "ali.khan@example" in fix_text and "Sam Okafor" not in fix_text
    assert LayPartner.objects.count() == 0

    # Fixed: the whole file again, every row good.
    _upload(page, _fill_template(template, GOOD + FIXED, tmp_path / "partners-fixed.xlsx"))
    expect(page.get_by_role("heading", name="5 rows ready, 0 need changes")).to_be_visible()
    # The background task is started by hand below, so the progress bar can be seen.
    monkeypatch.setattr(run_import, "delay", lambda pk: None)
    page.get_by_role("button", name="Import 5 rows").click()
    expect(page.get_by_role("heading", name="Importing")).to_be_visible()
    expect(page.get_by_label("Progress")).to_be_visible()
    assert_accessible(page)
    import_run(batch_id=ImportBatch.objects.latest("pk").pk)
    expect(page.get_by_role("heading", name="Imported", exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_text("5 rows imported")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/imports-done-1280.png", full_page=True)

    page.get_by_role("link", name="Find them in the lay partner directory").click()
    for name in ("Sam Okafor", "Priya", "Jo Bloggs", "Ali Khan", "Mo Green"):
        expect(page.get_by_role("link", name=name, exact=False).first).to_be_visible()

    page.go_back()
    page.get_by_role("link", name="Undo this import").click()
    assert_accessible(page)
    page.get_by_role("button", name="Undo the import").click()
    expect(page.get_by_text("has been undone")).to_be_visible()
    assert_accessible(page)
    assert LayPartner.objects.count() == 0
