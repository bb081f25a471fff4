from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from evidence.models import CaseStudy, CaseStudyState, DevelopmentSession, QuoteConsent, SessionAttendance
from involvement.models import Outcome

pytestmark = pytest.mark.django_db


def test_the_demo_has_three_case_studies_one_public_and_is_idempotent(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    states = sorted(CaseStudy.objects.values_list("state", flat=True))
    assert states == sorted([CaseStudyState.DRAFT, CaseStudyState.SHARED, CaseStudyState.PUBLISHED])
    published = CaseStudy.objects.get(state=CaseStudyState.PUBLISHED)
    assert published.activity_count >= 1
    assert not published.quotes.exclude(consent=QuoteConsent.AGREED).exists()
    assert Outcome.objects.filter(public=True, organisation__short_name="Wessex").exists()
    assert DevelopmentSession.objects.count() == 3  # idempotent: found by title the second time
    assert SessionAttendance.objects.filter(partner__isnull=False).exists()
    assert SessionAttendance.objects.filter(user__isnull=False).exists()
