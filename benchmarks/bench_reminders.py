"""Time one full reminder sweep on a network-sized database.

    python benchmarks/bench_reminders.py                 # builds its own database, ahsn_bench_reminders
    python benchmarks/bench_reminders.py --partners 5000 # a smaller run
    python benchmarks/bench_reminders.py --keep          # reuse the database built last time
    python benchmarks/bench_reminders.py --copy-of ahsn_bench  # sweep a copy of the network-sized database

It drops and recreates the database named by --database on the PostgreSQL server in DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/), migrates it, bulk-inserts lay partners,
activities, participations, claims and forum members for all fifteen AHSNs, then runs every
sweep twice: the first creates the reminders, the second finds nothing new. It prints seconds and
query counts for each. Deliveries are queued on an in-memory broker, so nothing is sent.
Target: the first sweep creates tens of thousands of reminders in well under a minute, with the
same number of queries as a sweep over a handful of rows (about five per sweep)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import django
import environ
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _database_url(name: str) -> tuple[str, str]:
    """(URL of the bench database, URL of the server's maintenance database), on the server of
    DATABASE_URL, whether it is reached over TCP or a unix socket."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    address, question, query = base.partition("?")
    head = address.rpartition("/")[0]
    return f"{head}/{name}{question}{query}", f"{head}/postgres{question}{query}"


def _recreate(name: str, admin_url: str, template: str = "") -> None:
    """Drop and create the database `name`: empty, or a copy of the database `template`."""
    config = environ.Env.db_url_config(admin_url)
    params = {key.lower(): config.get(key) for key in ("HOST", "PORT", "USER", "PASSWORD") if config.get(key)}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template:  # a copy needs the template to have no other sessions for a moment
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="ahsn_bench_reminders")
    parser.add_argument("--partners", type=int, default=30000, help="Lay partners across the 15 AHSNs.")
    parser.add_argument("--keep", action="store_true", help="Reuse the database from the last run.")
    parser.add_argument(
        "--copy-of",
        default="",
        metavar="DATABASE",
        help="Sweep a copy of this database (e.g. ahsn_bench, the network-sized one) instead of building one.",
    )
    return parser.parse_args()


def _prepare_database(args: argparse.Namespace) -> None:
    """Make (or copy) the database to sweep and point Django at it: before django.setup()."""
    url, admin_url = _database_url(args.database)
    if not args.keep:
        _recreate(args.database, admin_url, template=args.copy_of)
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = "memory://"  # queue deliveries in memory: nothing is sent
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahsn_portal.settings.local")


ARGS = _arguments()
_prepare_database(ARGS)
django.setup()  # the portal's modules below import models, which need Django set up first

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Organisation, Role, User  # noqa: E402
from core.choices import ActivityFormat, InvolvementMethod, LadderLevel, PaymentPreference  # noqa: E402
from core.models import Notification  # noqa: E402
from core.reminders import run_sweeps  # noqa: E402
from forum.models import Action, Forum, ForumMember, Meeting  # noqa: E402
from involvement.models import Activity, ActivityStatus, Participation  # noqa: E402
from opportunities.models import Opportunity, OpportunityState  # noqa: E402
from partners.models import ConsentRecord, LayPartner, PartnerLink  # noqa: E402
from payments.models import Claim, ClaimLine, ClaimStatus, LineKind, RateCard  # noqa: E402


def _opportunities(*, ahsns: list, people: list, now: datetime, batch: int) -> None:
    """Two opportunities opened yesterday at each AHSN, and two in three partners said yes to being
    contacted about opportunities: the "new opportunity" sweep tells each of them once."""
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                organisation=org,
                title=f"Bench opportunity {org.short_name} {n}",
                purpose="Purpose",
                what_you_would_do="Things",
                how_chosen="Fairly",
                closes_on=(now + timedelta(days=14)).date(),
                ways_to_take_part=["online"],
                state=OpportunityState.OPEN,
                opened_at=now - timedelta(days=1),
            )
            for org in ahsns
            for n in range(2)
        ]
    )
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(partner=p, kind=ConsentRecord.Kind.CONTACT, given=True, privacy_notice_version="1.0")
            for i, p in enumerate(people)
            if i % 3
        ],
        batch_size=batch,
    )


def build(*, partners: int, now: datetime) -> dict[str, int]:  # noqa: C901 -- one straight script of table loads for the benchmark
    """Bulk-insert a network's worth of involvement, claims and forums."""

    ahsns = list(Organisation.objects.filter(kind=Organisation.Kind.AHSN).order_by("id"))
    per_org = max(partners // len(ahsns), 30)
    batch = 5000
    staff: dict[int, User] = {}
    for org in ahsns:
        for role in (Role.INVOLVEMENT_LEAD, Role.FINANCE, Role.STAFF):
            user = User.objects.create(email=f"{role}.{org.pk}@bench.example", full_name=f"{role} {org.short_name}")
            Membership.objects.create(user=user, organisation=org, role=role)
            if role == Role.STAFF:
                staff[org.pk] = user
        if not RateCard.objects.filter(organisation=org).exists():
            RateCard.objects.create(
                organisation=org,
                effective_from=date(2020, 1, 1),
                hourly_rate=Decimal("25"),
                half_day_rate=Decimal("75"),
                half_day_hours=Decimal("3"),
                full_day_rate=Decimal("150"),
                full_day_hours=Decimal("6"),
                mileage_rate_per_mile=Decimal("0.45"),
                claim_deadline_days=90,
                created_by=staff[org.pk],
            )
    people = LayPartner.objects.bulk_create(
        [
            LayPartner(
                full_name=f"Bench Partner {i}",
                email=f"partner{i}@bench.example",
                reference=f"LP-BN{i:06d}",
                contact_methods=["text"] if i % 10 == 0 else ["email"],
                phone="07700 900000",
            )
            for i in range(per_org * len(ahsns))
        ],
        batch_size=batch,
    )
    by_org = {org.pk: people[n * per_org : (n + 1) * per_org] for n, org in enumerate(ahsns)}
    PartnerLink.objects.bulk_create(
        [
            PartnerLink(partner=p, organisation_id=org_id, joined_on=date(2024, 4, 1))
            for org_id, group in by_org.items()
            for p in group
        ],
        batch_size=batch,
    )
    _opportunities(ahsns=ahsns, people=people, now=now, batch=batch)
    activities: list[Activity] = []
    for org in ahsns:
        for n in range(100):
            # From 80 days ago to today, one every 19 hours.
            starts = now - timedelta(days=80) + timedelta(hours=19 * n)
            if n % 6 == 5:  # one in six is coming up in the next two days
                starts = now + timedelta(hours=n % 40 + 1)
            status = ActivityStatus.PLANNED if starts > now else ActivityStatus.COMPLETED
            if n % 15 == 0:
                status = ActivityStatus.CANCELLED
            activities.append(
                Activity(
                    organisation=org,
                    title=f"Bench activity {org.short_name} {n}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    format=ActivityFormat.IN_PERSON,
                    location="Innovation Centre",
                    method=InvolvementMethod.WORKSHOP,
                    level=LadderLevel.CO_DESIGN,
                    status=status,
                    cancellation_reason="Bench" if status == ActivityStatus.CANCELLED else "",
                    lead=staff[org.pk],
                )
            )
    Activity.objects.bulk_create(activities, batch_size=batch)
    participations: list[Participation] = []
    for n, act in enumerate(activities):
        group = by_org[act.organisation_id]
        size = min(len(group), 30)
        start = (n * 7) % max(len(group) - size, 1)
        past = act.starts_at < now
        for p in group[start : start + size]:
            participations.append(
                Participation(
                    activity=act,
                    partner=p,
                    attended=True if past else None,
                    hours=Decimal("2") if past else None,
                    expected_hours=Decimal("2"),
                )
            )
    Participation.objects.bulk_create(participations, batch_size=batch)
    claims: list[Claim] = []
    claimed: list[Participation] = []
    statuses = [ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.DRAFT]
    for n, part in enumerate(p for p in participations if p.attended):
        if n % 2:
            continue
        claim_status = statuses[(n // 2) % len(statuses)]
        claims.append(
            Claim(
                organisation_id=part.activity.organisation_id,
                partner=part.partner,
                reference=f"BN-{n:07d}",
                status=claim_status,
                payment_choice=PaymentPreference.PAY,
                submitted_at=now - timedelta(days=n % 20) if claim_status != ClaimStatus.DRAFT else None,
                approved_at=now - timedelta(days=n % 12)
                if claim_status in (ClaimStatus.APPROVED, ClaimStatus.PAID)
                else None,
                paid_at=now - timedelta(days=1) if claim_status == ClaimStatus.PAID else None,
                created_by=staff[part.activity.organisation_id],
            )
        )
        claimed.append(part)
    Claim.objects.bulk_create(claims, batch_size=batch)
    ClaimLine.objects.bulk_create(
        [
            ClaimLine(claim=c, kind=LineKind.FEE, participation=p, amount=Decimal("50"))
            for c, p in zip(claims, claimed, strict=True)
        ],
        batch_size=batch,
    )
    forums = [
        Forum.objects.create(organisation=org, name=f"{org.short_name} forum", slug=f"bench-{org.pk}") for org in ahsns
    ]
    members: list[ForumMember] = []
    for forum in forums:
        group = by_org[forum.organisation_id][:200]
        members += [
            ForumMember(
                forum=forum, partner=p, role=ForumMember.Role.LAY_CO_CHAIR if i == 0 else ForumMember.Role.MEMBER
            )
            for i, p in enumerate(group)
        ]
        members.append(
            ForumMember(forum=forum, user=staff[forum.organisation_id], role=ForumMember.Role.STAFF_CO_CHAIR)
        )
    ForumMember.objects.bulk_create(members, batch_size=batch)
    meetings = []
    for forum in forums:
        for starts in (now - timedelta(days=4), now + timedelta(hours=30)):
            meetings.append(
                Meeting(
                    forum=forum,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    venue="Innovation Centre",
                    status=Meeting.Status.HELD if starts < now else Meeting.Status.SCHEDULED,
                )
            )
    Meeting.objects.bulk_create(meetings)
    owners = {m.forum_id: m for m in members if m.role == ForumMember.Role.MEMBER}
    Action.objects.bulk_create(
        [
            Action(
                meeting=meeting,
                description=f"Bench action {i}",
                owner=owners[meeting.forum_id],
                due_on=(now - timedelta(days=1 + i % 20)).date(),
            )
            for meeting in meetings
            if meeting.status == Meeting.Status.HELD
            for i in range(100)
        ]
    )
    return {
        "lay partners": len(people),
        "activities": len(activities),
        "participations": len(participations),
        "claims": len(claims),
        "forum members": len(members),
    }


def timed_sweep(now: datetime) -> tuple[float, int, dict[str, int]]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        counts = run_sweeps(now=now)
        seconds = time.perf_counter() - started
    return seconds, len(queries.captured_queries), counts


def main() -> int:
    args = ARGS

    now = timezone.now()
    if args.copy_of and not args.keep:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"A copy of {args.copy_of}, migrated and analysed in {time.perf_counter() - started:.1f} s.")
    elif not args.keep:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        with transaction.atomic():
            sizes = build(partners=args.partners, now=now)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have done on a live database
        print(f"Built in {time.perf_counter() - started:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()))
    else:
        Notification.objects.all().delete()

    seconds, queries, counts = timed_sweep(now)
    created = sum(counts.values())
    print(f"First sweep:  {seconds:6.2f} s, {queries} queries, {created:,} reminders created")
    for kind, count in counts.items():
        print(f"    {kind}: {count:,}")
    seconds_again, queries_again, counts_again = timed_sweep(now)
    print(
        f"Second sweep: {seconds_again:6.2f} s, {queries_again} queries, "
        f"{sum(counts_again.values()):,} created (must be 0)"
    )
    return 0 if sum(counts_again.values()) == 0 and created > 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
