"""When staff change a lay partner's details for them, the page speaks about the partner
("Their name and contact details", "How do they like to be contacted?"), not to the member of staff."""

from __future__ import annotations

import re

import pytest

from tests.conftest import client_for
from tests.partners.factories import assisted_partner, partner_with_login

pytestmark = pytest.mark.django_db


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match is not None
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.mark.parametrize(
    ("section", "heading", "theirs", "yours"),
    [
        (
            "contact",
            "Their name and contact details",
            ["What they would like us to call them", "How do they like to be contacted?"],
            ["What you would like us to call you", "How do you like to be contacted?"],
        ),
        (
            "needs",
            "Their communication, access and support needs",
            ["Do they need information in another format?", "Do they have caring responsibilities"],
            ["Do you need information", "Do you have caring responsibilities", "help you take part"],
        ),
        (
            "taking-part",
            "How they want to take part",
            ["How would they like to take part?", "Which topics interest them?", "When are they usually available?"],
            ["How would you like", "interest you", "When are you"],
        ),
        (
            "payment",
            "Their payment choice",
            ["Would they like to be paid for taking part?", "can choose expenses only"],
            ["Would you like to be paid", "You can choose", "before you decide"],
        ),
    ],
)
def test_staff_editing_for_a_partner_see_their_wording(lead, section, heading, theirs, yours):
    partner = assisted_partner(full_name="Ruth Okafor")
    html = client_for(lead).get(f"/partners/{partner.pk}/edit/{section}/").content.decode()
    assert _h1(html) == heading
    assert f"<title>{heading} \N{EN DASH}" in html
    for text in theirs:
        assert text in html
    for text in yours:
        assert text not in html


def test_an_error_on_behalf_speaks_about_the_partner(lead):
    partner = assisted_partner(full_name="Ruth Okafor")
    response = client_for(lead).post(f"/partners/{partner.pk}/edit/payment/", {"payment_preference": ""})
    html = response.content.decode()
    assert "Select how they would like to be paid" in html
    assert "<title>Error: Their payment choice \N{EN DASH}" in html


def test_a_partner_editing_their_own_details_still_reads_your(client):
    partner = partner_with_login()
    client.force_login(partner.user)
    html = client.get("/partners/me/details/contact/").content.decode()
    assert _h1(html) == "Your name and contact details"
    assert "How do you like to be contacted?" in html
    assert "How do they like" not in html


def test_staff_registering_someone_without_a_login_see_their_wording(lead):
    html = client_for(lead).get("/partners/register/").content.decode()
    assert "Do they need information in another format?" in html
    assert "How would they like to take part?" in html
    assert "Do you need information" not in html
    assert "help you take part" not in html


def test_staff_recording_consent_for_someone_ask_what_they_agreed_to(lead):
    partner = assisted_partner(full_name="Ruth Okafor")
    html = client_for(lead).get(f"/partners/{partner.pk}/consent/").content.decode()
    assert "Did they agree to be contacted about opportunities?" in html
    assert "instead of their name" in html
    assert "Can we contact you" not in html
    assert "instead of your name" not in html
