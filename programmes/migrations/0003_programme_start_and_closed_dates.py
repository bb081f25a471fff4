"""Programmes get the dates the work started and closed, which the quarterly report counts.

Existing programmes start on the earlier of the day they were entered and the day of their
first activity (work was often entered after it began). A closed programme closes on the day
its last activity ended, or, if it had none, the day it was last changed. All in UK time."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import django.utils.timezone
from django.db import migrations, models

LONDON = ZoneInfo("Europe/London")


def _day(value: datetime | None) -> date | None:
    return value.astimezone(LONDON).date() if value is not None else None


def fill_dates(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    rows = Programme.objects.annotate(
        first_activity=models.Min("activities__starts_at"), last_activity=models.Max("activities__ends_at")
    ).values_list("pk", "status", "created_at", "updated_at", "first_activity", "last_activity")
    for pk, status, created_at, updated_at, first_activity, last_activity in rows:
        start = min(d for d in (_day(created_at), _day(first_activity)) if d is not None)
        closed = None
        if status == "closed":
            closed = max(start, _day(last_activity) or _day(updated_at))
        # update() leaves updated_at alone: filling in a date is not a change anyone made.
        Programme.objects.filter(pk=pk).update(start_on=start, closed_on=closed)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0002_strategy_priorities_2021_23"),
        ("involvement", "0003_activity_filter_indexes_with_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="closed_on",
            field=models.DateField(
                blank=True, help_text="Only for a closed programme.", null=True, verbose_name="closed date"
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="start_on",
            field=models.DateField(null=True, verbose_name="start date"),
        ),
        migrations.RunPython(fill_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="programme",
            name="start_on",
            field=models.DateField(default=django.utils.timezone.localdate, verbose_name="start date"),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(
                condition=models.Q(("closed_on__isnull", True), ("closed_on__gte", models.F("start_on")), _connector="OR"),
                name="programme_closes_after_start",
            ),
        ),
    ]
