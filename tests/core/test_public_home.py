"""The home page at `/` for a signed-out visitor: what the portal is, how to join, published notes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core import public_home
from core.public_home import PublicItem, PublicSection
from forum.models import MeetingNotes
from tests.conftest import client_for
from tests.forum.factories import ForumFactory, MeetingFactory, NotesFactory
from tests.involvement.factories import LayPartnerFactory

pytestmark = pytest.mark.django_db


def _published(forum, **kwargs):
    notes = NotesFactory(meeting=MeetingFactory(forum=forum, **kwargs), status=MeetingNotes.Status.PUBLISHED)
    MeetingNotes.objects.filter(pk=notes.pk).update(published_at=notes.meeting.starts_at)
    return notes.meeting


def test_signed_out_visitor_sees_what_the_portal_is_how_to_join_and_sign_in(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Help shape health innovation</h1>" in html
    assert f'href="{reverse("partners:join")}"' in html and "Register your interest" in html
    assert f'href="{reverse("account_login")}"' in html


def test_published_notes_of_public_forums_only_with_free_text_escaped(client):
    public = ForumFactory(name="Wessex <script>alert(1)</script> voices", is_public=True)
    shown = _published(public, title="Spring & summer <i>meeting</i>")
    _published(ForumFactory(name="Private steering group", is_public=False), title="Closed meeting")
    NotesFactory(meeting=MeetingFactory(forum=public, title="Draft only"))
    html = client.get("/").content.decode()
    assert "What our forums decided" in html
    assert "Spring &amp; summer &lt;i&gt;meeting&lt;/i&gt;" in html
    assert "Wessex &lt;script&gt;alert(1)&lt;/script&gt; voices" in html
    assert "<script>alert(1)" not in html
    assert reverse("forum:public_meeting", args=[public.slug, shown.pk]) in html
    assert "Closed meeting" not in html and "Draft only" not in html


def test_no_published_notes_no_empty_section(client):
    assert "What our forums decided" not in client.get("/").content.decode()


def test_signed_in_people_still_get_their_own_home(staff_client, wessex):
    page = staff_client.get("/")
    assert page.status_code == 200
    assert "Here is what needs your attention" in page.content.decode()
    partner = LayPartnerFactory()
    assert client_for(partner.user).get("/").url == reverse("partners:home")


def test_apps_add_sections_in_order_and_can_show_nothing(client):
    def later(request):
        return PublicSection(title="Open <opportunities>", items=[PublicItem(text="Be a <b>reviewer</b>", url="/x/")])

    def nothing(request):
        return None

    try:
        public_home.register(later, order=20)
        public_home.register(later, order=20)  # registering twice adds it once
        public_home.register(nothing)
        html = client.get("/").content.decode()
    finally:
        public_home._providers[:] = [p for p in public_home._providers if p[2] not in (later, nothing)]  # noqa: SLF001 - undo the test's registrations
    assert html.count("Open &lt;opportunities&gt;") == 1
    assert "Be a &lt;b&gt;reviewer&lt;/b&gt;" in html
    assert html.index("Become a lay partner") < html.index("Open &lt;opportunities&gt;")
