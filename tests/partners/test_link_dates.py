"""The date a lay partner joined an AHSN: shown in the day, month and year boxes when staff open
the link again (it used to look empty), kept when saved without a change, and a problem with it
is listed at the top of the page, above the heading."""

from __future__ import annotations

import re
from datetime import date

from tests.partners.factories import assisted_partner


def _value(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input named {name}"
    found = re.search(r'value="([^"]*)"', tag.group(0))
    return found.group(1) if found else ""


def test_the_saved_joining_date_is_shown_and_kept(staff_client, partner):
    link = partner.links.get()
    link.joined_on = date(2024, 3, 1)
    link.save(update_fields=["joined_on"])
    page = staff_client.get(f"/partners/links/{link.pk}/").content.decode()
    boxes = {part: _value(page, f"joined_on_{part}") for part in ("day", "month", "year")}
    assert boxes == {"day": "1", "month": "3", "year": "2024"}

    response = staff_client.post(
        f"/partners/links/{link.pk}/", {"status": "paused", **{f"joined_on_{k}": v for k, v in boxes.items()}}
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == "paused" and link.joined_on == date(2024, 3, 1)


def test_a_wrong_date_is_listed_above_the_heading(staff_client, partner):
    link = partner.links.get()
    response = staff_client.post(
        f"/partners/links/{link.pk}/",
        {"status": "active", "joined_on_day": "30", "joined_on_month": "2", "joined_on_year": "2024"},
    )
    assert response.status_code == 200
    main = response.content.decode().split('id="maincontent"', 1)[1]
    assert main.index("nhsuk-error-summary") < main.index("<h1")
    assert main.count('class="nhsuk-error-summary"') == 1
    assert '<a href="#id_joined_on_0">Enter a real date, like 27 3 2026</a>' in main
    assert _value(main, "joined_on_day") == "30"


def test_a_problem_that_is_not_about_a_form_is_listed_above_the_heading_too(lead_client, wessex):
    partner = assisted_partner(wessex, full_name="Ada Assisted")  # no email address yet
    response = lead_client.post(f"/partners/{partner.pk}/give-login/")
    assert response.status_code == 200
    html = response.content.decode()
    main = html.split('id="maincontent"', 1)[1]
    assert main.index("nhsuk-error-summary") < main.index("<h1")
    assert main.count('class="nhsuk-error-summary"') == 1
    assert "Enter their email address." in main
    assert "<title>Error: " in html


def test_the_information_we_hold_page_writes_dates_in_words(partner, partner_client):
    link = partner.links.get()
    link.joined_on = date(2024, 3, 1)
    link.save(update_fields=["joined_on"])
    page = partner_client.get("/partners/me/my-information/").content.decode()
    assert "joined 1 March 2024." in page
    assert "2024-03-01" not in page
