"""Telling people about a new opportunity: the consent rule, profile matching, exactly once, by
their channel and format, and held for the weekly summary when they chose that."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.models import Notification, NotificationFrequency, NotificationPreference
from core.reminders import run_sweeps
from opportunities.reminders import NEW_OPPORTUNITY
from partners.models import ConsentRecord, PartnerLink
from tests.involvement.factories import LayPartnerFactory
from tests.opportunities.factories import InterestFactory, OpportunityFactory, open_opportunity

pytestmark = pytest.mark.django_db


def _consent(partner, given: bool) -> None:
    ConsentRecord.objects.create(
        partner=partner, kind=ConsentRecord.Kind.CONTACT, given=given, privacy_notice_version="1.0"
    )


def _told() -> set[int]:
    return set(Notification.objects.filter(kind=NEW_OPPORTUNITY).values_list("partner_id", flat=True))


def test_only_consenting_matching_active_partners_are_told_once(django_assert_max_num_queries, yorkshire):
    opportunity = open_opportunity(method="workshop", topics=["Diabetes"])
    yes = LayPartnerFactory(methods=["workshop"], topics="diabetes and eyesight")
    no_topic_or_method = LayPartnerFactory()  # left both open: matches anything
    said_no = LayPartnerFactory()
    changed_mind = LayPartnerFactory()
    never_asked = LayPartnerFactory()
    wrong_method = LayPartnerFactory(methods=["survey"])
    wrong_topic = LayPartnerFactory(topics="Falls")
    paused = LayPartnerFactory()
    left = LayPartnerFactory(left_at=timezone.now())
    elsewhere = LayPartnerFactory(organisation=yorkshire)
    already = LayPartnerFactory()
    for partner in (yes, no_topic_or_method, changed_mind, wrong_method, wrong_topic, paused, left, elsewhere, already):
        _consent(partner, True)
    _consent(said_no, False)
    _consent(changed_mind, False)
    PartnerLink.objects.filter(partner=paused).update(status=PartnerLink.Status.PAUSED)
    InterestFactory(opportunity=opportunity, partner=already)
    OpportunityFactory()  # a draft: nobody is told
    with django_assert_max_num_queries(8):
        counts = run_sweeps(kinds=[NEW_OPPORTUNITY])
    assert counts == {NEW_OPPORTUNITY: 2}
    assert _told() == {yes.pk, no_topic_or_method.pk}
    assert never_asked.pk not in _told()
    # Exactly once: the next sweep finds nobody new.
    assert run_sweeps(kinds=[NEW_OPPORTUNITY]) == {NEW_OPPORTUNITY: 0}
    message = Notification.objects.get(kind=NEW_OPPORTUNITY, partner=yes)
    assert opportunity.title in message.title and "asked us to contact you" in message.body
    assert message.easy_read_body


def test_sweep_costs_the_same_for_many_partners(django_assert_max_num_queries):
    open_opportunity()
    for _ in range(40):
        _consent(LayPartnerFactory(), True)
    with django_assert_max_num_queries(8):
        assert run_sweeps(kinds=[NEW_OPPORTUNITY]) == {NEW_OPPORTUNITY: 40}


def test_weekly_summary_choice_holds_the_message():
    open_opportunity()
    partner = LayPartnerFactory()
    _consent(partner, True)
    NotificationPreference.objects.create(
        user=partner.user, group="opportunities", frequency=NotificationFrequency.WEEKLY
    )
    run_sweeps(kinds=[NEW_OPPORTUNITY])
    assert Notification.objects.get(kind=NEW_OPPORTUNITY).status == Notification.Status.HELD


def test_channel_follows_the_partner():
    open_opportunity()
    by_post = LayPartnerFactory(user=None, email="", address="1 High Street, Town", contact_methods=["post"])
    _consent(by_post, True)
    run_sweeps(kinds=[NEW_OPPORTUNITY])
    assert Notification.objects.get(kind=NEW_OPPORTUNITY).channel == Notification.Channel.LETTER
