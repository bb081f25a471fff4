from __future__ import annotations

import io

import pytest

from accounts import demo as accounts_demo
from forum import demo
from forum.models import Forum, ForumMember, Meeting, MeetingNotes
from involvement.models import Participation

pytestmark = pytest.mark.django_db


def _run() -> dict:
    out = io.StringIO()
    context = accounts_demo.seed(out)
    context.update(demo.seed(out, context))
    return context


def test_seed_demo_makes_the_network_forum_and_is_idempotent(client):
    _run()
    forum = Forum.objects.get(slug=demo.NETWORK_FORUM_SLUG)
    assert forum.organisation.short_name == "Network" and forum.is_public
    roles = set(ForumMember.objects.filter(forum=forum).values_list("role", flat=True))
    assert {ForumMember.Role.STAFF_CO_CHAIR, ForumMember.Role.LAY_CO_CHAIR} <= roles
    orgs = set(
        ForumMember.objects.filter(forum=forum, user__isnull=False).values_list(
            "user__memberships__organisation__short_name", flat=True
        )
    )
    assert {"Wessex", "Y&H AHSN"} <= orgs
    notes = MeetingNotes.objects.filter(meeting__forum=forum)
    assert notes.filter(status=MeetingNotes.Status.PUBLISHED).count() == 4
    assert notes.filter(status=MeetingNotes.Status.AWAITING_APPROVAL).count() == 1
    assert Participation.objects.filter(activity__forum_meeting__forum=forum, attended=True).exists()
    counts = (Meeting.objects.count(), ForumMember.objects.count(), Participation.objects.count())
    _run()
    assert (Meeting.objects.count(), ForumMember.objects.count(), Participation.objects.count()) == counts
    assert client.get(f"/forums/public/{forum.slug}/").status_code == 200


def test_the_demo_forums_published_notes_can_be_read_on_the_public_page(client):
    _run()
    forum = Forum.objects.get(slug=demo.NETWORK_FORUM_SLUG)
    notes = MeetingNotes.objects.filter(meeting__forum=forum, status=MeetingNotes.Status.PUBLISHED).first()
    page = client.get(f"/forums/public/{forum.slug}/meetings/{notes.meeting_id}/").content.decode()
    assert notes.body_markdown.splitlines()[-1].lstrip("* ") in page
