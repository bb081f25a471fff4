"""An outcome's history: every status move kept (append-only), the people who took part told once
per step, a timeline for staff and participants, and evidence only for those who may see it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, Notification
from involvement import services
from involvement.models import Outcome, OutcomeStatus, OutcomeStatusChange
from tests.conftest import client_for
from tests.involvement.factories import LayPartnerFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = timezone.localdate


@pytest.fixture
def finance_client(finance):
    return client_for(finance)


@pytest.fixture
def came(activity):
    return ParticipationFactory(activity=activity, attended=True, hours=2)


@pytest.fixture
def outcome(staff, activity, came):
    return services.outcome_record(
        actor=staff,
        activity=activity,
        what_we_heard="The discharge letter was confusing",
        what_we_did="We are rewriting it with you",
        status=OutcomeStatus.CONSIDERED,
        decided_on=TODAY() - timedelta(days=20),
    )


def _move(staff, outcome, status, *, days_ago=0, **kwargs):
    return services.outcome_status_change(
        actor=staff,
        outcome=outcome,
        status=status,
        changed_on=TODAY() - timedelta(days=days_ago),
        note=kwargs.pop("note", f"Now {status}"),
        **kwargs,
    )


def test_recording_an_outcome_starts_its_history(outcome, staff):
    (first,) = OutcomeStatusChange.objects.filter(outcome=outcome)
    assert (first.from_status, first.to_status) == ("", "considered")
    assert first.changed_on == outcome.decided_on
    assert first.changed_by == staff


def test_each_move_is_kept_audited_and_told_once_to_each_participant(outcome, staff, came, activity):
    invited_only = ParticipationFactory(activity=activity, attended=False)
    _move(staff, outcome, OutcomeStatus.IN_PROGRESS, days_ago=10, note="A draft is with the panel")
    _move(staff, outcome, OutcomeStatus.CHANGED, evidence=services.Evidence(link="https://example.nhs.uk/letter"))
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.CHANGED
    steps = list(outcome.status_changes.order_by("changed_on", "id").values_list("from_status", "to_status"))
    assert steps == [("", "considered"), ("considered", "in_progress"), ("in_progress", "changed")]
    audits = AuditEntry.objects.filter(action="involvement.outcome.status_changed", target_id=str(outcome.pk))
    assert audits.count() == 2
    told = Notification.objects.filter(kind="involvement.outcome_progress")
    assert sorted(told.values_list("partner_id", flat=True)) == [came.partner_id, came.partner_id]
    assert told.values("subject_id").distinct().count() == 2
    assert not told.filter(partner=invited_only.partner).exists()
    assert "A draft is with the panel" in told.order_by("id").first().body


@pytest.mark.parametrize(
    ("status", "days_ago", "reason", "field"),
    [
        (OutcomeStatus.CONSIDERED, 0, "", "status"),  # not a move
        (OutcomeStatus.IN_PROGRESS, -1, "", "changed_on"),  # tomorrow
        (OutcomeStatus.IN_PROGRESS, 30, "", "changed_on"),  # before it was recorded
        (OutcomeStatus.NOT_TAKEN_FORWARD, 0, "", None),  # no reason
    ],
)
def test_bad_moves_are_refused_and_nothing_is_kept(outcome, staff, status, days_ago, reason, field):
    with pytest.raises(services.InvolvementError) as refused:
        _move(staff, outcome, status, days_ago=days_ago, reason=reason)
    assert refused.value.field == field
    assert outcome.status_changes.count() == 1
    assert not Notification.objects.filter(kind="involvement.outcome_progress").exists()


def test_staff_at_another_ahsn_cannot_move_it(outcome, outsider):
    with pytest.raises(services.InvolvementError):
        _move(outsider, outcome, OutcomeStatus.IN_PROGRESS)


def test_the_status_moves_only_through_the_history(outcome, staff):
    with pytest.raises(TypeError):
        services.outcome_update(actor=staff, outcome=outcome, status=OutcomeStatus.CHANGED)


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_history_is_append_only_in_the_database(outcome, statement):
    rows = OutcomeStatusChange.objects.filter(outcome=outcome)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        if statement == "update":
            rows.update(note="Rewritten later")
        else:
            rows.delete()
    assert rows.get().note == "Recorded."


def test_an_evidence_file_is_checked_by_its_content(outcome, staff):
    fake = SimpleUploadedFile("report.pdf", b"not really a pdf", content_type="application/pdf")
    with pytest.raises(services.InvolvementError) as refused:
        _move(staff, outcome, OutcomeStatus.IN_PROGRESS, evidence=services.Evidence(upload=fake))
    assert refused.value.field == "evidence_file"
    real = SimpleUploadedFile("Board paper", PDF, content_type="application/octet-stream")
    step = _move(staff, outcome, OutcomeStatus.IN_PROGRESS, evidence=services.Evidence(upload=real))
    assert (step.evidence_name, step.evidence_content_type) == ("Board paper.pdf", "application/pdf")
    assert "Board paper" not in step.evidence_file.name


# ---------------------------------------------------------------- pages


def test_the_outcome_page_shows_the_timeline_to_staff_and_404s_outsiders(
    outcome, staff, staff_client, finance_client, outsider_client
):
    _move(staff, outcome, OutcomeStatus.IN_PROGRESS, note="A draft is with the panel")
    url = reverse("involvement:outcome_detail", args=[outcome.pk])
    page = staff_client.get(url).content.decode()
    assert "A draft is with the panel" in page and "Record progress" in page
    read_only = finance_client.get(url)
    assert read_only.status_code == 200 and "Record progress" not in read_only.content.decode()
    assert outsider_client.get(url).status_code == 404
    progress = reverse("involvement:outcome_progress", args=[outcome.pk])
    assert staff_client.get(progress).status_code == 200
    assert finance_client.get(progress).status_code == 403
    assert outsider_client.get(progress).status_code == 404


def test_recording_progress_on_the_page(outcome, staff_client, came):
    url = reverse("involvement:outcome_progress", args=[outcome.pk])
    response = staff_client.post(
        url,
        {
            "status": "in_progress",
            "changed_on": TODAY().isoformat(),
            "note": "A draft is with the panel",
            "evidence_link": "example.nhs.uk/draft",
            "evidence_file": SimpleUploadedFile("draft.pdf", PDF),
        },
    )
    assert response.status_code == 302
    step = outcome.status_changes.latest("id")
    assert step.evidence_link == "https://example.nhs.uk/draft"
    assert step.evidence_file
    refused = staff_client.post(url, {"status": "in_progress", "changed_on": TODAY().isoformat(), "note": "Again"})
    assert refused.status_code == 200
    assert "already" in refused.content.decode()
    assert outcome.status_changes.count() == 2


def test_a_participant_sees_the_timeline_and_another_partner_gets_404(outcome, staff, came):
    _move(staff, outcome, OutcomeStatus.IN_PROGRESS, note="A draft is with the panel")
    url = reverse("involvement:my_outcome_detail", args=[outcome.pk])
    page = client_for(came.partner.user).get(url)
    assert page.status_code == 200
    assert "A draft is with the panel" in page.content.decode()
    assert reverse("involvement:my_outcome_detail", args=[outcome.pk]) in (
        Notification.objects.get(kind="involvement.outcome_progress").url
    )
    stranger = LayPartnerFactory()
    assert client_for(stranger.user).get(url).status_code == 404


def test_evidence_files_open_for_staff_and_participants_only(outcome, staff, came, staff_client, outsider_client):
    step = _move(
        staff,
        outcome,
        OutcomeStatus.IN_PROGRESS,
        evidence=services.Evidence(upload=SimpleUploadedFile("draft.pdf", PDF)),
    )
    url = reverse("involvement:outcome_evidence", args=[step.pk])
    response = staff_client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client_for(came.partner.user).get(url).status_code == 200
    assert client_for(LayPartnerFactory().user).get(url).status_code == 404
    assert outsider_client.get(url).status_code == 404


def test_the_timeline_costs_the_same_with_hundreds_of_steps(
    staff, staff_client, wessex, came, django_assert_max_num_queries
):
    outcomes = []
    for n in range(3):
        outcomes.append(
            Outcome.objects.create(
                organisation=wessex,
                activity=came.activity,
                what_we_heard=f"Heard {n}",
                what_we_did="Did",
                status="considered",
                decided_on=date(2024, 1, 1),
            )
        )
    target = outcomes[0]
    statuses = ["considered", "in_progress"]
    OutcomeStatusChange.objects.bulk_create(
        OutcomeStatusChange(
            outcome=target,
            from_status=statuses[i % 2],
            to_status=statuses[(i + 1) % 2],
            changed_on=date(2024, 1, 1) + timedelta(days=i),
            note=f"Step {i}",
            changed_by=staff,
        )
        for i in range(300)
    )
    with django_assert_max_num_queries(10):
        response = staff_client.get(reverse("involvement:outcome_detail", args=[target.pk]))
    assert response.content.decode().count("Step ") == 300
    partner_client = client_for(came.partner.user)
    with django_assert_max_num_queries(10):
        response = partner_client.get(reverse("involvement:my_outcome_detail", args=[target.pk]))
    assert response.status_code == 200
