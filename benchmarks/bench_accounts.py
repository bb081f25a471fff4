"""Make a bench database reachable by people who sign in, as the page benchmark needs them.

    DATABASE_URL=postgres://…/ahsn_bench python benchmarks/bench_accounts.py

On the first AHSN: an involvement lead and a finance officer; on the network: a network admin; a
lay partner with a login and at least a hundred participations; a programme with up to 3,000
activities; an activity with up to 1,000 participants. Staff sign in with the demo TOTP secret.
Safe to run again: it only adds what is missing. Prints the ids the benchmark requests, as JSON."""

from __future__ import annotations

import json
import os
import sys
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

from accounts.demo import ensure_totp, ensure_user  # noqa: E402
from accounts.models import Membership, Organisation, Role  # noqa: E402
from forum.models import Forum  # noqa: E402
from involvement.models import Activity, ActivityStatus, Participation  # noqa: E402
from partners.models import LayPartner, PartnerLink  # noqa: E402
from payments.models import Claim  # noqa: E402
from programmes.models import Programme  # noqa: E402
from reports.models import QuarterlyReport  # noqa: E402

PASSWORD = "bench-password-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
BIG_PROGRAMME_ACTIVITIES = 3_000
BIG_ACTIVITY_PARTICIPANTS = 1_000
PARTNER_PARTICIPATIONS = 100


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
        moved = False  # rows moved here change the distributions the planner works from
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
            cursor.execute("ANALYZE involvement_activity, involvement_participation")
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
