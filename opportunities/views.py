"""Opportunity pages: staff write, publish and choose; partners find and say "I'm interested";
anyone reads the ones open to new people."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Organisation, User
from core.access import visible_organisation_ids
from core.errors import DomainError, add_form_error
from core.forms import query_id
from core.paginator import CappedPaginator
from opportunities import selectors, services
from opportunities.forms import (
    CancelForm,
    DecisionForm,
    InterestForm,
    OnBehalfForm,
    OpportunityForm,
    PartnerFilterForm,
    StaffFilterForm,
)
from opportunities.models import Interest, InterestStatus, Opportunity, OpportunityState
from opportunities.permissions import OPPORTUNITY_WRITE_ROLES, can_write_opportunity, interest_refusal
from partners.models import LayPartner, PartnerLink
from partners.selectors import partner_for_user

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _partner(request: HttpRequest) -> LayPartner:
    partner = partner_for_user(request.user)
    if partner is None:
        raise Http404("Opportunities are listed for lay partners.")
    return partner


def _shown(opportunity: Opportunity) -> dict[str, Any]:
    """What a partner sees on an opportunity's page (also the staff preview)."""
    return {
        "opportunity": opportunity,
        "payment_text": selectors.payment_texts([opportunity])[opportunity.pk],
        "activities": list(opportunity.activities.order_by("starts_at")),
    }


def _with_payment_text(items: list[Opportunity]) -> list[Opportunity]:
    texts = selectors.payment_texts(items)
    for item in items:
        setattr(item, "payment_text", texts[item.pk])  # noqa: B010 - shown by the list templates
    return items


# --- Staff -----------------------------------------------------------------------------------


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not visible_organisation_ids(user):
        raise Http404("Opportunities are managed by AHSN staff.")
    form = StaffFilterForm(request.GET or None)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    page = CappedPaginator(selectors.staff_opportunities(user, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    organisations = Organisation.objects.filter(
        id__in=visible_organisation_ids(user, roles=OPPORTUNITY_WRITE_ROLES), kind=Organisation.Kind.AHSN
    ).order_by("name")
    return render(
        request,
        "opportunities/manage_list.html",
        {"form": form, "page_obj": page, "query": _query_without_page(request), "organisations": organisations},
    )


def _writable_organisation(request: HttpRequest) -> Organisation:
    user = _user(request)
    ids = visible_organisation_ids(user, roles=OPPORTUNITY_WRITE_ROLES)
    wanted = query_id(request.GET.get("organisation"))
    qs = Organisation.objects.filter(id__in=ids, kind=Organisation.Kind.AHSN).order_by("name")
    organisation = qs.filter(pk=wanted).first() if wanted else qs.first()
    if organisation is None:
        if visible_organisation_ids(user):
            raise PermissionDenied("Your role cannot write opportunities.")
        raise Http404("Opportunities are managed by AHSN staff.")
    return organisation


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request: HttpRequest) -> HttpResponse:
    organisation = _writable_organisation(request)
    form = OpportunityForm(
        request.POST or None, request.FILES or None, organisation=organisation, initial={"payment": "paid"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_create(
                actor=_user(request),
                organisation=organisation,
                activities=form.cleaned_data["activities"],
                easy_read_upload=form.cleaned_data.get("easy_read_file"),
                image_upload=form.cleaned_data.get("image"),
                **form.service_fields(),
            )
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The opportunity is saved as a draft. Preview it, then publish it.")
            return redirect("opportunities:manage_detail", opportunity.pk)
    return render(request, "opportunities/manage_form.html", {"form": form, "organisation": organisation})


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.get_opportunity_for_user(_user(request), pk, write=True)
    initial = {name: getattr(opportunity, name) for name in services.EDITABLE_FIELDS if name not in ("topics",)}
    initial["topics"] = ", ".join(opportunity.topics)
    initial["activities"] = list(opportunity.activities.all())
    form = OpportunityForm(
        request.POST or None,
        request.FILES or None,
        organisation=opportunity.organisation,
        has_image=bool(opportunity.image),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(
                actor=_user(request),
                opportunity=opportunity,
                activities=form.cleaned_data["activities"],
                easy_read_upload=form.cleaned_data.get("easy_read_file"),
                image_upload=form.cleaned_data.get("image"),
                **form.service_fields(),
            )
        except DomainError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect("opportunities:manage_detail", opportunity.pk)
    return render(
        request,
        "opportunities/manage_form.html",
        {"form": form, "organisation": opportunity.organisation, "opportunity": opportunity},
    )


@login_required
def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    opportunity = selectors.get_opportunity_for_user(user, pk)
    counts = _interest_counts(opportunity)
    return render(
        request,
        "opportunities/manage_detail.html",
        {
            **_shown(opportunity),
            "counts": counts,
            "can_write": can_write_opportunity(user, opportunity),
            "error": request.session.pop("opportunity_error", ""),
        },
    )


def _interest_counts(opportunity: Opportunity) -> dict[str, int]:
    rows = Interest.objects.filter(opportunity=opportunity).order_by().values_list("status")
    counts: dict[str, int] = {}
    for (status,) in rows:
        counts[status] = counts.get(status, 0) + 1
    return counts


@login_required
def manage_preview(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.get_opportunity_for_user(_user(request), pk)
    return render(request, "opportunities/detail.html", {**_shown(opportunity), "preview": True})


_MOVES = {
    "publish": (
        services.opportunity_publish,
        "The opportunity is open. Partners can now see it and say they are interested.",
    ),
    "close": (services.opportunity_close, "The opportunity is closed: nobody new can say they are interested."),
    "reopen": (services.opportunity_reopen, "The opportunity is open again."),
}


@login_required
@require_POST
def manage_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    if move not in _MOVES:
        raise Http404("No such change.")
    opportunity = selectors.get_opportunity_for_user(_user(request), pk, write=True)
    service, done = _MOVES[move]
    try:
        service(actor=_user(request), opportunity=opportunity)
    except DomainError as exc:
        request.session["opportunity_error"] = str(exc)
    else:
        messages.success(request, done)
    return redirect("opportunities:manage_detail", opportunity.pk)


@login_required
@require_http_methods(["GET", "POST"])
def manage_filled(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.get_opportunity_for_user(_user(request), pk, write=True)
    error = ""
    if request.method == "POST":
        try:
            services.opportunity_mark_filled(actor=_user(request), opportunity=opportunity)
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, "The opportunity is filled. Everyone still waiting has been thanked and told.")
            return redirect("opportunities:manage_detail", opportunity.pk)
    waiting = Interest.objects.filter(opportunity=opportunity, status__in=services.UNDECIDED).count()
    return render(
        request, "opportunities/manage_filled.html", {"opportunity": opportunity, "waiting": waiting, "error": error}
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.get_opportunity_for_user(_user(request), pk, write=True)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_cancel(
                actor=_user(request), opportunity=opportunity, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field == "reason" else None, str(exc))
        else:
            messages.success(request, "The opportunity is cancelled. People who were interested have been told.")
            return redirect("opportunities:manage_detail", opportunity.pk)
    return render(request, "opportunities/manage_cancel.html", {"opportunity": opportunity, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def interested(request: HttpRequest, pk: int) -> HttpResponse:
    """The people interested, with what matters for a fair choice, and the bulk decision."""
    user = _user(request)
    opportunity = selectors.get_opportunity_for_user(user, pk)
    can_write = can_write_opportunity(user, opportunity)
    form = DecisionForm(request.POST or None)
    chosen_ids = [i for i in (query_id(v) for v in request.POST.getlist("interests")) if i is not None]
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("Your role cannot choose people.")
        if not chosen_ids:
            form.add_error(None, "Select at least one person")
        if form.is_valid():
            if request.POST.get("confirmed") == "yes":
                try:
                    result = services.interests_decide(
                        actor=user,
                        opportunity=opportunity,
                        interest_ids=chosen_ids,
                        decision=form.cleaned_data["decision"],
                    )
                except DomainError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _decided_text(form.cleaned_data["decision"], result.decided))
                    return redirect("opportunities:interested", opportunity.pk)
            else:
                people = list(
                    Interest.objects.filter(opportunity=opportunity, pk__in=chosen_ids)
                    .select_related("partner")
                    .order_by("partner__full_name")
                )
                return render(
                    request,
                    "opportunities/decide_confirm.html",
                    {
                        "opportunity": opportunity,
                        "form": form,
                        "people": people,
                        "decision": form.cleaned_data["decision"],
                    },
                )
    page = CappedPaginator(selectors.interested_people(opportunity), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "opportunities/interested.html",
        {
            "opportunity": opportunity,
            "page_obj": page,
            "people": selectors.describe_people(list(page.object_list)),
            "form": form,
            "reach": selectors.pool_reach(opportunity),
            "can_write": can_write,
            "can_decide": can_write and opportunity.state in (OpportunityState.OPEN, OpportunityState.CLOSED),
            "chosen_ids": set(chosen_ids),
        },
    )


def _decided_text(decision: str, count: int) -> str:
    people = "1 person" if count == 1 else f"{count} people"
    if decision == InterestStatus.SELECTED:
        return f"{people} chosen. They have been added to the activities and told what happens next."
    if decision == InterestStatus.RESERVE:
        return f"{people} put on the reserve list and told."
    return f"{people} declined and thanked with a kind message."


@login_required
@require_http_methods(["GET", "POST"])
def on_behalf(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record interest for a partner who is supported by staff (assisted digital)."""
    user = _user(request)
    opportunity = selectors.get_opportunity_for_user(user, pk, write=True)
    partners = LayPartner.objects.filter(
        links__organisation=opportunity.organisation, links__status=PartnerLink.Status.ACTIVE, left_at__isnull=True
    ).order_by("full_name")
    form = OnBehalfForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            services.interest_express(
                actor=user,
                opportunity=opportunity,
                partner=form.cleaned_data["partner"],
                why=form.cleaned_data["why"],
                availability=form.cleaned_data["availability"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Interest recorded for {form.cleaned_data['partner'].full_name}.")
            return redirect("opportunities:interested", opportunity.pk)
    return render(request, "opportunities/on_behalf.html", {"opportunity": opportunity, "form": form})


# --- Partners --------------------------------------------------------------------------------


@login_required
def partner_list(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    form = PartnerFilterForm(request.GET or None, topics=selectors.partner_topics(partner))
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.partner_opportunities(partner, way=filters.get("way", ""), topic=filters.get("topic", ""))
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    items = _with_payment_text(list(page.object_list))
    return render(
        request,
        "opportunities/partner_list.html",
        {
            "form": form,
            "page_obj": page,
            "items": items,
            "query": _query_without_page(request),
            "filtered": bool(filters.get("way") or filters.get("topic")),
            "interests": list(selectors.partner_interests(partner)[:20]),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request)
    opportunity = selectors.get_opportunity_for_partner(partner, pk)
    interest = selectors.get_interest_for_partner(partner, opportunity)
    refusal = interest_refusal(opportunity, partner, existing=interest, today=timezone.localdate())
    return render(
        request,
        "opportunities/detail.html",
        {**_shown(opportunity), "interest": interest, "refusal": refusal},
    )


@login_required
@require_http_methods(["GET", "POST"])
def express(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request)
    opportunity = selectors.get_opportunity_for_partner(partner, pk)
    interest = selectors.get_interest_for_partner(partner, opportunity)
    refusal = interest_refusal(opportunity, partner, existing=interest, today=timezone.localdate())
    initial = {name: getattr(partner, name) for name in InterestForm.base_fields if hasattr(partner, name)}
    form = InterestForm(request.POST or None, initial=initial)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services.interest_express(
                actor=_user(request),
                opportunity=opportunity,
                partner=partner,
                why=form.cleaned_data["why"],
                availability=form.cleaned_data["availability"],
                needs=form.needs(),
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "Thank you. We have your interest and your support needs. "
                f"{opportunity.organisation.short_name} will tell you when they have chosen.",
            )
            return redirect("opportunities:detail", opportunity.pk)
    return render(request, "opportunities/express.html", {"opportunity": opportunity, "form": form, "refusal": refusal})


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request)
    opportunity = selectors.get_opportunity_for_partner(partner, pk)
    interest = selectors.get_interest_for_partner(partner, opportunity)
    if interest is None:
        raise Http404("You have not said you are interested.")
    error = ""
    if request.method == "POST":
        try:
            services.interest_withdraw(actor=_user(request), interest=interest)
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(
                request, "You have withdrawn your interest. You can say you are interested again while it is open."
            )
            return redirect("opportunities:detail", opportunity.pk)
    return render(request, "opportunities/withdraw.html", {"opportunity": opportunity, "error": error})


def _file_response(field: Any, *, content_type: str, filename: str, attachment: bool) -> FileResponse:
    if not field:
        raise Http404("No file.")
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    response = FileResponse(handle, as_attachment=attachment, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _opportunity_for_anyone(request: HttpRequest, pk: int) -> Opportunity:
    """Staff of its AHSN, a partner who may see it, or anyone for a public one."""
    user = request.user
    if user.is_authenticated and visible_organisation_ids(user):
        return selectors.get_opportunity_for_user(_user(request), pk)
    partner = partner_for_user(user)
    if partner is not None:
        return selectors.get_opportunity_for_partner(partner, pk)
    return selectors.get_public_opportunity(pk)


def easy_read(request: HttpRequest, pk: int) -> FileResponse:
    opportunity = _opportunity_for_anyone(request, pk)
    return _file_response(
        opportunity.easy_read_file, content_type="application/pdf", filename="easy-read.pdf", attachment=False
    )


def image(request: HttpRequest, pk: int) -> FileResponse:
    opportunity = _opportunity_for_anyone(request, pk)
    extension = "png" if opportunity.image_content_type == "image/png" else "jpg"
    return _file_response(
        opportunity.image, content_type=opportunity.image_content_type, filename=f"image.{extension}", attachment=False
    )


# --- Public ----------------------------------------------------------------------------------


def public_list(request: HttpRequest) -> HttpResponse:
    organisation_id = query_id(request.GET.get("ahsn"))
    qs = selectors.public_opportunities(organisation_id=organisation_id)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    items = _with_payment_text(list(page.object_list))
    return render(
        request,
        "opportunities/public_list.html",
        {
            "page_obj": page,
            "items": items,
            "organisations": Organisation.objects.filter(kind=Organisation.Kind.AHSN).order_by("name"),
            "chosen": organisation_id,
            "query": _query_without_page(request),
        },
    )


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.get_public_opportunity(pk)
    return render(request, "opportunities/detail.html", {**_shown(opportunity), "public": True})
