"""Reads for forums. Each page's reads cost a fixed number of queries whatever the data size.

Who sees what:
* a forum's active members (staff or lay partners) see its private pages;
* staff of the forum's organisation see them too (a network admin sees every forum);
* leads manage their AHSN's forums, network admins the network forum ("manage");
* the secretariat and co-chairs run meetings: agenda, papers, attendance, notes ("run");
* everyone else gets a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from accounts.models import MANAGER_ROLES, Organisation
from accounts.typing import AnyUser
from core.access import can_write, visible_organisation_ids
from core.user_cache import for_user
from forum.models import (
    MEETINGS_TARGET_PER_YEAR,
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
    hash_token,
)
from partners.models import ConsentRecord, LayPartner

RUNNING_ROLES = (ForumMember.Role.SECRETARIAT, ForumMember.Role.STAFF_CO_CHAIR, ForumMember.Role.LAY_CO_CHAIR)
CO_CHAIR_ROLES = (ForumMember.Role.STAFF_CO_CHAIR, ForumMember.Role.LAY_CO_CHAIR)
LAY_PARTNER_LABEL = "a lay partner"
# Notes count as published on time within this many days of the meeting (for the quarterly report).
NOTES_ON_TIME_DAYS = 14


@dataclass(frozen=True)
class ForumAccess:
    """What the signed-in person may do in one forum."""

    member: ForumMember | None
    is_org_staff: bool
    can_manage: bool
    can_run: bool

    @property
    def can_view(self) -> bool:
        return self.member is not None or self.is_org_staff or self.can_manage

    @property
    def is_co_chair(self) -> bool:
        return self.member is not None and self.member.role in CO_CHAIR_ROLES

    @property
    def can_read_papers(self) -> bool:
        return self.member is not None or self.can_run


def _own_memberships(user: AnyUser) -> QuerySet[ForumMember]:
    if not getattr(user, "is_authenticated", False):
        return ForumMember.objects.none()
    return memberships_of_user_id(user.pk)


def memberships_of_user_id(user_id: Any) -> QuerySet[ForumMember]:
    """The forum memberships (not left) of a signed-in person, as staff or as a lay partner, by
    their user id (a value, or a placeholder in a prepared query: core.prepared)."""
    # The partner's id from a subquery rather than a join to every member's partner: PostgreSQL plans
    # this in about half the time, and this is asked on every home page.
    own_partner = LayPartner.objects.filter(user_id=user_id).values("pk")
    return ForumMember.objects.filter(left_on__isnull=True).filter(Q(user_id=user_id) | Q(partner_id__in=own_partner))


def forums_visible_to(user: AnyUser) -> QuerySet[Forum]:
    if not getattr(user, "is_authenticated", False):
        return Forum.objects.none()
    org_ids = visible_organisation_ids(user)
    mine = _own_memberships(user).filter(forum=OuterRef("pk"))
    return Forum.objects.filter(Q(organisation_id__in=org_ids) | Exists(mine))


def forum_access(user: AnyUser, forum: Forum, *, cached: bool = True) -> ForumAccess:
    """Services pass cached=False so a decision is always made on the rows as they are now."""
    cache: dict[int, ForumAccess] = for_user(user, "forum.access", dict)
    if cached and forum.pk in cache:
        return cache[forum.pk]
    member = _own_memberships(user).filter(forum=forum).select_related("user", "partner").first()
    can_manage = can_write(user, forum.organisation_id, roles=MANAGER_ROLES)
    access = ForumAccess(
        member=member,
        is_org_staff=forum.organisation_id in visible_organisation_ids(user),
        can_manage=can_manage,
        can_run=can_manage or (member is not None and member.role in RUNNING_ROLES),
    )
    cache[forum.pk] = access
    return access


def _check(access: ForumAccess, *, write: bool, manage: bool) -> None:
    if not access.can_view:
        raise Http404("No such forum.")
    if manage and not access.can_manage:
        raise PermissionDenied("Only the forum's involvement lead or a network admin can change this.")
    if write and not access.can_run:
        raise PermissionDenied("Only the forum's co-chairs and secretariat can change this.")


def get_forum_for_user(user: AnyUser, pk: int, *, write: bool = False, manage: bool = False) -> Forum:
    """The forum if the user may see it (404 otherwise); 403 for a write their role does not allow."""
    forum = forums_visible_to(user).select_related("organisation").filter(pk=pk).first()
    if forum is None:
        raise Http404("No such forum.")
    _check(forum_access(user, forum), write=write, manage=manage)
    return forum


def get_forum_member_for_user(user: AnyUser, pk: int, *, write: bool = False) -> ForumMember:
    """A membership row; changing it needs the forum's manager."""
    member = (
        ForumMember.objects.select_related("forum", "forum__organisation", "user", "partner")
        .filter(forum__in=forums_visible_to(user), pk=pk)
        .first()
    )
    if member is None:
        raise Http404("No such forum member.")
    _check(forum_access(user, member.forum), write=False, manage=write)
    return member


def get_meeting_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Meeting:
    meeting = (
        Meeting.objects.select_related("forum", "forum__organisation")
        .filter(forum__in=forums_visible_to(user), pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    _check(forum_access(user, meeting.forum), write=write, manage=False)
    return meeting


def get_agenda_item_for_user(user: AnyUser, pk: int, *, write: bool = False) -> AgendaItem:
    item = (
        AgendaItem.objects.select_related("meeting", "meeting__forum", "meeting__forum__organisation")
        .filter(meeting__forum__in=forums_visible_to(user), pk=pk)
        .first()
    )
    if item is None:
        raise Http404("No such agenda item.")
    _check(forum_access(user, item.meeting.forum), write=write, manage=False)
    return item


def get_paper_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Paper:
    """Papers are private to the forum's members and the people who run it."""
    paper = (
        Paper.objects.select_related("agenda_item__meeting__forum__organisation")
        .filter(agenda_item__meeting__forum__in=forums_visible_to(user), pk=pk)
        .first()
    )
    if paper is None:
        raise Http404("No such paper.")
    access = forum_access(user, paper.agenda_item.meeting.forum)
    _check(access, write=write, manage=False)
    if not access.can_read_papers:
        raise PermissionDenied("Meeting papers are only for members of this forum.")
    return paper


def get_notes_for_user(user: AnyUser, meeting_pk: int, *, write: bool = False) -> MeetingNotes:
    meeting = get_meeting_for_user(user, meeting_pk, write=write)
    notes = MeetingNotes.objects.filter(meeting=meeting).first()
    if notes is None:
        raise Http404("This meeting has no notes yet.")
    notes.meeting = meeting
    return notes


def get_action_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Action:
    action = (
        Action.objects.select_related("meeting__forum__organisation", "owner__user", "owner__partner")
        .filter(meeting__forum__in=forums_visible_to(user), pk=pk)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    _check(forum_access(user, action.meeting.forum), write=write, manage=False)
    return action


def get_decision_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Decision:
    decision = (
        Decision.objects.select_related("meeting__forum__organisation")
        .filter(meeting__forum__in=forums_visible_to(user), pk=pk)
        .first()
    )
    if decision is None:
        raise Http404("No such decision.")
    _check(forum_access(user, decision.meeting.forum), write=write, manage=False)
    return decision


# --- Lists ----------------------------------------------------------------------------------


def forum_list(user: AnyUser) -> QuerySet[Forum]:
    now = timezone.now()
    return (
        forums_visible_to(user)
        .select_related("organisation")
        .annotate(
            member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            next_meeting_at=Min(
                "meetings__starts_at",
                filter=Q(meetings__status=Meeting.Status.SCHEDULED, meetings__starts_at__gte=now),
            ),
        )
        .order_by("organisation__name", "name")
    )


def managed_organisations(user: AnyUser) -> list[Any]:
    return list(Organisation.objects.filter(id__in=visible_organisation_ids(user, roles=MANAGER_ROLES)))


def my_memberships(user: AnyUser) -> QuerySet[ForumMember]:
    return _own_memberships(user).select_related("forum", "forum__organisation").order_by("forum__name")


def upcoming_meetings_for_member(user: AnyUser) -> QuerySet[Meeting]:
    """Scheduled meetings of every forum the person belongs to, soonest first."""
    mine = _own_memberships(user)
    return (
        Meeting.objects.filter(
            forum__in=mine.values("forum"), status=Meeting.Status.SCHEDULED, ends_at__gte=timezone.now()
        )
        .select_related("forum")
        .annotate(sent_apologies=Exists(Apology.objects.filter(meeting=OuterRef("pk"), member__in=mine)))
        .order_by("starts_at")
    )


def active_members(forum: Forum) -> QuerySet[ForumMember]:
    return (
        ForumMember.objects.filter(forum=forum, left_on__isnull=True)
        .select_related("user", "partner")
        .annotate(
            role_rank=Case(
                When(role=ForumMember.Role.STAFF_CO_CHAIR, then=Value(0)),
                When(role=ForumMember.Role.LAY_CO_CHAIR, then=Value(1)),
                When(role=ForumMember.Role.SECRETARIAT, then=Value(2)),
                default=Value(3),
            )
        )
        .order_by("role_rank", "partner__full_name", "user__full_name", "id")
    )


def members_without_apologies(meeting: Meeting) -> QuerySet[ForumMember]:
    """Current members who have not sent apologies for this meeting (for recording theirs)."""
    return active_members(meeting.forum).exclude(Exists(Apology.objects.filter(meeting=meeting, member=OuterRef("pk"))))


def co_chairs_in_post(forum: Forum) -> dict[str, list[ForumMember]]:
    """Active co-chairs by role: {"staff_co_chair": [...], "lay_co_chair": [...]}."""
    found: dict[str, list[ForumMember]] = {role: [] for role in CO_CHAIR_ROLES}
    for member in active_members(forum).filter(role__in=CO_CHAIR_ROLES):
        found[member.role].append(member)
    return found


@dataclass(frozen=True)
class ApprovalState:
    """Where the current version of some notes stands with the co-chairs. A role counts as approved
    when any co-chair in post in that role has approved this exact version."""

    version: int
    approved: list[ForumMember]
    waiting: list[ForumMember]
    vacant_roles: list[str]

    @property
    def complete(self) -> bool:
        return not self.waiting and not self.vacant_roles

    @property
    def missing(self) -> list[str]:
        """Plain-English reasons the version cannot be published yet (empty when it can)."""
        reasons = [f"The forum has no {label} co-chair in post" for label in self.vacant_roles]
        for member in self.waiting:
            label = "staff" if member.role == ForumMember.Role.STAFF_CO_CHAIR else "lay"
            reason = f"The {label} co-chair has not approved version {self.version}"
            if reason not in reasons:
                reasons.append(reason)
        return reasons


def notes_approval_state(notes: MeetingNotes, *, approvals: list[NotesApproval] | None = None) -> ApprovalState:
    """Who has approved the current version, and who still needs to. Pass the notes' approvals when
    they are already loaded (one query fewer)."""
    chairs = co_chairs_in_post(notes.meeting.forum)
    if approvals is None:
        approved_ids = set(
            NotesApproval.objects.filter(notes=notes, version=notes.version).values_list("member_id", flat=True)
        )
    else:
        approved_ids = {a.member_id for a in approvals if a.version == notes.version}
    approved: list[ForumMember] = []
    waiting: list[ForumMember] = []
    vacant: list[str] = []
    for role, label in ((ForumMember.Role.STAFF_CO_CHAIR, "staff"), (ForumMember.Role.LAY_CO_CHAIR, "lay")):
        in_post = chairs[role]
        if not in_post:
            vacant.append(label)
        elif any(c.pk in approved_ids for c in in_post):
            approved.extend(c for c in in_post if c.pk in approved_ids)
        else:
            waiting.extend(in_post)
    return ApprovalState(version=notes.version, approved=approved, waiting=waiting, vacant_roles=vacant)


def forum_meetings(forum: Forum) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(forum=forum)
        .select_related("notes")
        .annotate(
            open_actions=Count("actions", filter=Q(actions__status__in=Action.OPEN_STATUSES), distinct=True),
        )
        .order_by("-starts_at")
    )


def meeting_detail(meeting: Meeting) -> dict[str, Any]:
    """Everything the meeting page shows, in a fixed number of queries."""
    agenda = list(
        AgendaItem.objects.filter(meeting=meeting).prefetch_related(
            Prefetch("papers", queryset=Paper.objects.order_by("uploaded_at", "id"))
        )
    )
    apologies = list(Apology.objects.filter(meeting=meeting).select_related("member__user", "member__partner"))
    attendance = list(Attendance.objects.filter(meeting=meeting).select_related("member__user", "member__partner"))
    notes = MeetingNotes.objects.filter(meeting=meeting).first()
    approvals: list[NotesApproval] = []
    amendments: list[NotesAmendment] = []
    if notes is not None:
        approvals = list(notes.approvals.select_related("member__user", "member__partner"))
        amendments = list(notes.amendments.select_related("made_by"))
    if notes is not None:
        notes.meeting = meeting
    return {
        "agenda": agenda,
        "apologies": apologies,
        "attendance": attendance,
        "notes": notes,
        "approvals": approvals,
        "current_approvals": [a for a in approvals if notes is not None and a.version == notes.version],
        "approval_state": (
            notes_approval_state(notes, approvals=approvals) if notes is not None and notes.needs_approval else None
        ),
        "amendments": [a for a in amendments if not a.awaiting_approval],
        "pending_amendments": [a for a in amendments if a.awaiting_approval],
        "actions": list(
            Action.objects.filter(meeting=meeting).select_related("owner__user", "owner__partner").order_by("id")
        ),
        "decisions": list(Decision.objects.filter(meeting=meeting)),
    }


def action_log(forum: Forum, *, show: str = "open") -> QuerySet[Action]:
    """Actions across all the forum's meetings. show: open, overdue or all."""
    qs = Action.objects.filter(meeting__forum=forum).select_related("meeting", "owner__user", "owner__partner")
    if show == "open":
        qs = qs.filter(status__in=Action.OPEN_STATUSES)
    elif show == "overdue":
        qs = qs.filter(status__in=Action.OPEN_STATUSES, due_on__lt=timezone.localdate())
    return qs.order_by(F("due_on").asc(nulls_last=True), "id")


def notes_waiting_for(user: AnyUser) -> QuerySet[MeetingNotes]:
    """Notes whose current version waits for approval (first publication, or a change to published
    notes) in forums where the person is a co-chair and has not approved this version. Oldest
    meeting first."""
    if not getattr(user, "is_authenticated", False):
        return MeetingNotes.objects.none()
    return notes_waiting_for_user_id(user.pk)


def notes_waiting_for_user_id(user_id: Any) -> QuerySet[MeetingNotes]:
    """`notes_waiting_for` by the person's user id (a value, or a placeholder: core.prepared)."""
    chairs = memberships_of_user_id(user_id).filter(role__in=CO_CHAIR_ROLES)
    approved = NotesApproval.objects.filter(notes=OuterRef("pk"), version=OuterRef("version"), member__in=chairs)
    return (
        MeetingNotes.objects.filter(needs_approval_q(), meeting__forum__in=chairs.values("forum"))
        .exclude(Exists(approved))
        .select_related("meeting__forum")
        .order_by("meeting__starts_at", "id")
    )


def needs_approval_q(prefix: str = "") -> Q:
    """Notes whose current version waits for the co-chairs (MeetingNotes.needs_approval, in SQL)."""
    return Q(**{f"{prefix}status": MeetingNotes.Status.AWAITING_APPROVAL}) | (
        Q(**{f"{prefix}status": MeetingNotes.Status.PUBLISHED})
        & ~Q(**{f"{prefix}version": F(f"{prefix}published_version")})
    )


def notes_draft_for(user: AnyUser, meeting: Meeting) -> NotesDraft | None:
    """The person's own unsaved draft of this meeting's notes, if they left one."""
    return NotesDraft.objects.filter(meeting=meeting, author_id=user.pk).first()


# --- Public pages -----------------------------------------------------------------------------


def get_public_forum(slug: str) -> Forum:
    forum = Forum.objects.filter(slug=slug, is_public=True).select_related("organisation").first()
    if forum is None:
        raise Http404("No such public forum.")
    return forum


def public_meetings(forum: Forum) -> QuerySet[Meeting]:
    """Meetings whose notes are published, newest first, with counts for the list."""
    return (
        Meeting.objects.filter(forum=forum, notes__status=MeetingNotes.Status.PUBLISHED)
        .select_related("notes", "forum")
        .annotate(
            decision_count=Count("decisions", filter=Q(decisions__awaiting_approval=False), distinct=True),
            action_count=Count("actions", filter=Q(actions__awaiting_approval=False), distinct=True),
        )
        .order_by("-starts_at")
    )


def latest_public_notes(*, limit: int = 5) -> QuerySet[Meeting]:
    """The most recently published notes of every public forum (the public home page)."""
    return (
        Meeting.objects.filter(forum__is_public=True, notes__status=MeetingNotes.Status.PUBLISHED)
        .select_related("notes", "forum")
        .order_by("-notes__published_at", "-pk")[:limit]
    )


def _named_consent(partner_path: str) -> Subquery:
    latest = ConsentRecord.objects.filter(
        partner=OuterRef(partner_path), kind=ConsentRecord.Kind.NAMED_IN_NOTES
    ).order_by("-recorded_at", "-id")
    return Subquery(latest.values("given")[:1])


def public_name(member: ForumMember | None, may_be_named: bool | None) -> str:
    """Staff by full name; lay partners only if their latest consent allows it."""
    if member is None:
        return ""
    if member.partner_id is None:
        return member.user.full_name or "a member of staff"  # type: ignore[union-attr]
    if may_be_named and member.partner is not None and not member.partner.anonymised:
        return member.partner.display_name
    return LAY_PARTNER_LABEL


def public_meeting(forum: Forum, pk: int) -> dict[str, Any]:
    meeting = (
        Meeting.objects.filter(forum=forum, pk=pk, notes__status=MeetingNotes.Status.PUBLISHED)
        .select_related("notes", "forum")
        .first()
    )
    if meeting is None:
        raise Http404("These notes are not published.")
    actions = list(
        Action.objects.filter(meeting=meeting, awaiting_approval=False)
        .select_related("owner__user", "owner__partner")
        .annotate(owner_may_be_named=_named_consent("owner__partner"))
        .order_by("id")
    )
    for action in actions:
        action.public_owner = public_name(action.owner, action.owner_may_be_named)  # type: ignore[attr-defined]
    # Who came and who sent apologies, in one query: staff by name, lay partners only with consent.
    people = list(
        ForumMember.objects.filter(forum=forum)
        .annotate(
            came=Exists(Attendance.objects.filter(meeting=meeting, member=OuterRef("pk"), attended=True)),
            apologised=Exists(Apology.objects.filter(meeting=meeting, member=OuterRef("pk"))),
            may_be_named=_named_consent("partner"),
        )
        .filter(Q(came=True) | Q(apologised=True))
        .select_related("user", "partner")
        .order_by("partner_id", "user__full_name", "id")
    )
    named = [public_name(m, m.may_be_named) for m in people if m.came]
    apology_names = [public_name(m, m.may_be_named) for m in people if m.apologised and not m.came]
    return {
        "meeting": meeting,
        "notes": meeting.notes,
        "amendments": list(meeting.notes.amendments.filter(awaiting_approval=False)),
        "decisions": list(Decision.objects.filter(meeting=meeting, awaiting_approval=False)),
        "actions": actions,
        "attended_names": [n for n in named if n != LAY_PARTNER_LABEL],
        "unnamed_lay_count": sum(1 for n in named if n == LAY_PARTNER_LABEL),
        "apology_names": [n for n in apology_names if n != LAY_PARTNER_LABEL],
        "apology_unnamed_lay_count": sum(1 for n in apology_names if n == LAY_PARTNER_LABEL),
    }


# --- Calendar ---------------------------------------------------------------------------------


def member_for_calendar_token(token: str) -> ForumMember:
    """The member whose live token this is; revoked, expired or unknown tokens are a 404."""
    member = (
        ForumMember.objects.filter(
            calendar_token_hash=hash_token(token), calendar_token_revoked_at__isnull=True, left_on__isnull=True
        )
        .select_related("user", "partner")
        .first()
    )
    if member is None or not member.has_live_calendar_token:
        raise Http404("This calendar link no longer works.")
    return member


def calendar_meetings(member: ForumMember) -> QuerySet[Meeting]:
    """Meetings of every forum this person belongs to, from a year ago onwards."""
    same_person = Q(user_id=member.user_id) if member.user_id is not None else Q(partner_id=member.partner_id)
    forums = ForumMember.objects.filter(same_person, left_on__isnull=True).values("forum")
    since = timezone.now() - dt.timedelta(days=365)
    return Meeting.objects.filter(forum__in=forums, starts_at__gte=since).select_related("forum").order_by("starts_at")


def personal_calendar_meetings(user: Any, *, since: dt.datetime) -> QuerySet[Meeting]:
    """Meetings of every forum the person belongs to (as staff or as a lay partner) from `since`,
    each with `sent_apologies`, for their own calendar feed (core.calendar)."""
    mine = _own_memberships(user)
    return (
        Meeting.objects.filter(forum__in=mine.values("forum"), starts_at__gte=since)
        .select_related("forum")
        .annotate(sent_apologies=Exists(Apology.objects.filter(meeting=OuterRef("pk"), member__in=mine)))
        .order_by("starts_at", "pk")
    )


# --- Cadence (the forum page and the quarterly report) ----------------------------------------


def financial_year_start(day: dt.date) -> dt.date:
    """1 April of the UK financial year that contains `day`."""
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _london_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def forum_cadence(forum: Forum, financial_year_start_date: dt.date) -> dict[str, Any]:
    """Meetings held this financial year against the target, and days from meeting to published notes."""
    start = _london_midnight(financial_year_start_date)
    end = _london_midnight(dt.date(financial_year_start_date.year + 1, 4, 1))
    meetings = list(
        Meeting.objects.filter(forum=forum, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("notes")
        .order_by("starts_at")
    )
    rows = []
    for meeting in meetings:
        notes = getattr(meeting, "notes", None)
        days = None
        if notes is not None and notes.published_at is not None:
            days = (timezone.localdate(notes.published_at) - timezone.localdate(meeting.starts_at)).days
        rows.append({"meeting": meeting, "days_to_publish": days})
    held = sum(1 for m in meetings if m.status == Meeting.Status.HELD)
    return {
        "year_start": financial_year_start_date,
        "year_label": f"{financial_year_start_date.year}/{str(financial_year_start_date.year + 1)[-2:]}",
        "held": held,
        "target": MEETINGS_TARGET_PER_YEAR,
        "met_target": held >= MEETINGS_TARGET_PER_YEAR,
        "meetings": rows,
    }


def cadence_for_organisations(
    org_ids: Any, start: dt.date, end: dt.date, *, on_time_days: int = NOTES_ON_TIME_DAYS
) -> list[dict[str, Any]]:
    """Per organisation: forums, meetings held between start and end (inclusive dates), notes
    published, notes published within `on_time_days` of the meeting, and the average days from
    meeting to published notes — aggregated in the database."""
    lag = ExpressionWrapper(F("notes__published_at") - F("starts_at"), output_field=DurationField())
    rows = (
        Meeting.objects.filter(
            forum__organisation_id__in=list(org_ids),
            status=Meeting.Status.HELD,
            starts_at__gte=_london_midnight(start),
            starts_at__lt=_london_midnight(end + dt.timedelta(days=1)),
        )
        .values("forum__organisation_id")
        .annotate(
            forums=Count("forum", distinct=True),
            meetings_held=Count("id", distinct=True),
            notes_published=Count("id", filter=Q(notes__status=MeetingNotes.Status.PUBLISHED), distinct=True),
            notes_on_time=Count(
                "id",
                filter=Q(
                    notes__status=MeetingNotes.Status.PUBLISHED,
                    notes__published_at__lte=F("starts_at") + dt.timedelta(days=on_time_days),
                ),
                distinct=True,
            ),
            average_lag=Avg(lag, filter=Q(notes__status=MeetingNotes.Status.PUBLISHED)),
        )
        .order_by("forum__organisation_id")
    )
    result = []
    for row in rows:
        average: dt.timedelta | None = row["average_lag"]
        result.append(
            {
                "organisation_id": row["forum__organisation_id"],
                "forums": row["forums"],
                "meetings_held": row["meetings_held"],
                "notes_published": row["notes_published"],
                "notes_on_time": row["notes_on_time"],
                "average_days_to_publish": round(average.total_seconds() / 86400, 1) if average is not None else None,
            }
        )
    return result
