"""Learning and development sessions: who took part, partners asking to join, each person's record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, Notification
from evidence import services
from evidence.models import DevelopmentSession, RequestState, SessionAttendance, SessionAudience, SessionRequest
from tests.evidence.factories import DevelopmentSessionFactory, SessionAttendanceFactory
from tests.involvement.factories import LayPartnerFactory

pytestmark = pytest.mark.django_db


def _form(date, **extra):
    return {
        "title": "Chairing skills",
        "kind": "training",
        "date_day": str(date.day),
        "date_month": str(date.month),
        "date_year": str(date.year),
        "audience": "both",
        "description": "How to chair a panel.",
        **extra,
    }


@pytest.fixture
def upcoming(wessex):
    return DevelopmentSessionFactory(
        title="Mentoring for new panel members",
        kind="mentoring",
        date=timezone.localdate() + timedelta(days=14),
        audience=SessionAudience.PARTNERS,
    )


def test_staff_add_a_session_and_record_who_took_part(wessex, staff, staff_client, priya):
    day = timezone.localdate() - timedelta(days=3)
    response = staff_client.post(reverse("evidence:session_new"), _form(day, organisation=str(wessex.pk)))
    session = DevelopmentSession.objects.get(title="Chairing skills")
    assert response.status_code == 302 and response["Location"] == reverse("evidence:session_detail", args=[session.pk])
    assert session.organisation == wessex and session.date == day and session.created_by == staff

    add = reverse("evidence:attendance_add", args=[session.pk])
    assert staff_client.post(add, {"partner": str(priya.pk)}).status_code == 302
    assert staff_client.post(add, {"user": str(staff.pk)}).status_code == 302
    again = staff_client.post(add, {"partner": str(priya.pk)})
    assert again.status_code == 200  # Priya is no longer offered: one row per person per session
    assert SessionAttendance.objects.filter(session=session).count() == 2
    actions = set(AuditEntry.objects.filter(organisation=wessex).values_list("action", flat=True))
    assert {"evidence.session.created", "evidence.session.attendance_added"} <= actions

    page = staff_client.get(reverse("evidence:session_detail", args=[session.pk])).content.decode()
    assert "Priya Shah" in page and staff.full_name in page


def test_editing_a_session_is_audited_and_a_bad_date_is_refused(lead_client, lead):
    session = DevelopmentSessionFactory(title="Old title")
    url = reverse("evidence:session_edit", args=[session.pk])
    bad = lead_client.post(url, {**_form(timezone.localdate()), "date_day": "31", "date_month": "2"})
    assert bad.status_code == 200 and "Enter a real date" in bad.content.decode()
    assert lead_client.post(url, _form(timezone.localdate(), title="New title")).status_code == 302
    session.refresh_from_db()
    assert session.title == "New title"
    assert AuditEntry.objects.filter(action="evidence.session.updated", actor=lead).exists()


def test_one_row_per_person_per_session_in_the_database(priya, staff):
    session = DevelopmentSessionFactory()
    SessionAttendanceFactory(session=session, partner=priya)
    SessionAttendanceFactory(session=session, partner=None, user=staff)
    for kwargs in ({"partner": priya}, {"user": staff}, {"partner": None}, {"partner": priya, "user": staff}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SessionAttendance.objects.create(session=session, **kwargs)


def test_who_can_take_part_follows_who_the_session_is_for(lead, staff, priya, outsider):
    staff_only = DevelopmentSessionFactory(audience=SessionAudience.STAFF)
    with pytest.raises(services.SessionError, match="staff only"):
        services.attendance_add(actor=lead, session=staff_only, partner=priya)
    partners_only = DevelopmentSessionFactory(audience=SessionAudience.PARTNERS)
    with pytest.raises(services.SessionError, match="lay partners only"):
        services.attendance_add(actor=lead, session=partners_only, user=staff)
    with pytest.raises(services.SessionError, match="of this AHSN"):
        services.attendance_add(actor=lead, session=DevelopmentSessionFactory(), user=outsider)
    with pytest.raises(services.SessionError, match="Only staff at the AHSN"):
        services.attendance_add(actor=outsider, session=DevelopmentSessionFactory(), partner=priya)


def test_another_ahsn_gets_404_and_finance_only_reads(outsider_client, finance_client, priya):
    session = DevelopmentSessionFactory()
    attendance = SessionAttendanceFactory(session=session, partner=priya)
    request = SessionRequest.objects.create(session=session, partner=LayPartnerFactory())
    for url in (
        reverse("evidence:session_detail", args=[session.pk]),
        reverse("evidence:session_edit", args=[session.pk]),
        reverse("evidence:attendance_add", args=[session.pk]),
        reverse("evidence:attendance_remove", args=[attendance.pk]),
    ):
        assert outsider_client.get(url).status_code == 404
    decide = reverse("evidence:session_request_decide", args=[request.pk])
    assert outsider_client.post(decide, {"decision": "accept"}).status_code == 404
    assert "Mentoring" not in outsider_client.get(reverse("evidence:session_list")).content.decode()
    assert finance_client.get(reverse("evidence:session_detail", args=[session.pk])).status_code == 200
    assert finance_client.get(reverse("evidence:session_edit", args=[session.pk])).status_code == 403
    request.refresh_from_db()
    assert request.state == RequestState.ASKED


def test_a_partner_asks_to_join_and_is_told_the_answer(upcoming, priya, priya_client, lead_client):
    page = priya_client.get(reverse("evidence:my_learning")).content.decode()
    assert "Mentoring for new panel members" in page and "Ask to take part" in page
    assert priya_client.post(reverse("evidence:session_ask", args=[upcoming.pk])).status_code == 302
    request = SessionRequest.objects.get(session=upcoming, partner=priya)
    assert "You have asked" in priya_client.get(reverse("evidence:my_learning")).content.decode()
    priya_client.post(reverse("evidence:session_ask", args=[upcoming.pk]))
    assert SessionRequest.objects.filter(session=upcoming, partner=priya).count() == 1

    detail = lead_client.get(reverse("evidence:session_detail", args=[upcoming.pk])).content.decode()
    assert "Priya Shah" in detail and "Waiting for an answer" in detail
    lead_client.post(reverse("evidence:session_request_decide", args=[request.pk]), {"decision": "accept"})
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED
    assert SessionAttendance.objects.filter(session=upcoming, partner=priya).exists()
    told = Notification.objects.get(partner=priya, kind="evidence.session_request_accepted")
    assert "Mentoring for new panel members" in told.title
    # Answering twice changes nothing and tells them nothing more.
    lead_client.post(reverse("evidence:session_request_decide", args=[request.pk]), {"decision": "decline"})
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED
    assert Notification.objects.filter(partner=priya).count() == 1
    assert "You have a place" in priya_client.get(reverse("evidence:my_learning")).content.decode()


def test_a_declined_partner_is_told_and_not_recorded(upcoming, priya, lead):
    request = services.session_request_create(partner=priya, session=upcoming)
    services.session_request_decide(actor=lead, request=request, accept=False)
    assert not SessionAttendance.objects.filter(session=upcoming).exists()
    assert Notification.objects.filter(partner=priya, kind="evidence.session_request_declined").count() == 1


def test_partners_can_ask_only_for_upcoming_partner_sessions_at_their_ahsn(priya, priya_client, yorkshire):
    past = DevelopmentSessionFactory(date=timezone.localdate() - timedelta(days=1), audience=SessionAudience.BOTH)
    staff_only = DevelopmentSessionFactory(
        date=timezone.localdate() + timedelta(days=5), audience=SessionAudience.STAFF
    )
    elsewhere = DevelopmentSessionFactory(organisation=yorkshire, date=timezone.localdate() + timedelta(days=5))
    for session in (past, staff_only, elsewhere):
        assert priya_client.post(reverse("evidence:session_ask", args=[session.pk])).status_code == 404
    assert not SessionRequest.objects.exists()


def test_each_person_sees_only_their_own_learning_record(priya, priya_client, staff, staff_client):
    mine = DevelopmentSessionFactory(title="Chairing skills", date=timezone.localdate() - timedelta(days=2))
    SessionAttendanceFactory(session=mine, partner=priya)
    theirs = DevelopmentSessionFactory(title="Someone else's briefing", date=timezone.localdate() - timedelta(days=2))
    SessionAttendanceFactory(session=theirs, partner=LayPartnerFactory())
    staff_course = DevelopmentSessionFactory(
        title="Staff conference", kind="conference", date=timezone.localdate() - timedelta(days=1)
    )
    SessionAttendanceFactory(session=staff_course, partner=None, user=staff)
    page = priya_client.get(reverse("evidence:my_learning")).content.decode()
    assert "Chairing skills" in page
    assert "Someone else&#x27;s briefing" not in page and "Staff conference" not in page
    page = staff_client.get(reverse("evidence:my_learning")).content.decode()
    assert "Staff conference" in page and "Chairing skills" not in page


def test_lists_cost_the_same_with_hundreds_of_rows(
    wessex, lead_client, priya, priya_client, django_assert_max_num_queries
):
    today = timezone.localdate()
    sessions = DevelopmentSession.objects.bulk_create(
        DevelopmentSession(
            organisation=wessex,
            title=f"Session {n}",
            kind="briefing",
            date=today + timedelta(days=n - 150),
            audience=SessionAudience.BOTH,
        )
        for n in range(300)
    )
    SessionAttendance.objects.bulk_create(SessionAttendance(session=s, partner=priya) for s in sessions[:200])
    partners = LayPartnerFactory.create_batch(3)
    SessionRequest.objects.bulk_create(SessionRequest(session=s, partner=p) for s in sessions[150:] for p in partners)
    with django_assert_max_num_queries(12):
        assert lead_client.get(reverse("evidence:session_list"), {"page": "3"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert priya_client.get(reverse("evidence:my_learning")).status_code == 200
    with django_assert_max_num_queries(12):
        assert lead_client.get(reverse("evidence:session_detail", args=[sessions[160].pk])).status_code == 200
