"""Make a bench database reachable by people who sign in, as the page benchmark needs them.

    DATABASE_URL=postgres://…/ahsn_bench python benchmarks/bench_accounts.py

On the first AHSN: an involvement lead and a finance officer; on the network: a network admin; a
lay partner with a login and at least a hundred participations; a programme with up to 3,000
activities; an activity with up to 1,000 participants. Staff sign in with the demo TOTP secret.

Each list the benchmark reads holds more than a page in any data set (`fill_a_page_of_each_list`):
claims waiting for the lead and for finance, partners the search finds, activities since the date
filter's day. The network-sized data has thousands of each; the small set had none or a few, so
its pages were empty and "growth" compared 50 rows with none rather than a big table with a
small one. Safe to run again: it only adds what is missing. Prints the ids the benchmark
requests, as JSON."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahsn_portal.settings.local")

import django  # noqa: E402 - the portal's root must be on the path first

django.setup()

# The models can only be imported once Django is set up.
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.demo import ensure_totp, ensure_user  # noqa: E402
from accounts.models import Membership, Organisation, Role, User  # noqa: E402
from forum.models import Forum  # noqa: E402
from involvement.models import Activity, ActivityStatus, Participation  # noqa: E402
from partners.models import LayPartner, PartnerLink  # noqa: E402
from payments.models import Claim, ClaimLine, ClaimStatus  # noqa: E402
from programmes.models import Programme  # noqa: E402
from reports.models import QuarterlyReport  # noqa: E402

PASSWORD = "bench-password-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
BIG_PROGRAMME_ACTIVITIES = 3_000
BIG_ACTIVITY_PARTICIPANTS = 1_000
PARTNER_PARTICIPATIONS = 100
FULL_PAGE = 60  # more than a page (50) of each list the benchmark reads
BATCH_FORM_ROWS = 200
SEARCH_NAME = "Bench partner 12"  # bench_pages.py searches the directory for this
DATE_FILTER_FROM = datetime(2025, 1, 1, tzinfo=UTC)  # and lists the lead's activities from this day


def fill_a_page_of_each_list(ahsn: Organisation, lead: Any) -> bool:
    """Add to the AHSN what it lacks of a full page of each list; True if anything was added."""
    added = False
    found = LayPartner.objects.filter(full_name__startswith=SEARCH_NAME, links__organisation=ahsn).count()
    for n in range(found, FULL_PAGE):
        partner = LayPartner.objects.create(
            reference=f"LP-F{ahsn.pk:03d}{n:04d}",
            full_name=f"{SEARCH_NAME} page {n:02d}",
            email=f"page{ahsn.pk}-{n}@bench.ahsn.test",
            contact_methods=["email"],
        )
        PartnerLink.objects.create(partner=partner, organisation=ahsn, status="active", joined_on=date(2025, 1, 1))
        added = True
    partners = list(PartnerLink.objects.filter(organisation=ahsn, status="active").values_list("partner_id", flat=True))
    now = timezone.now()
    # Finance's batch form lists up to 200 approved claims (payments.selectors.batch_form_rows).
    for status, wanted in ((ClaimStatus.SUBMITTED, FULL_PAGE), (ClaimStatus.APPROVED, BATCH_FORM_ROWS)):
        have = Claim.objects.filter(organisation=ahsn, status=status, batch__isnull=True).count()
        for n in range(have, wanted):
            sent = now - timedelta(days=n + 1)
            claim = Claim.objects.create(
                organisation=ahsn,
                partner_id=partners[n % len(partners)],
                reference=f"BN-F{status[:3].upper()}{ahsn.pk:03d}{n:04d}",
                status=status,
                payment_choice="pay",
                submitted_at=sent,
                first_submitted_at=sent,
                approved_at=sent + timedelta(hours=2) if status == ClaimStatus.APPROVED else None,
                approved_by=lead if status == ClaimStatus.APPROVED else None,
                created_by=lead,
            )
            ClaimLine.objects.create(claim=claim, kind="mileage", miles=Decimal("20.0"), amount=Decimal("9.00"))
            added = True
    recent = Activity.objects.filter(organisation=ahsn, starts_at__gte=DATE_FILTER_FROM)
    model = Activity.objects.filter(organisation=ahsn).order_by("pk").first()
    for n in range(recent.count(), FULL_PAGE):
        assert model is not None
        starts = DATE_FILTER_FROM + timedelta(days=7 * n, hours=10)
        Activity.objects.create(
            organisation=ahsn,
            title=f"Bench activity page {n:02d}",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            format=model.format,
            method=model.method,
            level=model.level,
            status=ActivityStatus.COMPLETED if starts < now else ActivityStatus.PLANNED,
        )
        added = True
    return added


def prepare() -> dict[str, Any]:
    ahsn = Organisation.objects.filter(kind=Organisation.Kind.AHSN).order_by("pk").first()
    network = Organisation.objects.get(kind=Organisation.Kind.NETWORK)
    assert ahsn is not None
    with transaction.atomic():
        people = {}
        for key, org, role in (
            ("lead", ahsn, Role.INVOLVEMENT_LEAD),
            ("finance", ahsn, Role.FINANCE),
            ("admin", network, Role.NETWORK_ADMIN),
        ):
            user, _ = ensure_user(f"{key}@bench.ahsn.test", f"Bench {key}", password=PASSWORD)
            Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": role})
            ensure_totp(user, TOTP_SECRET)
            people[key] = user.email

        partner_user, _ = ensure_user("partner@bench.ahsn.test", "Bench partner with a login", password=PASSWORD)
        partner = LayPartner.objects.filter(user=partner_user).first()
        if partner is None:
            partner = (
                LayPartner.objects.filter(user__isnull=True, links__organisation=ahsn, links__status="active")
                .order_by("pk")
                .first()
            )
            assert partner is not None
            partner.user = partner_user
            partner.save(update_fields=["user"])
        people["partner"] = partner_user.email
        lead = User.objects.get(email=people["lead"])
        moved = fill_a_page_of_each_list(ahsn, lead)  # rows moved here change the planner's distributions
        have = Participation.objects.filter(partner=partner).count()
        if have < PARTNER_PARTICIPATIONS:
            taken = Participation.objects.filter(partner=partner).values("activity_id")
            activities = (
                Activity.objects.filter(organisation=ahsn, status=ActivityStatus.COMPLETED)
                .exclude(pk__in=taken)
                .order_by("-starts_at")[: PARTNER_PARTICIPATIONS - have]
            )
            Participation.objects.bulk_create(
                Participation(
                    activity=activity,
                    partner=partner,
                    expected_hours=Decimal("2.00"),
                    attended=True,
                    hours=Decimal("2.00"),
                )
                for activity in activities
            )

        programme = (
            Programme.objects.filter(organisation=ahsn).annotate(n=Count("activities")).order_by("-n", "pk").first()
        )
        assert programme is not None
        missing = BIG_PROGRAMME_ACTIVITIES - Activity.objects.filter(programme=programme).count()
        if missing > 0:
            moved = True
            move = Activity.objects.filter(organisation=ahsn).exclude(programme=programme).order_by("pk")[:missing]
            Activity.objects.filter(pk__in=list(move.values_list("pk", flat=True))).update(programme=programme)

        activity = (
            Activity.objects.filter(organisation=ahsn, status=ActivityStatus.COMPLETED)
            .annotate(n=Count("participations"))
            .order_by("-n", "pk")
            .first()
        )
        assert activity is not None
        missing = BIG_ACTIVITY_PARTICIPANTS - Participation.objects.filter(activity=activity).count()
        if missing > 0:
            moved = True
            present = Participation.objects.filter(activity=activity).values("partner_id")
            partner_ids = (
                PartnerLink.objects.filter(organisation=ahsn, status="active")
                .exclude(partner_id__in=present)
                .order_by("partner_id")
                .values_list("partner_id", flat=True)[:missing]
            )
            Participation.objects.bulk_create(
                Participation(
                    activity=activity, partner_id=pk, expected_hours=Decimal("2.00"), attended=True, hours=Decimal("2")
                )
                for pk in partner_ids
            )

    if moved:  # as autovacuum would on a live database, before anything is measured
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE involvement_activity, involvement_participation, payments_claim, payments_claimline,"
                " partners_laypartner, partners_partnerlink"
            )
    claim = Claim.objects.filter(organisation=ahsn, status="submitted").order_by("-pk").first()
    forum = Forum.objects.filter(organisation=ahsn).order_by("pk").first()
    report = QuarterlyReport.objects.filter(status="ready").order_by("-pk").first()
    level = Activity.objects.filter(organisation=ahsn).values_list("level", flat=True).first()
    return {
        "people": people,
        "password": PASSWORD,
        "totp_secret": TOTP_SECRET,
        "organisation": ahsn.pk,
        "programme": programme.pk,
        "activity": activity.pk,
        "claim": claim.pk if claim else None,
        "forum": forum.pk if forum else None,
        "report": report.pk if report else None,
        "level": level,
    }


def main() -> int:
    print(json.dumps(prepare()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
