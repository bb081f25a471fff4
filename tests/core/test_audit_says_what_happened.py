"""The audit log says what happened: views of personal data as views, downloads as releases,
actions in plain English, and no entry for a change that changed nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core.audit import ACTION_DESCRIPTIONS, describe_action, log_action
from core.models import AuditEntry
from forum import services
from forum.models import ForumMember
from involvement import services as involvement_services
from involvement.models import OutcomeStatus
from partners import services as partners_services
from programmes import services as programmes_services
from tests.forum.factories import ForumFactory, lay_partner_with_login
from tests.involvement.factories import ActivityFactory
from tests.partners.factories import PartnerLinkFactory, assisted_partner, partner_with_login
from tests.programmes.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_opening_their_information_is_a_view_and_the_file_is_a_release(staff_client, lead_client, staff, wessex):
    person = assisted_partner(wessex, full_name="Arthur Penn")
    url = f"/partners/{person.pk}/their-information/"
    for _ in range(3):
        assert staff_client.get(url).status_code == 200
    assert staff_client.get(f"{url}?format=json").status_code == 200
    actions = list(AuditEntry.objects.filter(actor=staff).values_list("action", flat=True))
    assert sorted(actions) == ["partners.partner.data_released", *["partners.partner.data_viewed"] * 3]

    page = lead_client.get("/audit/").content.decode()
    assert page.count("Personal data viewed (their information page)") == 3
    assert page.count("Personal data downloaded (their information file)") == 1


def test_the_audit_page_says_what_happened_in_plain_english_not_codes(lead_client, lead, wessex):
    log_action(actor=lead, action="accounts.membership.role_changed", organisation=wessex)
    log_action(actor=lead, action="payments.claim.approved", organisation=wessex)
    log_action(actor=lead, action="partners.directory.exported", organisation=wessex)
    page = lead_client.get("/audit/").content.decode()
    assert "What happened" in page
    for words in ("Role in the team changed", "Claim approved", "Contact list of lay partners downloaded"):
        assert words in page
    for code in ("accounts.membership.role_changed", "payments.claim.approved", "partners.directory.exported"):
        assert code not in page


def test_the_audit_log_can_be_searched_by_the_words_shown(lead_client, lead, wessex):
    log_action(actor=lead, action="payments.claim.approved", organisation=wessex)
    log_action(actor=lead, action="partners.partner.data_viewed", organisation=wessex)
    found = lead_client.get("/audit/?action=personal+data").content.decode()
    assert "Personal data viewed" in found and "Claim approved" not in found


def test_every_action_the_portal_records_has_plain_english():
    """An action written anywhere in the portal's code has a description on the audit page."""
    base = Path(settings.BASE_DIR)
    written: set[str] = set()
    for path in base.glob("*/*.py"):
        if path.parts[-2] in {"tests", "migrations", ".venv", "node_modules"}:
            continue
        text = path.read_text()
        written |= set(re.findall(r'action\s*=\s*"([a-z_]+\.[a-z_]+\.[a-z_]+)"', text))
    written |= {"payments.claimline.added", "payments.claimline.removed"}  # action=f"payments.claimline.{verb}"
    assert len(written) > 60
    missing = sorted(written - set(ACTION_DESCRIPTIONS))
    assert not missing, f"add these to core.audit.ACTION_DESCRIPTIONS: {missing}"


def test_an_action_not_described_yet_still_reads_as_words():
    assert describe_action("forum.minutes.shared") == "Minutes shared"


# --- A change that changed nothing leaves no entry ------------------------------------------------


def test_choosing_the_same_team_role_again_records_nothing(lead_client, staff):
    membership = staff.memberships.get()
    assert lead_client.post(f"/team/{membership.pk}/role/", {"role": "staff"}).status_code == 302
    assert not AuditEntry.objects.filter(action="accounts.membership.role_changed").exists()


def test_choosing_the_same_forum_role_again_records_nothing(lead, wessex):
    forum = ForumFactory(organisation=wessex)
    member = ForumMember.objects.create(forum=forum, partner=lay_partner_with_login(), role=ForumMember.Role.MEMBER)
    services.member_change_role(actor=lead, member=member, role=ForumMember.Role.MEMBER)
    assert not AuditEntry.objects.filter(action="forum.member.role_changed").exists()
    services.member_change_role(actor=lead, member=member, role=ForumMember.Role.LAY_CO_CHAIR)
    assert AuditEntry.objects.filter(action="forum.member.role_changed").count() == 1


def test_saving_a_partners_status_unchanged_records_nothing(staff_client, wessex):
    person = assisted_partner(wessex, full_name="Arthur Penn")
    link = person.links.get()
    same = {"status": link.status, "joined_on": link.joined_on.isoformat()}
    assert staff_client.post(f"/partners/links/{link.pk}/", same).status_code == 302
    assert not AuditEntry.objects.filter(action="partners.link.updated").exists()
    changed = {**same, "status": "paused"}
    assert staff_client.post(f"/partners/links/{link.pk}/", changed).status_code == 302
    entry = AuditEntry.objects.get(action="partners.link.updated")
    assert entry.data == {"from": {"status": link.status}, "to": {"status": "paused"}}


def test_saving_consent_answers_unchanged_records_nothing(wessex, yorkshire):

    partner = partner_with_login(wessex)
    PartnerLinkFactory(partner=partner, organisation=yorkshire)
    partners_services.consent_update(
        actor=partner.user, partner=partner, answers={"photos": True}, staff_can_edit_organisation_ids=[wessex.pk]
    )
    assert AuditEntry.objects.filter(action="partners.consent.recorded").count() == 1
    partners_services.consent_update(
        actor=partner.user, partner=partner, answers={"photos": True}, staff_can_edit_organisation_ids=[wessex.pk]
    )
    assert AuditEntry.objects.filter(action="partners.consent.recorded").count() == 1


def test_saving_your_name_unchanged_records_nothing(staff_client, staff):
    assert staff_client.post("/account/", {"full_name": staff.full_name}).status_code == 302
    assert not AuditEntry.objects.filter(action="accounts.user.name_changed").exists()


def test_saving_an_activity_or_outcome_unchanged_records_nothing(staff, wessex):

    activity = ActivityFactory(organisation=wessex, title="Discharge letters workshop")
    involvement_services.activity_update(actor=staff, activity=activity, title="Discharge letters workshop")
    assert not AuditEntry.objects.filter(action="involvement.activity.updated").exists()
    outcome = involvement_services.outcome_record(
        actor=staff,
        activity=activity,
        what_we_heard="Letters use jargon",
        what_we_did="Plain English rewrite",
        status=OutcomeStatus.CHANGED,
        decided_on=timezone.localdate(),
    )
    involvement_services.outcome_update(actor=staff, outcome=outcome, what_we_did="Plain English rewrite")
    assert not AuditEntry.objects.filter(action="involvement.outcome.updated").exists()


def test_saving_a_programme_unchanged_records_nothing(staff, wessex):

    programme = ProgrammeFactory(organisation=wessex, name="Care homes")
    programmes_services.programme_update(actor=staff, programme=programme, name="Care homes")
    assert not AuditEntry.objects.filter(action="programmes.programme.updated").exists()
