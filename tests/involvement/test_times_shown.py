"""An activity's time is written the NHS way wherever it is shown ("10am", never "10:00am" or
"10 a.m."), and its edit form shows the saved date and times in the boxes. A problem on an
involvement page is listed at the top, above the heading."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.involvement.factories import ActivityFactory, ParticipationFactory

LONDON = ZoneInfo("Europe/London")


def _activity(wessex, **fields):
    starts = datetime(2027, 3, 26, 10, 0, tzinfo=LONDON)
    return ActivityFactory(
        organisation=wessex, title="Discharge workshop", starts_at=starts, ends_at=starts.replace(hour=12), **fields
    )


def test_the_activity_page_says_10am(lead_client, wessex):
    activity = _activity(wessex)
    page = lead_client.get(f"/involvement/activities/{activity.pk}/").content.decode()
    assert "Friday 26 March 2027, 10am to midday" in page
    assert "10:00" not in page and "a.m." not in page


def test_a_partner_sees_the_same_words_on_their_involvement_page(wessex, partner, partner_client):
    activity = _activity(wessex)
    ParticipationFactory(activity=activity, partner=partner)
    page = partner_client.get("/involvement/mine/").content.decode()
    assert "Friday 26 March 2027, 10am to midday" in page


def test_the_edit_form_opens_with_the_saved_date_and_times(lead_client, wessex):
    activity = _activity(wessex)
    page = lead_client.get(f"/involvement/activities/{activity.pk}/edit/").content.decode()

    def value(name: str) -> str:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert tag, name
        found = re.search(r'value="([^"]*)"', tag.group(0))
        return found.group(1) if found else ""

    assert [value(f"start_date_{p}") for p in ("day", "month", "year")] == ["26", "3", "2027"]
    assert value("start_time") == "10am" and value("end_time") == "midday"
    assert [value(f"end_date_{p}") for p in ("day", "month", "year")] == ["", "", ""]


def test_a_problem_that_is_not_about_a_form_is_also_listed_above_the_heading(lead_client, wessex, partner):
    participation = ParticipationFactory(activity=_activity(wessex), partner=partner, attended=True)
    response = lead_client.post(f"/involvement/participations/{participation.pk}/remove/")
    assert response.status_code == 200
    html = response.content.decode()
    main = html.split('id="maincontent"', 1)[1]
    assert main.index("nhsuk-error-summary") < main.index("<h1")
    assert main.count('class="nhsuk-error-summary"') == 1
    assert "Attendance has been recorded for this person" in main
    assert "<title>Error: " in html
