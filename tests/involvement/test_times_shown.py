"""An activity's time is written the NHS way wherever it is shown ("10am", never "10:00am" or
"10 a.m."), and its edit form shows the saved date and times in the boxes."""

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
