"""Forum pages. Thin: parse the request, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Membership, Organisation, User
from accounts.typing import AuthenticatedHttpRequest
from core.access import visible_organisation_ids
from core.errors import add_form_error
from core.formatting import moment_text, time_text
from forum import selectors, services
from forum.dashboard import waiting_for_approval
from forum.feeds import atom_feed, icalendar_feed
from forum.forms import (
    ActionForm,
    ActionUpdateForm,
    AgendaItemForm,
    ApologyForm,
    ApologyRecordForm,
    AttendanceForm,
    CancelMeetingForm,
    DecisionForm,
    ForumForm,
    MeetingForm,
    MemberAddForm,
    MemberRoleForm,
    NotesForm,
    PaperForm,
)
from forum.models import Forum, ForumMember, MeetingNotes
from forum.rendering import render_notes
from partners.models import LayPartner, PartnerLink

PAGE_SIZE = 25


def _posted(request: HttpRequest) -> Any:
    """The submitted data, even when empty (an empty form must still be validated)."""
    return request.POST if request.method == "POST" else None


def _page(request: HttpRequest, qs: Any, size: int = PAGE_SIZE) -> Any:
    return Paginator(qs, size).get_page(request.GET.get("page"))


# --- Forums -----------------------------------------------------------------------------------


@login_required
def forum_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff: forums they can see, and a way to set one up if they manage an AHSN."""
    return render(
        request,
        "forum/forum_list.html",
        {
            "page_obj": _page(request, selectors.forum_list(request.user)),
            "can_create": bool(selectors.managed_organisations(request.user)),
        },
    )


@login_required
def my_forums(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A member's forums and their coming meetings (lay partners land here)."""
    return render(
        request,
        "forum/my_forums.html",
        {
            "memberships": list(selectors.my_memberships(request.user)),
            "page_obj": _page(request, selectors.upcoming_meetings_for_member(request.user)),
            "waiting": waiting_for_approval(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def forum_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = selectors.managed_organisations(request.user)
    if not organisations:
        raise PermissionDenied("Only involvement leads and network admins can set up forums.")

    form = ForumForm(_posted(request), organisations=Organisation.objects.filter(pk__in=[o.pk for o in organisations]))
    if request.method == "POST" and form.is_valid():
        try:
            forum = services.forum_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                description=form.cleaned_data["description"],
                is_public=form.cleaned_data["is_public"],
            )
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"{forum.name} has been set up. Now add its members and co-chairs.")
            return redirect("forum:forum_detail", forum.pk)
    return render(request, "forum/forum_form.html", {"form": form, "forum": None})


@login_required
@require_http_methods(["GET", "POST"])
def forum_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    forum = selectors.get_forum_for_user(request.user, pk, manage=True)
    form = ForumForm(
        _posted(request),
        editing=True,
        initial={"name": forum.name, "description": forum.description, "is_public": forum.is_public},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.forum_update(
                actor=request.user,
                forum=forum,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                is_public=form.cleaned_data["is_public"],
            )
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The forum's details have been saved.")
            return redirect("forum:forum_detail", forum.pk)
    return render(request, "forum/forum_form.html", {"form": form, "forum": forum})


@login_required
def forum_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    forum = selectors.get_forum_for_user(request.user, pk)
    access = selectors.forum_access(request.user, forum)
    today = timezone.localdate()
    members = list(selectors.active_members(forum))
    chairs = selectors.co_chairs_in_post(forum)
    return render(
        request,
        "forum/forum_detail.html",
        {
            "forum": forum,
            "access": access,
            "members": members,
            "staff_co_chairs": chairs[ForumMember.Role.STAFF_CO_CHAIR],
            "lay_co_chairs": chairs[ForumMember.Role.LAY_CO_CHAIR],
            "page_obj": _page(request, selectors.forum_meetings(forum), 20),
            "cadence": selectors.forum_cadence(forum, selectors.financial_year_start(today)),
        },
    )


# --- Members ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    forum = selectors.get_forum_for_user(request.user, pk, manage=True)
    org_ids = visible_organisation_ids(request.user)
    current = ForumMember.objects.filter(forum=forum, left_on__isnull=True)
    users = (
        User.objects.filter(Exists(Membership.objects.filter(user=OuterRef("pk"), organisation_id__in=org_ids)))
        .exclude(pk__in=current.filter(user__isnull=False).values("user"))
        .order_by("full_name", "email")
    )
    partners = (
        LayPartner.objects.filter(
            Exists(
                PartnerLink.objects.filter(
                    partner=OuterRef("pk"), organisation_id__in=org_ids, status=PartnerLink.Status.ACTIVE
                )
            ),
            anonymised=False,
        )
        .exclude(pk__in=current.filter(partner__isnull=False).values("partner"))
        .order_by("full_name")
    )
    form = MemberAddForm(_posted(request), users=users, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_add(
                actor=request.user,
                forum=forum,
                user=form.cleaned_data["user"],
                partner=form.cleaned_data["partner"],
                role=form.cleaned_data["role"],
            )
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"{member.name} has joined {forum.name}.")
            return redirect("forum:forum_detail", forum.pk)
    return render(request, "forum/member_add.html", {"form": form, "forum": forum})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = selectors.get_forum_member_for_user(request.user, pk, write=True)
    form = MemberRoleForm(_posted(request), initial={"role": member.role})
    error = None
    if request.method == "POST" and request.POST.get("leave") == "yes":
        try:
            services.member_remove(actor=request.user, member=member)
        except services.ForumError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{member.name} has left {member.forum.name}.")
            return redirect("forum:forum_detail", member.forum_id)
    elif request.method == "POST" and form.is_valid():
        try:
            services.member_change_role(actor=request.user, member=member, role=form.cleaned_data["role"])
        except services.ForumError as exc:
            form.add_error("role", str(exc))
        else:
            messages.success(request, f"{member.name}'s role has been saved.")
            return redirect("forum:forum_detail", member.forum_id)
    return render(request, "forum/member_edit.html", {"form": form, "member": member, "error": error})


# --- Meetings ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    forum = selectors.get_forum_for_user(request.user, pk, write=True)
    form = MeetingForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                actor=request.user,
                forum=forum,
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                format=data["format"],
                venue=data["venue"],
                access_information=data["access_information"],
                joining_link=data["joining_link"],
            )
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The meeting has been scheduled and members have been told. Now add the agenda.")
            return redirect("forum:meeting_detail", meeting.pk)
    return render(request, "forum/meeting_form.html", {"form": form, "forum": forum, "meeting": None})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, write=True)
    form = MeetingForm(_posted(request), initial=MeetingForm.initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_update(
                actor=request.user,
                meeting=meeting,
                **{
                    k: data[k]
                    for k in ("title", "starts_at", "ends_at", "format", "venue", "access_information", "joining_link")
                },
            )
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The meeting's details have been saved.")
            return redirect("forum:meeting_detail", meeting.pk)
    return render(request, "forum/meeting_form.html", {"form": form, "forum": meeting.forum, "meeting": meeting})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, write=True)
    form = CancelMeetingForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The meeting is cancelled and members have been told.")
            return redirect("forum:meeting_detail", meeting.pk)
    return render(request, "forum/meeting_cancel.html", {"form": form, "meeting": meeting})


@login_required
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk)
    access = selectors.forum_access(request.user, meeting.forum)
    detail = selectors.meeting_detail(meeting)
    notes = detail["notes"]
    own_apology = access.member is not None and any(a.member_id == access.member.pk for a in detail["apologies"])
    state = detail["approval_state"]
    can_see_draft = access.can_run or access.is_co_chair
    return render(
        request,
        "forum/meeting_detail.html",
        {
            "meeting": meeting,
            "forum": meeting.forum,
            "access": access,
            "own_apology": own_apology,
            "notes_html": render_notes(notes.body_markdown) if notes and can_see_draft else "",
            "published_html": render_notes(notes.published_body_markdown) if notes and notes.is_published else "",
            "can_see_draft": can_see_draft,
            "own_approval_given": bool(
                state and access.member and any(m.pk == access.member.pk for m in state.approved)
            ),
            **detail,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, write=True)
    form = AgendaItemForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.agenda_item_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"Added to the agenda: {item.title}.")
            if request.POST.get("then") == "paper":
                return redirect("forum:paper_upload", item.pk)
            return redirect("forum:meeting_detail", meeting.pk)
    return render(request, "forum/agenda_item_form.html", {"form": form, "meeting": meeting})


@login_required
@require_POST
def agenda_item_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_agenda_item_for_user(request.user, pk, write=True)
    services.agenda_item_move(
        actor=request.user, item=item, direction="up" if request.POST.get("direction") == "up" else "down"
    )
    return redirect(reverse("forum:meeting_detail", args=[item.meeting_id]) + "#agenda")


@login_required
@require_http_methods(["GET", "POST"])
def paper_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_agenda_item_for_user(request.user, pk, write=True)
    form = PaperForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            paper = services.paper_upload(actor=request.user, agenda_item=item, upload=form.cleaned_data["file"])
        except services.ForumError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, f"{paper.original_name} has been added to the agenda item.")
            return redirect("forum:meeting_detail", item.meeting_id)
    return render(request, "forum/paper_form.html", {"form": form, "item": item, "meeting": item.meeting})


@login_required
@require_GET
def paper_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse | FileResponse:
    try:
        paper = selectors.get_paper_for_user(request.user, pk)
    except PermissionDenied as exc:
        # Staff who can see the forum but are not members: say why, rather than a bare "Forbidden".
        return render(request, "forum/paper_refused.html", {"reason": str(exc)}, status=403)
    try:
        handle = paper.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This paper's file is missing.") from exc
    response = FileResponse(handle, as_attachment=True, filename=paper.original_name, content_type=paper.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def apology_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk)
    access = selectors.forum_access(request.user, meeting.forum)
    if access.member is None:
        raise PermissionDenied("Only members of this forum can send apologies.")
    form = ApologyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.apology_send(
                actor=request.user, meeting=meeting, member=access.member, note=form.cleaned_data["note"]
            )
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "Your apologies have been sent. Thank you for letting us know.")
            return redirect("forum:meeting_detail", meeting.pk)
    return render(request, "forum/apology_form.html", {"form": form, "meeting": meeting})


@login_required
@require_http_methods(["GET", "POST"])
def apology_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The secretariat records apologies a member gave by phone or email."""
    meeting = selectors.get_meeting_for_user(request.user, pk, write=True)
    back_to_attendance = request.GET.get("from") == "attendance" or request.POST.get("from") == "attendance"
    form = ApologyRecordForm(_posted(request), members=selectors.members_without_apologies(meeting))
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["member"]
        try:
            services.apology_record(actor=request.user, meeting=meeting, member=member, note=form.cleaned_data["note"])
        except services.ForumError as exc:
            form.add_error("member", str(exc))
        else:
            messages.success(request, f"Apologies from {member.name} have been recorded.")
            if back_to_attendance:
                return redirect("forum:attendance_record", meeting.pk)
            return redirect(reverse("forum:meeting_detail", args=[meeting.pk]) + "#apologies")
    return render(
        request,
        "forum/apology_record.html",
        {"form": form, "meeting": meeting, "back_to_attendance": back_to_attendance},
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, write=True)
    detail = selectors.meeting_detail(meeting)
    recorded = {a.member_id: a.attended for a in detail["attendance"]}
    members = list(selectors.active_members(meeting.forum))
    apologies = {a.member_id for a in detail["apologies"]}
    form = AttendanceForm(
        _posted(request),
        members=members,
        recorded=recorded,
        default_hours=services.default_hours(meeting),
        apologies=apologies,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(actor=request.user, meeting=meeting, rows=form.cleaned_rows())
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "Attendance has been recorded.")
            return redirect("forum:meeting_detail", meeting.pk)
    return render(
        request, "forum/attendance_form.html", {"form": form, "meeting": meeting, "apologies": detail["apologies"]}
    )


# --- Notes ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notes_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, write=True)
    notes = MeetingNotes.objects.filter(meeting=meeting).first()
    published = notes is not None and notes.is_published
    initial = {"body_markdown": notes.body_markdown if notes else ""}
    draft = selectors.notes_draft_for(request.user, meeting) if request.method == "GET" else None
    if draft is not None and draft.body_markdown.strip() == initial["body_markdown"].strip():
        draft = None  # nothing different to bring back
    if draft is not None:
        initial = {"body_markdown": draft.body_markdown, "amendment_note": draft.amendment_note}
    form = NotesForm(_posted(request), published=published, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.notes_save(
                actor=request.user,
                meeting=meeting,
                body_markdown=form.cleaned_data["body_markdown"],
                amendment_note=form.cleaned_data.get("amendment_note", ""),
            )
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            if saved.has_unpublished_change and notes is not None and saved.version != notes.version:
                messages.success(
                    request,
                    f"Your correction has been saved as version {saved.version}. Members and the public keep "
                    "seeing the published version until both co-chairs approve it.",
                )
            elif saved.is_published:
                messages.success(request, "The notes have been saved. Nothing was changed.")
            elif (
                saved.status == MeetingNotes.Status.AWAITING_APPROVAL
                and notes is not None
                and saved.version != notes.version
            ):
                messages.success(
                    request,
                    f"The notes have been saved (version {saved.version}). "
                    "The co-chairs have been told there is a new version to approve.",
                )
            else:
                messages.success(request, f"The notes have been saved (version {saved.version}).")
            return redirect(reverse("forum:meeting_detail", args=[meeting.pk]) + "#notes")
    return render(
        request,
        "forum/notes_form.html",
        {
            "form": form,
            "meeting": meeting,
            "notes": notes,
            "published": published,
            "draft": draft,
            "draft_saved_at": time_text(draft.saved_at) if draft else "",
            "draft_is_behind": bool(
                draft and notes and draft.based_on_version is not None and draft.based_on_version != notes.version
            ),
        },
    )


@login_required
@require_POST
def notes_draft(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """Saves what the person is typing (called by static/js/notes-draft.js as they go)."""
    meeting = selectors.get_meeting_for_user(request.user, pk, write=True)
    try:
        draft = services.notes_draft_save(
            actor=request.user,
            meeting=meeting,
            body_markdown=request.POST.get("body_markdown", ""),
            amendment_note=request.POST.get("amendment_note", ""),
        )
    except services.ForumError as exc:
        return JsonResponse({"saved": False, "message": str(exc)}, status=400)
    # No draft kept means the saved notes already say this: nothing is lost either way.
    return JsonResponse({"saved": True, "saved_at": time_text(draft.saved_at if draft else timezone.now())})


@login_required
@require_POST
def notes_draft_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, write=True)
    services.notes_draft_discard(actor=request.user, meeting=meeting)
    messages.success(request, "Your unsaved draft has been deleted. This is the last saved version of the notes.")
    return redirect("forum:notes_edit", meeting.pk)


@login_required
@require_POST
def notes_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notes = selectors.get_notes_for_user(request.user, pk, write=True)
    try:
        services.notes_submit(actor=request.user, notes=notes)
    except services.ForumError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The notes have been sent to the co-chairs to approve.")
    return redirect(reverse("forum:meeting_detail", args=[pk]) + "#notes")


@login_required
@require_http_methods(["GET", "POST"])
def notes_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notes = selectors.get_notes_for_user(request.user, pk)
    access = selectors.forum_access(request.user, notes.meeting.forum)
    if not access.is_co_chair:
        raise PermissionDenied("Only the forum's co-chairs can approve notes.")
    error = None
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            approved = services.notes_approve(actor=request.user, notes=notes, version=version)
        except services.ForumError as exc:
            error = str(exc)
            notes.refresh_from_db()
        else:
            if approved.is_published and not approved.has_unpublished_change and notes.is_published:
                messages.success(request, "Thank you. Both co-chairs have approved, so the change is now published.")
            elif approved.is_published and not approved.has_unpublished_change:
                messages.success(request, "Thank you. Both co-chairs have approved, so the notes are now published.")
            else:
                messages.success(
                    request,
                    f"You have approved version {approved.version}. "
                    "The notes will be published when the other co-chair approves them.",
                )
            return redirect(reverse("forum:meeting_detail", args=[pk]) + "#notes")
    already = notes.approvals.filter(member=access.member, version=notes.version).exists()
    return render(
        request,
        "forum/notes_approve.html",
        {
            "notes": notes,
            "meeting": notes.meeting,
            "meeting_when": moment_text(notes.meeting.starts_at),
            "notes_html": render_notes(notes.body_markdown),
            "error": error,
            "already": already,
            "state": selectors.notes_approval_state(notes) if notes.needs_approval else None,
            "pending_amendments": list(notes.amendments.filter(awaiting_approval=True)),
            "decisions": list(notes.meeting.decisions.all()),
            "actions": list(notes.meeting.actions.select_related("owner__user", "owner__partner")),
        },
        status=200,
    )


@login_required
@require_POST
def notes_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notes = selectors.get_notes_for_user(request.user, pk, write=True)
    try:
        services.notes_publish(actor=request.user, notes=notes)
    except services.ForumError as exc:
        messages.error(request, str(exc))
    else:
        what = "The changes to the notes are" if notes.is_published else "The notes are"
        messages.success(request, f"{what} published and members have been told.")
    return redirect(reverse("forum:meeting_detail", args=[pk]) + "#notes")


# --- Actions and decisions --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, write=True)
    form = ActionForm(_posted(request), members=selectors.active_members(meeting.forum))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The action has been added.")
            return redirect(reverse("forum:meeting_detail", args=[meeting.pk]) + "#actions")
    return render(request, "forum/action_form.html", {"form": form, "meeting": meeting, "action": None})


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_action_for_user(request.user, pk, write=True)
    form = ActionUpdateForm(
        _posted(request),
        members=selectors.active_members(action.meeting.forum),
        initial={
            "description": action.description,
            "owner": action.owner_id,
            "due_on": action.due_on,
            "status": action.status,
            "update_notes": action.update_notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.action_update(
                actor=request.user,
                action=action,
                status=data["status"],
                update_notes=data["update_notes"],
                owner=data["owner"],
                due_on=data["due_on"],
            )
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The action has been updated.")
            return redirect("forum:action_log", action.meeting.forum_id)
    return render(request, "forum/action_form.html", {"form": form, "meeting": action.meeting, "action": action})


@login_required
@require_http_methods(["GET", "POST"])
def decision_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, write=True)
    form = DecisionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except services.ForumError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The decision has been recorded.")
            return redirect(reverse("forum:meeting_detail", args=[meeting.pk]) + "#decisions")
    return render(request, "forum/decision_form.html", {"form": form, "meeting": meeting})


@login_required
def action_log(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    forum = selectors.get_forum_for_user(request.user, pk)
    show = request.GET.get("show", "open")
    if show not in ("open", "overdue", "all"):
        show = "open"
    return render(
        request,
        "forum/action_log.html",
        {
            "forum": forum,
            "access": selectors.forum_access(request.user, forum),
            "show": show,
            "page_obj": _page(request, selectors.action_log(forum, show=show), 50),
            "query": f"show={show}",
            "today": timezone.localdate(),
        },
    )


# --- Calendar link ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def calendar_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    forum = selectors.get_forum_for_user(request.user, pk)
    member = selectors.forum_access(request.user, forum).member
    if member is None:
        raise PermissionDenied("Only members of this forum have a calendar link.")
    new_url = None
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                services.calendar_token_revoke(actor=request.user, member=member)
                messages.success(request, "Your calendar link has been turned off. It no longer works.")
                return redirect("forum:calendar_link", forum.pk)
            token = services.calendar_token_regenerate(actor=request.user, member=member)
            new_url = request.build_absolute_uri(reverse("forum:calendar_feed", args=[token]))
        except services.ForumError as exc:
            error = str(exc)
        member.refresh_from_db()
    return render(
        request, "forum/calendar_link.html", {"forum": forum, "member": member, "new_url": new_url, "error": error}
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        member = selectors.member_for_calendar_token(token)
    except Http404:
        # Calendar apps show little, but a person pasting the link into a browser sees why.
        return HttpResponse(
            "This calendar link no longer works. It may have been turned off, replaced by a new link, "
            "or be more than a year old. Sign in and make a new link on your forum's calendar page.",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    body = icalendar_feed(member, list(selectors.calendar_meetings(member)), request=request)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Public pages (no sign-in) ----------------------------------------------------------------


def public_forum(request: HttpRequest, slug: str) -> HttpResponse:
    forum = selectors.get_public_forum(slug)
    return render(
        request,
        "forum/public_forum.html",
        {"forum": forum, "page_obj": _page(request, selectors.public_meetings(forum), 20)},
    )


def public_meeting(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = selectors.get_public_forum(slug)
    detail = selectors.public_meeting(forum, pk)
    return render(
        request,
        "forum/public_meeting.html",
        {"forum": forum, "notes_html": render_notes(detail["notes"].published_body_markdown), **detail},
    )


def public_feed(request: HttpRequest, slug: str) -> HttpResponse:
    forum: Forum = selectors.get_public_forum(slug)
    meetings = list(selectors.public_meetings(forum)[:30])
    return HttpResponse(atom_feed(forum, meetings, request=request), content_type="application/atom+xml; charset=utf-8")
