from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from involvement import demo as involvement_demo
from involvement.models import Activity, ActivityStatus, Feedback, Outcome, OutcomeStatusChange, Participation
from partners import demo as partners_demo
from programmes import demo as programmes_demo

pytestmark = pytest.mark.django_db


def _seed():
    out = io.StringIO()
    context = dict(accounts_demo.seed(out))
    context.update(partners_demo.seed(out, context) or {})
    context.update(programmes_demo.seed(out, context))
    context.update(involvement_demo.seed(out, context))
    return context


def test_demo_has_a_year_of_activities_and_is_idempotent():
    _seed()
    counts = (
        Activity.objects.count(),
        Participation.objects.count(),
        Outcome.objects.count(),
        Feedback.objects.count(),
    )
    _seed()
    assert (
        Activity.objects.count(),
        Participation.objects.count(),
        Outcome.objects.count(),
        Feedback.objects.count(),
    ) == counts
    now = timezone.now()
    assert Activity.objects.filter(starts_at__lt=now - timedelta(days=300)).exists()
    assert Activity.objects.filter(starts_at__gt=now, status=ActivityStatus.PLANNED).exists()
    assert Activity.objects.filter(status=ActivityStatus.CANCELLED).count() == 1
    assert {a.organisation.short_name for a in Activity.objects.select_related("organisation")} == {
        "Wessex",
        "Y&H AHSN",
    }
    assert Activity.objects.filter(
        organisation__short_name="Y&H AHSN", programme__organisation__short_name="Wessex"
    ).exists()
    recent = Participation.objects.claimable().filter(activity__ends_at__gte=now - timedelta(days=30))
    assert recent.exists(), "the payments demo needs recent attended participations to claim"
    assert Outcome.objects.filter(status="not_taken_forward").exclude(reason="").exists()
    # Every outcome has a history that ends where it stands, and some moved on more than once.
    assert not Outcome.objects.filter(status_changes__isnull=True).exists()
    for outcome in Outcome.objects.prefetch_related("status_changes"):
        steps = sorted(outcome.status_changes.all(), key=lambda s: (s.changed_on, s.pk))
        assert steps[-1].to_status == outcome.status
    assert OutcomeStatusChange.objects.filter(to_status="changed", from_status="in_progress").exists()
    assert Feedback.objects.exists()
