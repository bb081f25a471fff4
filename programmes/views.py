from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import Organisation
from accounts.roles import DELIVERY_ROLES
from accounts.typing import AnyUser, AuthenticatedHttpRequest
from core.access import can_write, is_network_admin, visible_organisation_ids
from core.errors import add_form_error
from core.idempotency import AlreadySubmitted
from involvement import selectors as involvement_selectors
from involvement import services as involvement_services
from involvement.forms import NewOutcomeForm
from programmes import selectors, services
from programmes.forms import PlannedInvolvementForm, PriorityForm, ProgrammeFilterForm, ProgrammeForm


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _require_staff(user: AnyUser) -> None:
    if not visible_organisation_ids(user):
        raise PermissionDenied("Programmes are for AHSN staff.")


@login_required
def programme_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request.user)
    form = ProgrammeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.programme_list(user=request.user, filters=filters), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/programme_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": _query_without_page(request),
            "can_create": selectors.can_create_programmes(request.user),
            "filtered": bool(filters and any(filters.values())),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = selectors.programme_owner_organisations(request.user).exclude(kind=Organisation.Kind.NETWORK)
    if not organisations.exists():
        if not visible_organisation_ids(request.user):
            raise PermissionDenied("Programmes are for AHSN staff.")
        raise PermissionDenied("Your role cannot create programmes.")
    form = ProgrammeForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = services.programme_create(
                actor=request.user,
                organisation=data["organisation"],
                name=data["name"],
                programme_type=data["programme_type"],
                innovation_stage=data["innovation_stage"],
                lead=data["lead"],
                status=data["status"],
                start_on=data["start_on"],
                closed_on=data["closed_on"],
                priorities=data["priorities"],
                involvement_plan=data["involvement_plan"],
                equality_impact_note=data["equality_impact_note"],
                shared_with=data["shared_with"],
            )
        except services.ProgrammeError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"{programme.name} has been created.")
            return redirect("programmes:programme_detail", pk=programme.pk)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": None})


@login_required
def programme_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(request.user, pk)
    visible = visible_organisation_ids(request.user)
    loggers = {programme.organisation_id} | {o.pk for o in programme.shared_with.all()}
    can_log = any(can_write(request.user, org_id, roles=DELIVERY_ROLES) for org_id in loggers)
    figures = involvement_selectors.programme_figures(programme=programme, organisation_ids=visible)
    page = involvement_selectors.programme_activities_page(
        programme=programme, page_number=request.GET.get("page"), figures=figures
    )
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "page_obj": page,
            **figures,
            **involvement_selectors.programme_outcomes(figures),
            "plan": involvement_selectors.programme_plan(programme=programme),
            "visible_org_ids": visible,
            "can_edit": selectors.can_edit_programme(request.user, programme),
            "can_log": can_log and programme.status != "closed",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(request.user, pk, write=True)
    initial = {
        "name": programme.name,
        "programme_type": programme.programme_type,
        "innovation_stage": programme.innovation_stage,
        "lead": programme.lead_id,
        "status": programme.status,
        "start_on": programme.start_on,
        "closed_on": programme.closed_on,
        "priorities": list(programme.priorities.all()),
        "involvement_plan": programme.involvement_plan,
        "equality_impact_note": programme.equality_impact_note,
        "shared_with": list(programme.shared_with.all()),
    }
    form = ProgrammeForm(
        request.POST or None,
        initial=initial,
        organisations=Organisation.objects.filter(pk=programme.organisation_id),
        editing=programme,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.programme_update(
                actor=request.user,
                programme=programme,
                priorities=data["priorities"],
                shared_with=data["shared_with"],
                name=data["name"],
                programme_type=data["programme_type"],
                innovation_stage=data["innovation_stage"],
                lead=data["lead"],
                status=data["status"],
                start_on=data["start_on"],
                closed_on=data["closed_on"],
                involvement_plan=data["involvement_plan"],
                equality_impact_note=data["equality_impact_note"],
            )
        except services.ProgrammeError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect("programmes:programme_detail", pk=programme.pk)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


@login_required
def programme_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's involvement plan, line by line, against what was logged; staff of the owning
    AHSN add, change and remove lines here."""
    programme = selectors.get_programme_for_user(request.user, pk)
    return render(
        request,
        "programmes/plan.html",
        {
            "programme": programme,
            "plan": involvement_selectors.programme_plan(programme=programme),
            "can_edit": selectors.can_edit_programme(request.user, programme),
        },
    )


def _plan_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "stage": data["stage"],
        "level": data["level"],
        "seldom_heard_groups": data["seldom_heard_groups"],
        "quarter": data["quarter"],
        "description": data["description"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def plan_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(request.user, pk, write=True)
    form = PlannedInvolvementForm(request.POST or None, initial={"stage": programme.innovation_stage})
    if request.method == "POST" and form.is_valid():
        try:
            services.planned_involvement_add(actor=request.user, programme=programme, **_plan_fields(form.cleaned_data))
        except services.ProgrammeError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "The planned involvement has been added.")
            return redirect("programmes:programme_plan", pk=programme.pk)
    return render(request, "programmes/plan_item_form.html", {"form": form, "programme": programme, "item": None})


@login_required
@require_http_methods(["GET", "POST"])
def plan_item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = selectors.get_planned_involvement_for_user(request.user, pk, item_pk, write=True)
    initial = {
        "stage": item.stage,
        "level": item.level,
        "seldom_heard_groups": item.seldom_heard_groups,
        "quarter": item.quarter.slug,
        "description": item.description,
    }
    form = PlannedInvolvementForm(request.POST or None, initial=initial, keep=item.quarter)
    if request.method == "POST" and form.is_valid():
        try:
            services.planned_involvement_update(actor=request.user, item=item, **_plan_fields(form.cleaned_data))
        except services.ProgrammeError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "Your changes to the plan have been saved.")
            return redirect("programmes:programme_plan", pk=item.programme_id)
    return render(request, "programmes/plan_item_form.html", {"form": form, "programme": item.programme, "item": item})


@login_required
@require_http_methods(["GET", "POST"])
def plan_item_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = selectors.get_planned_involvement_for_user(request.user, pk, item_pk, write=True)
    if request.method == "POST":
        try:
            services.planned_involvement_remove(actor=request.user, item=item)
        except services.ProgrammeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The planned involvement has been removed from the plan.")
        return redirect("programmes:programme_plan", pk=item.programme_id)
    return render(request, "programmes/plan_item_remove.html", {"programme": item.programme, "item": item})


@login_required
@require_http_methods(["GET", "POST"])
def programme_outcome_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(request.user, pk, write=True)
    form = NewOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            involvement_services.outcome_record(
                actor=request.user,
                programme=programme,
                what_we_heard=data["what_we_heard"],
                what_we_did=data["what_we_did"],
                status=data["status"],
                reason=data["reason"],
                decided_on=data["decided_on"],
                shareable=data["shareable"],
                public=data["public"],
                submission_token=data["submission_token"],
            )
        except involvement_services.InvolvementError as exc:
            add_form_error(form, exc)
        except AlreadySubmitted:  # the same form sent twice: it was recorded the first time
            return redirect("programmes:programme_detail", pk=programme.pk)
        else:
            messages.success(request, "The outcome has been recorded. People who took part have been told.")
            return redirect("programmes:programme_detail", pk=programme.pk)
    return render(
        request,
        "involvement/outcome_form.html",
        {"form": form, "about": programme.name, "back_url": programme_url(programme), "outcome": None},
    )


def programme_url(programme: Any) -> str:
    return reverse("programmes:programme_detail", args=[programme.pk])


@login_required
def priority_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request.user)
    return render(
        request,
        "programmes/priority_list.html",
        {
            "priorities": selectors.priorities(include_inactive=True),
            "can_edit": is_network_admin(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def priority_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request.user)
    if not is_network_admin(request.user):
        raise PermissionDenied("Only network admins can change strategy priorities.")
    return _priority_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def priority_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    priority = selectors.get_priority_for_user(request.user, pk, write=True)
    return _priority_form(request, priority)


def _priority_form(request: AuthenticatedHttpRequest, priority: Any) -> HttpResponse:
    initial = (
        {
            "strategy": priority.strategy,
            "code": priority.code,
            "theme": priority.theme,
            "title": priority.title,
            "description": priority.description,
            "order": priority.order,
            "active": priority.active,
        }
        if priority
        else None
    )
    form = PriorityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.priority_save(actor=request.user, priority=priority, **form.cleaned_data)
        except services.ProgrammeError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"Priority {saved.code} has been saved.")
            return redirect("programmes:priority_list")
    return render(request, "programmes/priority_form.html", {"form": form, "priority": priority})
