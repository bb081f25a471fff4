"""A lay member's attendance at a forum meeting becomes a claimable participation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.choices import InvolvementMethod, LadderLevel
from forum import services
from forum.models import ForumMember
from involvement.models import Participation
from partners.models import PartnerLink
from payments.selectors import claimable_participations
from tests.forum.conftest import login_user
from tests.forum.factories import ForumFactory, MeetingFactory, lay_partner_with_login

pytestmark = pytest.mark.django_db


def test_lay_member_who_attended_can_claim_without_re_keying(secretariat_client, setup):
    start = timezone.now() - dt.timedelta(days=1)
    meeting = MeetingFactory(forum=setup.forum, starts_at=start, ends_at=start + dt.timedelta(minutes=130))
    response = secretariat_client.post(
        f"/forums/meetings/{meeting.pk}/attendance/",
        {
            f"attended_{setup.lay_member.pk}": "on",
            f"hours_{setup.lay_member.pk}": "",  # left empty: the meeting's length is used
            f"attended_{setup.lay_chair.pk}": "on",
            f"hours_{setup.lay_chair.pk}": "1.5",
            f"attended_{setup.staff_chair.pk}": "on",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    activity = meeting.activity
    assert activity is not None
    assert (activity.method, activity.level) == (InvolvementMethod.FORUM_MEETING, LadderLevel.CO_PRODUCTION)
    assert activity.organisation_id == setup.forum.organisation_id
    hours = dict(Participation.objects.filter(activity=activity).values_list("partner_id", "hours"))
    # 2h10m rounds to 2.25 hours (nearest quarter hour); the recorder's 1.5 is kept.
    assert hours == {setup.lay_member.partner_id: Decimal("2.25"), setup.lay_chair.partner_id: Decimal("1.50")}
    assert claimable_participations(partner=setup.lay_member.partner).filter(activity=activity).exists()


def test_changing_attendance_updates_the_participation(setup):
    meeting = MeetingFactory(forum=setup.forum)
    actor = login_user(setup.secretariat)
    services.attendance_record(actor=actor, meeting=meeting, rows=[(setup.lay_member, True, None)])
    meeting.refresh_from_db()
    services.attendance_record(actor=actor, meeting=meeting, rows=[(setup.lay_member, False, None)])
    participation = Participation.objects.get(activity=meeting.activity, partner=setup.lay_member.partner)
    assert participation.attended is False and participation.hours is None
    assert not claimable_participations(partner=setup.lay_member.partner).exists()


def test_no_activity_when_no_lay_member_attended(setup):
    meeting = MeetingFactory(forum=setup.forum)
    services.attendance_record(
        actor=login_user(setup.secretariat), meeting=meeting, rows=[(setup.staff_chair, True, None)]
    )
    meeting.refresh_from_db()
    assert meeting.activity is None


def test_network_forum_attendance_is_claimable_from_the_network(network, network_admin):
    forum = ForumFactory(organisation=network, slug="network-forum")
    partner = lay_partner_with_login(org_short="Wessex")
    member = services.member_add(actor=network_admin, forum=forum, partner=partner, role=ForumMember.Role.MEMBER)
    assert PartnerLink.objects.filter(partner=partner, organisation=network).exists()
    meeting = MeetingFactory(forum=forum)
    services.attendance_record(actor=network_admin, meeting=meeting, rows=[(member, True, None)])
    meeting.refresh_from_db()
    assert meeting.activity.organisation == network
    assert claimable_participations(partner=partner).filter(activity=meeting.activity).exists()
