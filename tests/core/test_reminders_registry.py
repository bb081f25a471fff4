"""The reminder sweep registry: each app registers its own sweeps (core.reminders.base.sweep)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

from core.reminders import available_kinds, base


def test_each_app_registers_its_own_sweeps_in_installed_apps_order() -> None:
    assert [(item.kind, item.collect.__module__) for item in base.SWEEPS] == [
        ("reminders.activity_upcoming", "involvement.reminders"),
        ("reminders.outcome_missing", "involvement.reminders"),
        ("reminders.meeting_upcoming", "forum.reminders"),
        ("reminders.notes_unpublished", "forum.reminders"),
        ("reminders.action_overdue", "forum.reminders"),
        ("reminders.unclaimed", "payments.reminders"),
        ("reminders.claim_deadline", "payments.reminders"),
        ("reminders.claims_awaiting_approval", "payments.reminders"),
        ("reminders.claims_awaiting_payment", "payments.reminders"),
        ("opportunities.new", "opportunities.reminders"),
    ]
    assert [kind for kind, _ in available_kinds()] == [item.kind for item in base.SWEEPS]


def test_a_second_sweep_for_the_same_kind_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(base, "SWEEPS", list(base.SWEEPS))

    def another(now, settings):
        return []

    with pytest.raises(ImproperlyConfigured, match=r"reminders\.unclaimed"):
        base.sweep("reminders.unclaimed", "Someone else's idea of unclaimed")(another)


def test_importing_a_sweep_module_twice_registers_it_once(monkeypatch) -> None:
    monkeypatch.setattr(base, "SWEEPS", list(base.SWEEPS))
    first = next(item for item in base.SWEEPS if item.kind == "reminders.unclaimed")
    base.sweep("reminders.unclaimed", first.label)(first.collect)
    assert [item.kind for item in base.SWEEPS].count("reminders.unclaimed") == 1


def test_a_reminder_link_to_a_missing_page_fails() -> None:
    assert base.url_for("involvement:outcome_create", 7) == reverse("involvement:outcome_create", args=[7])
    with pytest.raises(NoReverseMatch):
        base.url_for("payments:no_such_page")
