"""Checking each row of a spreadsheet against the portal's own rules, and writing the good ones.

One `Checker` per kind. It loads what it needs to look rows up once (programmes, activities,
partners of this AHSN), then `check()` turns one row into a `RowResult`:

* READY: valid, and something will be created (a record, or a link to an existing partner);
* EXISTING: valid, and already in the portal: nothing to do (a second import of one file);
* PROBLEM: needs changes, with each problem in plain English.

The rules are the portal's: a partner row goes through the lay partner contact form, a programme
row through the programme service's date rule, an activity row through the activity service's
time rule, a participation row through attendance's rules. `create()` writes a chunk of ready rows
with `bulk_create`, inside the import's one transaction, and returns the ids it created."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Upper
from django.utils import timezone

from accounts.models import Organisation, User
from core.choices import ActivityFormat, ContactMethod, InnovationStage, InvolvementMethod, LadderLevel
from imports.kinds import columns_for
from imports.models import ImportKind
from imports.values import (
    CellError,
    choice_lookup,
    parse_choice,
    parse_choices,
    parse_date,
    parse_decimal,
    parse_time,
    parse_whole_number,
    parse_yes_no,
    text,
)
from involvement.models import Activity, ActivityStatus, Participation
from involvement.services import InvolvementError, attendance_refusal, check_activity_times, max_hours
from partners.forms import ContactDetailsForm
from partners.models import ConsentRecord, LayPartner, PartnerLink
from partners.services import PRIVACY_NOTICE_VERSION
from partners.validators import normalise_postcode
from programmes.models import Programme, ProgrammeStatus, ProgrammeType
from programmes.services import ProgrammeError, check_programme_dates

READY = "ready"
EXISTING = "existing"
PROBLEM = "problem"

LONDON = timezone.get_default_timezone()
DEFAULT_START = time(9, 0)
DEFAULT_END = time(17, 0)
IMPORTED_CANCELLATION = "Cancelled (from the AHSN's earlier records)."


@dataclass
class RowResult:
    number: int
    status: str = READY
    problems: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    match: dict[str, Any] | None = None

    def problem(self, message: str) -> None:
        self.status = PROBLEM
        self.problems.append(message)


def _name_key(name: str, postcode: str) -> tuple[str, str]:
    return (" ".join(name.upper().split()), postcode.replace(" ", "").upper())


def _person_keys(name: str, postcode: str, phone: str) -> list[tuple[tuple[str, str, str], str]]:
    """Ways to recognise someone without an email address: their name with their postcode, or with
    their phone number (both as stored: tidy postcode, digits-only phone)."""
    keys = []
    if postcode:
        keys.append((("postcode", *_name_key(name, postcode)), "name and postcode"))
    if phone:
        keys.append((("phone", *_name_key(name, phone)), "name and phone number"))
    return keys


def _postcode_or_blank(value: str) -> str:
    try:
        return normalise_postcode(value)
    except ValidationError:
        return value.strip().upper()


class Checker:
    kind: str = ""

    def __init__(self, *, organisation: Organisation, columns: dict[str, int], decisions: dict[str, str] | None = None):
        self.organisation = organisation
        self.columns = columns
        self.decisions = decisions or {}
        self.headings = {column.name: column.heading for column in columns_for(self.kind)}
        self.today = timezone.localdate()
        self.load()

    def load(self) -> None:
        """Read what rows are looked up against, once."""

    def cell(self, row: list[Any], name: str) -> Any:
        index = self.columns.get(name)
        if index is None or index >= len(row):
            return None
        return row[index]

    def read(self, result: RowResult, row: list[Any], name: str, reader: Any, *args: Any) -> Any:
        """One cell through a reader; a CellError becomes a problem naming the column."""
        raw = self.cell(row, name)
        try:
            return reader(raw, *args)
        except CellError as exc:
            result.problem(f"{self.headings[name]} \u201c{text(raw)}\u201d {exc}.")
            return None

    def require(self, result: RowResult, name: str, value: Any) -> None:
        if value in (None, "", []):
            result.problem(f"Enter the {self.headings[name].lower()}.")

    def text_cell(self, result: RowResult, row: list[Any], name: str, max_length: int) -> str:
        value = text(self.cell(row, name))
        if len(value) > max_length:
            result.problem(f"{self.headings[name]} must be {max_length} characters or fewer.")
        return value

    def check(self, number: int, row: list[Any]) -> RowResult:
        raise NotImplementedError

    def create(self, results: list[RowResult], *, actor: User) -> dict[str, list[int]]:
        raise NotImplementedError


# --- Lay partners -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _KnownPartner:
    pk: int
    label: str
    linked: bool


def _new_references(count: int) -> list[str]:
    """Pseudonymous references as `LayPartner.save()` makes them, unique among themselves and in the table."""
    made: set[str] = set()
    while len(made) < count:
        batch = {"LP-" + secrets.token_hex(4).upper() for _ in range(count - len(made))}
        batch -= set(LayPartner.objects.filter(reference__in=batch).values_list("reference", flat=True))
        made |= batch
    return list(made)


class PartnerChecker(Checker):
    kind = ImportKind.PARTNERS

    def load(self) -> None:
        linked = set(PartnerLink.objects.filter(organisation=self.organisation).values_list("partner_id", flat=True))
        self.by_email: dict[str, _KnownPartner] = {}
        self.by_person: dict[tuple[str, str, str], _KnownPartner] = {}
        rows = LayPartner.objects.filter(anonymised=False).values_list(
            "pk", "reference", "email", "full_name", "postcode", "phone"
        )
        for pk, reference, email, full_name, postcode, phone in rows.iterator(chunk_size=5000):
            known = _KnownPartner(pk, reference, pk in linked)
            if email:
                self.by_email[email.lower()] = known
            for key, _by in _person_keys(full_name, postcode, phone):
                self.by_person.setdefault(key, known)
        self.seen_emails: dict[str, int] = {}
        self.seen_people: dict[tuple[str, str, str], int] = {}
        self.methods = choice_lookup(ContactMethod, {"phone": "phone", "text": "text", "sms": "text", "letter": "post"})

    def _form_data(self, row: list[Any], result: RowResult) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: text(self.cell(row, name))
            for name in ("full_name", "preferred_name", "email", "phone", "address", "postcode")
        }
        methods = self.read(result, row, "contact_methods", parse_choices, self.methods, ContactMethod) or []
        if not methods:  # not in their spreadsheet: the ways we have for them
            methods = [
                method
                for method, present in (
                    (ContactMethod.EMAIL, data["email"]),
                    (ContactMethod.PHONE, data["phone"]),
                    (ContactMethod.POST, data["address"] and data["postcode"]),
                )
                if present
            ]
        data["contact_methods"] = methods
        return data

    def check(self, number: int, row: list[Any]) -> RowResult:
        result = RowResult(number)
        data = self._form_data(row, result)
        form = ContactDetailsForm(data=data, on_behalf=True)
        if not form.is_valid():
            for name, errors in form.errors.items():
                heading = self.headings.get(name, "How they like to be contacted")
                for raw_error in errors:
                    error = str(raw_error)
                    if name == "contact_methods" and not data["contact_methods"]:
                        error = "Give at least one way to contact them: an email address, a phone number, or a postal address and postcode"
                    result.problem(f"{heading}: {error}." if not error.endswith(".") else f"{heading}: {error}")
            return result
        values = dict(form.cleaned_data)
        values["access_needs"] = text(self.cell(row, "access_needs"))
        values["joined_on"] = self.read(result, row, "joined_on", parse_date) or self.today
        if values["joined_on"] > self.today:
            result.problem("Date joined must be today or in the past.")
        values["contact_consent"] = self.read(result, row, "contact_consent", parse_yes_no)
        result.values = values
        if result.status == PROBLEM:
            return result
        self._match(result)
        return result

    def _match(self, result: RowResult) -> None:
        values = result.values
        email = values["email"]
        keys = _person_keys(values["full_name"], values["postcode"], values["phone"])
        if email and email in self.seen_emails:
            result.problem(f"The same email address is on row {self.seen_emails[email]}. Keep one of the two rows.")
            return
        if email:
            self.seen_emails[email] = result.number
        for key, by in keys:
            if key in self.seen_people and not email:
                result.problem(f"The same {by} are on row {self.seen_people[key]}. Keep one of the two rows.")
                return
        for key, _by in keys:
            self.seen_people.setdefault(key, result.number)
        known = self.by_email.get(email) if email else None
        by = "email"
        if known is None:
            for key, key_by in keys:
                if key in self.by_person:
                    known, by = self.by_person[key], key_by
                    break
        if known is None:
            return
        result.match = {
            "row": result.number,
            "partner": known.pk,
            "label": known.label,
            "by": by,
            "linked": known.linked,
        }
        decision = self.decisions.get(str(result.number), "same")
        if by == "email" or decision == "same":
            values["same_as"] = known.pk
            result.status = EXISTING if known.linked else READY
        elif email and email in self.by_email:
            result.problem("Another lay partner already has this email address.")

    def create(self, results: list[RowResult], *, actor: User) -> dict[str, list[int]]:
        new = [r for r in results if r.status == READY and "same_as" not in r.values]
        references = _new_references(len(new))
        partners = LayPartner.objects.bulk_create(
            [
                LayPartner(
                    reference=reference,
                    full_name=r.values["full_name"],
                    preferred_name=r.values["preferred_name"],
                    email=r.values["email"],
                    phone=r.values["phone"],
                    address=r.values["address"],
                    postcode=r.values["postcode"],
                    contact_methods=r.values["contact_methods"],
                    access_needs=r.values["access_needs"],
                    is_assisted_digital=True,
                )
                for r, reference in zip(new, references, strict=True)
            ]
        )
        partner_ids = [p.pk for p in partners]
        for r, pk in zip(new, partner_ids, strict=True):
            r.values["same_as"] = pk
        to_link = [r for r in results if r.status == READY]
        links = PartnerLink.objects.bulk_create(
            [
                PartnerLink(
                    partner_id=r.values["same_as"],
                    organisation=self.organisation,
                    joined_on=r.values["joined_on"],
                    staff_can_edit=r.values["same_as"] in set(partner_ids),
                )
                for r in to_link
            ]
        )
        consents = ConsentRecord.objects.bulk_create(
            [
                ConsentRecord(
                    partner_id=r.values["same_as"],
                    kind=ConsentRecord.Kind.CONTACT,
                    given=r.values["contact_consent"],
                    privacy_notice_version=PRIVACY_NOTICE_VERSION,
                    recorded_by=actor,
                )
                for r in new
                if r.values["contact_consent"] is not None
            ]
        )
        return {
            "partners": partner_ids,
            "links": [link.pk for link in links],
            "consents": [c.pk for c in consents],
        }


# --- Programmes ---------------------------------------------------------------------------------


class ProgrammeChecker(Checker):
    kind = ImportKind.PROGRAMMES

    def load(self) -> None:
        self.existing = {
            name.upper()
            for name in Programme.objects.filter(organisation=self.organisation).values_list("name", flat=True)
        }
        self.seen: dict[str, int] = {}
        self.types = choice_lookup(
            ProgrammeType,
            {"local": ProgrammeType.LOCAL, "national": ProgrammeType.NATIONAL, "psc": ProgrammeType.PATIENT_SAFETY},
        )
        self.stages = choice_lookup(InnovationStage)
        self.statuses = choice_lookup(ProgrammeStatus)

    def check(self, number: int, row: list[Any]) -> RowResult:
        result = RowResult(number)
        values = {
            "name": self.text_cell(result, row, "name", 200),
            "programme_type": self.read(result, row, "programme_type", parse_choice, self.types, ProgrammeType),
            "innovation_stage": self.read(result, row, "innovation_stage", parse_choice, self.stages, InnovationStage),
            "status": self.read(result, row, "status", parse_choice, self.statuses, ProgrammeStatus)
            or ProgrammeStatus.ACTIVE,
            "start_on": self.read(result, row, "start_on", parse_date),
            "closed_on": self.read(result, row, "closed_on", parse_date),
            "involvement_plan": text(self.cell(row, "involvement_plan")),
        }
        for name in ("name", "programme_type", "innovation_stage", "start_on"):
            if self.cell(row, name) in (None, ""):
                self.require(result, name, values[name])
        if values["start_on"] and values["start_on"] > self.today:
            result.problem("Start date must be today or in the past: import the programmes that have started.")
        if values["start_on"] and not result.problems:
            try:
                check_programme_dates(
                    status=values["status"], start_on=values["start_on"], closed_on=values["closed_on"]
                )
            except ProgrammeError as exc:
                result.problem(f"{exc}.")
        result.values = values
        key = values["name"].upper()
        if result.status == PROBLEM or not key:
            return result
        if key in self.seen:
            result.problem(f"The same programme name is on row {self.seen[key]}. Each name is used once.")
        elif key in self.existing:
            result.status = EXISTING
        self.seen.setdefault(key, number)
        return result

    def create(self, results: list[RowResult], *, actor: User) -> dict[str, list[int]]:
        programmes = Programme.objects.bulk_create(
            [
                Programme(organisation=self.organisation, created_by=actor, **r.values)
                for r in results
                if r.status == READY
            ]
        )
        return {"programmes": [p.pk for p in programmes]}


# --- Activities ---------------------------------------------------------------------------------


def _local(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment), LONDON)


class ActivityChecker(Checker):
    kind = ImportKind.ACTIVITIES

    def load(self) -> None:
        programmes = Programme.objects.filter(organisation=self.organisation).annotate(upper=Upper("name"))
        self.programmes = {p.upper: p for p in programmes}
        self.existing = set()
        for programme_id, title, starts_at in (
            Activity.objects.filter(organisation=self.organisation)
            .values_list("programme_id", "title", "starts_at")
            .iterator(chunk_size=5000)
        ):
            self.existing.add((programme_id, title.upper(), timezone.localtime(starts_at, LONDON).date()))
        self.seen: dict[tuple[int, str, date], int] = {}
        self.formats = choice_lookup(
            ActivityFormat,
            {
                "hybrid": ActivityFormat.HYBRID,
                "own time": ActivityFormat.ASYNCHRONOUS,
                "face to face": ActivityFormat.IN_PERSON,
                "virtual": ActivityFormat.ONLINE,
            },
        )
        self.methods = choice_lookup(
            InvolvementMethod,
            {
                "co design": InvolvementMethod.CO_DESIGN,
                "document review": InvolvementMethod.DOCUMENT_REVIEW,
                "training": InvolvementMethod.TRAINING,
                "event": InvolvementMethod.EVENT,
            },
        )
        self.levels = choice_lookup(LadderLevel)
        self.statuses = choice_lookup(ActivityStatus)

    def _programme(self, result: RowResult, row: list[Any]) -> Programme | None:
        name = text(self.cell(row, "programme"))
        if not name:
            self.require(result, "programme", name)
            return None
        programme = self.programmes.get(name.upper())
        if programme is None:
            result.problem(
                f"There is no programme called \u201c{name}\u201d at {self.organisation.short_name}. "
                "Check the spelling, or import your programmes first."
            )
        return programme

    def _times(self, result: RowResult, row: list[Any]) -> tuple[datetime, datetime] | None:
        day = self.read(result, row, "date", parse_date)
        if day is None:
            if self.cell(row, "date") in (None, ""):
                self.require(result, "date", day)
            return None
        start = self.read(result, row, "start_time", parse_time) or DEFAULT_START
        end_day = self.read(result, row, "end_date", parse_date) or day
        end = self.read(result, row, "end_time", parse_time) or DEFAULT_END
        if result.problems:
            return None
        starts_at, ends_at = _local(day, start), _local(end_day, end)
        try:
            check_activity_times(starts_at, ends_at)
        except InvolvementError as exc:
            result.problem(
                f"{exc} (it starts {start:%H:%M} on {day:%d/%m/%Y} and ends {end:%H:%M} on {end_day:%d/%m/%Y})."
            )
            return None
        return starts_at, ends_at

    def _status(self, result: RowResult, row: list[Any], starts_at: datetime, ends_at: datetime) -> str:
        status = self.read(result, row, "status", parse_choice, self.statuses, ActivityStatus)
        now = timezone.now()
        if status is None:
            return ActivityStatus.COMPLETED if ends_at <= now else ActivityStatus.PLANNED
        if status == ActivityStatus.COMPLETED and starts_at > now:
            result.problem("An activity can only be completed once it has started. Choose Planned.")
        return status

    def check(self, number: int, row: list[Any]) -> RowResult:
        result = RowResult(number)
        programme = self._programme(result, row)
        title = self.text_cell(result, row, "title", 200)
        self.require(result, "title", title)
        times = self._times(result, row)
        values: dict[str, Any] = {
            "title": title,
            "format": self.read(result, row, "format", parse_choice, self.formats, ActivityFormat),
            "method": self.read(result, row, "method", parse_choice, self.methods, InvolvementMethod),
            "level": self.read(result, row, "level", parse_choice, self.levels, LadderLevel),
            "location": self.text_cell(result, row, "location", 255),
            "public_participants_count": self.read(result, row, "public_participants_count", parse_whole_number) or 0,
        }
        for name in ("format", "method", "level"):
            if self.cell(row, name) in (None, ""):
                self.require(result, name, values[name])
        if times is not None:
            values["starts_at"], values["ends_at"] = times
            values["status"] = self._status(result, row, *times)
            if programme and programme.closed_on and times[0].date() > programme.closed_on:
                result.problem(f"{programme.name} closed on {programme.closed_on:%d/%m/%Y}, before this activity.")
        result.values = values
        if result.status == PROBLEM or programme is None or times is None:
            return result
        values["programme"] = programme
        values["stage"] = programme.innovation_stage
        key = (programme.pk, title.upper(), times[0].date())
        if key in self.seen:
            result.problem(f"The same activity (programme, title and date) is on row {self.seen[key]}.")
        elif key in self.existing:
            result.status = EXISTING
        self.seen.setdefault(key, number)
        return result

    def create(self, results: list[RowResult], *, actor: User) -> dict[str, list[int]]:
        activities = Activity.objects.bulk_create(
            [
                Activity(
                    organisation=self.organisation,
                    created_by=actor,
                    cancellation_reason=IMPORTED_CANCELLATION if r.values["status"] == ActivityStatus.CANCELLED else "",
                    **r.values,
                )
                for r in results
                if r.status == READY
            ]
        )
        return {"activities": [a.pk for a in activities]}


# --- Participation ------------------------------------------------------------------------------


class ParticipationChecker(Checker):
    kind = ImportKind.PARTICIPATION

    def load(self) -> None:
        self.activities: dict[tuple[str, date], list[Activity]] = defaultdict(list)
        for activity in (
            Activity.objects.filter(organisation=self.organisation)
            .only("pk", "title", "starts_at", "ends_at", "status")
            .iterator(chunk_size=5000)
        ):
            key = (activity.title.upper(), timezone.localtime(activity.starts_at, LONDON).date())
            self.activities[key].append(activity)
        self.by_email: dict[str, int] = {}
        self.by_reference: dict[str, int] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        partners = LayPartner.objects.filter(links__organisation=self.organisation, anonymised=False).values_list(
            "pk", "reference", "email", "full_name", "postcode"
        )
        for pk, reference, email, full_name, postcode in partners.iterator(chunk_size=5000):
            self.by_reference[reference.upper()] = pk
            if email:
                self.by_email[email.lower()] = pk
            if postcode:
                self.by_name.setdefault(_name_key(full_name, postcode), pk)
        self.existing = set(
            Participation.objects.filter(activity__organisation=self.organisation)
            .values_list("activity_id", "partner_id")
            .iterator(chunk_size=10000)
        )
        self.seen: dict[tuple[int, int], int] = {}
        self.now = timezone.now()

    def _activity(self, result: RowResult, row: list[Any]) -> Activity | None:
        title = text(self.cell(row, "activity"))
        day = self.read(result, row, "activity_date", parse_date)
        if not title:
            self.require(result, "activity", title)
        if day is None and self.cell(row, "activity_date") in (None, ""):
            self.require(result, "activity_date", day)
        if not title or day is None:
            return None
        found = self.activities.get((title.upper(), day), [])
        if not found:
            result.problem(
                f"There is no activity called \u201c{title}\u201d on {day:%d/%m/%Y} at {self.organisation.short_name}. "
                "Check the title and date, or import your activities first."
            )
            return None
        if len(found) > 1:
            result.problem(
                f"{self.organisation.short_name} has {len(found)} activities called \u201c{title}\u201d on that date. Rename one in the portal first."
            )
            return None
        return found[0]

    def _partner(self, result: RowResult, row: list[Any]) -> int | None:
        reference = text(self.cell(row, "partner_reference")).upper()
        email = text(self.cell(row, "partner_email")).lower()
        name = text(self.cell(row, "partner_name"))
        postcode = _postcode_or_blank(text(self.cell(row, "partner_postcode")))
        if reference:
            pk = self.by_reference.get(reference)
            who = f"reference {reference}"
        elif email:
            try:
                validate_email(email)
            except ValidationError:
                result.problem(
                    f"Partner email address \u201c{email}\u201d is not an email address, like name@example.com."
                )
                return None
            pk = self.by_email.get(email)
            who = f"email address {email}"
        elif name and postcode:
            pk = self.by_name.get(_name_key(name, postcode))
            who = f"name {name} and postcode {postcode}"
        else:
            result.problem("Say who took part: their email address, their reference, or their name and postcode.")
            return None
        if pk is None:
            result.problem(
                f"There is no lay partner at {self.organisation.short_name} with the {who}. Import them as a lay partner first."
            )
        return pk

    def check(self, number: int, row: list[Any]) -> RowResult:
        result = RowResult(number)
        activity = self._activity(result, row)
        partner_id = self._partner(result, row)
        attended = self.read(result, row, "attended", parse_yes_no)
        hours = self.read(result, row, "hours", parse_decimal)
        role = self.text_cell(result, row, "role", 100)
        if hours is not None and attended is None:
            attended = True
        if hours is not None and hours < 0:
            result.problem("Hours cannot be negative.")
        if attended is False and hours:
            result.problem("Hours are given, but Attended says No. Change one of them.")
        if activity is not None:
            self._check_attendance(result, activity, attended, hours)
        result.values = {
            "activity_id": getattr(activity, "pk", None),
            "partner_id": partner_id,
            "attended": attended,
            "hours": hours if attended else None,
            "role": role,
        }
        if result.status == PROBLEM or activity is None or partner_id is None:
            return result
        key = (activity.pk, partner_id)
        if key in self.seen:
            result.problem(f"The same person at the same activity is on row {self.seen[key]}.")
        elif key in self.existing:
            result.status = EXISTING
        self.seen.setdefault(key, number)
        return result

    def _check_attendance(self, result: RowResult, activity: Activity, attended: bool | None, hours: Any) -> None:
        if attended is not None:
            refusal = attendance_refusal(activity, now=self.now)
            if refusal:
                result.problem(refusal)
        if hours is not None and hours > max_hours(activity):
            result.problem(f"Hours must be {max_hours(activity)} or fewer for an activity on one day.")

    def create(self, results: list[RowResult], *, actor: User) -> dict[str, list[int]]:
        participations = Participation.objects.bulk_create(
            [Participation(from_history=True, **r.values) for r in results if r.status == READY]
        )
        return {"participations": [p.pk for p in participations]}


CHECKERS: dict[str, type[Checker]] = {
    ImportKind.PARTNERS: PartnerChecker,
    ImportKind.PROGRAMMES: ProgrammeChecker,
    ImportKind.ACTIVITIES: ActivityChecker,
    ImportKind.PARTICIPATION: ParticipationChecker,
}


def checker_for(
    kind: str, *, organisation: Organisation, columns: dict[str, int], decisions: dict[str, str] | None = None
) -> Checker:
    return CHECKERS[kind](organisation=organisation, columns=columns, decisions=decisions)
