from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organisation, User
from accounts.roles import DELIVERY_ROLES
from accounts.typing import AnyUser, AuthenticatedHttpRequest
from core.access import can_write, visible_organisation_ids
from core.choices import InvolvementMethod, LadderLevel
from core.errors import add_form_error
from core.formatting import when_text
from core.forms import query_id, query_search
from core.idempotency import AlreadySubmitted
from core.paginator import CappedPaginator
from core.prepared import PreparedList
from core.templatetags.nhsuk import nhsuk_error_list
from involvement import selectors, services
from involvement.forms import (
    ActivityAnswerForm,
    ActivityFilterForm,
    ActivityForm,
    AddParticipantsForm,
    AttendanceRowForm,
    CancelForm,
    DuplicateForm,
    FeedbackForm,
    NewActivityForm,
    NewOutcomeForm,
    OutcomeForm,
    OutcomeProgressForm,
)
from involvement.models import Activity, ActivityStatus, Outcome, Participation, ParticipationResponse
from partners.models import LayPartner
from partners.selectors import partner_for_user, profile_labels
from programmes.models import Programme
from programmes.selectors import get_programme_for_user, programmes_for_logging


def _query_without_page(request: HttpRequest, *, name: str = "page") -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def _require_staff(user: AnyUser) -> set[int]:
    org_ids = visible_organisation_ids(user)
    if not org_ids:
        raise PermissionDenied("Activities are for AHSN staff.")
    return org_ids


def _writable_organisations(user: AnyUser) -> Any:
    return selectors.writable_ahsns(sorted(visible_organisation_ids(user, roles=DELIVERY_ROLES))).order_by("name")


def _activity_url(activity: Activity) -> str:
    return reverse("involvement:activity_detail", args=[activity.pk])


# ---------------------------------------------------------------- the list and export


def _filter_form(request: HttpRequest) -> tuple[ActivityFilterForm, selectors.ActivityMenus]:
    _require_staff(request.user)
    menus = selectors.activity_filter_menus(user=request.user)
    form = ActivityFilterForm(
        request.GET or None,
        organisations=menus.organisations,
        programmes=menus.programmes,
        priorities=menus.priorities,
    )
    return form, menus


def _chosen_filters(form: ActivityFilterForm) -> dict[str, Any]:
    return form.cleaned_data if form.is_valid() else {}


@login_required
def activity_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, menus = _filter_form(request)
    rows: Any = selectors.activity_list_rows(user=request.user, filters=_chosen_filters(form))  # Paginator can page it
    page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
    query = _query_without_page(request)
    return render(
        request,
        "involvement/activity_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query,
            "export_url": reverse("involvement:activity_export") + (f"?{query}" if query else ""),
            "can_create": menus.can_log,
            "show_organisation": len(visible_organisation_ids(request.user)) > 1,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def activity_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV: counts only, no names or contact details."""
    form, _menus = _filter_form(request)
    activities = selectors.activity_list(user=request.user, filters=_chosen_filters(form))
    rows = selectors.activity_export_rows(activities)
    methods, levels = dict(InvolvementMethod.choices), dict(LadderLevel.choices)
    header = [
        "Activity ID",
        "AHSN",
        "Programme",
        "Title",
        "Starts",
        "Ends",
        "Format",
        "Method",
        "Level",
        "Stage",
        "Status",
        "Strategy priorities",
        "Seldom-heard groups reached",
        "Support offered",
        "Lay partners taking part",
        "Lay partners attended",
        "Hours by lay partners",
        "Members of the public without a record",
        "Outcomes recorded",
    ]

    def lines() -> Any:
        writer = csv.writer(_Echo())
        yield writer.writerow(header)
        row: Any
        for row in rows.iterator(chunk_size=500):
            a: Any = row
            yield writer.writerow(
                [
                    a.pk,
                    a.organisation.short_name,
                    _safe(a.programme.name) if a.programme else "",
                    _safe(a.title),
                    timezone.localtime(a.starts_at).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(a.ends_at).strftime("%Y-%m-%d %H:%M"),
                    a.get_format_display(),
                    methods.get(a.method, a.method),
                    levels.get(a.level, a.level),
                    a.get_stage_display() if a.stage else "",
                    a.get_status_display(),
                    " ".join(a.priority_codes or []),
                    "; ".join(a.seldom_heard_labels),
                    "; ".join(a.support_labels),
                    a.participant_count,
                    a.attended_count,
                    a.attended_hours,
                    a.public_participants_count,
                    a.outcome_count,
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="activities-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def _safe(text: str) -> str:
    """Stop a spreadsheet treating a cell as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# ---------------------------------------------------------------- create and change activities


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request.user)
    organisations = _writable_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied("Your role cannot log activities.")
    programme: Programme | None = None
    if (programme_id := query_id(request.GET.get("programme"))) is not None:
        programme = get_programme_for_user(request.user, programme_id)
    org_ids = [o.pk for o in organisations]
    programmes = Programme.objects.none()
    for org_id in org_ids:
        programmes = programmes | programmes_for_logging(organisation_id=org_id)
    initial: dict[str, Any] = {"public_participants_count": 0, "lead": request.user.pk}
    if programme is not None:
        initial["programme"] = programme.pk
        initial["stage"] = programme.innovation_stage
        initial["priorities"] = list(programme.priorities.all())
    form = NewActivityForm(
        request.POST or None, initial=initial, organisations=organisations, programmes=programmes.distinct()
    )
    if request.method == "POST" and form.is_valid():
        fields = form.activity_fields()
        try:
            activity = services.activity_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                priorities=form.cleaned_data["priorities"],
                submission_token=form.cleaned_data["submission_token"],
                **fields,
            )
        except services.InvolvementError as exc:
            add_form_error(form, exc)
        except AlreadySubmitted as done:  # the same form sent twice: it was logged the first time
            return redirect("involvement:activity_detail", pk=done.made_id)
        else:
            messages.success(request, f"{activity.title} has been logged. Now add the people taking part.")
            return redirect("involvement:activity_detail", pk=activity.pk)
    back = (
        reverse("programmes:programme_detail", args=[programme.pk])
        if programme
        else reverse("involvement:activity_list")
    )
    return render(request, "involvement/activity_form.html", {"form": form, "activity": None, "back_url": back})


@login_required
def activity_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for_user(request.user, pk)
    counts = selectors.participant_counts(activity)
    participants = selectors.activity_participants_page(activity, request.GET.get("page"), counts=counts)
    return render(
        request,
        "involvement/activity_detail.html",
        {
            "activity": activity,
            "priorities": list(activity.priorities.all()),
            "participations": participants.object_list,
            "page_obj": participants,
            "counts": counts,
            "outcomes": activity.outcomes.order_by("-decided_on", "-id"),  # the cards name nobody
            "feedback": selectors.activity_feedback(activity),
            "can_write": can_write(request.user, activity.organisation_id, roles=DELIVERY_ROLES),
            "steps": services.activity_steps(activity, participants=counts.total, not_recorded=counts.not_recorded),
            "when": when_text(activity.starts_at, activity.ends_at),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for_user(request.user, pk, write=True)
    if activity.is_cancelled:
        messages.error(request, "This activity was cancelled, so it cannot be changed. You can duplicate it.")
        return redirect("involvement:activity_detail", pk=activity.pk)
    form = ActivityForm(
        request.POST or None,
        initial=ActivityForm.initial_for(activity),
        organisations=Organisation.objects.filter(pk=activity.organisation_id),
        programmes=programmes_for_logging(organisation_id=activity.organisation_id)
        | Programme.objects.filter(pk=activity.programme_id or 0),
        fixed_organisation=activity.organisation,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                actor=request.user,
                activity=activity,
                priorities=form.cleaned_data["priorities"],
                **form.activity_fields(),
            )
        except services.InvolvementError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect("involvement:activity_detail", pk=activity.pk)
    return render(
        request,
        "involvement/activity_form.html",
        {"form": form, "activity": activity, "back_url": _activity_url(activity)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_duplicate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for_user(request.user, pk, write=True)
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    form = DuplicateForm(
        request.POST or None,
        initial={
            "start_date": start.date() + timedelta(days=7),
            "start_time": start.time(),
            "end_time": end.time(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.activity_duplicate(
                actor=request.user,
                activity=activity,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except services.InvolvementError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The new session has been logged, with the same people invited.")
            return redirect("involvement:activity_detail", pk=copy.pk)
    return render(request, "involvement/activity_duplicate.html", {"form": form, "activity": activity})


@login_required
@require_http_methods(["GET", "POST"])
def activity_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for_user(request.user, pk, write=True)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_cancel(actor=request.user, activity=activity, reason=form.cleaned_data["reason"])
        except services.InvolvementError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The activity has been cancelled. Everyone taking part has been told.")
            return redirect("involvement:activity_detail", pk=activity.pk)
    return render(
        request,
        "involvement/activity_cancel.html",
        {"form": form, "activity": activity, "participant_count": activity.participations.count()},
    )


@login_required
@require_POST
def activity_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for_user(request.user, pk, write=True)
    try:
        services.activity_complete(actor=request.user, activity=activity)
    except services.InvolvementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The activity is marked as completed.")
    return redirect("involvement:activity_detail", pk=activity.pk)


# ---------------------------------------------------------------- participation and attendance


@login_required
@require_http_methods(["GET", "POST"])
def participants_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for_user(request.user, pk, write=True)
    query = query_search(request.GET.get("q"))
    form = AddParticipantsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ids = form.cleaned_data["partners"]
        partners = {p.pk: p for p in LayPartner.objects.filter(pk__in=ids)}
        added, problems = [], []
        for partner_id in ids:
            partner = partners.get(partner_id)
            if partner is None:
                problems.append("One of the people you chose no longer exists.")
                continue
            try:
                services.participation_add(
                    actor=request.user,
                    activity=activity,
                    partner=partner,
                    role=form.cleaned_data["role"],
                    expected_hours=form.cleaned_data["expected_hours"] or Decimal("0"),
                )
            except services.InvolvementError as exc:
                problems.append(str(exc))
            else:
                added.append(partner.display_name)
        for problem in problems:
            form.add_error(None, problem)
        if added:
            messages.success(request, f"Added {', '.join(added)}.")
        if not problems:
            return redirect("involvement:activity_detail", pk=activity.pk)
    chosen = set(form.cleaned_data.get("partners", [])) if form.is_bound and hasattr(form, "cleaned_data") else set()
    return render(
        request,
        "involvement/participants_add.html",
        {
            "activity": activity,
            "form": form,
            "query": query,
            "results": selectors.partners_to_add(activity=activity, query=query),
            "chosen": chosen,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def participation_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participation = selectors.get_participation_for_user(request.user, pk, write=True)
    error = ""
    if request.method == "POST":
        try:
            services.participation_remove(actor=request.user, participation=participation)
        except services.InvolvementError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{participation.partner.display_name} has been taken off this activity.")
            return redirect("involvement:activity_detail", pk=participation.activity_id)
    return render(request, "involvement/participation_remove.html", {"participation": participation, "error": error})


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for_user(request.user, pk, write=True)
    # A page of people at a time (the same pages as the activity page): each save records those shown.
    counts = selectors.participant_counts(activity)
    page = selectors.activity_participants_page(activity, request.GET.get("page"), counts=counts)
    rows = []
    for p in page.object_list:
        initial = {
            "participation": p.pk,
            "attended": "yes" if p.attended else ("no" if p.attended is False else None),
            "hours": p.hours if p.hours is not None else p.expected_hours,
        }
        rows.append((p, AttendanceRowForm(request.POST or None, prefix=f"p{p.pk}", initial=initial)))
    refusal = services.attendance_refusal(activity)
    error = refusal
    if request.method == "POST" and not error and all(f.is_valid() for _p, f in rows):
        was_planned = activity.status == ActivityStatus.PLANNED
        try:
            saved = services.attendance_record(
                actor=request.user,
                activity=activity,
                rows=[(p, f.cleaned_data["attended"] == "yes", f.cleaned_data["hours"]) for p, f in rows],
            )
        except services.InvolvementError as exc:
            error = str(exc)
        else:
            if was_planned and saved.status == ActivityStatus.COMPLETED:
                messages.success(request, "Attendance saved. The activity is now completed.")
            else:
                messages.success(request, "Attendance saved.")
            return redirect("involvement:activity_detail", pk=activity.pk)
    error_items: list[Any] = [error] if error and request.method == "POST" else []
    if not error:
        for _p, f in rows:
            if f.is_bound:
                error_items.extend(nhsuk_error_list(f))
    has_errors = bool(error_items)
    return render(
        request,
        "involvement/attendance.html",
        {
            "activity": activity,
            "rows": rows,
            "error": error,
            "has_errors": has_errors,
            "error_items": error_items,
            "max_hours": services.max_hours(activity),
            "blocked": bool(refusal),
            "page_obj": page,
            "counts": counts,
        },
    )


# ---------------------------------------------------------------- outcomes


@login_required
@require_http_methods(["GET", "POST"])
def outcome_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for_user(request.user, pk, write=True)
    form = NewOutcomeForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_record(actor=request.user, activity=activity, **form.cleaned_data)
        except services.InvolvementError as exc:
            add_form_error(form, exc)
        except AlreadySubmitted:  # the same form sent twice: it was recorded the first time
            return redirect("involvement:activity_detail", pk=activity.pk)
        else:
            messages.success(request, "The outcome has been recorded. Everyone who took part has been told.")
            return redirect("involvement:activity_detail", pk=activity.pk)
    return render(
        request,
        "involvement/outcome_form.html",
        {"form": form, "about": activity.title, "back_url": _activity_url(activity), "outcome": None},
    )


def _signed_in(request: HttpRequest) -> User:
    """The member of staff behind a `login_required` view."""
    assert isinstance(request.user, User)
    return request.user


def _outcome_source_url(outcome: Outcome) -> str:
    if outcome.activity_id is not None:
        return reverse("involvement:activity_detail", args=[outcome.activity_id])
    return reverse("programmes:programme_detail", args=[outcome.programme_id])


def _outcome_about(outcome: Outcome) -> str:
    return outcome.activity.title if outcome.activity else outcome.programme.name  # type: ignore[union-attr]


@login_required
@require_GET
def outcome_detail(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = selectors.get_outcome_for_user(request.user, pk)
    return render(
        request,
        "involvement/outcome_detail.html",
        {
            "outcome": outcome,
            "about": _outcome_about(outcome),
            "back_url": _outcome_source_url(outcome),
            "history": list(selectors.outcome_history(outcome)),
            "can_change": can_write(request.user, outcome.organisation_id, roles=DELIVERY_ROLES),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    outcome = selectors.get_outcome_for_user(request.user, pk, write=True)
    initial = {k: getattr(outcome, k) for k in ("what_we_heard", "what_we_did", "shareable", "public")}
    form = OutcomeForm(request.POST or None, initial=initial)
    back = reverse("involvement:outcome_detail", args=[outcome.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_update(actor=_signed_in(request), outcome=outcome, **form.cleaned_data)
        except services.InvolvementError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The outcome has been updated.")
            return redirect(back)
    return render(
        request,
        "involvement/outcome_form.html",
        {"form": form, "about": _outcome_about(outcome), "back_url": back, "outcome": outcome},
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_progress(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = selectors.get_outcome_for_user(request.user, pk, write=True)
    back = reverse("involvement:outcome_detail", args=[outcome.pk])
    form = OutcomeProgressForm(
        request.POST or None, request.FILES or None, initial={"changed_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.outcome_status_change(
                actor=_signed_in(request),
                outcome=outcome,
                status=data["status"],
                changed_on=data["changed_on"],
                note=data["note"],
                reason=data["reason"],
                evidence=services.Evidence(link=data["evidence_link"], upload=data["evidence_file"]),
            )
        except services.InvolvementError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "The progress has been recorded. Everyone who took part has been told.")
            return redirect(back)
    return render(
        request,
        "involvement/outcome_progress.html",
        {"form": form, "outcome": outcome, "about": _outcome_about(outcome), "back_url": back},
    )


@login_required
@require_GET
def outcome_evidence(request: HttpRequest, pk: int) -> FileResponse:
    change = selectors.get_status_change_for_user(request.user, pk)
    if not change.evidence_file:
        raise Http404("This step has no file.")
    try:
        handle = change.evidence_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This evidence file is missing.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=change.evidence_name, content_type=change.evidence_content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- the lay partner's side


def _own_partner(request: HttpRequest) -> LayPartner:
    partner = partner_for_user(request.user)
    if partner is None:
        raise Http404("This page is for lay partners.")
    return partner


@login_required
def my_involvement(request: AuthenticatedHttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    mine: dict[str, Any] = {"partner": partner.pk, "now": timezone.now()}
    past_rows: Any = PreparedList(selectors.MY_PAST, **mine)  # a sequence Paginator can page
    past = Paginator(past_rows, 20).get_page(request.GET.get("page"))
    latest = list(selectors.partner_outcomes(partner)[:6])  # a sixth says there are more, without a count
    return render(
        request,
        "involvement/my_involvement.html",
        {
            "partner": partner,
            "upcoming": selectors.MY_UPCOMING.rows(**mine),
            "page_obj": past,
            "query": _query_without_page(request),
            "feedback_due": selectors.MY_FEEDBACK_DUE.rows(**mine),
            "outcomes": latest[:5],
            "more_outcomes": len(latest) > 5,
        },
    )


@login_required
def my_outcomes(request: AuthenticatedHttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    page = Paginator(selectors.partner_outcomes(partner), 20).get_page(request.GET.get("page"))
    return render(request, "involvement/my_outcomes.html", {"page_obj": page, "query": _query_without_page(request)})


@login_required
@require_GET
def my_outcome_detail(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = selectors.partner_outcome(_own_partner(request), pk)
    return render(
        request,
        "involvement/my_outcome_detail.html",
        {"outcome": outcome, "about": _outcome_about(outcome), "history": list(selectors.outcome_history(outcome))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    partner = _own_partner(request)
    participation: Participation = selectors.participation_for_partner(partner, pk)
    existing = getattr(participation, "feedback", None)
    error = ""
    if participation.activity.status == ActivityStatus.CANCELLED:
        error = "This activity was cancelled, so there is nothing to give feedback on."
    elif participation.attended is not True:
        error = "You can give feedback once you are recorded as having attended."
    elif existing is not None and not services.feedback_is_editable(existing):
        error = "You gave feedback on this more than 14 days ago, so it can no longer be changed. Thank you for it."
    initial = (
        {
            k: getattr(existing, k)
            for k in ("listened_to", "role_clear", "support_right", "take_part_again", "comments", "may_use_name")
        }
        if existing
        else None
    )
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and not error and form.is_valid():
        try:
            services.feedback_submit(actor=request.user, participation=participation, **form.cleaned_data)
        except services.InvolvementError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "Thank you. Your feedback has been saved.")
            return redirect("involvement:my_involvement")
    status = 403 if error and request.method == "POST" else 200
    return render(
        request,
        "involvement/feedback_form.html",
        {
            "form": form,
            "participation": participation,
            "existing": existing,
            "error": error,
            "editable_until": existing.submitted_at + timedelta(days=services.FEEDBACK_EDITABLE_DAYS)
            if existing
            else None,
        },
        status=status,
    )


@login_required
def my_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """The lay partner's own page for an activity they are part of (another person's: 404)."""
    partner = _own_partner(request)
    participation = selectors.participation_for_partner(partner, pk)
    form = ActivityAnswerForm(initial={"reason": participation.apology_reason})
    return _my_activity_page(request, partner, participation, form=form)


@login_required
@require_POST
def my_activity_answer(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _own_partner(request)
    participation = selectors.participation_for_partner(partner, pk)
    form = ActivityAnswerForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.participation_respond(
                actor=request.user,
                participation=participation,
                response=form.cleaned_data["response"],
                reason=form.cleaned_data["reason"],
            )
        except services.InvolvementError as exc:
            error = str(exc)
        else:
            if form.cleaned_data["response"] == ParticipationResponse.COMING:
                messages.success(request, "Thank you. We have told the team you are coming.")
            else:
                messages.success(request, "Your apologies have been sent. Thank you for letting us know.")
            return redirect("involvement:my_activity", pk=participation.pk)
    return _my_activity_page(request, partner, participation, form=form, error=error, status=400)


def _my_activity_page(
    request: HttpRequest,
    partner: LayPartner,
    participation: Participation,
    *,
    form: ActivityAnswerForm,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    activity = participation.activity
    return render(
        request,
        "involvement/my_activity.html",
        {
            "participation": participation,
            "activity": activity,
            "partner": partner,
            "labels": profile_labels(partner),
            # The staff labels speak about the partner ("Travel booked for them"); here they read to them.
            "support_offered": [label.replace(" for them", " for you") for label in activity.support_labels],
            "when": when_text(activity.starts_at, activity.ends_at),
            "answer_refusal": services.response_refusal(participation),
            "answer_form": form,
            "error_items": [error] if error else (nhsuk_error_list(form) if form.is_bound else []),
        },
        status=status,
    )
