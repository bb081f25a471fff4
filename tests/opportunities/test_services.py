"""The rules of an opportunity's life and of interest in it, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from core.models import AuditEntry, Notification
from involvement.models import Participation
from opportunities import services
from opportunities.models import Interest, InterestStatus, OpportunityState
from opportunities.services import OpportunityError
from partners.models import PartnerLink
from tests.involvement.factories import ActivityFactory, LayPartnerFactory
from tests.opportunities.factories import InterestFactory, OpportunityFactory, open_opportunity

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _fields(**overrides):
    today = timezone.localdate()
    fields = {
        "title": "Help us test a falls app",
        "purpose": "So that older people fall less.",
        "what_you_would_do": "Try the app at home.",
        "how_chosen": "First come, first served.",
        "closes_on": today + timedelta(days=10),
        "ways_to_take_part": ["online"],
    }
    fields.update(overrides)
    return fields


def test_create_publish_close_reopen_fill_is_audited(lead, wessex):
    opportunity = services.opportunity_create(actor=lead, organisation=wessex, **_fields())
    assert opportunity.state == OpportunityState.DRAFT
    services.opportunity_publish(actor=lead, opportunity=opportunity)
    services.opportunity_close(actor=lead, opportunity=opportunity)
    services.opportunity_reopen(actor=lead, opportunity=opportunity)
    filled = services.opportunity_mark_filled(actor=lead, opportunity=opportunity)
    assert filled.state == OpportunityState.FILLED
    assert filled.opened_at is not None and filled.filled_at is not None
    actions = list(
        AuditEntry.objects.filter(target_type="opportunities.opportunity", target_id=str(opportunity.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "opportunities.opportunity.created",
        "opportunities.opportunity.published",
        "opportunities.opportunity.closed",
        "opportunities.opportunity.reopened",
        "opportunities.opportunity.filled",
    ]


def test_publish_refuses_a_closing_date_in_the_past(lead, wessex):
    opportunity = services.opportunity_create(
        actor=lead, organisation=wessex, **_fields(closes_on=timezone.localdate() - timedelta(days=1))
    )
    with pytest.raises(OpportunityError, match="closing date is in the past") as caught:
        services.opportunity_publish(actor=lead, opportunity=opportunity)
    assert caught.value.field == "closes_on"
    opportunity.refresh_from_db()
    assert opportunity.state == OpportunityState.DRAFT


def test_publish_refuses_no_way_to_take_part(lead, wessex):
    opportunity = services.opportunity_create(actor=lead, organisation=wessex, **_fields(ways_to_take_part=[]))
    with pytest.raises(OpportunityError, match="at least one way") as caught:
        services.opportunity_publish(actor=lead, opportunity=opportunity)
    assert caught.value.field == "ways_to_take_part"


def test_read_only_and_outsider_cannot_write(finance, outsider, wessex):
    for actor in (finance, outsider):
        with pytest.raises(OpportunityError):
            services.opportunity_create(actor=actor, organisation=wessex, **_fields())


def test_activities_of_another_ahsn_are_refused(lead, wessex, yorkshire):
    elsewhere = ActivityFactory(organisation=yorkshire)
    with pytest.raises(OpportunityError, match="another AHSN"):
        services.opportunity_create(actor=lead, organisation=wessex, activities=[elsewhere], **_fields())


def test_cancel_needs_a_reason_and_tells_people_waiting(lead):
    opportunity = open_opportunity()
    interest = InterestFactory(opportunity=opportunity)
    with pytest.raises(OpportunityError, match="Say why"):
        services.opportunity_cancel(actor=lead, opportunity=opportunity, reason="  ")
    services.opportunity_cancel(actor=lead, opportunity=opportunity, reason="The project lost its funding.")
    sent = Notification.objects.get(kind="opportunities.cancelled")
    assert sent.partner_id == interest.partner_id
    assert "lost its funding" in sent.body


def test_easy_read_pdf_and_image_are_checked_by_content(lead, wessex):
    fake = SimpleUploadedFile("easy.pdf", b"not really a pdf at all", content_type="application/pdf")
    with pytest.raises(OpportunityError) as caught:
        services.opportunity_create(actor=lead, organisation=wessex, easy_read_upload=fake, **_fields())
    assert caught.value.field == "easy_read_file"
    image_as_pdf = SimpleUploadedFile("pic.png", PDF_BYTES, content_type="image/png")
    with pytest.raises(OpportunityError, match="PNG or JPEG"):
        services.opportunity_create(
            actor=lead, organisation=wessex, image_upload=image_as_pdf, **_fields(image_alt="x")
        )
    image = SimpleUploadedFile("pic.png", PNG_BYTES, content_type="image/png")
    with pytest.raises(OpportunityError, match="Describe the image"):
        services.opportunity_create(actor=lead, organisation=wessex, image_upload=image, **_fields())
    pdf = SimpleUploadedFile("easy.pdf", PDF_BYTES, content_type="application/pdf")
    image = SimpleUploadedFile("pic.png", PNG_BYTES, content_type="image/png")
    made = services.opportunity_create(
        actor=lead,
        organisation=wessex,
        easy_read_upload=pdf,
        image_upload=image,
        **_fields(image_alt="Two people talking at a table"),
    )
    assert made.easy_read_file.name.endswith(".pdf") and made.image_content_type == "image/png"


def test_oversized_upload_is_refused(lead, wessex, settings):
    settings.MAX_UPLOAD_BYTES = 10
    pdf = SimpleUploadedFile("easy.pdf", PDF_BYTES, content_type="application/pdf")
    with pytest.raises(OpportunityError, match="smaller than"):
        services.opportunity_create(actor=lead, organisation=wessex, easy_read_upload=pdf, **_fields())


# --- Interest ---------------------------------------------------------------------------------


def test_partner_says_interested_and_needs_are_saved_to_profile():
    opportunity = open_opportunity()
    partner = LayPartnerFactory()
    interest = services.interest_express(
        actor=partner.user,
        opportunity=opportunity,
        partner=partner,
        why="I live with diabetes",
        availability="Mornings",
        needs={
            "communication_needs": ["large_print"],
            "other_language": "",
            "access_needs": "Step-free access",
            "support_tags": ["booked_travel"],
            "carer_needs": "",
        },
    )
    assert interest.status == InterestStatus.INTERESTED and interest.needs_checked
    partner.refresh_from_db()
    assert partner.communication_needs == ["large_print"] and partner.access_needs == "Step-free access"
    entry = AuditEntry.objects.get(action="opportunities.interest.expressed")
    assert entry.on_behalf_of == ""


def test_interest_twice_is_refused_and_the_database_refuses_a_second_row():
    opportunity = open_opportunity()
    partner = LayPartnerFactory()
    services.interest_express(actor=partner.user, opportunity=opportunity, partner=partner)
    with pytest.raises(OpportunityError, match="already told us"):
        services.interest_express(actor=partner.user, opportunity=opportunity, partner=partner)
    with pytest.raises(IntegrityError):
        Interest.objects.create(opportunity=opportunity, partner=partner)


def test_interest_after_closing_is_refused():
    partner = LayPartnerFactory()
    past = open_opportunity(closes_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(OpportunityError, match="no longer taking interest"):
        services.interest_express(actor=partner.user, opportunity=past, partner=partner)
    closed = OpportunityFactory(state=OpportunityState.CLOSED)
    with pytest.raises(OpportunityError, match="no longer taking interest"):
        services.interest_express(actor=partner.user, opportunity=closed, partner=partner)
    assert not Interest.objects.exists()


@pytest.mark.parametrize("status", [PartnerLink.Status.LEFT, PartnerLink.Status.PAUSED])
def test_partner_who_left_or_paused_is_refused(status):
    opportunity = open_opportunity()
    partner = LayPartnerFactory()
    PartnerLink.objects.filter(partner=partner).update(status=status)
    with pytest.raises(OpportunityError, match=r"left|paused"):
        services.interest_express(actor=partner.user, opportunity=opportunity, partner=partner)


def test_partner_who_left_the_portal_is_refused():
    opportunity = open_opportunity()
    partner = LayPartnerFactory(left_at=timezone.now())
    with pytest.raises(OpportunityError, match="You have left"):
        services.interest_express(actor=partner.user, opportunity=opportunity, partner=partner)


def test_declined_partner_cannot_reapply_but_withdrawn_can(lead):
    opportunity = open_opportunity()
    declined = InterestFactory(opportunity=opportunity)
    services.interests_decide(actor=lead, opportunity=opportunity, interest_ids=[declined.pk], decision="declined")
    with pytest.raises(OpportunityError, match="not chosen"):
        services.interest_express(actor=declined.partner.user, opportunity=opportunity, partner=declined.partner)
    partner = LayPartnerFactory()
    interest = services.interest_express(actor=partner.user, opportunity=opportunity, partner=partner)
    services.interest_withdraw(actor=partner.user, interest=interest)
    again = services.interest_express(actor=partner.user, opportunity=opportunity, partner=partner)
    assert again.pk == interest.pk and again.status == InterestStatus.INTERESTED


def test_withdraw_is_refused_after_selection(lead):
    opportunity = open_opportunity()
    interest = InterestFactory(opportunity=opportunity)
    services.interests_decide(actor=lead, opportunity=opportunity, interest_ids=[interest.pk], decision="selected")
    with pytest.raises(OpportunityError, match="chosen"):
        services.interest_withdraw(actor=interest.partner.user, interest=interest)


def test_staff_record_interest_on_behalf_audited(staff):
    opportunity = open_opportunity()
    partner = LayPartnerFactory(user=None, email="")
    interest = services.interest_express(actor=staff, opportunity=opportunity, partner=partner, why="Told us by phone")
    assert interest.recorded_by == staff
    entry = AuditEntry.objects.get(action="opportunities.interest.expressed")
    assert entry.on_behalf_of == partner.reference and entry.actor == staff


def test_staff_of_another_ahsn_cannot_record_interest(outsider):
    opportunity = open_opportunity()
    partner = LayPartnerFactory(user=None, email="")
    with pytest.raises(OpportunityError):
        services.interest_express(actor=outsider, opportunity=opportunity, partner=partner)


# --- Choosing ---------------------------------------------------------------------------------


def test_selecting_adds_participation_and_tells_each_person_once(lead):
    first = ActivityFactory(starts_at=timezone.now() + timedelta(days=20))
    second = ActivityFactory(starts_at=timezone.now() + timedelta(days=40))
    opportunity = open_opportunity(role_title="Panel member")
    opportunity.activities.set([first, second])
    chosen = [InterestFactory(opportunity=opportunity) for _ in range(2)]
    declined = InterestFactory(opportunity=opportunity)
    result = services.interests_decide(
        actor=lead, opportunity=opportunity, interest_ids=[i.pk for i in chosen], decision="selected"
    )
    assert result.decided == 2 and result.participations == 4
    assert Participation.objects.filter(partner__in=[i.partner for i in chosen], role="Panel member").count() == 4
    services.interests_decide(actor=lead, opportunity=opportunity, interest_ids=[declined.pk], decision="declined")
    assert Notification.objects.filter(kind="opportunities.selected").count() == 2
    kind = Notification.objects.get(kind="opportunities.declined")
    assert kind.partner_id == declined.partner_id
    assert "Thank you" in kind.body and "hear from you again" in kind.body
    # Deciding again is refused, and nothing is sent twice.
    with pytest.raises(OpportunityError, match="already"):
        services.interests_decide(actor=lead, opportunity=opportunity, interest_ids=[declined.pk], decision="declined")
    assert Notification.objects.filter(kind__startswith="opportunities.").count() == 3


def test_filled_tells_everyone_not_chosen_exactly_once(lead):
    opportunity = open_opportunity()
    chosen = InterestFactory(opportunity=opportunity)
    waiting = InterestFactory(opportunity=opportunity)
    reserve = InterestFactory(opportunity=opportunity)
    withdrawn = InterestFactory(opportunity=opportunity, status=InterestStatus.WITHDRAWN)
    services.interests_decide(actor=lead, opportunity=opportunity, interest_ids=[chosen.pk], decision="selected")
    services.interests_decide(actor=lead, opportunity=opportunity, interest_ids=[reserve.pk], decision="reserve")
    services.opportunity_mark_filled(actor=lead, opportunity=opportunity)
    told = set(Notification.objects.filter(kind="opportunities.filled_not_chosen").values_list("partner_id", flat=True))
    assert told == {waiting.partner_id, reserve.partner_id}
    assert withdrawn.partner_id not in told
    with pytest.raises(OpportunityError):
        services.opportunity_mark_filled(actor=lead, opportunity=opportunity)
    assert Notification.objects.filter(kind="opportunities.filled_not_chosen").count() == 2


def test_staff_of_another_ahsn_cannot_select(outsider):
    opportunity = open_opportunity()
    interest = InterestFactory(opportunity=opportunity)
    with pytest.raises(OpportunityError):
        services.interests_decide(
            actor=outsider, opportunity=opportunity, interest_ids=[interest.pk], decision="selected"
        )


def test_interest_in_another_opportunity_cannot_be_decided_here(lead):
    opportunity = open_opportunity()
    other = InterestFactory(opportunity=open_opportunity())
    with pytest.raises(OpportunityError, match="not interested in this opportunity"):
        services.interests_decide(actor=lead, opportunity=opportunity, interest_ids=[other.pk], decision="selected")
