"""A lay partner's one-page record of involvement and learning (PDF), for them alone."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from involvement.models import Participation
from tests.conftest import client_for
from tests.evidence.factories import DevelopmentSessionFactory, SessionAttendanceFactory
from tests.involvement.factories import ActivityFactory, LayPartnerFactory

pytestmark = pytest.mark.django_db


def _text(response) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(response.content))
    return len(reader.pages), " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _took_part(partner, title, *, days_ago, hours="2", role="Panel member", method="workshop", attended=True, **kw):
    start = timezone.now() - timedelta(days=days_ago)
    activity = ActivityFactory(title=title, starts_at=start, ends_at=start + timedelta(hours=3), method=method, **kw)
    return Participation.objects.create(
        activity=activity, partner=partner, role=role, attended=attended, hours=Decimal(hours) if attended else None
    )


def test_the_record_lists_activities_roles_hours_and_training(priya, priya_client):
    _took_part(priya, "Stroke pathway workshop", days_ago=40, hours="2.5", role="Co-facilitator")
    _took_part(priya, "Chairing skills course", days_ago=20, hours="3", method="training", role="Learner")
    _took_part(priya, "Missed session", days_ago=10, attended=False)
    _took_part(priya, "Cancelled session", days_ago=5, status="cancelled", cancellation_reason="Too few people")
    # Training comes from learning and development sessions, not from an activity's method.
    briefing = DevelopmentSessionFactory(title="Safeguarding briefing", kind="briefing", date=timezone.localdate())
    SessionAttendanceFactory(session=briefing, partner=priya)
    SessionAttendanceFactory(
        session=DevelopmentSessionFactory(title="Next month's course", date=timezone.localdate() + timedelta(days=30)),
        partner=priya,
    )
    SessionAttendanceFactory(session=DevelopmentSessionFactory(title="Someone else's course"))
    response = priya_client.get(reverse("evidence:my_record"))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pages, text = _text(response)
    assert pages == 1
    assert "Priya Shah" in text
    assert "Stroke pathway workshop" in text and "Chairing skills course" in text
    assert "Missed session" not in text and "Cancelled session" not in text
    assert "Co-facilitator" in text and "Learner" in text
    assert "5.5 hours" in text
    assert "1 training and development session" in text
    assert "Safeguarding briefing (briefing)" in text
    assert "Next month" not in text and "Someone else" not in text


def test_a_long_record_still_fits_on_one_page(priya, priya_client):
    for n in range(120):
        _took_part(priya, f"Advisory group meeting {n}", days_ago=n + 1)
    pages, text = _text(priya_client.get(reverse("evidence:my_record")))
    assert pages == 1
    assert "120 activities" in text and "240 hours" in text


def test_only_a_partner_has_a_record_and_only_their_own(priya, staff_client, client):
    other = LayPartnerFactory(full_name="Someone Else")
    _took_part(other, "Their private workshop", days_ago=3)
    _, text = _text(client_for(priya.user).get(reverse("evidence:my_record")))
    assert "Someone Else" not in text and "Their private workshop" not in text
    assert staff_client.get(reverse("evidence:my_record")).status_code == 404
    assert client.get(reverse("evidence:my_record")).status_code == 302
