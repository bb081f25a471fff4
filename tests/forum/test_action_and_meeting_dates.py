"""Forum forms with dates: an action can be updated from its own page, and a saved date (an
action's due date, a meeting's date and times) is in the boxes when the form is opened again, so
saving without a change keeps it. Problems are listed at the top of the page, above the heading."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.utils import timezone

from forum.models import Action
from tests.forum.factories import ActionFactory, MeetingFactory

LONDON = ZoneInfo("Europe/London")


def _form_tag(html: str) -> str:
    match = re.search(r'<form method="post"[^>]*>', html)
    assert match, "no form on the page"
    return match.group(0)


def _value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input named {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def _main(html: str) -> str:
    return html.split('id="maincontent"', 1)[1]


def test_the_action_form_posts_to_its_own_page_and_the_update_is_saved(chair_client, setup):
    meeting = MeetingFactory(forum=setup.forum)
    action = ActionFactory(meeting=meeting, description="Collect examples of good practice", due_on=dt.date(2027, 1, 1))
    page = chair_client.get(f"/forums/actions/{action.pk}/").content.decode()
    # The form posts back to this page: it used to post to a URL made from the action's text.
    assert " action=" not in _form_tag(page)

    response = chair_client.post(
        f"/forums/actions/{action.pk}/",
        {
            "owner": "",
            "due_on_day": "1",
            "due_on_month": "1",
            "due_on_year": "2027",
            "status": "done",
            "update_notes": "Three examples collected",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.due_on == dt.date(2027, 1, 1)


def test_a_saved_due_date_is_shown_and_kept_when_saved_without_changes(chair_client, setup):
    meeting = MeetingFactory(forum=setup.forum)
    action = ActionFactory(meeting=meeting, description="Book a room", due_on=dt.date(2027, 1, 1))
    page = chair_client.get(f"/forums/actions/{action.pk}/").content.decode()
    assert [_value(page, f"due_on_{part}") for part in ("day", "month", "year")] == ["1", "1", "2027"]

    # What the browser sends back when nobody touches the date.
    unchanged = {f"due_on_{part}": _value(page, f"due_on_{part}") for part in ("day", "month", "year")}
    response = chair_client.post(
        f"/forums/actions/{action.pk}/", {**unchanged, "owner": "", "status": "open", "update_notes": ""}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due_on == dt.date(2027, 1, 1)


def test_a_saved_meeting_date_and_times_are_shown_the_way_people_write_them(secretariat_client, setup):
    starts = dt.datetime(2027, 1, 1, 10, 0, tzinfo=LONDON)
    meeting = MeetingFactory(forum=setup.forum, starts_at=starts, ends_at=starts + dt.timedelta(hours=2, minutes=30))
    page = secretariat_client.get(f"/forums/meetings/{meeting.pk}/edit/").content.decode()
    assert [_value(page, f"date_{part}") for part in ("day", "month", "year")] == ["1", "1", "2027"]
    assert _value(page, "start_time") == "10am"
    assert _value(page, "end_time") == "12:30pm"
    assert 'type="date"' not in page and 'type="time"' not in page


def test_a_wrong_date_is_explained_at_the_top_of_the_page_and_kept_as_typed(chair_client, setup):
    meeting = MeetingFactory(forum=setup.forum)
    response = chair_client.post(
        f"/forums/meetings/{meeting.pk}/actions/add/",
        {"description": "Write to the ICB", "due_on_day": "31", "due_on_month": "2", "due_on_year": "2027"},
    )
    assert response.status_code == 200
    main = _main(response.content.decode())
    # The NHS.UK pattern: the error summary is the first thing in the main content, above the h1,
    # and it is shown once.
    assert main.index("nhsuk-error-summary") < main.index("<h1")
    assert main.count('class="nhsuk-error-summary"') == 1
    assert "Enter a real date, like 27 3 2026" in main
    assert [_value(main, f"due_on_{part}") for part in ("day", "month", "year")] == ["31", "2", "2027"]
    assert not Action.objects.filter(meeting=meeting).exists()


def test_the_meeting_page_says_when_in_nhs_style(chair_client, setup):
    starts = timezone.make_aware(dt.datetime(2027, 1, 1, 10, 0), LONDON)
    meeting = MeetingFactory(forum=setup.forum, starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    page = chair_client.get(f"/forums/meetings/{meeting.pk}/").content.decode()
    assert "Friday 1 January 2027, 10am to midday (UK time)" in page
