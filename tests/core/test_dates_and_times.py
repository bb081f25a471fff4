"""Dates and times as people read and type them (core/formatting.py and core/forms.py).

Pages, emails and reports write a time as the NHS does ("10am", "10:30am", "midday") and a date
in full ("27 March 2026"), in UK time. Every date a person types is three boxes (day, month,
year) that show a saved date when a form is opened again, and every time is one box that takes
"10am" as readily as "14:30". No database is needed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template

from core.formatting import date_text, datetime_text, day_text, time_text, when_text
from core.forms import INVALID_DATE, INVALID_TIME, DateField, TimeField, parse_time
from tests.core.test_nhsuk_forms import crispy

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    "clock, text",
    [
        (time(10, 0), "10am"),
        (time(10, 30), "10:30am"),
        (time(9, 5), "9:05am"),
        (time(12, 0), "midday"),
        (time(0, 0), "midnight"),
        (time(12, 30), "12:30pm"),
        (time(0, 15), "12:15am"),
        (time(19, 36), "7:36pm"),
        (time(23, 59), "11:59pm"),
    ],
)
def test_times_are_written_the_nhs_way(clock, text):
    assert time_text(clock) == text


def test_a_moment_is_shown_in_uk_time_in_summer_and_in_winter():
    summer = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)  # 10am British Summer Time
    winter = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)  # 10am GMT
    assert time_text(summer) == "10am"
    assert time_text(winter) == "10am"
    # Late on 31 March in UTC is already 1 April in the UK.
    assert date_text(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == "1 April 2026"


def test_dates_are_written_in_full():
    assert date_text(date(2026, 3, 27)) == "27 March 2026"
    assert date_text(date(2026, 3, 7)) == "7 March 2026"
    assert day_text(date(2026, 3, 27)) == "Friday 27 March 2026"
    assert datetime_text(datetime(2026, 3, 27, 19, 35, tzinfo=LONDON)) == "27 March 2026, 7:35pm"
    assert date_text(None) == "" and time_text(None) == "" and datetime_text(None) == ""


def test_when_says_the_day_once_unless_it_runs_overnight():
    start = datetime(2026, 3, 27, 10, 0, tzinfo=LONDON)
    assert when_text(start, datetime(2026, 3, 27, 12, 30, tzinfo=LONDON)) == "Friday 27 March 2026, 10am to 12:30pm"
    assert when_text(start) == "Friday 27 March 2026, 10am"
    assert (
        when_text(start, datetime(2026, 3, 28, 13, 0, tzinfo=LONDON))
        == "Friday 27 March 2026, 10am to Saturday 28 March 2026, 1pm"
    )


def test_template_filters_use_the_same_words():
    start = datetime(2026, 3, 27, 10, 0, tzinfo=LONDON)
    html = Template(
        "{% load portal %}{{ start|date_text }}|{{ start|time_text }}|{{ start|datetime_text }}|"
        "{{ start|when_text:end }}|{{ nothing|date_text|default:'No date' }}"
    ).render(Context({"start": start, "end": datetime(2026, 3, 27, 12, 0, tzinfo=LONDON), "nothing": None}))
    assert html.split("|") == [
        "27 March 2026",
        "10am",
        "27 March 2026, 10am",
        "Friday 27 March 2026, 10am to midday",
        "No date",
    ]


@pytest.mark.parametrize(
    "typed, clock",
    [
        ("10am", time(10, 0)),
        ("10 AM", time(10, 0)),
        ("10:30am", time(10, 30)),
        ("10.30 p.m.", time(22, 30)),
        ("2pm", time(14, 0)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("midday", time(12, 0)),
        ("Noon", time(12, 0)),
        ("midnight", time(0, 0)),
        ("14:30", time(14, 30)),
        ("09:00", time(9, 0)),
        ("1430", time(14, 30)),
        ("9:05", time(9, 5)),
    ],
)
def test_times_are_understood_as_people_write_them(typed, clock):
    assert parse_time(typed) == clock


@pytest.mark.parametrize("typed", ["3", "13pm", "0am", "10:75", "25:00", "half ten", "10:3", ""])
def test_times_that_could_mean_two_things_or_nothing_are_refused(typed):
    assert parse_time(typed) is None


class MeetingTimes(forms.Form):
    day = DateField(label="Date", error_messages={"required": "Enter the date of the meeting"})
    due = DateField(label="Due date", required=False)
    starts = TimeField(label="Start time")


def test_a_saved_date_and_time_fill_the_boxes_when_the_form_opens_again():
    form = MeetingTimes(initial={"day": date(2027, 1, 1), "starts": time(14, 30)})
    page = crispy(form)
    fieldset = page.find("fieldset", role="group")
    assert fieldset.find("legend").text() == "Date"
    boxes = {label.text(): page.by_id(label.attrs["for"]) for label in fieldset.find_all("label")}
    assert list(boxes) == ["Day", "Month", "Year"]
    assert [box.attrs["value"] for box in boxes.values()] == ["1", "1", "2027"]
    assert [box.attrs["name"] for box in boxes.values()] == ["day_day", "day_month", "day_year"]
    assert all(box.attrs["inputmode"] == "numeric" and box.attrs["type"] == "text" for box in boxes.values())
    assert "nhsuk-date-input__input" in boxes["Day"].classes and "nhsuk-input--width-4" in boxes["Year"].classes
    assert page.by_id("id_starts").attrs["value"] == "2:30pm"
    assert page.by_id("id_starts").attrs["type"] == "text"
    # Nothing in the portal asks for a browser date picker any more.
    assert 'type="date"' not in str(form) and 'type="time"' not in str(form)


def test_the_three_boxes_give_a_date():
    form = MeetingTimes(data={"day_day": "27", "day_month": "3", "day_year": "2026", "starts": "10am"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"day": date(2026, 3, 27), "due": None, "starts": time(10, 0)}
    named = MeetingTimes(data={"day_day": " 7 ", "day_month": "Mar", "day_year": "2026", "starts": "midday"})
    assert named.is_valid() and named.cleaned_data["day"] == date(2026, 3, 7)


@pytest.mark.parametrize(
    "day, month, year",
    [("31", "2", "2026"), ("27", "", "2026"), ("27", "3", "26"), ("x", "3", "2026"), ("27", "13", "2026")],
)
def test_every_kind_of_wrong_date_gets_one_clear_message_and_keeps_what_was_typed(day, month, year):
    form = MeetingTimes(data={"day_day": day, "day_month": month, "day_year": year, "starts": "10am"})
    assert not form.is_valid()
    assert form.errors["day"] == [INVALID_DATE]
    page = crispy(form)
    typed = [page.by_id(f"id_day_{i}").attrs.get("value", "") for i in range(3)]
    assert typed == [day, month, year]
    assert all("nhsuk-input--error" in page.by_id(f"id_day_{i}").classes for i in range(3))
    summary = page.find("ul", cls="nhsuk-error-summary__list")
    assert summary.find("a", href="#id_day_0").text() == INVALID_DATE


def test_an_unreadable_time_is_explained_and_shown_as_typed():
    form = MeetingTimes(data={"day_day": "27", "day_month": "3", "day_year": "2026", "starts": "half ten"})
    assert form.errors["starts"] == [INVALID_TIME]
    assert crispy(form).by_id("id_starts").attrs["value"] == "half ten"


def test_an_empty_optional_date_is_no_date_and_a_required_one_says_what_to_enter():
    form = MeetingTimes(data={"day_day": "", "day_month": "", "day_year": "", "starts": "10am"})
    assert form.errors["day"] == ["Enter the date of the meeting"]
    assert "due" not in form.errors


def test_a_link_with_a_whole_date_still_filters():
    form = MeetingTimes(data={"day": "2026-03-27", "starts": "10am"})
    assert form.is_valid() and form.cleaned_data["day"] == date(2026, 3, 27)
    garbled = MeetingTimes(data={"day": "next tuesday", "starts": "10am"})
    assert garbled.errors["day"] == [INVALID_DATE]


def test_filters_read_iso_text_from_a_data_export():
    html = Template("{% load portal %}{{ joined|date_text }}|{{ recorded|datetime_text }}|{{ junk|date_text }}").render(
        Context({"joined": "2024-03-01", "recorded": "2026-06-10T09:30:00+00:00", "junk": "soon"})
    )
    assert html.split("|") == ["1 March 2024", "10 June 2026, 10:30am", ""]
