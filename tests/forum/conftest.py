"""A Wessex forum with its two co-chairs, a secretariat and members, and clients for each of them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import Role, User
from forum.models import Forum, ForumMember
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.conftest import client_for
from tests.forum.factories import ForumFactory, lay_partner_with_login


@dataclass
class ForumSetup:
    forum: Forum
    staff_chair: ForumMember
    lay_chair: ForumMember
    secretariat: ForumMember
    lay_member: ForumMember


@pytest.fixture
def setup(wessex, lead) -> ForumSetup:
    forum = ForumFactory(organisation=wessex, name="Wessex PCIE group", slug="wessex-pcie", is_public=True)
    staff_chair_user = UserFactory(full_name="Sam Staffchair", email="chair@wessex.example.org")
    MembershipFactory(user=staff_chair_user, organisation=wessex, role=Role.STAFF)
    secretariat_user = UserFactory(full_name="Sol Secretary", email="sec@wessex.example.org")
    MembershipFactory(user=secretariat_user, organisation=wessex, role=Role.STAFF)
    lay_chair_partner = lay_partner_with_login(full_name="Lara Laychair", named=True)
    lay_member_partner = lay_partner_with_login(full_name="Hidden Person", named=False)
    return ForumSetup(
        forum=forum,
        staff_chair=ForumMember.objects.create(
            forum=forum, user=staff_chair_user, role=ForumMember.Role.STAFF_CO_CHAIR
        ),
        lay_chair=ForumMember.objects.create(
            forum=forum, partner=lay_chair_partner, role=ForumMember.Role.LAY_CO_CHAIR
        ),
        secretariat=ForumMember.objects.create(forum=forum, user=secretariat_user, role=ForumMember.Role.SECRETARIAT),
        lay_member=ForumMember.objects.create(forum=forum, partner=lay_member_partner, role=ForumMember.Role.MEMBER),
    )


def login_user(member: ForumMember) -> User:
    return member.user if member.user is not None else member.partner.user  # type: ignore[union-attr,return-value]


@pytest.fixture
def chair_client(setup):
    return client_for(login_user(setup.staff_chair))


@pytest.fixture
def lay_chair_client(setup):
    return client_for(login_user(setup.lay_chair))


@pytest.fixture
def secretariat_client(setup):
    return client_for(login_user(setup.secretariat))


@pytest.fixture
def lay_member_client(setup):
    return client_for(login_user(setup.lay_member))
