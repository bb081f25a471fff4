"""Invitations go through the notification log (an address, not an account), and lost deliveries
are requeued every minute instead of every 15 (core.delivery says why)."""

from django.db import migrations, models

REQUEUE_TASK = "Requeue lost notifications"


def requeue_every(minutes_from, minutes_to):
    def change(apps, schema_editor):
        IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
        # Only if a network admin has not chosen another interval in the admin.
        task = PeriodicTask.objects.filter(
            name=REQUEUE_TASK, interval__every=minutes_from, interval__period="minutes"
        ).first()
        if task is None:
            return
        task.interval, _ = IntervalSchedule.objects.get_or_create(every=minutes_to, period="minutes")
        task.save(update_fields=["interval"])
        from django.utils import timezone

        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})

    return change


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_reminder_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="email",
            field=models.EmailField(
                blank=True,
                db_default="",
                help_text="For an email to an address rather than a person with an account (an invitation).",
                max_length=254,
            ),
        ),
        migrations.RunPython(requeue_every(15, 1), requeue_every(1, 15)),
    ]
