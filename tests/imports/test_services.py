"""Importing each kind of record: the checks, the import, a second import, undo and invitations."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.models import AuditEntry, Notification
from core.reminders.base import run_sweeps
from imports import services
from imports.models import ColumnChoice, ImportStatus
from involvement.models import Activity, Participation
from partners.models import ConsentRecord, LayPartner, PartnerInvitation, PartnerLink
from payments import services as payments
from payments.selectors import claimable_participations
from programmes.models import Programme
from tests.imports.files import PARTNER_HEADER, csv_bytes, import_now, upload, xlsx_bytes
from tests.involvement.factories import ActivityFactory, ParticipationFactory
from tests.partners.factories import LayPartnerFactory, PartnerLinkFactory
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def partner_at(organisation, **fields) -> LayPartner:
    partner = LayPartnerFactory(**fields)
    PartnerLinkFactory(partner=partner, organisation=organisation)
    return partner


GOOD_AND_BAD = [
    PARTNER_HEADER,
    ["Sam Okafor", "sam@example.com", "07700 900982", "SO16 7NS", "27/03/2023"],
    ["Priya Shah", "priya@example.com", "", "", "2023-03-27"],
    ["Jo Bloggs", "", "01632 960001", "", "27 March 2023"],
    ['=HYPERLINK("http://evil")', "not-an-email", "12345", "SO16 7NS", ""],
    ["", "nobody@example.com", "", "", "31/02/2023"],
]


def test_a_file_with_three_good_rows_and_two_bad_ones_is_checked_before_anything_is_saved(lead, wessex):
    batch = upload(csv_bytes(GOOD_AND_BAD), actor=lead, organisation=wessex)
    assert batch.status == ImportStatus.CHECKED
    assert (batch.row_count, batch.ready_count, batch.problem_count) == (5, 3, 2)
    assert LayPartner.objects.count() == 0
    problems = {item["row"]: " ".join(item["problems"]) for item in batch.problems}
    assert set(problems) == {5, 6}
    assert "Email address" in problems[5] and "UK phone number" in problems[5]
    assert "Enter a full name" in problems[6]


def test_the_rows_to_fix_csv_holds_only_bad_rows_with_formulas_escaped(lead, wessex):
    batch = upload(csv_bytes(GOOD_AND_BAD), actor=lead, organisation=wessex)
    text = "".join(services.problem_rows_csv(batch)).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == PARTNER_HEADER
    assert len(rows) == 3
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    assert rows[2][1] == "nobody@example.com"
    assert "Enter a full name" in rows[2][-1]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_importing_partners_creates_them_linked_and_unmessaged_and_audits_one_import(lead, wessex):
    mail.outbox.clear()
    batch = upload(csv_bytes(GOOD_AND_BAD), actor=lead, organisation=wessex)
    batch = import_now(batch, actor=lead)
    assert batch.status == ImportStatus.DONE
    partners = LayPartner.objects.order_by("full_name")
    assert [p.full_name for p in partners] == ["Jo Bloggs", "Priya Shah", "Sam Okafor"]
    sam = partners.get(full_name="Sam Okafor")
    assert (sam.phone, sam.postcode, sam.user) == ("07700900982", "SO16 7NS", None)
    assert sam.reference.startswith("LP-")
    assert PartnerLink.objects.get(partner=sam, organisation=wessex).joined_on == date(2023, 3, 27)
    assert mail.outbox == []
    assert Notification.objects.count() == 0
    entry = AuditEntry.objects.get(action="imports.import.imported")
    assert entry.data["rows"] == 5 and entry.data["created"]["partners"] == 3


def test_a_second_import_of_the_same_file_finds_everything_already_there(lead, wessex):
    data = csv_bytes(GOOD_AND_BAD[:4])
    import_now(upload(data, actor=lead, organisation=wessex), actor=lead)
    again = upload(data, actor=lead, organisation=wessex)
    assert (again.ready_count, again.existing_count) == (0, 3)
    with pytest.raises(services.ImportRefused, match="no new rows"):
        services.import_confirm(actor=lead, batch=again, run=False)
    assert LayPartner.objects.count() == 3


def test_headers_are_recognised_loosely_and_unknown_ones_are_matched_and_remembered(lead, wessex):
    loose = upload(
        csv_bytes([["  FULL  name", "E-mail", "Mobile"], ["Sam", "s@example.com", ""]]), actor=lead, organisation=wessex
    )
    assert loose.columns == {"full_name": 0, "email": 1, "phone": 2}
    assert loose.status == ImportStatus.CHECKED
    odd = upload(csv_bytes([["Who", "Contact"], ["Sam", "s@example.com"]]), actor=lead, organisation=wessex)
    assert odd.status == ImportStatus.NEEDS_COLUMNS
    services.import_set_columns(actor=lead, batch=odd, columns={"full_name": 0, "email": 1})
    odd.refresh_from_db()
    assert odd.status == ImportStatus.CHECKED and odd.ready_count == 1
    assert ColumnChoice.objects.get(organisation=wessex, kind="partners").headers == {
        "who": "full_name",
        "contact": "email",
    }
    next_time = upload(csv_bytes([["Who", "Contact"], ["Ali", "a@example.com"]]), actor=lead, organisation=wessex)
    assert next_time.status == ImportStatus.CHECKED


def test_someone_already_in_the_portal_by_name_and_postcode_is_offered_as_same_or_new(lead, wessex, yorkshire):
    existing = partner_at(wessex, full_name="Sam Okafor", postcode="SO16 7NS", email="")
    other_ahsn = partner_at(yorkshire, full_name="Priya Shah", email="priya@example.com")
    data = csv_bytes(
        [
            PARTNER_HEADER,
            ["sam okafor", "", "07700 900982", "so167ns", ""],
            ["Priya Shah", "priya@example.com", "", "", ""],
        ]
    )
    batch = upload(data, actor=lead, organisation=wessex)
    assert batch.matches == [
        {"row": 2, "partner": existing.pk, "label": existing.reference, "by": "name and postcode", "linked": True}
    ]
    # Same person (the default): already here. Priya (by email, at another AHSN) is linked to Wessex.
    assert (batch.existing_count, batch.ready_count) == (1, 1)
    batch = services.import_decide(actor=lead, batch=batch, decisions={"2": "new"})
    assert batch.ready_count == 2
    import_now(batch, actor=lead)
    assert LayPartner.objects.filter(full_name__iexact="sam okafor").count() == 2
    assert LayPartner.objects.filter(email="priya@example.com").get() == other_ahsn
    assert PartnerLink.objects.filter(partner=other_ahsn, organisation=wessex).exists()


def test_programmes_with_their_real_start_dates_and_the_forms_date_rules(lead, wessex):
    rows = [
        ["Programme name", "Type", "Innovation stage", "Status", "Start date", "Closed date"],
        ["Healthy hearts", "Local programme", "testing", "Active", datetime(2022, 4, 1), None],
        ["Safer wards", "patient safety collaborative", "Design", "Closed", 44652, "2023-03-31"],
        ["Backwards", "Local", "Design", "Closed", "01/04/2023", "01/03/2023"],
        ["Unknown kind", "Regional", "Design", "", "01/04/2023", ""],
    ]
    batch = upload(xlsx_bytes(rows), actor=lead, organisation=wessex, kind="programmes", name="p.xlsx")
    assert batch.file_format == "xlsx"
    problems = {item["row"]: " ".join(item["problems"]) for item in batch.problems}
    assert "closed date must be the same as or after the start date" in problems[4]
    assert "Type \u201cRegional\u201d must be one of" in problems[5]
    import_now(batch, actor=lead)
    assert Programme.objects.get(name="Healthy hearts").start_on == date(2022, 4, 1)
    safer = Programme.objects.get(name="Safer wards")
    assert (safer.start_on, safer.closed_on, safer.status) == (date(2022, 4, 1), date(2023, 3, 31), "closed")


def test_activities_keep_the_dates_they_happened_and_refuse_unknown_programmes_and_backwards_times(lead, wessex):
    ProgrammeFactory(organisation=wessex, name="Healthy hearts")
    rows = [
        ["Programme", "Activity title", "Date", "Start time", "End time", "Format", "Method", "Level"],
        ["Healthy hearts", "Panel", "27 March 2025", "10am", "12:30pm", "In person", "Focus group", "Co-design"],
        ["Healthy lungs", "Panel", "27/03/2025", "", "", "Online", "Workshop", "Informing"],
        ["Healthy hearts", "Late", "27/03/2025", "3pm", "1pm", "Online", "Workshop", "Informing"],
    ]
    batch = upload(csv_bytes(rows), actor=lead, organisation=wessex, kind="activities")
    problems = {item["row"]: " ".join(item["problems"]) for item in batch.problems}
    assert "no programme called \u201cHealthy lungs\u201d" in problems[3]
    assert "The end must be after the start" in problems[4]
    import_now(batch, actor=lead)
    activity = Activity.objects.get(title="Panel")
    assert timezone.localtime(activity.starts_at).replace(tzinfo=None) == datetime(2025, 3, 27, 10, 0)
    assert activity.status == "completed" and activity.lead is None


def _participation_file(activity: Activity, partner: LayPartner, hours: str = "2") -> bytes:
    day = timezone.localtime(activity.starts_at).date().strftime("%d/%m/%Y")
    return csv_bytes(
        [
            ["Activity title", "Activity date", "Partner email", "Attended", "Hours"],
            [activity.title, day, partner.email, "Yes", hours],
            [activity.title, day, "stranger@example.com", "Yes", "1"],
            [activity.title, day, partner.email.upper(), "Yes", "1"],
        ]
    )


def test_participation_is_history_never_claimable_nor_reminded_about(lead, wessex):
    activity = ActivityFactory(organisation=wessex, starts_at=timezone.now() - timedelta(days=9), status="completed")
    partner = partner_at(wessex, email="sam@example.com")
    batch = upload(_participation_file(activity, partner), actor=lead, organisation=wessex, kind="participation")
    problems = {item["row"]: " ".join(item["problems"]) for item in batch.problems}
    assert "no lay partner at Wessex with the email address stranger@example.com" in problems[3]
    assert "same person at the same activity is on row 2" in problems[4]
    import_now(batch, actor=lead)
    participation = Participation.objects.get()
    assert (participation.attended, participation.hours, participation.from_history) == (True, Decimal("2.00"), True)
    assert not claimable_participations(partner=partner).exists()
    # Someone added in the portal to the same activity can claim, and is reminded to.
    other = partner_at(wessex, email="other@example.com")
    ParticipationFactory(activity=activity, partner=other, attended=True, hours=Decimal("2"))
    assert claimable_participations(partner=other).exists()
    run_sweeps(now=timezone.now())
    assert Notification.objects.filter(partner=other).exists()
    assert not Notification.objects.filter(partner=partner).exists()


def test_hours_longer_than_the_activity_are_refused(lead, wessex):
    activity = ActivityFactory(organisation=wessex)
    partner = partner_at(wessex, email="sam@example.com")
    batch = upload(
        _participation_file(activity, partner, hours="30"), actor=lead, organisation=wessex, kind="participation"
    )
    assert "Hours must be 24 or fewer" in " ".join(batch.problems[0]["problems"])


def test_running_the_import_twice_imports_once(lead, wessex):
    batch = upload(csv_bytes(GOOD_AND_BAD[:3]), actor=lead, organisation=wessex)
    services.import_confirm(actor=lead, batch=batch, run=False)
    services.import_run(batch_id=batch.pk)
    services.import_run(batch_id=batch.pk)
    assert LayPartner.objects.count() == 2
    assert AuditEntry.objects.filter(action="imports.import.imported").count() == 1


def test_undo_removes_exactly_what_the_import_created(lead, wessex, yorkshire, django_capture_on_commit_callbacks):
    already = partner_at(yorkshire, full_name="Priya Shah", email="priya@example.com")
    rows = [
        [*PARTNER_HEADER, "Agreed to be contacted about opportunities"],
        ["Sam Okafor", "sam@example.com", "", "", "", "yes"],
        ["Priya Shah", "priya@example.com", "", "", "", ""],
    ]
    batch = import_now(upload(csv_bytes(rows), actor=lead, organisation=wessex), actor=lead)
    assert ConsentRecord.objects.filter(partner__email="sam@example.com", given=True).exists()
    assert batch.file.storage.exists(batch.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_undo(actor=lead, batch=batch)
    assert not batch.file.storage.exists(batch.file.name)  # no copy of the people is kept
    assert list(LayPartner.objects.all()) == [already]
    assert not PartnerLink.objects.filter(organisation=wessex).exists()
    assert PartnerLink.objects.filter(partner=already, organisation=yorkshire).exists()
    assert AuditEntry.objects.filter(action="imports.import.undone").exists()


def test_undo_is_refused_once_something_was_claimed_or_after_seven_days(lead, wessex):
    batch = import_now(upload(csv_bytes(GOOD_AND_BAD[:2]), actor=lead, organisation=wessex), actor=lead)
    payments.claim_start(partner=LayPartner.objects.get(), organisation=wessex, actor=lead)
    with pytest.raises(services.ImportRefused, match="claimed or paid"):
        services.import_undo(actor=lead, batch=batch)
    later = import_now(
        upload(
            csv_bytes([PARTNER_HEADER, ["Ali Khan", "ali@example.com", "", "", ""]]), actor=lead, organisation=wessex
        ),
        actor=lead,
    )
    with time_machine.travel(timezone.now() + timedelta(days=8)), pytest.raises(services.ImportRefused, match="7 days"):
        services.import_undo(actor=lead, batch=later)


def test_inviting_imported_partners_uses_each_ones_channel(lead, wessex, django_capture_on_commit_callbacks):
    rows = [
        [*PARTNER_HEADER, "Postal address"],
        ["Sam Okafor", "sam@example.com", "", "", "", ""],
        ["Jo Bloggs", "", "", "SO16 7NS", "", "1 High Street"],
    ]
    batch = import_now(upload(csv_bytes(rows), actor=lead, organisation=wessex), actor=lead)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        emailed, other = services.import_invite_partners(actor=lead, batch=batch)
    assert (emailed, other) == (1, 1)
    assert PartnerInvitation.objects.get().email == "sam@example.com"
    assert [m.to for m in mail.outbox] == [["sam@example.com"]]
    notice = Notification.objects.get(kind="imports.partner.invited")
    assert notice.channel == "letter"
    # Asking again sends nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.import_invite_partners(actor=lead, batch=batch) == (0, 0)


def test_an_import_into_another_ahsn_is_refused(outsider, wessex, staff):
    with pytest.raises(services.ImportRefused):
        upload(csv_bytes(GOOD_AND_BAD), actor=outsider, organisation=wessex)
    with pytest.raises(services.ImportRefused):
        upload(csv_bytes(GOOD_AND_BAD), actor=staff, organisation=wessex)


def test_undo_of_activities_is_refused_once_people_were_added_to_them(lead, wessex):
    ProgrammeFactory(organisation=wessex, name="Healthy hearts")
    rows = [
        ["Programme", "Activity title", "Date", "Format", "Method", "Level"],
        ["Healthy hearts", "Panel", "27/03/2025", "Online", "Workshop", "Informing"],
    ]
    batch = import_now(upload(csv_bytes(rows), actor=lead, organisation=wessex, kind="activities"), actor=lead)
    ParticipationFactory(activity=Activity.objects.get(title="Panel"))
    with pytest.raises(services.ImportRefused, match="People have since been added"):
        services.import_undo(actor=lead, batch=batch)
    assert Activity.objects.filter(title="Panel").exists()


def test_a_failed_import_saves_nothing_and_can_be_tried_again(lead, wessex, monkeypatch):
    batch = upload(csv_bytes(GOOD_AND_BAD[:3]), actor=lead, organisation=wessex)
    services.import_confirm(actor=lead, batch=batch, run=False)
    real_create = services.checker_for

    def broken(*args, **kwargs):
        checker = real_create(*args, **kwargs)

        def fail(results, *, actor):
            LayPartner.objects.create(full_name="Half written")
            raise RuntimeError("database went away")

        checker.create = fail
        return checker

    monkeypatch.setattr(services, "checker_for", broken)
    failed = services.import_run(batch_id=batch.pk)
    assert failed.status == ImportStatus.FAILED and "nothing was saved" in failed.error
    assert LayPartner.objects.count() == 0
    monkeypatch.setattr(services, "checker_for", real_create)
    assert import_now(failed, actor=lead).status == ImportStatus.DONE
    assert LayPartner.objects.count() == 2
