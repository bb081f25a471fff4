"""Writing the audit log, and saying in plain English what each entry means.

Services call `log_action` inside their transaction. A service that changes a record calls
`log_change` instead, which writes nothing when nothing changed (choosing "member" again for a
member is not an event). Looking at someone's personal data on a page is recorded as a view
("Personal data viewed"); producing a copy of it as a file is a release ("Personal data
downloaded"): the two are different actions so that the log says which happened."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import Q

from core.models import AuditEntry

# What each action means, as the audit page shows it. Codes are "<app>.<record>.<what happened>".
ACTION_DESCRIPTIONS: dict[str, str] = {
    # The whole portal
    "core.backup.created": "Backup of the database and files made",
    "core.backup.restored": "Portal restored from a backup",
    # Team and accounts
    "accounts.invitation.created": "Invitation to join the team sent",
    "accounts.invitation.revoked": "Invitation to join the team withdrawn",
    "accounts.membership.created": "Joined the team",
    "accounts.membership.removed": "Removed from the team",
    "accounts.membership.role_changed": "Role in the team changed",
    "accounts.user.name_changed": "Own name changed",
    # Lay partners and their personal data
    "partners.application.received": "Application to become a lay partner received",
    "partners.application.accepted": "Application to become a lay partner accepted",
    "partners.application.declined": "Application to become a lay partner declined",
    "partners.invitation.created": "Lay partner invited to set up an account",
    "partners.invitation.accepted": "Lay partner set up their account",
    "partners.partner.registered_assisted": "Lay partner registered by staff",
    "partners.partner.updated": "Lay partner's details changed",
    "partners.partner.left": "Lay partner left and their personal details were removed",
    "partners.partner.data_viewed": "Personal data viewed (their information page)",
    "partners.partner.data_released": "Personal data downloaded (their information file)",
    "partners.directory.exported": "Contact list of lay partners downloaded",
    "partners.consent.recorded": "Consent answers recorded",
    "partners.link.updated": "Lay partner's status or joining date changed",
    "partners.equality.saved": "Equality monitoring answers saved",
    "partners.equality.deleted": "Equality monitoring answers deleted",
    # Programmes and involvement
    "programmes.programme.created": "Programme created",
    "programmes.programme.updated": "Programme changed",
    "programmes.priority.created": "Strategy priority added",
    "programmes.priority.updated": "Strategy priority changed",
    "programmes.planned_involvement.added": "Planned involvement added to a programme's plan",
    "programmes.planned_involvement.updated": "Planned involvement changed",
    "programmes.planned_involvement.removed": "Planned involvement removed from a programme's plan",
    "involvement.activity.created": "Activity logged",
    "involvement.activity.updated": "Activity changed",
    "involvement.activity.duplicated": "Activity copied to a new date",
    "involvement.activity.cancelled": "Activity cancelled",
    "involvement.activity.completed": "Activity marked as done",
    "involvement.participation.added": "Person added to an activity",
    "involvement.participation.removed": "Person removed from an activity",
    "involvement.participation.coming": "Lay partner said they are coming to an activity",
    "involvement.participation.apologies": "Lay partner sent apologies for an activity",
    "involvement.attendance.recorded": "Attendance and hours recorded",
    "involvement.outcome.recorded": "Outcome recorded (you said, we did)",
    "involvement.outcome.updated": "Outcome changed",
    "involvement.outcome.status_changed": "Outcome moved on (its history has a new step)",
    "involvement.feedback.submitted": "Feedback given",
    "involvement.feedback.updated": "Feedback changed",
    # Imports from spreadsheets
    "imports.import.uploaded": "Spreadsheet uploaded for import",
    "imports.import.imported": "Records imported from a spreadsheet",
    "imports.import.undone": "Import from a spreadsheet undone",
    "imports.import.partners_invited": "Imported lay partners invited",
    # Case studies (evidence app)
    "evidence.case_study.created": "Case study written",
    "evidence.case_study.updated": "Case study changed",
    "evidence.case_study.shared": "Case study shared with the network",
    "evidence.case_study.published": "Case study published publicly",
    "evidence.quote.asked": "Lay partner asked whether their words may be quoted",
    "evidence.quote.answered": "Lay partner answered about being quoted",
    "evidence.quote.removed": "Quote removed from a case study",
    "evidence.session.created": "Learning and development session added",
    "evidence.session.updated": "Learning and development session changed",
    "evidence.session.attendance_added": "Person recorded as taking part in a development session",
    "evidence.session.attendance_removed": "Person no longer recorded as taking part in a development session",
    "evidence.session.requested": "Lay partner asked to take part in a development session",
    "evidence.session.request_accepted": "Lay partner's request to take part in a development session accepted",
    "evidence.session.request_declined": "Lay partner's request to take part in a development session declined",
    # Forums
    "forum.forum.created": "Forum set up",
    "forum.forum.updated": "Forum changed",
    "forum.member.added": "Forum member added",
    "forum.member.left": "Forum member left",
    "forum.member.role_changed": "Forum member's role changed",
    "forum.member.registered_with_organisation": "Forum member registered as a lay partner",
    "forum.meeting.scheduled": "Forum meeting scheduled",
    "forum.meeting.updated": "Forum meeting changed",
    "forum.meeting.cancelled": "Forum meeting cancelled",
    "forum.agenda_item.added": "Agenda item added",
    "forum.agenda_item.moved": "Agenda item moved",
    "forum.paper.uploaded": "Meeting paper uploaded",
    "forum.apology.sent": "Apologies sent",
    "forum.apology.recorded": "Apologies recorded for a member",
    "forum.attendance.recorded": "Forum attendance recorded",
    "forum.notes.created": "Meeting notes started",
    "forum.notes.amended": "Meeting notes changed",
    "forum.notes.submitted": "Meeting notes sent for approval",
    "forum.notes.approved": "Meeting notes approved",
    "forum.notes.published": "Meeting notes published",
    "forum.action.added": "Action added",
    "forum.action.updated": "Action changed",
    "forum.decision.added": "Decision recorded",
    "forum.calendar_link.created": "Calendar link made",
    "forum.calendar_link.revoked": "Calendar link turned off",
    # Payments
    "payments.ratecard.created": "Payment rates set",
    "payments.claim.started": "Claim started",
    "payments.claim.submitted": "Claim sent for approval",
    "payments.claim.resubmitted": "Claim sent again after changes",
    "payments.claim.withdrawn": "Claim withdrawn",
    "payments.claim.returned": "Claim returned for changes",
    "payments.claim.approved": "Claim approved",
    "payments.claim.rejected": "Claim rejected",
    "payments.claim.paid": "Claim paid",
    "payments.claimline.added": "Line added to a claim",
    "payments.claimline.removed": "Line removed from a claim",
    "payments.claimline.changed": "Line on a claim changed",
    "payments.claimline.queried": "Question asked about a claim line",
    "payments.receipt.added": "Receipt uploaded",
    "payments.receipt.file_deleted": "Receipt file deleted at the end of its keeping period",
    "payments.batch.created": "Payment batch made",
    "payments.batch.exported": "Payment batch file downloaded",
    "payments.batch.paid": "Payment batch marked as paid",
    # Opportunities
    "opportunities.opportunity.created": "Opportunity written (draft)",
    "opportunities.opportunity.updated": "Opportunity changed",
    "opportunities.opportunity.published": "Opportunity published",
    "opportunities.opportunity.closed": "Opportunity closed early",
    "opportunities.opportunity.reopened": "Opportunity reopened",
    "opportunities.opportunity.filled": "Opportunity marked as filled",
    "opportunities.opportunity.cancelled": "Opportunity cancelled",
    "opportunities.interest.expressed": "Interest in an opportunity recorded",
    "opportunities.interest.withdrawn": "Interest in an opportunity withdrawn",
    "opportunities.interest.selected": "People chosen for an opportunity",
    "opportunities.interest.reserve": "People put on an opportunity's reserve list",
    "opportunities.interest.declined": "People declined for an opportunity, with a kind message",
    # Reports and notifications
    "reports.quarterlyreport.compile_requested": "Quarterly report asked for",
    "reports.quarterlyreport.compiled": "Quarterly report put together",
    "reports.quarterlyreport.narrative_saved": "Quarterly report text saved",
    "reports.quarterlyreport.published": "Quarterly report published",
    "core.notification.retry": "Message sent again",
    "core.notification.sent_by_hand": "Message marked as passed on by hand",
    "core.notification_preference.updated": "Email choices changed",
    "core.calendar_link.created": "Own calendar link made",
    "core.calendar_link.replaced": "Own calendar link replaced with a new one",
    "core.calendar_link.turned_off": "Own calendar link turned off",
}


def describe_action(action: str) -> str:
    """The action in plain English. An action not listed yet reads from its code: the last two
    parts, in words ("forum.minutes.shared" reads "Minutes shared")."""
    known = ACTION_DESCRIPTIONS.get(action)
    if known is not None:
        return known
    words = " ".join(action.split(".")[-2:]).replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "Something happened"


def actions_matching(text: str) -> Q:
    """Entries whose action's plain-English description (or code) contains `text`."""
    needle = text.strip().lower()
    described = [code for code, words in ACTION_DESCRIPTIONS.items() if needle in words.lower()]
    return Q(action__icontains=needle) | Q(action__in=described)


def log_action(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    organisation: Any | None = None,
    data: dict[str, Any] | None = None,
    on_behalf_of: str = "",
) -> AuditEntry:
    """Record that `actor` did `action` (for example "accounts.membership.created") to `target`."""
    target_type = target_id = target_label = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_label = str(target)[:255]
    return AuditEntry.objects.create(
        actor=actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None,
        action=action,
        organisation=organisation,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        data=data or {},
        on_behalf_of=on_behalf_of,
    )


def log_change(
    *,
    actor: Any | None,
    action: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    target: models.Model | None = None,
    organisation: Any | None = None,
    on_behalf_of: str = "",
) -> AuditEntry | None:
    """Record a change to `target`: the values that differ, from and to. Nothing is written when
    nothing differs, so saving a form without changing it leaves no entry."""
    changed = [key for key in after if before.get(key) != after[key]]
    if not changed:
        return None
    return log_action(
        actor=actor,
        action=action,
        target=target,
        organisation=organisation,
        data={"from": {key: before.get(key) for key in changed}, "to": {key: after[key] for key in changed}},
        on_behalf_of=on_behalf_of,
    )
