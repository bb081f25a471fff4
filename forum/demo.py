"""Demo data for `manage.py seed_demo`: the network forum with its two co-chairs, members from both
demo AHSNs, a year of meetings with published notes, actions and decisions, one meeting whose notes
wait for approval and one meeting coming up. Idempotent: a second run creates nothing new."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_password, ensure_user
from accounts.models import Organisation, User
from core.choices import ActivityFormat
from forum import services
from forum.models import (
    Action,
    AgendaItem,
    Decision,
    Forum,
    ForumMember,
    Meeting,
    MeetingNotes,
    NotesApproval,
)
from partners.models import ConsentRecord, LayPartner, PartnerLink

NETWORK_FORUM_SLUG = "involvement-and-co-production-forum"
DEMO_LAY_CO_CHAIR_EMAIL = "partner1@demo.ahsn.test"

MEETINGS = [
    # (days ago, title, notes, decisions [(what, why)], actions [(description, owner key, due in days, status)])
    (
        330,
        "Payment for involvement",
        "## Welcome\n\nThe co-chairs welcomed two new lay partners from Yorkshire and Humber.\n\n"
        "## Payment for involvement\n\nMembers said claim forms were hard to fill in on a phone. "
        "Staff showed the new online claim.\n\n## Next steps\n\n* Test the claim pages with members\n"
        "* Share the easy read guide",
        [("Test the online claim with five lay partners before it goes live", "Members asked to try it first.")],
        [("Arrange testing sessions for the online claim", "secretariat", 30, Action.Status.DONE)],
    ),
    (
        240,
        "Reaching seldom-heard voices",
        "## Strategy update\n\nThe head of involvement shared progress against the strategy's priorities.\n\n"
        "## Seldom-heard voices\n\nMembers asked how AHSNs reach people who do not use the internet.",
        [
            (
                "Every AHSN will offer a phone and post route to take part",
                "Members said online-only invitations leave people out.",
            )
        ],
        [
            ("Write to each AHSN lead about phone and post routes", "staff_chair", 45, Action.Status.DONE),
            ("Collect examples of paper-based involvement", "lay_member", 60, Action.Status.IN_PROGRESS),
        ],
    ),
    (
        150,
        "Terms of reference",
        "## Forum terms of reference\n\nThe forum reviewed its terms of reference and agreed the co-chair model.\n\n"
        "## Training\n\nLay partners asked for training on reading research papers.",
        [
            (
                "Keep one staff and one lay co-chair, each for two years",
                "Shared leadership was the forum's strongest feature in the review.",
            ),
            ("Run a training session on reading research", "Lay partners asked for it."),
        ],
        [
            ("Book a trainer for the research session", "secretariat", 20, Action.Status.OPEN),
            ("Update the terms of reference", "staff_chair", 40, Action.Status.DONE),
        ],
    ),
    (
        60,
        "You said, we did",
        "## You said, we did\n\nEach AHSN reported one change made because of what lay partners said.\n\n"
        "## Annual report\n\nThe forum agreed what to include in its annual report.",
        [("Publish an annual report written with lay partners", "Openness about what changed and why.")],
        [
            ("Draft the annual report", "lay_chair", 45, Action.Status.OPEN),
            ("Share 'you said, we did' examples on the website", "staff_chair", 30, Action.Status.OPEN),
        ],
    ),
]


def _at(days_ago: int, hour: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _lay_partners(context: dict[str, Any], network: Organisation, orgs: dict[str, Organisation]) -> list[LayPartner]:
    """Partners with a login from the partners demo; if it made none, two of our own."""
    partners = list(
        LayPartner.objects.filter(user__isnull=False, anonymised=False, left_at__isnull=True).order_by("user__email")[
            :6
        ]
    )
    preferred = [p for p in partners if p.user and p.user.email == DEMO_LAY_CO_CHAIR_EMAIL]
    partners = preferred + [p for p in partners if p not in preferred]
    if partners:
        return partners

    made = []
    for email, name, org in (
        ("forum.lay1@demo.ahsn.test", "Margaret Holt", "Wessex"),
        ("forum.lay2@demo.ahsn.test", "Imran Akhtar", "Y&H AHSN"),
    ):
        user, _ = ensure_user(email, name, password=demo_password())
        partner, _ = LayPartner.objects.get_or_create(user=user, defaults={"full_name": name, "email": email})
        PartnerLink.objects.get_or_create(
            partner=partner, organisation=orgs[org], defaults={"joined_on": dt.date(2024, 4, 1)}
        )
        if not ConsentRecord.objects.filter(partner=partner, kind=ConsentRecord.Kind.NAMED_IN_NOTES).exists():
            ConsentRecord.objects.create(
                partner=partner,
                kind=ConsentRecord.Kind.NAMED_IN_NOTES,
                given=email.endswith("lay1@demo.ahsn.test"),
                privacy_notice_version="demo",
            )
        made.append(partner)
    return made


def _member(forum: Forum, *, role: str, user: User | None = None, partner: LayPartner | None = None) -> ForumMember:
    lookup: dict[str, Any] = {"forum": forum, "left_on__isnull": True}
    lookup["user" if user is not None else "partner"] = user or partner
    member = ForumMember.objects.filter(**lookup).first()
    if member is None:
        member = ForumMember.objects.create(
            forum=forum, user=user, partner=partner, role=role, joined_on=timezone.localdate() - dt.timedelta(days=400)
        )
    if partner is not None:
        PartnerLink.objects.get_or_create(
            partner=partner, organisation=forum.organisation, defaults={"joined_on": dt.date(2024, 4, 1)}
        )
    return member


@transaction.atomic
def seed(out: Any, context: dict[str, Any]) -> dict[str, Any]:
    users: dict[str, User] = context.get("users", {})
    orgs: dict[str, Organisation] = context.get("organisations", {}) or {
        o.short_name: o for o in Organisation.objects.all()
    }
    network = orgs.get("Network") or Organisation.objects.get(short_name="Network")
    admin = users.get("admin") or User.objects.get(email="admin@demo.ahsn.test")
    forum, created = Forum.objects.get_or_create(
        slug=NETWORK_FORUM_SLUG,
        defaults={
            "organisation": network,
            "name": "Involvement and Co-production Forum",
            "description": "The AHSN Network's forum for strategy, information exchange, operational issues and "
            "planning. Co-chaired by a member of staff and a lay partner.",
            "is_public": True,
        },
    )
    partners = _lay_partners(context, network, orgs)
    members: dict[str, ForumMember] = {
        "staff_chair": _member(forum, role=ForumMember.Role.STAFF_CO_CHAIR, user=users.get("lead.wessex")),
        "secretariat": _member(forum, role=ForumMember.Role.SECRETARIAT, user=admin),
        "lay_chair": _member(forum, role=ForumMember.Role.LAY_CO_CHAIR, partner=partners[0]),
    }
    for key in ("lead.yorkshire", "staff.yorkshire", "staff.wessex"):
        if key in users:
            _member(forum, role=ForumMember.Role.MEMBER, user=users[key])
    for partner in partners[1:]:
        members.setdefault("lay_member", _member(forum, role=ForumMember.Role.MEMBER, partner=partner))
    members.setdefault("lay_member", members["lay_chair"])

    new_meetings = 0
    if not Meeting.objects.filter(forum=forum).exists():
        everyone = list(ForumMember.objects.filter(forum=forum, left_on__isnull=True))
        for days_ago, title, body, decisions, actions in MEETINGS:
            meeting = _held_meeting(forum, admin, everyone, days_ago, title)
            notes = MeetingNotes.objects.create(
                meeting=meeting,
                body_markdown=body,
                status=MeetingNotes.Status.PUBLISHED,
                published_at=meeting.starts_at + dt.timedelta(days=5 + days_ago % 9),
                published_version=1,
                published_body_markdown=body,
                updated_by=admin,
            )
            for chair in ("staff_chair", "lay_chair"):
                NotesApproval.objects.create(notes=notes, member=members[chair], version=1)
            for what, why in decisions:
                Decision.objects.create(meeting=meeting, what=what, why=why)
            for description, owner, due_in, status in actions:
                Action.objects.create(
                    meeting=meeting,
                    description=description,
                    owner=members[owner],
                    due_on=timezone.localdate(meeting.starts_at) + dt.timedelta(days=due_in),
                    status=status,
                )
            new_meetings += 1
        # Held ten days ago; the staff co-chair has approved, the lay co-chair has not yet.
        meeting = _held_meeting(forum, admin, everyone, 10, "Falls prevention co-design")
        notes = MeetingNotes.objects.create(
            meeting=meeting,
            body_markdown="## Welcome\n\nThe forum heard from the Patient Safety Collaborative about "
            "co-designing a falls prevention leaflet with care home residents.",
            status=MeetingNotes.Status.AWAITING_APPROVAL,
            updated_by=admin,
        )
        NotesApproval.objects.create(notes=notes, member=members["staff_chair"], version=1)
        Decision.objects.create(
            meeting=meeting,
            what="Co-design the falls leaflet with residents of two care homes",
            why="Residents know what would make them read it.",
        )
        Action.objects.create(
            meeting=meeting,
            description="Ask two care homes to take part",
            owner=members["staff_chair"],
            due_on=timezone.localdate() + dt.timedelta(days=21),
        )
        upcoming = Meeting.objects.create(
            forum=forum,
            title="Annual report",
            starts_at=_at(-30, 10),
            ends_at=_at(-30, 13),
            format=ActivityFormat.HYBRID,
            venue="The Studio, 7 Cannon Street, Birmingham B2 5EP",
            access_information="Step-free entrance and lift. Hearing loop in the main room. "
            "Quiet room available. Five minutes' walk from New Street station.",
            joining_link="https://meet.example.org/network-forum",
        )
        for order, (item, presenter) in enumerate(
            [
                ("Welcome and apologies", "Co-chairs"),
                ("Annual report draft", "Lay co-chair"),
                ("Any other business", ""),
            ],
            start=1,
        ):
            AgendaItem.objects.create(meeting=upcoming, order=order, title=item, presenter=presenter, minutes=20)
        new_meetings += 2
    out.write(
        f"Forum: {forum.name} ({'new' if created else 'already there'}), "
        f"{ForumMember.objects.filter(forum=forum, left_on__isnull=True).count()} members, {new_meetings} new meetings"
    )
    return {"forums": {"network": forum}}


def _held_meeting(forum: Forum, actor: User, everyone: list[ForumMember], days_ago: int, title: str) -> Meeting:
    meeting = Meeting.objects.create(
        forum=forum,
        title=title,
        starts_at=_at(days_ago, 10),
        ends_at=_at(days_ago, 12) + dt.timedelta(minutes=30),
        format=ActivityFormat.ONLINE,
        joining_link="https://meet.example.org/network-forum",
    )
    meeting.forum = forum
    # Everyone but one came; lay members' attendance becomes claimable participation.
    rows = [(member, index != 1, None) for index, member in enumerate(everyone)]
    services.attendance_record(actor=actor, meeting=meeting, rows=rows)
    meeting.refresh_from_db()
    return meeting
