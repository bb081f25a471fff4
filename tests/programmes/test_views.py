from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import AuditEntry
from programmes.models import Programme, ProgrammeType, StrategyPriority
from tests.conftest import client_for
from tests.involvement.factories import ActivityFactory, LayPartnerFactory, ParticipationFactory
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(wessex):
    return ProgrammeFactory(organisation=wessex, name="Digital front door")


@pytest.fixture
def finance_client(finance):
    return client_for(finance)


def _programme_post(**overrides):
    data = {
        "name": "Falls prevention",
        "programme_type": "spread_and_adoption",
        "innovation_stage": "implementation",
        "status": "active",
        "start_on": "2025-06-02",
        "involvement_plan": "A lay panel at each stage",
        "equality_impact_note": "Reach older people in rural areas",
    }
    data.update(overrides)
    return data


def test_staff_create_a_programme(staff_client, wessex, staff):
    priority = StrategyPriority.objects.get(code="1.1")
    response = staff_client.post(
        reverse("programmes:programme_create"),
        _programme_post(organisation=wessex.pk, priorities=[priority.pk], lead=staff.pk),
    )
    programme = Programme.objects.get(name="Falls prevention")
    assert response.status_code == 302
    assert programme.organisation == wessex
    assert list(programme.priorities.all()) == [priority]
    assert AuditEntry.objects.filter(action="programmes.programme.created", target_id=str(programme.pk)).exists()


def test_finance_cannot_create_or_edit_programmes(finance_client, programme):
    assert finance_client.get(reverse("programmes:programme_create")).status_code == 403
    assert finance_client.get(reverse("programmes:programme_edit", args=[programme.pk])).status_code == 403
    assert finance_client.get(reverse("programmes:programme_detail", args=[programme.pk])).status_code == 200


def test_only_national_programmes_are_shared(staff_client, wessex, yorkshire):
    response = staff_client.post(
        reverse("programmes:programme_create"),
        _programme_post(organisation=wessex.pk, programme_type="local", shared_with=[yorkshire.pk]),
    )
    assert "Only a national programme can be shared" in response.content.decode()
    assert not Programme.objects.filter(name="Falls prevention").exists()


def test_another_ahsn_sees_a_programme_only_when_shared_and_never_edits_it(outsider_client, programme, yorkshire):
    detail = reverse("programmes:programme_detail", args=[programme.pk])
    edit = reverse("programmes:programme_edit", args=[programme.pk])
    assert outsider_client.get(detail).status_code == 404
    assert outsider_client.get(edit).status_code == 404
    assert programme.name not in outsider_client.get(reverse("programmes:programme_list")).content.decode()
    programme.programme_type = ProgrammeType.NATIONAL
    programme.save()
    programme.shared_with.add(yorkshire)
    page = outsider_client.get(detail)
    assert page.status_code == 200
    assert "Log an activity" in page.content.decode()
    assert outsider_client.get(edit).status_code == 403
    assert outsider_client.post(edit, _programme_post(name="Taken over")).status_code == 403
    programme.refresh_from_db()
    assert programme.name == "Digital front door"
    assert programme.name in outsider_client.get(reverse("programmes:programme_list")).content.decode()


def test_editing_a_programme(staff_client, programme):
    response = staff_client.post(
        reverse("programmes:programme_edit", args=[programme.pk]), _programme_post(name="Digital front door 2")
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Digital front door 2"
    assert AuditEntry.objects.filter(action="programmes.programme.updated").exists()


def test_the_programme_page_shows_involvement(staff_client, programme):
    activity = ActivityFactory(programme=programme, organisation=programme.organisation, level="co_production")
    ParticipationFactory.create_batch(2, activity=activity, attended=True, hours=Decimal("3"))
    page = staff_client.get(reverse("programmes:programme_detail", args=[programme.pk])).content.decode()
    assert activity.title in page
    assert "Hours given by lay partners" in page
    assert ">6<" in page.replace(" ", "")


def test_programme_list_filters(staff_client, wessex):
    ProgrammeFactory(organisation=wessex, name="Safety collab", programme_type="patient_safety_collaborative")
    ProgrammeFactory(organisation=wessex, name="Local thing", programme_type="local")
    involved = ProgrammeFactory(organisation=wessex, name="Busy programme")
    ActivityFactory(programme=involved, organisation=wessex)
    page = staff_client.get(reverse("programmes:programme_list"), {"programme_type": "patient_safety_collaborative"})
    assert "Safety collab" in page.content.decode()
    assert "Local thing" not in page.content.decode()
    page = staff_client.get(reverse("programmes:programme_list"), {"involvement": "yes"}).content.decode()
    assert "Busy programme" in page
    assert "Local thing" not in page


def test_programme_outcomes_by_owning_staff_only(staff_client, finance_client, outsider_client, programme):
    url = reverse("programmes:programme_outcome_create", args=[programme.pk])
    assert staff_client.get(url).status_code == 200
    assert finance_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 404


# ------------------------------------------------------------------ strategy priorities


def test_everyone_on_staff_can_read_the_priorities(staff_client, finance_client, outsider_client):
    for client in (staff_client, finance_client, outsider_client):
        page = client.get(reverse("programmes:priority_list"))
        assert page.status_code == 200
        assert "Involvement and co-production forum" in page.content.decode()


def test_only_network_admins_change_priorities(staff_client, lead_client, admin_client_portal):
    priority = StrategyPriority.objects.get(code="4.2")
    url = reverse("programmes:priority_edit", args=[priority.pk])
    assert lead_client.get(url).status_code == 403
    assert staff_client.post(reverse("programmes:priority_create"), {}).status_code == 403
    response = admin_client_portal.post(
        reverse("programmes:priority_create"),
        {
            "strategy": "2024-27",
            "code": "1.1",
            "theme": "Leadership",
            "title": "Shared governance",
            "order": "1",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert StrategyPriority.objects.filter(strategy="2024-27", code="1.1").exists()
    response = admin_client_portal.post(
        url,
        {
            "strategy": "2021-23",
            "code": "4.2",
            "theme": "Evidence of change",
            "title": "Communicating outcomes",
            "order": "11",
        },
    )
    priority.refresh_from_db()
    assert priority.active is False


def test_a_lay_partner_cannot_see_programmes(wessex):
    partner = LayPartnerFactory()
    client = client_for(partner.user)
    assert client.get(reverse("programmes:programme_list")).status_code == 403
    assert client.get(reverse("programmes:priority_list")).status_code == 403


def test_people_involved_are_named_only_for_your_own_ahsn(staff_client, outsider_client, wessex, yorkshire):
    national = ProgrammeFactory(organisation=wessex, programme_type=ProgrammeType.NATIONAL, name="Heart failure")
    national.shared_with.add(yorkshire)
    wessex_partner = LayPartnerFactory(full_name="Wendy Wessex")
    york_partner = LayPartnerFactory(full_name="Yusuf York", organisation=yorkshire)
    ParticipationFactory(
        activity=ActivityFactory(programme=national, organisation=wessex),
        partner=wessex_partner,
        attended=True,
        hours=Decimal("2"),
    )
    ParticipationFactory(
        activity=ActivityFactory(programme=national, organisation=yorkshire),
        partner=york_partner,
        attended=True,
        hours=Decimal("3"),
    )
    url = reverse("programmes:programme_detail", args=[national.pk])
    wessex_page = staff_client.get(url).content.decode()
    york_page = outsider_client.get(url).content.decode()
    assert "Wendy Wessex" in wessex_page and "Yusuf York" not in wessex_page
    assert "Yusuf York" in york_page and "Wendy Wessex" not in york_page
