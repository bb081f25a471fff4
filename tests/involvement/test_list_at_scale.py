"""The activity list whatever the data size: a capped count, and a programme search box when the
viewer can see more programmes than a menu should hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core import paginator
from programmes import lookups
from tests.conftest import client_for
from tests.core.factories import activity
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_the_count_stops_at_the_cap(lead, wessex, monkeypatch) -> None:
    for days in range(3):
        activity(wessex, starts_at=timezone.now() - timedelta(days=days + 1))
    monkeypatch.setattr(paginator, "CAP", 2)
    assert "More than 2 activities" in client_for(lead).get("/involvement/activities/").content.decode()
    monkeypatch.setattr(paginator, "CAP", 10)
    assert "3 activities" in client_for(lead).get("/involvement/activities/").content.decode()


def test_many_programmes_are_found_by_typing_part_of_a_name(lead, wessex, monkeypatch) -> None:
    monkeypatch.setattr(lookups, "MAX_OPTIONS", 1)
    asthma = ProgrammeFactory(organisation=wessex, name="Asthma in schools")
    heart = ProgrammeFactory(organisation=wessex, name="Heart failure at home")
    when = timezone.now() - timedelta(days=2)
    activity(wessex, starts_at=when, programme=asthma, title="Inhaler technique workshop")
    activity(wessex, starts_at=when, programme=heart, title="Home monitoring focus group")
    client = client_for(lead)
    page = client.get("/involvement/activities/").content.decode()
    assert '<select name="programme"' not in page
    found = client.get("/involvement/activities/?programme=asthma").content.decode()
    assert "Inhaler technique workshop" in found and "Home monitoring focus group" not in found
    by_number = client.get(f"/involvement/activities/?programme={heart.pk}").content.decode()
    assert "Home monitoring focus group" in by_number and "Inhaler technique workshop" not in by_number
