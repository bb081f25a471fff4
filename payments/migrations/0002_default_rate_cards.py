"""Default rates for every organisation, so claims work from day one. Leads change them later
by adding a new rate card with a later effective-from date (this one is kept)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

EFFECTIVE_FROM = date(2021, 4, 1)
# category: (receipt always needed, receipt needed only over this amount, cap per line)
RULES = {
    "mileage": (False, None, Decimal("200.00")),
    "public_transport": (True, Decimal("10.00"), Decimal("150.00")),
    "taxi": (True, None, Decimal("100.00")),
    "parking": (True, Decimal("5.00"), Decimal("30.00")),
    "carer": (True, None, Decimal("250.00")),
    "subsistence": (True, None, Decimal("25.00")),
    "data": (False, None, Decimal("20.00")),
    "other": (True, None, Decimal("100.00")),
}


def add_default_cards(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    RateCard = apps.get_model("payments", "RateCard")
    ExpenseRule = apps.get_model("payments", "ExpenseRule")
    for organisation in Organisation.objects.all():
        card, created = RateCard.objects.get_or_create(
            organisation=organisation,
            effective_from=EFFECTIVE_FROM,
            defaults={
                "hourly_rate": Decimal("25.00"),
                "half_day_rate": Decimal("75.00"),
                "half_day_hours": Decimal("3.5"),
                "full_day_rate": Decimal("150.00"),
                "full_day_hours": Decimal("7"),
                "mileage_rate_per_mile": Decimal("0.45"),
                "claim_deadline_days": 90,
            },
        )
        if created:
            for category, (required, over, cap) in RULES.items():
                ExpenseRule.objects.create(
                    rate_card=card, category=category, receipt_required=required, receipt_required_over=over, cap=cap
                )


def remove_default_cards(apps, schema_editor):
    RateCard = apps.get_model("payments", "RateCard")
    RateCard.objects.filter(effective_from=EFFECTIVE_FROM, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("accounts", "0002_organisations"),
    ]

    operations = [migrations.RunPython(add_default_cards, remove_default_cards)]
