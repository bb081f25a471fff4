"""The accessibility statement has the sections the public sector model statement requires, and
tells a signed-in person whom to contact at their own AHSN."""

from __future__ import annotations

import re

import pytest

from tests.conftest import client_for
from tests.partners.factories import partner_with_login

pytestmark = pytest.mark.django_db

MODEL_STATEMENT_HEADINGS = [
    "How accessible this service is",
    "Feedback and contact information",
    "Reporting accessibility problems with this service",
    "Enforcement procedure",
    "Technical information about this service's accessibility",
    "Compliance status",
    "Non-accessible content",
    "Non-compliance with the accessibility regulations",
    "Disproportionate burden",
    "Content that is not within the scope of the accessibility regulations",
    "How we tested this service",
    "What we are doing to improve accessibility",
    "Preparation of this accessibility statement",
]


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).replace("&#x27;", "'").strip() for h in re.findall(r"<h[23]>(.*?)</h[23]>", html)]


def test_the_statement_has_every_section_of_the_model_statement(client):
    html = client.get("/accessibility/").content.decode()
    headings = _headings(html)
    for heading in MODEL_STATEMENT_HEADINGS:
        assert heading in headings, f"no section {heading!r}"
    assert "This service is partially compliant with" in html
    assert "Web Content Accessibility Guidelines version 2.2" in html
    assert re.search(r"This statement was prepared on \d{1,2} [A-Z][a-z]+ 20\d\d\.", html)
    assert re.search(r"This service was last tested on \d{1,2} [A-Z][a-z]+ 20\d\d\.", html)
    assert "https://www.equalityadvisoryservice.com/" in html


def test_the_statement_says_how_it_was_tested_and_what_was_not(client):
    text = client.get("/accessibility/").content.decode()
    for fact in ("axe-core", "320 pixels", "only a keyboard", "Chromium", "screen readers", "not tagged"):
        assert fact in text


def test_a_lay_partner_sees_the_involvement_lead_at_their_own_ahsn_only(lead, outsider):
    partner = partner_with_login()  # at Wessex, where `lead` works; `outsider` leads Yorkshire
    html = client_for(partner.user).get("/accessibility/").content.decode()
    assert f'href="mailto:{lead.email}"' in html
    assert outsider.email not in html


def test_staff_see_their_own_involvement_lead(staff_client, lead):
    assert f'href="mailto:{lead.email}"' in staff_client.get("/accessibility/").content.decode()


def test_a_visitor_sees_no_one_s_email_address(client, lead):
    html = client.get("/accessibility/").content.decode()
    assert "mailto:" not in html
    assert "contact the involvement team at your AHSN" in html
