"""A lay partner downloads their record of involvement and learning from "What I've been part of"."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from involvement import services
from tests.browser.conftest import sign_in
from tests.involvement.factories import ActivityFactory, LayPartnerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_partner_downloads_their_record(page, staff, wessex):
    partner = LayPartnerFactory(full_name="Alice Moreno", user__email="alice@example.net")
    activity = ActivityFactory(organisation=wessex, title="Waiting room redesign workshop")
    taking_part = services.participation_add(
        actor=staff, activity=activity, partner=partner, expected_hours=Decimal("2"), role="Co-designer"
    )
    services.attendance_record(actor=staff, activity=activity, rows=[(taking_part, True, Decimal("2"))])

    sign_in(page, "alice@example.net")
    page.goto("/involvement/mine/")
    # Not a new page (its axe and reflow check lives in test_involvement_journeys); only the link is new.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your record of involvement and learning (PDF, one page)").click()
    saved = download.value
    assert saved.suggested_filename == "involvement-record-alice-moreno.pdf"
    with open(saved.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(reader.pages[0].extract_text().split())
    assert len(reader.pages) == 1
    assert "Waiting room redesign workshop" in text and "Co-designer" in text and "2 hours" in text
