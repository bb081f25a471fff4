"""Involvement journeys in a real browser, with axe on every page visited.

1. A member of staff creates a programme, logs an activity, adds three lay partners, records
   attendance and records an outcome ("you said, we did").
2. A lay partner sees that outcome on "What I've been part of" and gives feedback."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from involvement import services
from involvement.models import Activity, Feedback, Outcome, Participation
from programmes.models import Programme
from tests.accounts.factories import TEST_TOTP_SECRET
from tests.accounts.test_sign_in_and_mfa import SECRET
from tests.browser.conftest import assert_accessible, fill_date, sign_in
from tests.involvement.factories import ActivityFactory, LayPartnerFactory

# serialized_rollback puts back the reference rows (AHSNs, strategy priorities) the flush removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_staff_log_an_activity_with_three_partners_attendance_and_an_outcome(page, staff, wessex):
    names = ["Alice Moreno", "Bashir Khan", "Carol Dunn"]
    for name in names:
        LayPartnerFactory(full_name=name)
    LayPartnerFactory(full_name="Dora Elsewhere", organisation=False)

    sign_in(page, staff.email, totp_secret=TEST_TOTP_SECRET)
    page.goto("/programmes/")
    assert page.locator("h1").inner_text() == "Programmes"
    assert_accessible(page)

    # Create a programme, with one mistake first.
    page.get_by_role("link", name="Create a programme").click()
    page.wait_for_url("**/programmes/new/")
    assert_accessible(page)
    page.get_by_role("button", name="Save programme").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("Programme name").fill("Stroke rehabilitation at home")
    page.get_by_label("Spread and adoption").first.check()
    page.get_by_label("Implementation").check()
    page.get_by_label(re.compile(r"^1\.1 ")).check()
    page.get_by_label("Involvement plan").fill("Stroke survivors and carers co-design the home exercise plan.")
    page.get_by_role("button", name="Save programme").click()
    page.wait_for_url(re.compile(r"/programmes/\d+/$"))
    assert page.locator("h1").inner_text() == "Stroke rehabilitation at home"
    assert_accessible(page)

    # Log an activity that happened yesterday.
    page.get_by_role("link", name="Log an activity").click()
    page.wait_for_url(re.compile(r"/involvement/activities/new/\?programme=\d+"))
    assert_accessible(page)
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Title").fill("Home exercise plan co-design")
    fill_date(page, "Date", yesterday)
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("09:00")
    page.get_by_label("In person", exact=True).check()
    page.get_by_label("Method").select_option("co_design")
    page.get_by_label("Co-production", exact=True).check()
    page.get_by_label("Unpaid carers").check()
    page.get_by_role("button", name="Save activity").click()
    assert page.get_by_text("The end must be after the start").first.is_visible()
    assert page.get_by_label("Title").input_value() == "Home exercise plan co-design"
    assert_accessible(page)
    page.get_by_label("End time").fill("12:30")
    page.get_by_role("button", name="Save activity").click()
    page.wait_for_url(re.compile(r"/involvement/activities/\d+/$"))
    assert page.locator("h1").inner_text() == "Home exercise plan co-design"
    assert_accessible(page)
    activity = Activity.objects.get(title="Home exercise plan co-design")
    assert activity.programme == Programme.objects.get(name="Stroke rehabilitation at home")

    # Add three lay partners at once.
    page.get_by_role("link", name="Add lay partners").click()
    page.wait_for_url("**/participants/add/")
    assert "Dora Elsewhere" not in page.content()
    assert_accessible(page)
    for name in names:
        page.get_by_label(re.compile(name)).check()
    page.get_by_label("Their role").fill("Co-designer")
    page.get_by_label("Expected hours").fill("2.5")
    page.get_by_role("button", name="Add them").click()
    page.wait_for_url(re.compile(r"/involvement/activities/\d+/$"))
    assert Participation.objects.filter(activity=activity).count() == 3
    assert_accessible(page)
    # It has taken place, so the next thing is attendance; completing it by hand stays possible.
    assert _main_button(page) == "Record attendance"
    assert page.get_by_role("button", name="Mark as completed").is_visible()

    # Attendance for everyone in one form: two came, one did not.
    page.get_by_role("link", name="Record attendance").click()
    page.wait_for_url("**/attendance/")
    assert_accessible(page)
    rows = {p.partner.full_name: p for p in Participation.objects.filter(activity=activity).select_related("partner")}
    page.locator(f"#id_p{rows['Alice Moreno'].pk}-attended_0").check()
    page.locator(f"#id_p{rows['Bashir Khan'].pk}-attended_0").check()
    page.locator(f"#id_p{rows['Bashir Khan'].pk}-hours").fill("30")
    page.locator(f"#id_p{rows['Carol Dunn'].pk}-attended_1").check()
    page.get_by_role("button", name="Save attendance").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
    page.locator(f"#id_p{rows['Bashir Khan'].pk}-hours").fill("2")
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_url(re.compile(r"/involvement/activities/\d+/$"))
    assert Participation.objects.claimable().filter(activity=activity).count() == 2
    assert page.get_by_text("Attendance saved. The activity is now completed.").is_visible()
    assert page.locator(".nhsuk-tag", has_text="Completed").is_visible()
    assert _main_button(page) == "Record an outcome"
    assert page.get_by_role("button", name="Mark as completed").count() == 0
    assert_accessible(page)

    # You said, we did.
    page.get_by_role("link", name="Record an outcome").click()
    page.wait_for_url("**/outcomes/new/")
    assert_accessible(page)
    page.get_by_label("What we heard (you said)").fill("The exercise sheets were too small to read.")
    page.get_by_label("What we did").fill("We made large print sheets and a short video.")
    page.get_by_label("Changed", exact=True).check()
    page.get_by_role("button", name="Save outcome").click()
    page.wait_for_url(re.compile(r"/involvement/activities/\d+/$"))
    assert page.get_by_text("We made large print sheets and a short video.").is_visible()
    assert_accessible(page)
    assert Outcome.objects.filter(activity=activity).count() == 1

    page.goto("/involvement/activities/")
    assert page.get_by_role("link", name="Home exercise plan co-design").is_visible()
    assert_accessible(page)


def _main_button(page) -> str:
    """The text of the page's one main (green, not secondary) button."""
    main = page.locator(".nhsuk-button-group .nhsuk-button:not(.nhsuk-button--secondary)")
    assert main.count() == 1
    return main.inner_text().strip()


def test_lay_partner_sees_the_outcome_and_gives_feedback(page, staff, wessex):
    partner = LayPartnerFactory(full_name="Alice Moreno", user__email="alice@example.net")
    activity = ActivityFactory(organisation=wessex, title="Waiting room redesign workshop")
    participation = services.participation_add(
        actor=staff, activity=activity, partner=partner, expected_hours=Decimal("2")
    )
    services.attendance_record(actor=staff, activity=activity, rows=[(participation, True, Decimal("2"))])
    services.outcome_record(
        actor=staff,
        activity=activity,
        what_we_heard="There was nowhere to sit near the door.",
        what_we_did="We moved the seats and added a ramp.",
        status="changed",
        decided_on=timezone.localdate(),
    )

    sign_in(page, "alice@example.net")
    page.goto("/involvement/mine/")
    assert page.locator("h1").inner_text() == "What I've been part of"
    assert page.get_by_text("We moved the seats and added a ramp.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Tell us how Waiting room redesign workshop went").click()
    page.wait_for_url("**/feedback/")
    assert_accessible(page)
    page.get_by_role("button", name="Send feedback").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
    page.locator("#id_listened_to_0").check()
    page.locator("#id_role_clear_1").check()
    page.locator("#id_support_right_0").check()
    page.locator("#id_take_part_again_0").check()
    page.get_by_label("Anything else you want to tell us?").fill("Lovely to see the ramp.")
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url("**/involvement/mine/")
    assert page.get_by_text("Thank you. Your feedback has been saved.").is_visible()
    assert_accessible(page)
    feedback = Feedback.objects.get(participation=participation)
    assert (feedback.listened_to, feedback.role_clear, feedback.may_use_name) == (5, 4, False)

    assert page.get_by_role("link", name="Change your feedback on Waiting room redesign workshop").is_visible()
    page.goto("/involvement/mine/outcomes/")
    assert_accessible(page)


def test_every_other_staff_page_passes_axe(page, staff, wessex):
    activity = ActivityFactory(organisation=wessex, title="Patient panel", level="engagement")
    partner = LayPartnerFactory(full_name="Ellis Grey")
    participation = services.participation_add(actor=staff, activity=activity, partner=partner)
    outcome = services.outcome_record(
        actor=staff,
        activity=activity,
        what_we_heard="Longer breaks",
        what_we_did="Breaks every 45 minutes",
        status="in_progress",
        decided_on=timezone.localdate(),
    )
    assert activity.programme is not None
    sign_in(page, staff.email, totp_secret=TEST_TOTP_SECRET)
    pages = [
        "/",
        "/involvement/activities/?level=engagement",
        f"/involvement/activities/{activity.pk}/edit/",
        f"/involvement/activities/{activity.pk}/duplicate/",
        f"/involvement/activities/{activity.pk}/cancel/",
        f"/involvement/participations/{participation.pk}/remove/",
        f"/involvement/outcomes/{outcome.pk}/edit/",
        f"/programmes/{activity.programme.pk}/edit/",
        f"/programmes/{activity.programme.pk}/outcomes/new/",
        f"/programmes/{activity.programme.pk}/",
        "/programmes/?involvement=yes",
        "/programmes/priorities/",
    ]
    for url in pages:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert_accessible(page)
    # An error state: cancelling without a reason.
    page.goto(f"/involvement/activities/{activity.pk}/cancel/")
    page.get_by_role("button", name="Yes, cancel the activity").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("Why is it cancelled?").fill("The room is closed for repairs.")
    page.get_by_role("button", name="Yes, cancel the activity").click()
    page.wait_for_url(f"**/involvement/activities/{activity.pk}/")
    assert page.get_by_text("The room is closed for repairs.").is_visible()
    assert_accessible(page)


def test_network_admin_edits_a_strategy_priority(page, network_admin):
    sign_in(page, network_admin.email, totp_secret=SECRET)
    page.goto("/programmes/priorities/")
    assert_accessible(page)
    page.get_by_role("link", name="Change priority 4.2").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Communicating outcomes and case studies")
    page.get_by_role("button", name="Save priority").click()
    page.wait_for_url("**/programmes/priorities/")
    assert page.get_by_text("Communicating outcomes and case studies").is_visible()
    page.get_by_role("link", name="Add a priority").click()
    assert_accessible(page)


def test_what_i_have_been_part_of_on_a_phone(phone_page, wessex):
    partner = LayPartnerFactory(full_name="Femi Ade", user__email="femi@example.net")
    start = timezone.now() + timedelta(days=3)
    Participation.objects.create(
        activity=ActivityFactory(
            organisation=wessex, title="Phone-friendly panel", starts_at=start, ends_at=start + timedelta(hours=1)
        ),
        partner=partner,
    )
    sign_in(phone_page, "femi@example.net")
    phone_page.goto("/involvement/mine/")
    assert phone_page.get_by_text("Phone-friendly panel").is_visible()
    assert_accessible(phone_page)


# ------------------------------------------------------------------ keyboard only, and 320 px wide


def _tab_to(page, text: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element's accessible text is `text`, and check it shows that
    it has focus (the NHS.UK yellow focus style)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
                return {
                    text: (el.innerText || label || el.value || '').trim(),
                    visible: style.outlineStyle !== 'none' || style.boxShadow !== 'none'
                        || style.backgroundColor === 'rgb(255, 235, 59)',
                };
            }"""
        )
        if focused["text"] == text:
            assert focused["visible"], f"focus on {text!r} cannot be seen"
            return
    pytest.fail(f"{text!r} cannot be reached with the Tab key")


def test_staff_record_attendance_and_an_outcome_with_the_keyboard_only(page, staff, wessex):
    activity = ActivityFactory(organisation=wessex, title="Keyboard panel")
    came = services.participation_add(
        actor=staff, activity=activity, partner=LayPartnerFactory(full_name="Ada Keys"), expected_hours=Decimal("2")
    )
    sign_in(page, staff.email)
    page.goto(f"/involvement/activities/{activity.pk}/")

    _tab_to(page, "Record attendance")
    page.keyboard.press("Enter")
    page.wait_for_url("**/attendance/")
    _tab_to(page, "Attended")
    page.keyboard.press("Space")
    assert page.locator(f"#id_p{came.pk}-attended_0").is_checked()
    _tab_to(page, "Save attendance")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/activities/{activity.pk}/")
    assert page.get_by_text("Attendance saved. The activity is now completed.").is_visible()

    _tab_to(page, "Record an outcome")
    page.keyboard.press("Enter")
    page.wait_for_url("**/outcomes/new/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.innerText.trim()") == "Skip to main content"
    page.keyboard.press("Enter")  # straight to the form, past the menu
    _tab_to(page, "What we heard (you said)")
    page.keyboard.type("Breaks were too short.")
    page.keyboard.press("Tab")
    page.keyboard.type("Breaks are now 15 minutes.")
    _tab_to(page, "Being considered")  # Tab enters a group of radios; the arrow keys choose in it
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Changed", exact=True).is_checked()
    _tab_to(page, "Save outcome")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/activities/{activity.pk}/(#maincontent)?$"))  # the skip link's #
    outcome = Outcome.objects.get(activity=activity)
    assert (outcome.what_we_heard, outcome.what_we_did, outcome.status) == (
        "Breaks were too short.",
        "Breaks are now 15 minutes.",
        "changed",
    )


def test_involvement_pages_fit_a_320_pixel_screen(browser, live_server, staff, wessex):
    """400% zoom on a 1280 pixel screen: nothing may need scrolling sideways (WCAG 1.4.10)."""
    partner = LayPartnerFactory(full_name="Maximiliana Featherstonehaugh-Wolfeschlegel", user__email="max@example.net")
    activity = ActivityFactory(organisation=wessex, title="An activity with a long title about hospital discharge")
    participation = services.participation_add(actor=staff, activity=activity, partner=partner)
    services.attendance_record(actor=staff, activity=activity, rows=[(participation, True, Decimal("2"))])
    outcome = services.outcome_record(
        actor=staff,
        activity=activity,
        what_we_heard="Letters used jargon.",
        what_we_did="We rewrote them in plain English.",
        status="changed",
        decided_on=timezone.localdate(),
    )
    pages = {
        staff.email: [
            "/involvement/activities/",
            "/involvement/activities/new/",
            f"/involvement/activities/{activity.pk}/",
            f"/involvement/activities/{activity.pk}/edit/",
            f"/involvement/activities/{activity.pk}/duplicate/",
            f"/involvement/activities/{activity.pk}/participants/add/",
            f"/involvement/activities/{activity.pk}/attendance/",
            f"/involvement/activities/{activity.pk}/outcomes/new/",
            f"/involvement/outcomes/{outcome.pk}/edit/",
        ],
        "max@example.net": [
            "/involvement/mine/",
            "/involvement/mine/outcomes/",
            f"/involvement/mine/{participation.pk}/feedback/",
        ],
    }
    for email, paths in pages.items():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
        page = context.new_page()
        sign_in(page, email)
        for path in paths:
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path} is {width} pixels wide at 320"
        context.close()
