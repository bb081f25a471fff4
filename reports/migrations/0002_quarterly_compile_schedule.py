"""The quarterly schedule: at 06:00 UK time on weekdays in the first week of January, April,
July and October, beat runs `reports.tasks.compile_quarterly_reports`. The task itself checks
that today is the first working day after the quarter ended (or later) and skips scopes that
already have a scheduled version, so the extra weekdays in that week do nothing."""

from django.db import migrations

TASK_NAME = "Compile quarterly priority-progress reports"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="6",
        day_of_week="1-5",
        day_of_month="1-7",
        month_of_year="1,4,7,10",
        timezone="Europe/London",
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "reports.tasks.compile_quarterly_reports", "crontab": schedule, "enabled": True},
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
