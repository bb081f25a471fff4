"""Signed-in sessions end on time, on the server: staff after 30 minutes idle or 12 hours in all,
lay partners after 2 hours idle or 12 hours in all (accounts/sessions.py says why)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.accounts.test_sign_in_and_mfa import current_code
from tests.partners.factories import partner_with_login

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def signed_in_staff(client: Client, user) -> None:
    client.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery"})
    assert client.post("/accounts/2fa/authenticate/", {"code": current_code()}).status_code == 302


def test_staff_are_signed_out_after_30_minutes_without_using_the_portal(client, staff):
    with time_machine.travel(START, tick=False) as clock:
        signed_in_staff(client, staff)
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/partners/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # 58 minutes in, but used 29 minutes ago
        assert client.get("/partners/").status_code == 200
        clock.shift(dt.timedelta(minutes=30))
        response = client.get("/partners/?q=smith")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fpartners%2F%3Fq%3Dsmith"
    page = client.get(response["Location"]).content.decode()
    assert "you had not used the portal for 30 minutes" in page
    assert client.get("/partners/").status_code == 302, "the session is over, not only this page"


def test_staff_are_signed_out_after_12_hours_however_busy(client, staff):
    with time_machine.travel(START, tick=False) as clock:
        signed_in_staff(client, staff)
        for _ in range(11 * 4 + 3):  # a page every 15 minutes until 11 hours 45 minutes
            clock.shift(dt.timedelta(minutes=15))
            assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=15))
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "You have been signed in for 12 hours" in client.get(response["Location"]).content.decode()


def test_a_copied_session_cookie_stops_working_when_the_session_ends(client, staff):
    """The limit is kept in the session on the server: a second browser with the same cookie
    cannot keep the session alive past 12 hours."""
    with time_machine.travel(START, tick=False) as clock:
        signed_in_staff(client, staff)
        copy = Client()
        copy.cookies = client.cookies
        clock.shift(dt.timedelta(hours=12, minutes=1))
        assert copy.get("/notifications/").status_code == 302  # "/" is the public home page when signed out
        assert client.get("/notifications/").status_code == 302


def test_a_posted_form_after_the_session_ended_changes_nothing(client, staff):
    with time_machine.travel(START, tick=False) as clock:
        signed_in_staff(client, staff)
        clock.shift(dt.timedelta(minutes=31))
        response = client.post("/account/", {"full_name": "Someone Else"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    staff.refresh_from_db()
    assert staff.full_name != "Someone Else"


def test_lay_partners_have_longer_without_using_the_portal(client, wessex):
    partner = partner_with_login(wessex, email="lay.person@example.net")
    with time_machine.travel(START, tick=False) as clock:
        client.post("/accounts/login/", {"login": partner.user.email, "password": "correct-horse-battery"})
        clock.shift(dt.timedelta(minutes=90))  # halfway through a claim, looking for a receipt
        assert client.get("/account/").status_code == 200
        clock.shift(dt.timedelta(hours=2))
        response = client.get("/account/")
    assert response.status_code == 302
    assert "you had not used the portal for 2 hours" in client.get(response["Location"]).content.decode()


def test_lay_partners_are_also_signed_out_after_12_hours(client, wessex):
    partner = partner_with_login(wessex, email="lay.person@example.net")
    with time_machine.travel(START, tick=False) as clock:
        client.post("/accounts/login/", {"login": partner.user.email, "password": "correct-horse-battery"})
        for _ in range(12):
            clock.shift(dt.timedelta(hours=1))
            last = client.get("/account/")
    assert last.status_code == 302


def test_signing_in_again_starts_a_new_session(client, staff):
    with time_machine.travel(START, tick=False) as clock:
        signed_in_staff(client, staff)
        clock.shift(dt.timedelta(hours=13))
        assert client.get("/notifications/").status_code == 302  # "/" is the public home page when signed out
        signed_in_staff(client, staff)
        assert client.get("/notifications/").status_code == 200
        assert timezone.now() == START + dt.timedelta(hours=13)
