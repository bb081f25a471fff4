"""Every write to forums. Keyword-only, one transaction, the row locked before a state change, audited."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import MANAGER_ROLES, User
from accounts.roles import DELIVERY_ROLES
from core.access import can_write
from core.audit import log_action
from core.choices import InvolvementMethod, LadderLevel
from core.errors import DomainError
from core.formatting import date_text, moment_text
from core.notifications import notify
from forum import selectors
from forum.models import (
    Action,
    AgendaItem,
    Apology,
    Attendance,
    Decision,
    Forum,
    ForumMember,
    Meeting,
    MeetingNotes,
    NotesAmendment,
    NotesApproval,
    NotesDraft,
    Paper,
)
from forum.rendering import unsafe_markup, with_article
from forum.uploads import PaperRejected, check_paper
from involvement import services as involvement
from involvement.models import Participation
from partners.models import PartnerLink

# A draft of the notes longer than this is refused (a whole book, not meeting notes).
NOTES_DRAFT_MAX_CHARS = 200_000


class ForumError(DomainError):
    """A request we refuse, with a message to show the person who made it."""


def _require_run(actor: User, forum: Forum) -> selectors.ForumAccess:
    access = selectors.forum_access(actor, forum, cached=False)
    if not access.can_run:
        raise ForumError("Only the forum's co-chairs and secretariat can do this.")
    return access


def _require_manage(actor: User, forum: Forum) -> None:
    if not selectors.forum_access(actor, forum, cached=False).can_manage:
        raise ForumError("Only the forum's involvement lead or a network admin can do this.")


# --- Forums and members -----------------------------------------------------------------------


def forum_create(
    *, actor: User, organisation: Any, name: str, slug: str, description: str = "", is_public: bool = False
) -> Forum:
    if not can_write(actor, organisation.pk, roles=MANAGER_ROLES):
        raise ForumError(f"You cannot set up forums for {organisation.name}.")
    if Forum.objects.filter(slug=slug).exists():
        raise ForumError("Another forum already uses this web address. Choose a different one.")
    with transaction.atomic():
        forum = Forum.objects.create(
            organisation=organisation, name=name.strip(), slug=slug, description=description, is_public=is_public
        )
        log_action(
            actor=actor,
            action="forum.forum.created",
            target=forum,
            organisation=organisation,
            data={"is_public": is_public},
        )
    return forum


def forum_update(*, actor: User, forum: Forum, name: str, description: str, is_public: bool) -> Forum:
    _require_manage(actor, forum)
    with transaction.atomic():
        locked = Forum.objects.select_for_update().get(pk=forum.pk)
        changed = [
            f
            for f, v in (("name", name), ("description", description), ("is_public", is_public))
            if getattr(locked, f) != v
        ]
        locked.name, locked.description, locked.is_public = name.strip(), description, is_public
        locked.save(update_fields=["name", "description", "is_public"])
        log_action(
            actor=actor,
            action="forum.forum.updated",
            target=locked,
            organisation=locked.organisation,
            data={"changed": changed},
        )
    return locked


def member_add(
    *, actor: User, forum: Forum, role: str, user: Any | None = None, partner: Any | None = None
) -> ForumMember:
    _require_manage(actor, forum)
    if (user is None) == (partner is None):
        raise ForumError("Choose either a member of staff or a lay partner")
    _check_role_fits(role=role, is_lay=partner is not None)
    with transaction.atomic():
        Forum.objects.select_for_update().get(pk=forum.pk)
        existing = ForumMember.objects.filter(forum=forum, left_on__isnull=True)
        if user is not None and existing.filter(user=user).exists():
            raise ForumError(f"{user.full_name or user.email} is already a member of this forum")
        if partner is not None and existing.filter(partner=partner).exists():
            raise ForumError(f"{partner.display_name} is already a member of this forum")
        member = ForumMember.objects.create(forum=forum, user=user, partner=partner, role=role)
        if partner is not None:
            _ensure_partner_link(actor=actor, forum=forum, partner=partner)
        log_action(
            actor=actor,
            action="forum.member.added",
            target=member,
            organisation=forum.organisation,
            data={"role": role},
            on_behalf_of=partner.reference if partner is not None else "",
        )
    return member


def _check_role_fits(*, role: str, is_lay: bool) -> None:
    if role not in ForumMember.Role.values:
        raise ForumError("Choose a forum role from the list")
    if role == ForumMember.Role.LAY_CO_CHAIR and not is_lay:
        raise ForumError("The lay co-chair must be a lay partner")
    if role in (ForumMember.Role.STAFF_CO_CHAIR, ForumMember.Role.SECRETARIAT) and is_lay:
        raise ForumError(f"The {ForumMember.Role(role).label.lower()} must be a member of staff")


def member_change_role(*, actor: User, member: ForumMember, role: str) -> ForumMember:
    _require_manage(actor, member.forum)
    _check_role_fits(role=role, is_lay=member.is_lay)
    with transaction.atomic():
        locked = ForumMember.objects.select_for_update().get(pk=member.pk)
        if locked.left_on is not None:
            raise ForumError("This person has left the forum")
        if locked.role == role:  # nothing changed, so nothing to record
            return locked
        before = locked.role
        locked.role = role
        locked.save(update_fields=["role"])
        log_action(
            actor=actor,
            action="forum.member.role_changed",
            target=locked,
            organisation=member.forum.organisation,
            data={"from": before, "to": role},
        )
    return locked


def member_remove(*, actor: User, member: ForumMember) -> ForumMember:
    """The person leaves the forum (kept as history: their approvals and attendance stay)."""
    _require_manage(actor, member.forum)
    with transaction.atomic():
        locked = ForumMember.objects.select_for_update().get(pk=member.pk)
        if locked.left_on is not None:
            raise ForumError("This person has already left the forum")
        locked.left_on = timezone.localdate()
        locked.calendar_token_revoked_at = timezone.now()
        locked.save(update_fields=["left_on", "calendar_token_revoked_at"])
        log_action(actor=actor, action="forum.member.left", target=locked, organisation=member.forum.organisation)
    return locked


# --- Meetings, agenda, papers, apologies ------------------------------------------------------


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise ForumError("The meeting must end after it starts")


def _active_members_for_notice(forum: Forum) -> list[ForumMember]:
    return list(selectors.active_members(forum))


def meeting_schedule(
    *,
    actor: User,
    forum: Forum,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    format: str,
    title: str = "",
    venue: str = "",
    access_information: str = "",
    joining_link: str = "",
) -> Meeting:
    _require_run(actor, forum)
    _check_times(starts_at, ends_at)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            forum=forum,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            format=format,
            venue=venue,
            access_information=access_information,
            joining_link=joining_link,
        )
        log_action(
            actor=actor,
            action="forum.meeting.scheduled",
            target=meeting,
            organisation=forum.organisation,
            data={"starts_at": starts_at.isoformat(), "format": format},
        )
        url = reverse("forum:meeting_detail", args=[meeting.pk])
        for member in _active_members_for_notice(forum):
            notify(
                kind="forum.meeting_scheduled",
                subject=meeting,
                user=member.user,
                partner=member.partner,
                organisation=forum.organisation,
                title=f"{forum.name}: meeting on {date_text(starts_at)}",
                body=(
                    f"{with_article(forum.name, capital=True)} meeting has been arranged for {moment_text(starts_at, with_day=True)}. "
                    "You can see the agenda and papers, or send your apologies, in the portal."
                ),
                url=url,
            )
    return meeting


def meeting_update(*, actor: User, meeting: Meeting, **fields: Any) -> Meeting:
    _require_run(actor, meeting.forum)
    allowed = {"title", "starts_at", "ends_at", "format", "venue", "access_information", "joining_link"}
    unknown = set(fields) - allowed
    if unknown:
        raise ForumError(f"Cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status == Meeting.Status.CANCELLED:
            raise ForumError("This meeting was cancelled and cannot be changed")
        _check_times(fields.get("starts_at", locked.starts_at), fields.get("ends_at", locked.ends_at))
        changed = sorted(k for k, v in fields.items() if getattr(locked, k) != v)
        for key, value in fields.items():
            setattr(locked, key, value)
        locked.save()
        log_action(
            actor=actor,
            action="forum.meeting.updated",
            target=locked,
            organisation=meeting.forum.organisation,
            data={"changed": changed},
        )
        if locked.is_upcoming and set(changed) & {"starts_at", "ends_at", "format", "venue", "joining_link"}:
            _tell_members_meeting_changed(meeting=locked, forum=meeting.forum)
    locked.forum = meeting.forum
    return locked


def _tell_members_meeting_changed(*, meeting: Meeting, forum: Forum) -> None:
    place = meeting.venue or meeting.joining_link or "details in the portal"
    for member in _active_members_for_notice(forum):
        notify(
            kind="forum.meeting_changed",
            subject=meeting,
            user=member.user,
            partner=member.partner,
            organisation=forum.organisation,
            occurrence=timezone.now().isoformat(),
            title=f"{forum.name}: meeting details have changed",
            body=(
                f"The {forum.name} meeting is now on {moment_text(meeting.starts_at, with_day=True)} "
                f"({meeting.get_format_display().lower()}). Where: {place}."
            ),
            url=reverse("forum:meeting_detail", args=[meeting.pk]),
        )


def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    _require_run(actor, meeting.forum)
    if not reason.strip():
        raise ForumError("Enter why the meeting is cancelled")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != Meeting.Status.SCHEDULED:
            raise ForumError(f"This meeting cannot be cancelled because it is {locked.get_status_display().lower()}")
        locked.status = Meeting.Status.CANCELLED
        locked.cancellation_reason = reason.strip()
        locked.save(update_fields=["status", "cancellation_reason"])
        log_action(
            actor=actor, action="forum.meeting.cancelled", target=locked, organisation=meeting.forum.organisation
        )
        for member in _active_members_for_notice(meeting.forum):
            notify(
                kind="forum.meeting_cancelled",
                subject=locked,
                user=member.user,
                partner=member.partner,
                organisation=meeting.forum.organisation,
                title=f"{meeting.forum.name}: meeting on {date_text(locked.starts_at)} is cancelled",
                body=(
                    f"The {meeting.forum.name} meeting on {moment_text(locked.starts_at, with_day=True)} is cancelled. "
                    f"Reason: {locked.cancellation_reason}"
                ),
                url=reverse("forum:meeting_detail", args=[locked.pk]),
                essential=True,
            )
    locked.forum = meeting.forum
    return locked


def agenda_item_add(
    *, actor: User, meeting: Meeting, title: str, presenter: str = "", minutes: int | None = None
) -> AgendaItem:
    _require_run(actor, meeting.forum)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status == Meeting.Status.CANCELLED:
            raise ForumError("This meeting was cancelled")
        next_order = (AgendaItem.objects.filter(meeting=locked).aggregate(m=Max("order"))["m"] or 0) + 1
        item = AgendaItem.objects.create(
            meeting=locked, order=next_order, title=title.strip(), presenter=presenter.strip(), minutes=minutes
        )
        log_action(actor=actor, action="forum.agenda_item.added", target=item, organisation=meeting.forum.organisation)
    return item


def agenda_item_move(*, actor: User, item: AgendaItem, direction: str) -> AgendaItem:
    """Swap an item with its neighbour ("up" or "down")."""
    _require_run(actor, item.meeting.forum)
    with transaction.atomic():
        items = list(AgendaItem.objects.select_for_update().filter(meeting_id=item.meeting_id).order_by("order"))
        index = next(i for i, it in enumerate(items) if it.pk == item.pk)
        other_index = index - 1 if direction == "up" else index + 1
        if other_index < 0 or other_index >= len(items):
            return items[index]
        a, b = items[index], items[other_index]
        a_order, b_order = a.order, b.order
        # Move one out of the way first: (meeting, order) is unique.
        AgendaItem.objects.filter(pk=a.pk).update(order=0)
        AgendaItem.objects.filter(pk=b.pk).update(order=a_order)
        AgendaItem.objects.filter(pk=a.pk).update(order=b_order)
        log_action(
            actor=actor,
            action="forum.agenda_item.moved",
            target=a,
            organisation=item.meeting.forum.organisation,
            data={"direction": direction},
        )
    a.order = b_order
    return a


def paper_upload(*, actor: User, agenda_item: AgendaItem, upload: UploadedFile) -> Paper:
    _require_run(actor, agenda_item.meeting.forum)
    try:
        kind = check_paper(upload)
    except PaperRejected as exc:
        raise ForumError(str(exc), field=exc.field) from exc
    original = (upload.name or "paper").rsplit("/", 1)[-1][:200]
    stem = original.rsplit(".", 1)[0] or "paper"
    with transaction.atomic():
        paper = Paper(
            agenda_item=agenda_item,
            original_name=f"{stem}.{kind.extension}",
            content_type=kind.content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        # Stored under a random name: the original name is only shown, never used as a path.
        paper.file.save(f"{secrets.token_hex(16)}.{kind.extension}", upload, save=False)
        paper.save()
        log_action(
            actor=actor,
            action="forum.paper.uploaded",
            target=paper,
            organisation=agenda_item.meeting.forum.organisation,
            data={"content_type": kind.content_type, "size": paper.size},
        )
    return paper


def apology_send(*, actor: User, meeting: Meeting, member: ForumMember, note: str = "") -> Apology:
    if member.left_on is not None or member.forum_id != meeting.forum_id:
        raise ForumError("Only members of this forum can send apologies")
    if (
        member.login_user_id() != getattr(actor, "pk", None)
        and not selectors.forum_access(actor, meeting.forum, cached=False).can_run
    ):
        raise ForumError("You can only send your own apologies")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != Meeting.Status.SCHEDULED:
            raise ForumError("Apologies can only be sent for a meeting that has not happened yet")
        try:
            with transaction.atomic():
                apology = Apology.objects.create(meeting=locked, member=member, note=note.strip())
        except IntegrityError as exc:
            raise ForumError("You have already sent apologies for this meeting") from exc
        log_action(
            actor=actor,
            action="forum.apology.sent",
            target=apology,
            organisation=meeting.forum.organisation,
            on_behalf_of=member.partner.reference if member.partner is not None else "",
        )
    return apology


def apology_record(*, actor: User, meeting: Meeting, member: ForumMember, note: str = "") -> Apology:
    """The secretariat (or a co-chair) records apologies a member gave another way, by phone or
    email, before or after the meeting. Audited with who recorded them."""
    _require_run(actor, meeting.forum)
    if member.left_on is not None or member.forum_id != meeting.forum_id:
        raise ForumError("Choose a current member of this forum")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status == Meeting.Status.CANCELLED:
            raise ForumError("This meeting was cancelled, so nobody needs to send apologies")
        if Attendance.objects.filter(meeting=locked, member=member, attended=True).exists():
            raise ForumError(f"{member.name} is recorded as attending this meeting")
        try:
            with transaction.atomic():
                apology = Apology.objects.create(meeting=locked, member=member, note=note.strip())
        except IntegrityError as exc:
            raise ForumError(f"{member.name} has already sent apologies for this meeting") from exc
        log_action(
            actor=actor,
            action="forum.apology.recorded",
            target=apology,
            organisation=meeting.forum.organisation,
            data={"member": member.pk, "meeting": locked.pk},
            on_behalf_of=member.partner.reference if member.partner is not None else "",
        )
    return apology


# --- Attendance -------------------------------------------------------------------------------


def default_hours(meeting: Meeting) -> Decimal:
    """The meeting's length rounded to the nearest quarter hour."""
    hours = Decimal((meeting.ends_at - meeting.starts_at).total_seconds()) / Decimal(3600)
    quarters = (hours * 4).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return (quarters / 4).quantize(Decimal("0.01"))


def attendance_record(
    *, actor: User, meeting: Meeting, rows: Sequence[tuple[ForumMember, bool, Decimal | None]]
) -> list[Attendance]:
    """Record who attended; the meeting becomes "held". Lay members who attended get a claimable
    participation on the meeting's involvement activity (see `_sync_participations`)."""
    _require_run(actor, meeting.forum)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status == Meeting.Status.CANCELLED:
            raise ForumError("This meeting was cancelled, so nobody can be recorded as attending")
        if locked.starts_at > timezone.now():
            raise ForumError("You can record attendance once the meeting has started")
        saved: list[Attendance] = []
        for member, attended, _hours in rows:
            if member.forum_id != locked.forum_id:
                raise ForumError("Everyone recorded must be a member of this forum")
            record, _ = Attendance.objects.update_or_create(
                meeting=locked, member=member, defaults={"attended": attended, "recorded_by": actor}
            )
            saved.append(record)
        if locked.status == Meeting.Status.SCHEDULED:
            locked.status = Meeting.Status.HELD
            locked.save(update_fields=["status"])
        locked.forum = meeting.forum
        _sync_participations(actor=actor, meeting=locked, rows=rows)
        log_action(
            actor=actor,
            action="forum.attendance.recorded",
            target=locked,
            organisation=meeting.forum.organisation,
            data={"attended": sum(1 for _m, a, _h in rows if a), "recorded": len(rows)},
        )
    return saved


def _ensure_partner_link(*, actor: User, forum: Forum, partner: Any) -> None:
    """A lay member is registered with the organisation that runs the forum (for the network forum,
    The AHSN Network), so their forum time can be claimed from it."""

    link, created = PartnerLink.objects.get_or_create(
        partner=partner, organisation=forum.organisation, defaults={"joined_on": timezone.localdate()}
    )
    if created:
        log_action(
            actor=actor,
            action="forum.member.registered_with_organisation",
            target=link,
            organisation=forum.organisation,
            data={"forum": forum.pk},
            on_behalf_of=partner.reference,
        )


def _sync_participations(
    *, actor: User, meeting: Meeting, rows: Sequence[tuple[ForumMember, bool, Decimal | None]]
) -> None:
    """Lay members who attended get a claimable participation on the meeting's involvement activity
    (made on first use), so payment for forum time needs no re-keying."""

    lay_rows = [(m, attended, hours) for m, attended, hours in rows if m.partner_id is not None]
    if not lay_rows or (meeting.activity_id is None and not any(a for _m, a, _h in lay_rows)):
        return
    forum = meeting.forum
    # The forum's own rules allowed this recording; the involvement app checks staff roles, which a
    # lay co-chair or a secretariat from another AHSN does not hold there, so they act as the system
    # (the forum's audit entry names them).
    inv_actor = actor if can_write(actor, forum.organisation_id, roles=DELIVERY_ROLES) else None
    try:
        if meeting.activity_id is None:
            activity = involvement.activity_create(
                actor=inv_actor,
                organisation=forum.organisation,
                title=f"{forum.name}: {meeting.display_title}"[:200],
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                method=InvolvementMethod.FORUM_MEETING,
                level=LadderLevel.CO_PRODUCTION,
                format=meeting.format,
                location=meeting.venue[:255],
                joining_details=meeting.joining_link,
            )
            meeting.activity = activity
            meeting.save(update_fields=["activity"])
        activity = meeting.activity  # type: ignore[assignment]
        existing = {p.partner_id: p for p in Participation.objects.filter(activity=activity).select_related("partner")}
        standard = default_hours(meeting)
        inv_rows = []
        for member, attended, hours in lay_rows:
            participation = existing.get(member.partner_id or 0)
            if participation is None:
                if not attended:
                    continue
                _ensure_partner_link(actor=actor, forum=forum, partner=member.partner)
                participation = involvement.participation_add(
                    actor=inv_actor,
                    activity=activity,
                    partner=member.partner,  # type: ignore[arg-type]
                    role=member.get_role_display(),
                    expected_hours=standard,
                )
            inv_rows.append((participation, attended, (hours or standard) if attended else None))
        involvement.attendance_record(actor=inv_actor, activity=activity, rows=inv_rows)
    except involvement.InvolvementError as exc:
        raise ForumError(str(exc)) from exc


# --- Notes ------------------------------------------------------------------------------------


def _meeting_name(forum: Forum, meeting: Meeting) -> str:
    return f"the {forum.name} meeting on {date_text(meeting.starts_at)}"


def notes_save(*, actor: User, meeting: Meeting, body_markdown: str, amendment_note: str = "") -> MeetingNotes:
    """Write or change the notes. Any change makes a new version (earlier approvals stop counting).
    Published notes change only by an amendment with a visible note, and the amendment is a new
    version that both co-chairs approve before anyone else sees it. Saving clears the person's own
    draft (see `notes_draft_save`)."""
    _require_run(actor, meeting.forum)
    body = body_markdown.replace("\r\n", "\n").strip()
    problem = unsafe_markup(body)
    if problem:
        raise ForumError(problem)
    with transaction.atomic():
        locked_meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked_meeting.status == Meeting.Status.CANCELLED:
            raise ForumError("This meeting was cancelled, so it has no notes")
        NotesDraft.objects.filter(meeting=locked_meeting, author=actor).delete()
        notes, created = MeetingNotes.objects.select_for_update().get_or_create(
            meeting=locked_meeting, defaults={"body_markdown": body, "updated_by": actor}
        )
        if created:
            log_action(actor=actor, action="forum.notes.created", target=notes, organisation=meeting.forum.organisation)
            return notes
        if notes.body_markdown == body:
            return notes
        note = amendment_note.strip()
        if notes.is_published:
            if not note:
                raise ForumError("Say what you corrected and why: it is shown with the published notes")
            NotesAmendment.objects.create(
                notes=notes,
                version=notes.version + 1,
                body_before=notes.body_markdown,
                body_after=body,
                note=note,
                made_by=actor,
                awaiting_approval=True,
            )
        notes.body_markdown = body
        notes.version += 1
        notes.updated_by = actor
        notes.save()
        log_action(
            actor=actor,
            action="forum.notes.amended" if notes.is_published else "forum.notes.edited",
            target=notes,
            organisation=meeting.forum.organisation,
            data=_version_data(notes),
        )
        if notes.needs_approval:
            tell_co_chairs_notes_changed(
                actor=actor, notes=notes, meeting=locked_meeting, forum=meeting.forum, what=note
            )
    return notes


def _version_data(notes: MeetingNotes) -> dict[str, Any]:
    """The audit data of a new version: for published notes, also the version the public still sees."""
    if notes.is_published:
        return {"version": notes.version, "published_version": notes.published_version}
    return {"version": notes.version}


def notes_draft_save(
    *, actor: User, meeting: Meeting, body_markdown: str, amendment_note: str = ""
) -> NotesDraft | None:
    """Keep what the person is typing into the notes form, so it is not lost if they leave the page.
    The draft is theirs alone: nobody else sees it, it changes no version and asks nobody to approve
    anything, so it is not audited (the save that follows is). Saving the notes clears it, and a
    draft that says what the saved notes already say is not kept (None): the page may send one
    last draft as the form is being saved."""
    _require_run(actor, meeting.forum)
    if len(body_markdown) > NOTES_DRAFT_MAX_CHARS:
        raise ForumError("The notes are too long to keep as a draft")
    with transaction.atomic():
        # The same lock as notes_save: a draft sent as the form is saved waits for that save, then
        # sees the saved text, instead of being written just after the save cleared drafts.
        meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
        if meeting.status == Meeting.Status.CANCELLED:
            raise ForumError("This meeting was cancelled, so it has no notes")
        notes = MeetingNotes.objects.filter(meeting=meeting).only("version", "body_markdown").first()
        if notes is not None and notes.body_markdown == body_markdown.replace("\r\n", "\n").strip():
            NotesDraft.objects.filter(meeting=meeting, author=actor).delete()
            return None
        draft, _ = NotesDraft.objects.update_or_create(
            meeting=meeting,
            author=actor,
            defaults={
                "body_markdown": body_markdown.replace("\r\n", "\n"),
                "amendment_note": amendment_note[:500],
                "based_on_version": notes.version if notes is not None else None,
                "saved_at": timezone.now(),
            },
        )
    return draft


def notes_draft_discard(*, actor: User, meeting: Meeting) -> None:
    """The person chose to start again from the saved notes."""
    NotesDraft.objects.filter(meeting=meeting, author=actor).delete()


def _ask_co_chairs_to_approve(
    *, notes: MeetingNotes, meeting: Meeting, forum: Forum, kind: str, title: str, body: Any, skip_user_id: Any = None
) -> None:
    """Tell each co-chair in post that this version of the notes needs their approval; once per
    co-chair per version (the version is the occurrence). `body(chair)` gives each one's text;
    `skip_user_id` is the person who made the change, who is not told."""
    url = reverse("forum:notes_approve", args=[meeting.pk])
    for chairs in selectors.co_chairs_in_post(forum).values():
        for chair in chairs:
            if skip_user_id is not None and chair.login_user_id() == skip_user_id:
                continue
            notify(
                kind=kind,
                subject=notes,
                user=chair.user,
                partner=chair.partner,
                organisation=forum.organisation,
                occurrence=str(notes.version),
                title=title,
                body=body(chair),
                url=url,
            )


def tell_co_chairs_notes_changed(
    *, actor: User, notes: MeetingNotes, meeting: Meeting, forum: Forum, what: str = ""
) -> None:
    """A new version awaiting approval: every co-chair in post must approve it, whether or not they
    approved the version it replaces; all but the person who made the change are told. For
    published notes the change is an amendment, which stays out of public view until approved."""
    approved_before = set(
        NotesApproval.objects.filter(notes=notes, version=notes.version - 1).values_list("member_id", flat=True)
    )
    meeting_name = _meeting_name(forum, meeting)

    if notes.is_published:
        kind = "forum.notes_amended"
        title = f"{forum.name}: a change to published notes needs your approval"
        change = f" ({what})" if what else ""

        def body(chair: ForumMember) -> str:
            return (
                f"The published notes of {meeting_name} have been changed{change}. "
                "Members and the public keep seeing the approved version until both co-chairs approve "
                "the change. Please read it and approve it in the portal."
            )

    else:
        kind = "forum.notes_changed"
        title = f"{forum.name}: notes changed, please approve the new version"

        def body(chair: ForumMember) -> str:
            if chair.pk in approved_before:
                return (
                    f"The notes of {meeting_name} were changed after you approved them. "
                    "Your approval was of the earlier version, so it no longer counts: "
                    "please read and approve the new version."
                )
            return (
                f"The notes of {meeting_name} were changed while they were waiting for your approval. "
                "Please read the new version before you approve it."
            )

    _ask_co_chairs_to_approve(
        notes=notes,
        meeting=meeting,
        forum=forum,
        kind=kind,
        title=title,
        body=body,
        skip_user_id=getattr(actor, "pk", None),
    )


def _new_version_for_addition(*, actor: User, meeting: Meeting, what: str) -> bool:
    """A decision or action added once the notes are with the co-chairs is part of what they approve:
    it makes a new version. After publishing it is also an amendment, kept from public view until
    both co-chairs approve. Returns True when the new item must wait for that approval."""
    notes = MeetingNotes.objects.select_for_update().filter(meeting=meeting).first()
    if notes is None or notes.status == MeetingNotes.Status.DRAFT:
        return False
    if notes.is_published:
        NotesAmendment.objects.create(
            notes=notes,
            version=notes.version + 1,
            body_before=notes.body_markdown,
            body_after=notes.body_markdown,
            note=what[:500],
            made_by=actor,
            awaiting_approval=True,
        )
    notes.version += 1
    notes.updated_by = actor
    notes.save(update_fields=["version", "updated_by", "updated_at"])
    log_action(
        actor=actor,
        action="forum.notes.amended" if notes.is_published else "forum.notes.edited",
        target=notes,
        organisation=meeting.forum.organisation,
        data={**_version_data(notes), "added": what[:200]},
    )
    tell_co_chairs_notes_changed(actor=actor, notes=notes, meeting=meeting, forum=meeting.forum, what=what)
    return notes.is_published


def notes_submit(*, actor: User, notes: MeetingNotes) -> MeetingNotes:
    """Draft → awaiting approval."""
    forum = notes.meeting.forum
    _require_run(actor, forum)
    with transaction.atomic():
        locked = MeetingNotes.objects.select_for_update().get(pk=notes.pk)
        if locked.status != MeetingNotes.Status.DRAFT:
            raise ForumError("These notes have already been sent for approval")
        if not locked.body_markdown.strip():
            raise ForumError("Write the notes before sending them for approval")
        locked.status = MeetingNotes.Status.AWAITING_APPROVAL
        locked.save(update_fields=["status", "updated_at"])
        log_action(
            actor=actor,
            action="forum.notes.submitted",
            target=locked,
            organisation=forum.organisation,
            data={"version": locked.version},
        )
        ready = (
            f"The notes of the meeting on {date_text(notes.meeting.starts_at)} "
            "are ready. Please read them and approve them in the portal."
        )
        _ask_co_chairs_to_approve(
            notes=locked,
            meeting=notes.meeting,
            forum=forum,
            kind="forum.notes_awaiting_approval",
            title=f"{forum.name}: notes ready for you to approve",
            body=lambda chair: ready,
        )
    locked.meeting = notes.meeting
    return locked


def notes_approve(*, actor: User, notes: MeetingNotes, version: int) -> MeetingNotes:
    """A co-chair approves the exact version they read. When both co-chairs have approved the
    current version, it is published (the first time, or as an amendment to published notes)."""
    forum = notes.meeting.forum
    access = selectors.forum_access(actor, forum, cached=False)
    if not access.is_co_chair or access.member is None:
        raise ForumError("Only the forum's co-chairs can approve notes")
    with transaction.atomic():
        locked = MeetingNotes.objects.select_for_update().get(pk=notes.pk)
        if locked.status == MeetingNotes.Status.DRAFT:
            raise ForumError("These notes have not been sent for approval yet")
        if not locked.needs_approval:
            raise ForumError("These notes are already published")
        if version != locked.version:
            raise ForumError("The notes have changed since you opened them. Read the new version before you approve it")
        if NotesApproval.objects.filter(notes=locked, member=access.member, version=version).exists():
            raise ForumError("You have already approved this version")
        NotesApproval.objects.create(notes=locked, member=access.member, version=version)
        log_action(
            actor=actor,
            action="forum.notes.approved",
            target=locked,
            organisation=forum.organisation,
            data={"version": version, "as": access.member.role},
            on_behalf_of=access.member.partner.reference if access.member.partner is not None else "",
        )
        locked.meeting = notes.meeting
        if selectors.notes_approval_state(locked).complete:
            _publish(actor=actor, notes=locked)
    return locked


def notes_publish(*, actor: User, notes: MeetingNotes) -> MeetingNotes:
    forum = notes.meeting.forum
    _require_run(actor, forum)
    with transaction.atomic():
        locked = MeetingNotes.objects.select_for_update().get(pk=notes.pk)
        locked.meeting = notes.meeting
        if locked.status == MeetingNotes.Status.DRAFT:
            raise ForumError("Send the notes for approval first")
        if not locked.needs_approval:
            raise ForumError("These notes are already published")
        missing = selectors.notes_approval_state(locked).missing
        if missing:
            raise ForumError("These notes cannot be published yet. " + ". ".join(missing))
        _publish(actor=actor, notes=locked)
    return locked


def _publish(*, actor: User, notes: MeetingNotes) -> None:
    """Make the current (approved) version the one members and the public read, with the decisions,
    actions and amendment notes that were waiting for it."""
    forum = notes.meeting.forum
    first = not notes.is_published
    now = timezone.now()
    notes.status = MeetingNotes.Status.PUBLISHED
    if first:
        notes.published_at = now
    else:
        notes.amendment_published_at = now
    notes.published_version = notes.version
    notes.published_body_markdown = notes.body_markdown
    notes.save(
        update_fields=[
            "status",
            "published_at",
            "amendment_published_at",
            "published_version",
            "published_body_markdown",
            "updated_at",
        ]
    )
    NotesAmendment.objects.filter(notes=notes, awaiting_approval=True).update(awaiting_approval=False)
    Decision.objects.filter(meeting_id=notes.meeting_id, awaiting_approval=True).update(awaiting_approval=False)
    Action.objects.filter(meeting_id=notes.meeting_id, awaiting_approval=True).update(awaiting_approval=False)
    log_action(
        actor=actor,
        action="forum.notes.published" if first else "forum.notes.amendment_published",
        target=notes,
        organisation=forum.organisation,
        data={"version": notes.version},
    )
    url = reverse("forum:meeting_detail", args=[notes.meeting.pk])
    when = date_text(notes.meeting.starts_at)
    if first:
        title = f"{forum.name}: notes published"
        body = (
            f"The notes of the {forum.name} meeting on {when} are published, "
            "with the decisions made and the actions agreed."
        )
    else:
        title = f"{forum.name}: published notes corrected"
        body = (
            f"Both co-chairs have approved a correction to the notes of the {forum.name} meeting on {when}. "
            "The corrected notes are published, with a note of what changed."
        )
    for member in _active_members_for_notice(forum):
        notify(
            kind="forum.notes_published",
            subject=notes,
            user=member.user,
            partner=member.partner,
            organisation=forum.organisation,
            occurrence=str(notes.version),
            title=title,
            body=body,
            url=url,
        )


# --- Actions and decisions --------------------------------------------------------------------


def _check_owner(meeting: Meeting, owner: ForumMember | None) -> None:
    if owner is not None and (owner.forum_id != meeting.forum_id or owner.left_on is not None):
        raise ForumError("The owner must be a current member of this forum")


def action_add(
    *, actor: User, meeting: Meeting, description: str, owner: ForumMember | None = None, due_on: dt.date | None = None
) -> Action:
    _require_run(actor, meeting.forum)
    _check_owner(meeting, owner)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        waits = _new_version_for_addition(actor=actor, meeting=meeting, what=f"Action added: {description.strip()}")
        action = Action.objects.create(
            meeting=meeting, description=description.strip(), owner=owner, due_on=due_on, awaiting_approval=waits
        )
        log_action(
            actor=actor,
            action="forum.action.added",
            target=action,
            organisation=meeting.forum.organisation,
            data={"due_on": due_on.isoformat() if due_on else None},
        )
    return action


def action_update(
    *,
    actor: User,
    action: Action,
    status: str,
    update_notes: str,
    owner: ForumMember | None,
    due_on: dt.date | None,
) -> Action:
    _require_run(actor, action.meeting.forum)
    _check_owner(action.meeting, owner)
    if status not in Action.Status.values:
        raise ForumError("Choose a status from the list")
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        before = locked.status
        locked.status, locked.update_notes, locked.owner, locked.due_on = status, update_notes.strip(), owner, due_on
        locked.save()
        log_action(
            actor=actor,
            action="forum.action.updated",
            target=locked,
            organisation=action.meeting.forum.organisation,
            data={"from": before, "to": status},
        )
    locked.meeting = action.meeting
    return locked


def decision_add(*, actor: User, meeting: Meeting, what: str, why: str) -> Decision:
    _require_run(actor, meeting.forum)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        waits = _new_version_for_addition(actor=actor, meeting=meeting, what=f"Decision added: {what.strip()}")
        decision = Decision.objects.create(meeting=meeting, what=what.strip(), why=why.strip(), awaiting_approval=waits)
        log_action(actor=actor, action="forum.decision.added", target=decision, organisation=meeting.forum.organisation)
    return decision


# --- Calendar links ---------------------------------------------------------------------------


def calendar_token_regenerate(*, actor: User, member: ForumMember) -> str:
    """A new private calendar link for the member; the old one stops working. Returns the token."""
    if member.login_user_id() != getattr(actor, "pk", None):
        raise ForumError("You can only change your own calendar link")
    with transaction.atomic():
        locked = ForumMember.objects.select_for_update().get(pk=member.pk)
        if locked.left_on is not None:
            raise ForumError("You have left this forum")
        token = locked.new_calendar_token()
        locked.save(update_fields=["calendar_token_hash", "calendar_token_created_at", "calendar_token_revoked_at"])
        log_action(
            actor=actor, action="forum.calendar_link.created", target=locked, organisation=member.forum.organisation
        )
    return token


def calendar_token_revoke(*, actor: User, member: ForumMember) -> None:
    if member.login_user_id() != getattr(actor, "pk", None):
        raise ForumError("You can only change your own calendar link")
    with transaction.atomic():
        locked = ForumMember.objects.select_for_update().get(pk=member.pk)
        if not locked.calendar_token_hash or locked.calendar_token_revoked_at is not None:
            raise ForumError("You do not have a calendar link to turn off")
        locked.calendar_token_revoked_at = timezone.now()
        locked.save(update_fields=["calendar_token_revoked_at"])
        log_action(
            actor=actor, action="forum.calendar_link.revoked", target=locked, organisation=member.forum.organisation
        )
