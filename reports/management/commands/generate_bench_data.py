"""Build a network-sized database quickly (PostgreSQL COPY), for `make bench` and scale tests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ahsn_bench \\
        python manage.py generate_bench_data --scale network

`--scale network`: the fifteen AHSNs with about 2,000 programmes, 200,000 activities, 20,000 lay
partners, 1,000,000 participations and 300,000 claims (plus feedback, outcomes, forums, meetings
and equality monitoring answers), spread over the last three financial years.
`--scale small` is a thousandth of that, for tests; `--multiplier 3` triples either.

The rows are written with COPY in a single transaction, with ids chosen here and the sequences
moved on afterwards, so the command takes seconds, not hours. It adds to what is there: run it
against a database of its own. Every row it writes is made up (no real people)."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Organisation, User
from core.choices import InnovationStage, InvolvementMethod, LadderLevel, SeldomHeardGroup, SupportType
from core.formatting import UK_TIME
from core.quarters import FinancialQuarter
from forum.models import Forum, ForumMember, Meeting, MeetingNotes
from involvement.models import Activity, Feedback, Outcome, Participation
from partners.models import EqualityMonitoring, LayPartner, PartnerLink
from payments.models import Claim, ClaimLine
from programmes.models import Programme

SCALES: dict[str, dict[str, int]] = {
    "network": {
        "programmes": 2_000,
        "activities": 200_000,
        "partners": 20_000,
        "participations": 1_000_000,
        "claims": 300_000,
    },
    "small": {"programmes": 20, "activities": 200, "partners": 100, "participations": 1_000, "claims": 300},
}

STAGES = [value for value, _ in InnovationStage.choices]
LEVELS = [value for value, _ in LadderLevel.choices]
METHODS = [value for value, _ in InvolvementMethod.choices if value != InvolvementMethod.FORUM_MEETING]
GROUPS = [value for value, _ in SeldomHeardGroup.choices]
SUPPORT = [value for value, _ in SupportType.choices]


def copy_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """COPY dictionaries of attribute values into the model's table; fields not given take their
    model default (auto_now fields: now). Returns the number of rows."""
    fields = [f for f in model._meta.concrete_fields]
    now = timezone.now()
    defaults: dict[str, Any] = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        elif field.has_default():
            defaults[field.attname] = field.get_default()
        elif field.null:
            defaults[field.attname] = None
        elif field.blank and isinstance(field, (models.CharField, models.TextField)):
            defaults[field.attname] = ""
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for field in fields:
                value = row[field.attname] if field.attname in row else defaults.get(field.attname)
                if isinstance(field, models.JSONField) and value is not None:
                    value = json.dumps(value)
                values.append(value)
            copy.write_row(values)
            count += 1
    return count


def next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - a quoted model table name
        return int(cursor.fetchone()[0])


def move_sequence(model: type[models.Model]) -> None:
    table = model._meta.db_table
    quoted = connection.ops.quote_name(table)
    sql = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {quoted}), 1))"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [table])


class Command(BaseCommand):
    help = "Build a network-sized (or small) database for benchmarks, with COPY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--multiplier", type=int, default=1, help="Multiply every count (for scale tests).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed gives the same data.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["multiplier"] < 1:
            raise CommandError("--multiplier must be 1 or more.")
        counts = {key: value * options["multiplier"] for key, value in SCALES[options["scale"]].items()}
        started = time.monotonic()
        with transaction.atomic():
            built = Builder(counts, random.Random(options["seed"]), self.stdout.write).build()
        seconds = time.monotonic() - started
        summary = ", ".join(f"{count:,} {name}" for name, count in built.items())
        self.stdout.write(f"Built {summary} in {seconds:.1f} s.")


class Builder:
    def __init__(self, counts: dict[str, int], rng: random.Random, say: Any) -> None:
        self.counts = counts
        self.rng = rng
        self.say = say
        self.today = timezone.localdate()
        current = FinancialQuarter.current(self.today)
        # Three financial years up to today.
        self.start = FinancialQuarter(current.year - 2, 1).start_datetime
        self.end = datetime.combine(self.today, datetime.min.time(), tzinfo=UK_TIME)
        self.span = (self.end - self.start).total_seconds()

    def moment(self) -> datetime:
        return self.start + timedelta(seconds=self.rng.random() * self.span)

    def build(self) -> dict[str, int]:  # noqa: C901 -- one straight script of table loads, each step using the ids of the ones before
        rng = self.rng
        built: dict[str, int] = {}
        ahsns = list(
            Organisation.objects.filter(kind=Organisation.Kind.AHSN).order_by("pk").values_list("pk", flat=True)
        )
        network = Organisation.objects.filter(kind=Organisation.Kind.NETWORK).values_list("pk", flat=True).first()
        if not ahsns:
            raise CommandError("There are no AHSNs: run the migrations first.")
        clerk, _ = User.objects.get_or_create(
            email="bench.clerk@bench.ahsn.test", defaults={"full_name": "Bench clerk"}
        )
        tag = f"{timezone.now():%Y%m%d%H%M%S}-{rng.randrange(10**6)}"

        # Programmes.
        first = next_id(Programme)
        programme_org: list[tuple[int, int]] = []
        rows = []
        for n in range(self.counts["programmes"]):
            pk = first + n
            org = ahsns[n % len(ahsns)]
            programme_org.append((pk, org))
            rows.append(
                {
                    "id": pk,
                    "organisation_id": org,
                    "name": f"Bench programme {tag} {n}",
                    "programme_type": rng.choice(["spread_and_adoption", "patient_safety_collaborative", "local"]),
                    "innovation_stage": rng.choice(STAGES),
                    "status": "closed" if rng.random() < 0.1 else "active",
                    "created_at": self.start - timedelta(days=30),
                    "start_on": (self.start - timedelta(days=30)).date(),
                }
            )
            if rows[-1]["status"] == "closed":
                rows[-1]["closed_on"] = rows[-1]["start_on"]
        built["programmes"] = copy_rows(Programme, rows)
        move_sequence(Programme)
        programmes_by_org: dict[int, list[int]] = {}
        for pk, org in programme_org:
            programmes_by_org.setdefault(org, []).append(pk)
        self.say(f"  programmes: {built['programmes']:,}")

        # Lay partners and their links.
        first_partner = next_id(LayPartner)
        partners_by_org: dict[int, list[int]] = {org: [] for org in ahsns}

        def partner_rows() -> Iterator[dict[str, Any]]:
            for n in range(self.counts["partners"]):
                pk = first_partner + n
                partners_by_org[ahsns[n % len(ahsns)]].append(pk)
                yield {
                    "id": pk,
                    "reference": f"LP-B{pk:08d}",
                    "full_name": f"Bench partner {pk}",
                    "contact_methods": ["email"],
                    "email": f"partner{pk}@bench.ahsn.test",
                }

        built["lay partners"] = copy_rows(LayPartner, partner_rows())
        move_sequence(LayPartner)
        first_link = next_id(PartnerLink)

        def link_rows() -> Iterator[dict[str, Any]]:
            n = 0
            for org, members in partners_by_org.items():
                for pk in members:
                    yield {
                        "id": first_link + n,
                        "partner_id": pk,
                        "organisation_id": org,
                        "status": "active",
                        "joined_on": self.moment().date(),
                    }
                    n += 1

        built["partner links"] = copy_rows(PartnerLink, link_rows())
        move_sequence(PartnerLink)
        first_eq = next_id(EqualityMonitoring)
        answered = [pk for pk in range(first_partner, first_partner + self.counts["partners"]) if rng.random() < 0.5]
        built["equality answers"] = copy_rows(
            EqualityMonitoring,
            (
                {
                    "id": first_eq + n,
                    "partner_id": pk,
                    "age_band": rng.choice(["25_34", "45_54", "65_74", "prefer_not_to_say"]),
                    "ethnicity": rng.choice(["white", "white", "asian", "black", "mixed", "other"]),
                    "sex": rng.choice(["female", "male"]),
                    "seldom_heard_groups": rng.sample(GROUPS, 1),
                }
                for n, pk in enumerate(answered)
            ),
        )
        move_sequence(EqualityMonitoring)
        self.say(f"  lay partners: {built['lay partners']:,}")

        # Activities.
        first_activity = next_id(Activity)
        activity_info: list[tuple[int, int, datetime, str]] = []

        def activity_rows() -> Iterator[dict[str, Any]]:
            for n in range(self.counts["activities"]):
                pk = first_activity + n
                org = ahsns[n % len(ahsns)]
                starts = self.moment()
                status = "completed" if starts < self.end - timedelta(days=7) else "planned"
                if rng.random() < 0.03:
                    status = "cancelled"
                activity_info.append((pk, org, starts, status))
                yield {
                    "id": pk,
                    "organisation_id": org,
                    "programme_id": rng.choice(programmes_by_org[org]),
                    "title": f"Bench activity {pk}",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                    "format": rng.choice(["in_person", "online", "hybrid"]),
                    "method": rng.choice(METHODS),
                    "level": rng.choice(LEVELS),
                    "stage": rng.choice(STAGES),
                    "seldom_heard_groups": rng.sample(GROUPS, rng.randint(0, 2)),
                    "support_offered": rng.sample(SUPPORT, rng.randint(0, 2)),
                    "status": status,
                    "cancellation_reason": "Bench: cancelled" if status == "cancelled" else "",
                }

        built["activities"] = copy_rows(Activity, activity_rows())
        move_sequence(Activity)
        self.say(f"  activities: {built['activities']:,}")

        # Participations: distinct partners of the activity's AHSN.
        first_part = next_id(Participation)
        per_activity = max(1, self.counts["participations"] // max(1, self.counts["activities"]))
        attended_parts: list[tuple[int, int, int, datetime]] = []

        def participation_rows() -> Iterator[dict[str, Any]]:
            pk = first_part
            for activity_id, org, starts, status in activity_info:
                pool = partners_by_org[org]
                for partner_id in rng.sample(pool, min(per_activity, len(pool))):
                    attended = status == "completed" and rng.random() < 0.85
                    if attended:
                        attended_parts.append((pk, partner_id, org, starts))
                    yield {
                        "id": pk,
                        "activity_id": activity_id,
                        "partner_id": partner_id,
                        "expected_hours": Decimal("2.00"),
                        "attended": attended if status == "completed" else None,
                        "hours": Decimal("2.00") if attended else None,
                    }
                    pk += 1

        built["participations"] = copy_rows(Participation, participation_rows())
        move_sequence(Participation)
        self.say(f"  participations: {built['participations']:,}")

        first_feedback = next_id(Feedback)
        with_feedback = [item for item in attended_parts if rng.random() < 0.2]
        built["feedback"] = copy_rows(
            Feedback,
            (
                {
                    "id": first_feedback + n,
                    "participation_id": part,
                    "listened_to": rng.randint(2, 5),
                    "role_clear": rng.randint(1, 5),
                    "support_right": rng.randint(2, 5),
                    "take_part_again": rng.randint(3, 5),
                    "submitted_at": starts + timedelta(days=2),
                }
                for n, (part, _partner, _org, starts) in enumerate(with_feedback)
            ),
        )
        move_sequence(Feedback)

        first_outcome = next_id(Outcome)
        completed = [info for info in activity_info if info[3] == "completed"]
        with_outcome = rng.sample(completed, len(completed) // 5)
        built["outcomes"] = copy_rows(
            Outcome,
            (
                {
                    "id": first_outcome + n,
                    "organisation_id": org,
                    "activity_id": activity_id,
                    "what_we_heard": "Bench: people asked for shorter forms",
                    "what_we_did": "Bench: we shortened the form",
                    "status": status,
                    "reason": "Bench: outside our remit" if status == "not_taken_forward" else "",
                    "decided_on": (starts + timedelta(days=14)).date(),
                    "shareable": rng.random() < 0.1,
                }
                for n, (activity_id, org, starts, _status) in enumerate(with_outcome)
                for status in [rng.choice(["considered", "in_progress", "changed", "not_taken_forward"])]
            ),
        )
        move_sequence(Outcome)
        self.say(f"  feedback: {built['feedback']:,}, outcomes: {built['outcomes']:,}")

        # Claims: one fee line each on an attended participation, most of them paid.
        first_claim = next_id(Claim)
        first_line = next_id(ClaimLine)
        claimed = rng.sample(attended_parts, min(self.counts["claims"], len(attended_parts)))
        statuses = ["paid"] * 70 + ["approved"] * 10 + ["submitted"] * 10 + ["returned"] * 5 + ["draft"] * 5
        claim_rows: list[dict[str, Any]] = []
        line_rows: list[dict[str, Any]] = []
        for n, (part, partner_id, org, starts) in enumerate(claimed):
            status = rng.choice(statuses)
            submitted = None if status == "draft" else starts + timedelta(days=rng.randint(1, 20))
            paid = submitted + timedelta(days=rng.randint(3, 45)) if status == "paid" and submitted else None
            if paid is not None and paid > self.end:
                paid, status = None, "approved"
            claim_rows.append(
                {
                    "id": first_claim + n,
                    "organisation_id": org,
                    "partner_id": partner_id,
                    "reference": f"BN-{first_claim + n:08d}",
                    "status": status,
                    "payment_choice": "pay",
                    "submitted_at": submitted,
                    "first_submitted_at": submitted,
                    "paid_at": paid,
                    "created_by_id": clerk.pk,
                }
            )
            line_rows.append(
                {
                    "id": first_line + len(line_rows),
                    "claim_id": first_claim + n,
                    "kind": "fee",
                    "participation_id": part,
                    "amount": Decimal("50.00"),
                }
            )
            if rng.random() < 0.3:
                line_rows.append(
                    {
                        "id": first_line + len(line_rows),
                        "claim_id": first_claim + n,
                        "kind": "mileage",
                        "amount": Decimal("12.60"),
                        "miles": Decimal("28.0"),
                    }
                )
        built["claims"] = copy_rows(Claim, claim_rows)
        built["claim lines"] = copy_rows(ClaimLine, line_rows)
        move_sequence(Claim)
        move_sequence(ClaimLine)
        self.say(f"  claims: {built['claims']:,}")

        # Forums: one per organisation, a meeting a quarter, notes published a few days later.
        forum_orgs = [*ahsns, *([network] if network else [])]
        first_forum = next_id(Forum)
        built["forums"] = copy_rows(
            Forum,
            (
                {
                    "id": first_forum + n,
                    "organisation_id": org,
                    "name": f"Bench forum {tag} {n}",
                    "slug": f"bench-{tag}-{n}",
                    "created_at": self.start - timedelta(days=30),
                }
                for n, org in enumerate(forum_orgs)
            ),
        )
        move_sequence(Forum)
        first_member = next_id(ForumMember)
        built["forum members"] = copy_rows(
            ForumMember,
            (
                {
                    "id": first_member + n,
                    "forum_id": first_forum + n,
                    "partner_id": partners_by_org[org if org in partners_by_org else ahsns[0]][0],
                    "role": "lay_co_chair",
                    "joined_on": self.start.date(),
                }
                for n, org in enumerate(forum_orgs)
            ),
        )
        move_sequence(ForumMember)
        first_meeting = next_id(Meeting)
        meeting_rows: list[dict[str, Any]] = []
        notes_rows: list[dict[str, Any]] = []
        first_notes = next_id(MeetingNotes)
        quarter = FinancialQuarter.containing(self.start)
        while quarter.start < self.today:
            for n in range(len(forum_orgs)):
                starts = quarter.start_datetime + timedelta(days=rng.randint(10, 60), hours=14)
                if starts.date() >= self.today:
                    continue
                pk = first_meeting + len(meeting_rows)
                meeting_rows.append(
                    {
                        "id": pk,
                        "forum_id": first_forum + n,
                        "starts_at": starts,
                        "ends_at": starts + timedelta(hours=2),
                        "status": "held",
                    }
                )
                notes_rows.append(
                    {
                        "id": first_notes + len(notes_rows),
                        "meeting_id": pk,
                        "body_markdown": "Bench notes",
                        "status": "published",
                        "published_at": starts + timedelta(days=rng.randint(2, 20)),
                        "published_version": 1,
                    }
                )
            quarter = quarter.next
        built["meetings"] = copy_rows(Meeting, meeting_rows)
        copy_rows(MeetingNotes, notes_rows)
        move_sequence(Meeting)
        move_sequence(MeetingNotes)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return built
