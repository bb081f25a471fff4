"""The staff activity page's feedback (a prepared query) says what `feedback_summary` says of the
same rows: the averages, the ten latest comments, and a name only where the partner chose one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from involvement import selectors
from involvement.models import Feedback
from tests.involvement.factories import ActivityFactory, ParticipationFactory
from tests.partners.factories import LayPartnerFactory

pytestmark = pytest.mark.django_db


def test_the_activity_pages_feedback_is_the_summary_of_its_feedback(wessex):
    activity = ActivityFactory(organisation=wessex)
    elsewhere = ActivityFactory(organisation=wessex)
    now = timezone.now()
    for n in range(12):
        partner = LayPartnerFactory(full_name=f"Person {n}", preferred_name="Sam" if n == 3 else "")
        Feedback.objects.create(
            participation=ParticipationFactory(activity=activity, partner=partner, attended=True),
            listened_to=1 + n % 5,
            role_clear=5,
            support_right=4,
            take_part_again=2 + n % 3,
            comments="" if n == 0 else f"Comment <{n}>",
            may_use_name=n % 2 == 1,
            submitted_at=now - timedelta(hours=n),
        )
    Feedback.objects.create(
        participation=ParticipationFactory(activity=elsewhere, attended=True),
        listened_to=5,
        role_clear=5,
        support_right=5,
        take_part_again=5,
        comments="Not this one",
        submitted_at=now,
    )
    prepared = selectors.activity_feedback(activity)
    assert prepared == selectors.feedback_summary(Feedback.objects.filter(participation__activity=activity))
    assert prepared["count"] == 12 and len(prepared["comments"]) == 10
    names = [c["name"] for c in prepared["comments"]]
    assert names[:3] == ["Person 1", "", "Sam"]  # the newest first; named only when they chose to be


def test_an_activity_with_no_feedback(wessex):
    summary = selectors.activity_feedback(ActivityFactory(organisation=wessex))
    assert summary["count"] == 0 and summary["comments"] == []
    assert [s["average"] for s in summary["scores"]] == [None] * 4
