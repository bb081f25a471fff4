"""The reminder schedule in django-celery-beat, and the one row of reminder settings.

Network admins can change the times in the admin ("Periodic tasks") and the thresholds under
"Reminder settings". Reversing removes only the rows made here."""

from django.db import migrations

TASKS = [
    # (name, task, interval minutes or None, crontab or None)
    ("Reminder sweeps", "core.tasks.run_reminder_sweeps", 10, None),
    ("Requeue lost notifications", "core.tasks.requeue_stale_notifications", 15, None),
    ("Weekly notification summaries", "core.tasks.send_weekly_digests", None, {"minute": "0", "hour": "8", "day_of_week": "1"}),
]


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    ReminderSettings = apps.get_model("core", "ReminderSettings")
    ReminderSettings.objects.get_or_create(pk=1)
    for name, task, minutes, crontab in TASKS:
        schedule = {}
        if minutes is not None:
            interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
            schedule["interval"] = interval
        else:
            cron, _ = CrontabSchedule.objects.get_or_create(
                **crontab, day_of_month="*", month_of_year="*", timezone="Europe/London"
            )
            schedule["crontab"] = cron
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "enabled": True, **schedule})
    # Tell a running beat that the schedule changed.
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_notification_preferences_reminder_settings"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
