"""Everything we hold about a partner includes their claims, activities, feedback, messages and
audit entries; leaving clears what they wrote and withdraws what they can no longer send."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEntry
from core.notifications import notify
from forum.models import Apology, ForumMember
from involvement import services as involvement_services
from involvement.models import Feedback
from partners import services
from partners.models import PartnerLink
from payments import services as payment_services
from payments.models import Claim, ClaimLine, ClaimStatus
from tests.conftest import client_for
from tests.forum.factories import ForumFactory, MeetingFactory
from tests.partners.factories import assisted_partner, partner_with_login
from tests.payments.factories import participation_for, phone_photo, submitted_claim, upload

pytestmark = pytest.mark.django_db

MY_DATA = "/partners/me/my-information/"


def _history(partner, organisation, *, activities: int = 1) -> dict:
    """Activities the partner took part in (with feedback), a paid-for claim for each, and one
    draft expenses claim with a receipt and the partner's own words on it."""
    participations = []
    for n in range(activities):
        participation = participation_for(
            partner, organisation=organisation, title=f"Panel {organisation.short_name} {n}"
        )
        involvement_services.feedback_submit(
            actor=partner.user,
            participation=participation,
            listened_to=5,
            role_clear=4,
            support_right=3,
            take_part_again=5,
            comments=f"The room was too cold for my arthritis ({n})",
            may_use_name=True,
        )
        submitted_claim(partner, organisation, participation)
        participations.append(participation)
    draft = payment_services.claim_start(partner=partner, organisation=organisation, actor=partner.user)
    line = payment_services.claim_add_expense_line(
        claim=draft,
        actor=partner.user,
        category="taxi",
        amount="18.40",
        reason="My wheelchair does not fit on the bus",
        description="Taxi from home in Romsey",
        expense_date=timezone.localdate() - timedelta(days=2),
    )
    payment_services.receipt_add(
        line=line, uploaded=upload("IMG_2041.JPG", phone_photo(), "image/jpeg"), actor=partner.user
    )
    notify(
        kind="test.hello",
        subject=draft,
        title="Your claim is saved",
        body="Your draft claim is saved. Send it when you are ready.",
        partner=partner,
        organisation=organisation,
    )
    return {"participations": participations, "draft": draft, "line": line}


def test_the_download_has_claims_receipt_names_activities_feedback_messages_and_audit(partner_client, partner, wessex):
    made = _history(partner, wessex)
    data = json.loads(partner_client.get(f"{MY_DATA}?format=json").content)

    claims = {c["reference"]: c for c in data["claims"]}
    draft = claims[made["draft"].reference]
    assert draft["status"] == "Draft" and draft["ahsn"] == "Wessex AHSN"
    [line] = draft["lines"]
    assert (line["what"], line["amount"], line["description"]) == ("Taxi", "18.40", "Taxi from home in Romsey")
    assert line["why_a_taxi"] == "My wheelchair does not fit on the bus"
    assert [r["file_name"] for r in line["receipts"]] == ["IMG_2041.JPG"]
    assert set(line["receipts"][0]) == {"file_name", "added"}  # the name and date, never the file
    sent = next(c for c in data["claims"] if c["status"] == "Submitted")
    assert sent["lines"][0]["what"] == "Involvement payment"
    assert sent["lines"][0]["activity"] == "Panel Wessex 0"

    assert [(a["activity"], a["attended"], a["hours"]) for a in data["activities"]] == [
        ("Panel Wessex 0", True, "3.00")
    ]
    [feedback] = data["feedback"]
    assert feedback["comments"] == "The room was too cold for my arthritis (0)"
    assert feedback["i_felt_listened_to"] == 5
    assert "Your claim is saved" in [m["title"] for m in data["messages"]]
    assert any(m["message"].startswith("Your draft claim is saved") for m in data["messages"])
    actions = {(e["what"], e["by"]) for e in data["audit_log"]}
    assert ("Claim submitted", "You") in actions
    assert ("Receipt added", "You") in actions
    assert ("Feedback submitted", "You") in actions or ("Feedback created", "You") in actions


def test_someone_elses_records_are_not_in_my_download(partner_client, partner, wessex, yorkshire):
    other = partner_with_login(wessex, full_name="Not Me")
    _history(other, wessex)
    data = json.loads(partner_client.get(f"{MY_DATA}?format=json").content)
    assert data["claims"] == [] and data["activities"] == [] and data["feedback"] == [] and data["messages"] == []
    assert not [e for e in data["audit_log"] if other.reference in e["record"]]


def test_the_readable_page_shows_the_same_records(partner_client, partner, wessex):
    made = _history(partner, wessex)
    page = partner_client.get(MY_DATA).content.decode()
    assert f"Claim {made['draft'].reference}: draft" in page
    assert "IMG_2041.JPG, added" in page
    assert "£18.40" in page
    assert "Panel Wessex 0 (Wessex AHSN)" in page
    assert "The room was too cold for my arthritis (0)" in page
    assert "Your claim is saved" in page
    assert "What the portal recorded about your record" in page


def test_the_download_costs_the_same_queries_however_much_is_held(partner, wessex, yorkshire):
    client = client_for(partner.user)
    PartnerLink.objects.create(partner=partner, organisation=yorkshire, joined_on=timezone.localdate())
    _history(partner, wessex)

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = {"json": cost(f"{MY_DATA}?format=json"), "page": cost(MY_DATA)}
    _history(partner, wessex, activities=6)
    _history(partner, yorkshire, activities=3)
    assert len(json.loads(client.get(f"{MY_DATA}?format=json").content)["claims"]) == 13
    assert {"json": cost(f"{MY_DATA}?format=json"), "page": cost(MY_DATA)} == few


def test_staff_producing_it_for_a_partner_give_only_their_ahsns_records_and_no_feedback(staff, wessex, yorkshire):
    person = assisted_partner(wessex, full_name="Alf Assisted")
    PartnerLink.objects.create(partner=person, organisation=yorkshire, joined_on=timezone.localdate())
    wessex_activity = participation_for(person, organisation=wessex, title="Wessex panel")
    participation_for(person, organisation=yorkshire, title="Yorkshire panel")
    Feedback.objects.create(
        participation=wessex_activity,
        listened_to=4,
        role_clear=4,
        support_right=4,
        take_part_again=4,
        comments="Private words",
        submitted_at=timezone.now(),
    )
    data = json.loads(client_for(staff).get(f"/partners/{person.pk}/their-information/?format=json").content)
    assert [a["activity"] for a in data["activities"]] == ["Wessex panel"]
    assert "feedback" not in data
    assert "Private words" not in json.dumps(data)


# --- Leaving ---------------------------------------------------------------------------------------


def test_leaving_clears_what_they_wrote_and_withdraws_their_drafts_but_keeps_the_money(partner, wessex):
    made = _history(partner, wessex)
    forum = ForumFactory(organisation=wessex)
    member = ForumMember.objects.create(forum=forum, partner=partner)
    Apology.objects.create(meeting=MeetingFactory(forum=forum), member=member, note="Hospital appointment for my heart")
    sent = Claim.objects.get(partner=partner, status=ClaimStatus.SUBMITTED)

    services.partner_leave(partner=partner, actor=partner.user)

    feedback = Feedback.objects.get(participation__partner=partner)
    assert feedback.comments == "" and feedback.may_use_name is False
    assert (feedback.listened_to, feedback.take_part_again) == (5, 5)  # the scores stay, without words
    assert Apology.objects.get(member=member).note == ""
    line = ClaimLine.objects.get(pk=made["line"].pk)
    assert (line.description, line.reason) == ("", "")
    assert (line.kind, line.amount, line.expense_date) == ("taxi", Decimal("18.40"), made["line"].expense_date)
    draft = Claim.objects.get(pk=made["draft"].pk)
    assert draft.status == ClaimStatus.WITHDRAWN
    assert not draft.lines.filter(participation_locked=True).exists()
    assert AuditEntry.objects.filter(
        action="payments.claim.withdrawn", target_type="payments.claim", target_id=str(draft.pk)
    ).exists()
    sent.refresh_from_db()
    assert sent.status == ClaimStatus.SUBMITTED  # already with the AHSN: it can still be paid
    left = AuditEntry.objects.get(action="partners.partner.left")
    assert left.data["claims_withdrawn"] == 1 and left.data["feedback_comments_cleared"] == 1


def test_leaving_one_ahsn_clears_only_what_they_wrote_there(partner, wessex, yorkshire, lead):
    PartnerLink.objects.create(partner=partner, organisation=yorkshire, joined_on=timezone.localdate())
    at_wessex = _history(partner, wessex)
    at_yorkshire = _history(partner, yorkshire)
    link = PartnerLink.objects.get(partner=partner, organisation=wessex)

    services.link_update(actor=lead, link=link, status=PartnerLink.Status.LEFT, joined_on=link.joined_on)

    assert Claim.objects.get(pk=at_wessex["draft"].pk).status == ClaimStatus.WITHDRAWN
    assert Claim.objects.get(pk=at_yorkshire["draft"].pk).status == ClaimStatus.DRAFT
    assert ClaimLine.objects.get(pk=at_wessex["line"].pk).description == ""
    assert ClaimLine.objects.get(pk=at_yorkshire["line"].pk).description == "Taxi from home in Romsey"
    comments = dict(
        Feedback.objects.filter(participation__partner=partner).values_list(
            "participation__activity__organisation_id", "comments"
        )
    )
    assert comments == {wessex.pk: "", yorkshire.pk: "The room was too cold for my arthritis (0)"}
