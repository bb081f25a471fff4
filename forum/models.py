"""Forums: the network's Involvement and Co-production Forum and each AHSN's own groups.

A forum is co-chaired by a member of staff and a lay partner. Its meetings have agenda items
with papers, apologies and attendance. Notes go draft → awaiting approval → published, and
publishing needs both co-chairs to approve the exact version published. Once published, a
correction (or a decision or action added later) is a new version that waits for the same two
approvals; until then everyone else, the public page and the feed see the last approved version.
Actions and decisions belong to a meeting. A public forum's published notes have open pages and a
feed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.choices import ActivityFormat
from core.formatting import date_text
from core.storage import private_storage as core_private_storage

# A member's private calendar link stops working after this long; they can make a new one.
CALENDAR_TOKEN_VALID_DAYS = 365
# The forum's terms of reference: at least this many meetings each financial year.
MEETINGS_TARGET_PER_YEAR = 3


def private_storage() -> Storage:
    """Forum papers live with every other private file (core.storage); named here for the migrations."""
    return core_private_storage()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Forum(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="forums",
        help_text="The AHSN Network for the network forum, otherwise the AHSN that runs the group.",
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, help_text="Used in the forum's public web address.")
    description = models.TextField(blank=True)
    is_public = models.BooleanField(
        "publish notes openly",
        default=False,
        help_text="Published notes, decisions and actions can be read by anyone, without signing in.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["organisation", "name"], name="forum_org_name")]

    def __str__(self) -> str:
        return self.name


class ForumMember(models.Model):
    """A member of staff (`user`) or a lay partner (`partner`) belonging to a forum."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        STAFF_CO_CHAIR = "staff_co_chair", "Staff co-chair"
        LAY_CO_CHAIR = "lay_co_chair", "Lay co-chair"
        SECRETARIAT = "secretariat", "Secretariat"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="forum_memberships"
    )
    partner = models.ForeignKey(
        "partners.LayPartner", on_delete=models.PROTECT, null=True, blank=True, related_name="forum_memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)
    calendar_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    calendar_token_created_at = models.DateTimeField(null=True, blank=True)
    calendar_token_revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["forum", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(partner__isnull=True))
                | (Q(user__isnull=True) & Q(partner__isnull=False)),
                name="forummember_staff_or_partner",
            ),
            models.UniqueConstraint(
                fields=["forum", "user"], condition=Q(left_on__isnull=True), name="forummember_user_once"
            ),
            models.UniqueConstraint(
                fields=["forum", "partner"], condition=Q(left_on__isnull=True), name="forummember_partner_once"
            ),
        ]
        indexes = [models.Index(fields=["forum", "left_on", "role"], name="forummember_active_role")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def is_lay(self) -> bool:
        return self.partner_id is not None

    @property
    def is_active(self) -> bool:
        return self.left_on is None

    @property
    def is_co_chair(self) -> bool:
        return self.role in (self.Role.STAFF_CO_CHAIR, self.Role.LAY_CO_CHAIR)

    @property
    def name(self) -> str:
        """The name staff and members see (never used on public pages: see public_name)."""
        if self.partner_id is not None:
            return self.partner.display_name  # type: ignore[union-attr]
        return self.user.full_name or self.user.email  # type: ignore[union-attr]

    def login_user_id(self) -> int | None:
        if self.user_id is not None:
            return self.user_id
        return self.partner.user_id if self.partner is not None else None

    def new_calendar_token(self) -> str:
        """Make a fresh token; only its hash is kept. Revokes any earlier link."""
        token = secrets.token_urlsafe(32)
        self.calendar_token_hash = hash_token(token)
        self.calendar_token_created_at = timezone.now()
        self.calendar_token_revoked_at = None
        return token

    @property
    def calendar_token_expires_at(self) -> datetime | None:
        if self.calendar_token_created_at is None:
            return None
        return self.calendar_token_created_at + timedelta(days=CALENDAR_TOKEN_VALID_DAYS)

    @property
    def has_live_calendar_token(self) -> bool:
        expires = self.calendar_token_expires_at
        return bool(
            self.calendar_token_hash and self.calendar_token_revoked_at is None and expires and expires > timezone.now()
        )


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200, blank=True, help_text="Leave empty to call it after the forum.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    format = models.CharField(max_length=20, choices=ActivityFormat.choices, default=ActivityFormat.ONLINE)
    venue = models.CharField(max_length=300, blank=True)
    access_information = models.TextField(
        blank=True, help_text="Step-free access, hearing loop, parking, nearest station, quiet room."
    )
    joining_link = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancellation_reason = models.TextField(blank=True)
    activity = models.OneToOneField(
        "involvement.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forum_meeting",
        help_text="Made when attendance is recorded: lay members who attended can claim for it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]
        indexes = [models.Index(fields=["forum", "-starts_at"], name="meeting_forum_start")]

    def __str__(self) -> str:
        return f"{self.title or self.forum.name}, {date_text(self.starts_at)}"

    @property
    def display_title(self) -> str:
        return self.title or f"{self.forum.name} meeting"

    @property
    def is_upcoming(self) -> bool:
        return self.status == self.Status.SCHEDULED and self.ends_at > timezone.now()


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    presenter = models.CharField(max_length=200, blank=True)
    minutes = models.PositiveIntegerField("time (minutes)", null=True, blank=True)

    class Meta:
        ordering = ["meeting", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "order"], name="agendaitem_order_once")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Paper(models.Model):
    """A meeting paper. Private: served only to the forum's members through a checked view."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    file = models.FileField(storage=private_storage, upload_to="forum/papers/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agenda_item", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Apology(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="apologies")
    member = models.ForeignKey(ForumMember, on_delete=models.CASCADE, related_name="apologies")
    sent_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "apologies"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="apology_once")]

    def __str__(self) -> str:
        return f"Apologies from {self.member.name}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(ForumMember, on_delete=models.CASCADE, related_name="attendance")
    attended = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "attendance"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.member.name}: {'attended' if self.attended else 'did not attend'}"


class MeetingNotes(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting_approval", "Waiting for co-chairs to approve"
        PUBLISHED = "published", "Published"

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="notes")
    body_markdown = models.TextField(blank=True, help_text="The latest version, approved or not.")
    version = models.PositiveIntegerField(default=1, help_text="Goes up by one with every change.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, help_text="When the notes were first published.")
    published_version = models.PositiveIntegerField(null=True, blank=True)
    published_body_markdown = models.TextField(
        blank=True, help_text="The text of the published version: what members and the public read."
    )
    amendment_published_at = models.DateTimeField(
        null=True, blank=True, help_text="When the latest approved correction was published."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "meeting notes"
        indexes = [models.Index(fields=["status", "published_at"], name="notes_status_published")]

    def __str__(self) -> str:
        return f"Notes of {self.meeting}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def has_unpublished_change(self) -> bool:
        """Published notes with a newer version (a correction, or a decision or action added
        afterwards) that both co-chairs have not yet approved."""
        return self.is_published and self.version != self.published_version

    @property
    def needs_approval(self) -> bool:
        """The current version is waiting for the co-chairs: first publication or a correction."""
        return self.status == self.Status.AWAITING_APPROVAL or self.has_unpublished_change


class NotesApproval(models.Model):
    """A co-chair's approval of one exact version of the notes. Kept as history after later edits."""

    notes = models.ForeignKey(MeetingNotes, on_delete=models.CASCADE, related_name="approvals")
    member = models.ForeignKey(ForumMember, on_delete=models.PROTECT, related_name="approvals")
    version = models.PositiveIntegerField()
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notes", "member", "version"], name="notesapproval_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.member.name} approved version {self.version}"


class NotesAmendment(models.Model):
    """A correction to published notes, shown with its reason. Never a silent edit: it is a new
    version, shown to members and the public only once both co-chairs have approved it."""

    notes = models.ForeignKey(MeetingNotes, on_delete=models.CASCADE, related_name="amendments")
    version = models.PositiveIntegerField(null=True, blank=True, help_text="The version of the notes it made.")
    body_before = models.TextField()
    body_after = models.TextField()
    note = models.CharField("what was corrected and why", max_length=500)
    awaiting_approval = models.BooleanField(
        default=False, help_text="Made after publishing and not yet approved by both co-chairs."
    )
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return self.note


class Action(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(ForumMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    update_notes = models.TextField(blank=True)
    awaiting_approval = models.BooleanField(
        default=False,
        help_text="Added after the notes were published: public once both co-chairs approve the new version.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="action_status_due")]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_overdue(self) -> bool:
        return bool(self.status in self.OPEN_STATUSES and self.due_on and self.due_on < timezone.localdate())


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    what = models.TextField("what was decided")
    why = models.TextField("why")
    awaiting_approval = models.BooleanField(
        default=False,
        help_text="Added after the notes were published: public once both co-chairs approve the new version.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.what[:80]


class NotesDraft(models.Model):
    """What one person was typing into the notes form, saved as they go so it survives leaving the
    page. Private to them, never shown to anyone else or published; gone once they save the notes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes_drafts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body_markdown = models.TextField(blank=True)
    amendment_note = models.CharField(max_length=500, blank=True)
    based_on_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The version of the notes the person started from (none for new notes)."
    )
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "author"], name="notesdraft_once_per_author")]

    def __str__(self) -> str:
        return f"Draft notes of {self.meeting_id} by {self.author_id}"
