"""The header navigation: each app registers its entries (core.navigation); the order people see
is the one they saw before the registry, and a URL name that does not exist fails loudly."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from accounts.models import Role
from core import navigation, people
from core.context_processors import portal
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.partners.factories import partner_with_login

pytestmark = pytest.mark.django_db

EVERYONE_AFTER = ["Notifications", "My account"]


def labels(user) -> list[str]:
    return [label for label, _ in navigation.nav_entries_for(user)]


def test_network_admin_sees_every_staff_entry_in_order(wessex) -> None:
    admin = MembershipFactory(organisation=wessex, role=Role.NETWORK_ADMIN).user
    assert labels(admin) == [
        "Home",
        "Programmes",
        "Activities",
        "Lay partners",
        "Forums",
        "Claims",
        "Reports",
        "Team",
        "Audit log",
        "Service status",
        *EVERYONE_AFTER,
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.STAFF, ["Home", "Programmes", "Activities", "Lay partners", "Forums", "Team"]),
        (Role.FINANCE, ["Home", "Claims", "Team"]),
        (
            Role.INVOLVEMENT_LEAD,
            ["Home", "Programmes", "Activities", "Lay partners", "Forums", "Claims", "Reports", "Team", "Audit log"],
        ),
    ],
)
def test_staff_entries_follow_the_role(wessex, role, expected) -> None:
    user = MembershipFactory(organisation=wessex, role=role).user
    assert labels(user) == [*expected, *EVERYONE_AFTER]


def test_lay_partner_sees_their_own_area(wessex) -> None:
    partner = partner_with_login(wessex)
    assert people.is_lay_partner(partner.user)
    assert navigation.nav_entries_for(partner.user) == [
        ("Home", "core:dashboard"),
        ("Opportunities", "opportunities:list"),
        ("What I've been part of", "involvement:my_involvement"),
        ("My payments", "payments:my_money"),
        ("Forums", "forum:my_forums"),
        ("My details", "partners:my_profile"),
        ("Notifications", "core:notification_list"),
        ("My account", "accounts:my_account"),
    ]


def test_lay_partner_who_is_also_staff_sees_the_staff_entries(wessex) -> None:
    partner = partner_with_login(wessex)
    MembershipFactory(user=partner.user, organisation=wessex, role=Role.FINANCE)
    assert labels(partner.user) == ["Home", "Claims", "Team", *EVERYONE_AFTER]


def test_someone_with_no_role_and_no_partner_record(db) -> None:
    assert labels(UserFactory()) == ["Home", *EVERYONE_AFTER]


def test_context_processor_links_and_marks_the_current_page(wessex) -> None:
    user = MembershipFactory(organisation=wessex, role=Role.FINANCE).user
    request = RequestFactory().get(reverse("payments:claim_queue"))
    request.user = user
    items = portal(request)["nav_items"]
    assert [(item.label, item.url) for item in items][:2] == [
        ("Home", reverse("core:dashboard")),
        ("Claims", reverse("payments:claim_queue")),
    ]
    assert [item.label for item in items if item.active] == ["Claims"]


def test_an_entry_whose_url_does_not_exist_fails_instead_of_vanishing(monkeypatch) -> None:
    monkeypatch.setattr("core.context_processors.nav_entries_for", lambda user: [("Renamed", "core:no_such_page")])
    request = RequestFactory().get("/")
    request.user = UserFactory()
    with pytest.raises(NoReverseMatch):
        portal(request)


def test_equal_orders_keep_the_order_of_registration(monkeypatch) -> None:
    monkeypatch.setattr(navigation, "_entries", [])
    navigation.register(
        navigation.NavEntry("B", "b", order=10),
        navigation.NavEntry("A", "a", order=10),
        navigation.NavEntry("First", "f", order=1),
    )
    navigation.register(navigation.NavEntry("B", "b", order=10))  # the same entry twice: once
    assert labels(UserFactory()) == ["First", "B", "A"]


def test_entries_are_chosen_by_role_only_for_staff() -> None:
    with pytest.raises(ValueError, match="Only staff entries"):
        navigation.NavEntry("X", "x", order=1, audience=navigation.PARTNER, roles=frozenset({Role.STAFF}))
