"""The columns of each kind of import: names, plain-English explanations, examples and the other
names people give them in their own spreadsheets. The templates and the column matching both
come from here."""

from __future__ import annotations

from dataclasses import dataclass, field

from imports.models import ImportKind
from imports.values import normalise_header


@dataclass(frozen=True)
class Column:
    name: str
    heading: str
    explanation: str
    example: str
    required: bool = False
    synonyms: tuple[str, ...] = field(default=())

    def names(self) -> set[str]:
        return {normalise_header(self.name), normalise_header(self.heading)} | {
            normalise_header(s) for s in self.synonyms
        }


DATE_NOTE = "Write dates like 27/03/2025, 2025-03-27 or 27 March 2025 (a date cell in Excel works too)."

PARTNER_COLUMNS = (
    Column(
        "full_name", "Full name", "The person's full name.", "Sam Okafor", True, ("name", "partner name", "partner")
    ),
    Column(
        "preferred_name", "Preferred name", "What they like to be called, if different.", "Sam", False, ("known as",)
    ),
    Column(
        "email",
        "Email address",
        "Their personal email address. We use it to find them if they are already in the portal, and to invite "
        "them later. Leave empty if they have none.",
        "sam.okafor@example.com",
        False,
        ("email", "e-mail", "email addr"),
    ),
    Column(
        "phone",
        "Phone number",
        "A UK phone number, like 01632 960 001 or 07700 900 982.",
        "07700 900982",
        False,
        ("phone", "telephone", "tel", "mobile", "mobile number", "contact number"),
    ),
    Column("address", "Postal address", "Their postal address, without the postcode.", "1 High Street, Southampton"),
    Column(
        "postcode",
        "Postcode",
        "Their postcode, like SO16 7NS. With the name, it finds someone already in the portal without an email.",
        "SO16 7NS",
        False,
        ("post code", "zip"),
    ),
    Column(
        "contact_methods",
        "How they like to be contacted",
        "One or more of: Email, Phone call, Text message, Post (separate them with commas).",
        "Email, Text message",
        False,
        ("contact method", "contact methods", "preferred contact", "contact by"),
    ),
    Column(
        "access_needs",
        "Access and support needs",
        "Anything we need to arrange so they can take part.",
        "Step-free access",
        False,
        ("access needs", "support needs", "needs"),
    ),
    Column(
        "joined_on",
        "Date joined",
        f"When they started working with your AHSN. {DATE_NOTE} Empty means today.",
        "27/03/2023",
        False,
        ("joined", "joined on", "start date", "date joined"),
    ),
    Column(
        "contact_consent",
        "Agreed to be contacted about opportunities",
        "Yes if they agreed to hear about new opportunities, No if they did not. Leave empty if you do not know: "
        "we will not contact them about opportunities until they say yes.",
        "Yes",
        False,
        ("consent", "contact consent", "agreed to be contacted", "happy to be contacted"),
    ),
)

PROGRAMME_COLUMNS = (
    Column(
        "name",
        "Programme name",
        "The programme's name. Each name is used once at your AHSN.",
        "Healthy hearts",
        True,
        ("name", "programme", "title"),
    ),
    Column(
        "programme_type",
        "Type",
        "One of: Spread and adoption, Patient Safety Collaborative, Innovation pipeline, Local programme, "
        "National programme.",
        "Local programme",
        True,
        ("programme type",),
    ),
    Column(
        "innovation_stage",
        "Innovation stage",
        "One of: Needs articulation, Design, Testing, Implementation, Spread and adoption.",
        "Testing",
        True,
        ("stage",),
    ),
    Column("status", "Status", "Active, Paused or Closed. Empty means Active.", "Active"),
    Column(
        "start_on",
        "Start date",
        f"When the work started (not when you typed it in). {DATE_NOTE}",
        "01/04/2022",
        True,
        ("started", "start", "date started"),
    ),
    Column(
        "closed_on",
        "Closed date",
        f"Only for a closed programme: when it closed. {DATE_NOTE}",
        "",
        False,
        ("closed", "end date", "date closed"),
    ),
    Column(
        "involvement_plan",
        "Involvement plan",
        "How the programme plans to involve people.",
        "Two workshops a year",
        False,
        ("plan",),
    ),
)

ACTIVITY_COLUMNS = (
    Column(
        "programme",
        "Programme",
        "The name of one of your AHSN's programmes, exactly as it is in the portal (import programmes first).",
        "Healthy hearts",
        True,
        ("programme name",),
    ),
    Column(
        "title",
        "Activity title",
        "What the activity was called.",
        "Patient panel on the new app",
        True,
        ("title", "activity", "name"),
    ),
    Column(
        "date",
        "Date",
        f"The day it took place (or starts). {DATE_NOTE}",
        "27/03/2025",
        True,
        ("activity date", "start date", "date held", "when"),
    ),
    Column(
        "start_time", "Start time", "Like 10am or 14:30. Empty means 9am.", "10am", False, ("start", "from", "time")
    ),
    Column("end_date", "End date", f"Only if it ended on another day. {DATE_NOTE}", "", False, ("finish date",)),
    Column("end_time", "End time", "Like 12pm or 16:00. Empty means 5pm.", "12pm", False, ("end", "to", "finish time")),
    Column(
        "format",
        "Format",
        "In person, Online, Hybrid, or In your own time.",
        "In person",
        True,
        ("how", "delivery"),
    ),
    Column(
        "method",
        "Method",
        "One of: Workshop, Focus group, Co-design session, Advisory group, Interview, Survey, Reviewing documents, "
        "Recruitment panel, Training and development session, Event or knowledge-sharing session.",
        "Workshop",
        True,
        ("type", "activity type"),
    ),
    Column(
        "level",
        "Level on the ladder of co-production",
        "One of: Informing, Consultation, Engagement, Co-design, Co-production.",
        "Co-design",
        True,
        ("level", "ladder", "ladder level"),
    ),
    Column(
        "status",
        "Status",
        "Planned, Completed or Cancelled. Empty means Completed for a date in the past and Planned for a "
        "date in the future.",
        "Completed",
    ),
    Column("location", "Location", "Where it took place.", "Civic Centre, Southampton", False, ("venue", "place")),
    Column(
        "public_participants_count",
        "Members of the public without a record",
        "How many members of the public took part who are not lay partners in the portal. Empty means 0.",
        "12",
        False,
        ("public participants", "members of the public", "public count"),
    ),
)

PARTICIPATION_COLUMNS = (
    Column(
        "activity",
        "Activity title",
        "The activity's title, exactly as it is in the portal (import activities first).",
        "Patient panel on the new app",
        True,
        ("activity", "title", "event"),
    ),
    Column(
        "activity_date", "Activity date", f"The day the activity took place. {DATE_NOTE}", "27/03/2025", True, ("date",)
    ),
    Column(
        "partner_email",
        "Partner email address",
        "The lay partner's email address. Give this, or their reference, or their name and postcode.",
        "sam.okafor@example.com",
        False,
        ("email", "email address", "e-mail"),
    ),
    Column(
        "partner_reference",
        "Partner reference",
        "The portal's reference for them, like LP-1A2B3C4D.",
        "",
        False,
        ("reference", "ref"),
    ),
    Column(
        "partner_name",
        "Partner name",
        "Their full name (with their postcode) when there is no email.",
        "Sam Okafor",
        False,
        ("name", "full name", "partner"),
    ),
    Column(
        "partner_postcode",
        "Partner postcode",
        "Their postcode, used with their name.",
        "SO16 7NS",
        False,
        ("postcode", "post code"),
    ),
    Column("role", "Role", "Their role, for example panel member.", "Panel member", False, ()),
    Column(
        "attended",
        "Attended",
        "Yes if they came, No if they did not. Empty means not recorded.",
        "Yes",
        False,
        ("attendance", "came", "present"),
    ),
    Column(
        "hours",
        "Hours",
        "How many hours they took part, like 2 or 1.5.",
        "2",
        False,
        ("hours taken part", "time", "duration"),
    ),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.PARTNERS: PARTNER_COLUMNS,
    ImportKind.PROGRAMMES: PROGRAMME_COLUMNS,
    ImportKind.ACTIVITIES: ACTIVITY_COLUMNS,
    ImportKind.PARTICIPATION: PARTICIPATION_COLUMNS,
}

TEMPLATE_NAMES: dict[str, str] = {
    ImportKind.PARTNERS: "lay-partners",
    ImportKind.PROGRAMMES: "programmes",
    ImportKind.ACTIVITIES: "activities",
    ImportKind.PARTICIPATION: "participation",
}


def columns_for(kind: str) -> tuple[Column, ...]:
    return COLUMNS[kind]


def recognise(kind: str, headers: list[str], remembered: dict[str, str] | None = None) -> dict[str, int]:
    """{field name: column number} for the headers we recognise: first what this organisation chose
    last time, then the template's headings and their common other names. Each field once."""
    found: dict[str, int] = {}
    known = {column.name for column in columns_for(kind)}
    for index, header in enumerate(headers):
        wanted = (remembered or {}).get(header)
        if wanted in known and wanted not in found:
            found[wanted] = index
    for column in columns_for(kind):
        if column.name in found:
            continue
        names = column.names()
        for index, header in enumerate(headers):
            if header in names and index not in found.values():
                found[column.name] = index
                break
    return found


def missing_required(kind: str, columns: dict[str, int]) -> list[Column]:
    return [column for column in columns_for(kind) if column.required and column.name not in columns]
