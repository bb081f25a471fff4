"""Payments pages. Thin: parse the request, call one service or selector, render."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Organisation
from accounts.typing import AuthenticatedHttpRequest
from core.access import visible_organisation_ids
from core.errors import add_form_error
from core.formatting import date_text
from core.idempotency import AlreadySubmitted
from core.money import format_money
from core.paginator import CappedPaginator
from partners.models import LayPartner, PartnerLink
from payments import forms, permissions, selectors, services
from payments.models import Claim, ClaimStatus, ExpenseCategory
from payments.receipts import ReceiptRejected, check_receipt, receipt_download_name
from payments.services import ClaimError
from programmes.models import Programme

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")


def _partner(request: AuthenticatedHttpRequest) -> LayPartner | None:
    return permissions.partner_of(request.user)


def _posted(request: AuthenticatedHttpRequest) -> Any:
    """The POST data when the form was sent (even empty, so a missing tick is an error)."""
    return request.POST if request.method == "POST" else None


def _files(request: AuthenticatedHttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def _receipt_to_choose_again(form: Any, request: AuthenticatedHttpRequest) -> None:
    """A form with errors cannot keep a chosen file: say so next to the file field, by name."""
    chosen = request.FILES.get("receipt") if request.method == "POST" else None
    if chosen is not None and "receipt" in form.fields and not form.has_error("receipt"):
        form.add_error(
            "receipt",
            f"Choose your receipt ({chosen.name}) again. We could not keep it while the other answers are fixed.",
        )


# --- the partner's money page ----------------------------------------------------------------


@login_required
def my_money(request: AuthenticatedHttpRequest) -> HttpResponse:
    partner = _partner(request)
    if partner is None:
        raise Http404("This page is for lay partners.")
    tax_year = selectors.TaxYear.containing(timezone.localdate())
    page = selectors.partner_claim_page(partner, request.GET.get("page"))
    return render(
        request,
        "payments/my_money.html",
        {
            "partner": partner,
            "page_obj": page,
            "tax_year": tax_year,
            "paid": selectors.tax_year_paid(partner, tax_year),
            "claimable": selectors.claimable_rows(selectors.claimable_participations(partner=partner)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start a claim. The AHSN is chosen for the partner when it is clear: the one they work with,
    the one running the activity they pressed "Claim for this" on, or the only one where they have
    something to claim for. Otherwise they choose, with what they can claim for at each."""
    partner = _partner(request)
    if partner is None:
        raise Http404("This page is for lay partners.")
    organisations = list(
        Organisation.objects.filter(partner_links__partner=partner)
        .exclude(partner_links__status=PartnerLink.Status.LEFT)
        .distinct()
        .order_by("name")
    )
    if not organisations:
        messages.error(request, "You are not working with any AHSN at the moment, so there is nothing to claim.")
        return redirect("payments:my_money")
    claimable = list(selectors.claimable_participations(partner=partner))
    if request.method == "POST" and request.POST.get("participation"):
        return _claim_for_participation(request, partner, claimable, request.POST["participation"])
    with_something = {p.activity.organisation_id for p in claimable}
    chose = request.method == "POST" and "organisation" in request.POST
    form = forms.StartClaimForm(request.POST if chose else None, organisations=organisations, claimable=claimable)
    chosen = None
    if request.method == "POST":
        if len(organisations) == 1:
            chosen = organisations[0]
        elif chose and form.is_valid():
            chosen = next(o for o in organisations if str(o.pk) == form.cleaned_data["organisation"])
        elif not chose and len(with_something) == 1:  # "Start a new claim": only one AHSN has anything to claim
            chosen = next(o for o in organisations if o.pk in with_something)
    if chosen is not None:
        try:
            claim = services.claim_start(partner=partner, organisation=chosen, actor=request.user)
        except ClaimError as exc:
            add_form_error(form, exc)
        else:
            if len(organisations) > 1:
                messages.info(request, f"This claim is with {chosen.name}.")
            return redirect("payments:claim_detail", pk=claim.pk)
    return render(
        request,
        "payments/claim_start.html",
        {"form": form, "single": organisations[0] if len(organisations) == 1 else None},
    )


def _claim_for_participation(
    request: AuthenticatedHttpRequest, partner: Any, claimable: list[Any], chosen: str
) -> HttpResponse:
    """ "Claim for this" on My payments: the AHSN that ran the activity, the partner's draft claim
    there if they have one (or a new one), and the involvement payment added."""
    participation = next((p for p in claimable if str(p.pk) == chosen), None)
    if participation is None:
        messages.error(request, "You cannot claim for that activity now. It may have been claimed for already.")
        return redirect("payments:my_money")
    organisation = participation.activity.organisation
    draft = selectors.partner_draft_claim(partner, organisation_id=organisation.pk)
    if draft is not None and not draft.carries_fees:  # started as expenses only: this one needs a new claim
        draft = None
    try:
        with transaction.atomic():
            claim = draft or services.claim_start(partner=partner, organisation=organisation, actor=request.user)
            services.claim_add_fee_line(claim=claim, participation=participation, actor=request.user)
    except ClaimError as exc:
        messages.error(request, str(exc))
        return redirect("payments:my_money")
    messages.success(
        request,
        f"{participation.activity.title} added to claim {claim.reference} with {organisation.name}. "
        "Your claim has been saved.",
    )
    return redirect("payments:claim_detail", pk=claim.pk)


@login_required
@require_http_methods(["GET", "POST"])
def claim_prepare(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff start a claim for an assisted-digital partner at their AHSN."""
    org_ids = permissions.preparer_organisation_ids(request.user)
    if not org_ids:
        raise PermissionDenied("Only staff and involvement leads can prepare claims.")
    links = list(
        PartnerLink.objects.filter(organisation_id__in=org_ids, partner__is_assisted_digital=True)
        .exclude(status=PartnerLink.Status.LEFT)
        .select_related("partner", "organisation")
        .order_by("partner__full_name", "organisation__name")[:200]
    )
    form = forms.PrepareClaimForm(_posted(request), links=links)
    if request.method == "POST" and form.is_valid():
        partner_id, org_id = (int(x) for x in form.cleaned_data["partner"].split(":"))
        link = next(link for link in links if link.partner_id == partner_id and link.organisation_id == org_id)
        try:
            claim = services.claim_start(partner=link.partner, organisation=link.organisation, actor=request.user)
        except ClaimError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"You are preparing claim {claim.reference} for {link.partner.display_name}.")
            return redirect("payments:claim_detail", pk=claim.pk)
    return render(request, "payments/claim_prepare.html", {"form": form, "has_partners": bool(links)})


# --- one claim -------------------------------------------------------------------------------


@login_required
def claim_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = selectors.get_claim_for_user(request.user, pk)
    lines = selectors.claim_lines(claim)
    total = sum((line.amount for line in lines), start=ZERO)
    claimant_view = permissions.is_claimant(request.user, claim)
    can_edit = permissions.can_edit_claim(request.user, claim)
    is_approver = permissions.can_decide_claim(request.user, claim)
    missing = {line.pk for line in services.missing_receipts(claim)} if claim.is_editable else set()
    return render(
        request,
        "payments/claim_detail.html",
        {
            "claim": claim,
            "lines": lines,
            "total": total,
            "fees_total": sum((line.amount for line in lines if line.is_fee), start=ZERO),
            "claimant_view": claimant_view,
            "can_edit": can_edit,
            "is_approver": is_approver and claim.status == ClaimStatus.SUBMITTED,
            "can_return_approved": is_approver and claim.status == ClaimStatus.APPROVED and claim.paid_at is None,
            "missing": missing,
            "returned": selectors.last_return(claim) if claim.status == ClaimStatus.RETURNED else None,
            "queried_lines": [line for line in lines if line.query_note]
            if claim.status == ClaimStatus.RETURNED
            else [],
            "history": selectors.claim_history(claim) if not claimant_view else [],
            "back_url": reverse("payments:my_money") if claimant_view else reverse("payments:claim_queue"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_fee_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = selectors.get_claim_for_user(request.user, pk, write=True)
    claimable = (
        list(selectors.claimable_participations(partner=claim.partner, organisation_ids=[claim.organisation_id]))
        if claim.carries_fees
        else []
    )
    form = forms.FeeLineForm(_posted(request), claimable=claimable, organisation_name=claim.organisation.short_name)
    if request.method == "POST" and form.is_valid():
        chosen = next(p for p in claimable if str(p.pk) == form.cleaned_data["participation"])
        try:
            services.claim_add_fee_line(claim=claim, participation=chosen, actor=request.user)
        except ClaimError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "Involvement payment added. Your claim has been saved.")
            return redirect("payments:claim_detail", pk=claim.pk)
    return render(request, "payments/line_fee_add.html", {"claim": claim, "form": form, "claimable": claimable})


@login_required
@require_http_methods(["GET", "POST"])
def expense_choose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = selectors.get_claim_for_user(request.user, pk, write=True)
    form = forms.ExpenseCategoryForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        return redirect("payments:expense_add", pk=claim.pk, category=form.cleaned_data["category"])
    return render(request, "payments/expense_choose.html", {"claim": claim, "form": form})


def _receipt_hint(claim: Any, category: str) -> str:
    card = services.rate_card_in_force(organisation_id=claim.organisation_id, on=timezone.localdate())
    rule = card.rule_for(category) if card else None
    if rule is None or not rule.receipt_required:
        return "You do not need a receipt for this."
    if rule.receipt_required_over is not None:
        return f"You need a receipt if this is more than {format_money(rule.receipt_required_over)}."
    return "You need a receipt for this."


@login_required
@require_http_methods(["GET", "POST"])
def expense_add(request: AuthenticatedHttpRequest, pk: int, category: str) -> HttpResponse:
    if category not in ExpenseCategory.values:
        raise Http404("No such kind of expense.")
    claim = selectors.get_claim_for_user(request.user, pk, write=True)
    form = forms.ExpenseLineForm(
        _posted(request), _files(request), category=category, receipt_hint=_receipt_hint(claim, category)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        receipt = data.get("receipt")
        if receipt:
            try:
                check_receipt(receipt)
            except ReceiptRejected as exc:
                add_form_error(form, exc)
        if form.is_valid():
            try:
                with transaction.atomic():  # the line and its receipt are saved together or not at all
                    line = services.claim_add_expense_line(
                        claim=claim,
                        actor=request.user,
                        category=category,
                        expense_date=data["expense_date"],
                        amount=data.get("amount"),
                        miles=data.get("miles"),
                        description=data.get("description", ""),
                        reason=data.get("reason", ""),
                        submission_token=data["submission_token"],
                    )
                    if receipt:
                        try:
                            services.receipt_add(line=line, uploaded=receipt, actor=request.user)
                        except ClaimError as exc:  # about the file, whatever field it names
                            raise ClaimError(str(exc), field="receipt") from exc
            except ClaimError as exc:
                add_form_error(form, exc)
            except AlreadySubmitted:  # the same form sent twice: the expense was added the first time
                return redirect("payments:claim_detail", pk=claim.pk)
            else:
                messages.success(request, f"{ExpenseCategory(category).label} added. Your claim has been saved.")
                return redirect("payments:claim_detail", pk=claim.pk)
    _receipt_to_choose_again(form, request)
    return render(
        request,
        "payments/expense_add.html",
        {"claim": claim, "form": form, "category_label": ExpenseCategory(category).label, "category": category},
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change an expense on a draft or returned claim in place, keeping its receipt (or replacing it)."""
    line = selectors.get_claimline_for_user(request.user, pk, write=True)
    claim = line.claim
    if line.is_fee or not claim.is_editable:
        return redirect("payments:claim_detail", pk=claim.pk)
    back = (
        reverse("payments:claim_check", args=[claim.pk])
        if request.GET.get("from") == "check"
        else reverse("payments:claim_detail", args=[claim.pk])
    )
    kept = list(line.receipts.all())
    form = forms.ExpenseLineForm(
        _posted(request),
        _files(request),
        category=line.kind,
        receipt_hint=_receipt_hint(claim, line.kind),
        kept_receipts=kept,
        initial=forms.ExpenseLineForm.initial_from(line),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.claim_change_expense_line(
                line=line,
                actor=request.user,
                expense_date=data["expense_date"],
                amount=data.get("amount"),
                miles=data.get("miles"),
                description=data.get("description", ""),
                reason=data.get("reason", ""),
                new_receipt=data.get("receipt") or None,
            )
        except ClaimError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"{line.get_kind_display()} changed. Your claim has been saved.")
            return redirect(back)
    _receipt_to_choose_again(form, request)
    return render(
        request,
        "payments/line_change.html",
        {"claim": claim, "line": line, "form": form, "back": back, "category_label": line.get_kind_display()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def receipt_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = selectors.get_claimline_for_user(request.user, pk, write=True)
    form = forms.ReceiptForm(_posted(request), _files(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.receipt_add(line=line, uploaded=form.cleaned_data["receipt"], actor=request.user)
        except ClaimError as exc:
            form.add_error("receipt", str(exc))
        else:
            messages.success(request, "Receipt uploaded. Your claim has been saved.")
            return redirect("payments:claim_detail", pk=line.claim_id)
    return render(request, "payments/receipt_upload.html", {"line": line, "claim": line.claim, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def line_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = selectors.get_claimline_for_user(request.user, pk, write=True)
    error = None
    if request.method == "POST":
        try:
            services.claim_remove_line(line=line, actor=request.user)
        except ClaimError as exc:
            error = str(exc)
        else:
            messages.success(request, "The line has been removed from your claim.")
            return redirect("payments:claim_detail", pk=line.claim_id)
    return render(request, "payments/line_remove.html", {"line": line, "claim": line.claim, "error": error})


@login_required
@require_http_methods(["GET", "POST"])
def claim_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Check your answers, the declaration, and send (or send again after a return)."""
    claim = selectors.get_claim_for_user(request.user, pk, write=True)
    if not claim.is_editable:
        return redirect("payments:claim_detail", pk=claim.pk)
    on_behalf = not permissions.is_claimant(request.user, claim)
    form = forms.DeclarationForm(_posted(request), on_behalf=on_behalf)
    lines = selectors.claim_lines(claim)
    if request.method == "POST" and form.is_valid():
        service = services.claim_resubmit if claim.status == ClaimStatus.RETURNED else services.claim_submit
        try:
            service(claim=claim, actor=request.user, declaration=form.cleaned_data["confirm"])
        except ClaimError as exc:
            add_form_error(form, exc)
        else:
            return redirect("payments:claim_sent", pk=claim.pk)
    total = sum((line.amount for line in lines), start=ZERO)
    return render(
        request,
        "payments/claim_check.html",
        {"claim": claim, "lines": lines, "total": total, "form": form, "on_behalf": on_behalf},
    )


@login_required
def claim_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = selectors.get_claim_for_user(request.user, pk)
    return render(
        request,
        "payments/claim_sent.html",
        {"claim": claim, "claimant_view": permissions.is_claimant(request.user, claim)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = selectors.get_claim_for_user(request.user, pk, write=True)
    error = None
    if request.method == "POST":
        try:
            services.claim_withdraw(claim=claim, actor=request.user)
        except ClaimError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Claim {claim.reference} has been withdrawn.")
            return redirect(
                "payments:my_money" if permissions.is_claimant(request.user, claim) else "payments:claim_queue"
            )
    return render(request, "payments/claim_withdraw.html", {"claim": claim, "error": error})


# --- approving -------------------------------------------------------------------------------


def _claim_for_approver(request: AuthenticatedHttpRequest, pk: int) -> Claim:
    claim = selectors.get_claim_for_user(request.user, pk)
    if not permissions.can_approve_at(request.user, claim.organisation_id):
        raise PermissionDenied("Only involvement leads can approve, return or reject claims.")
    return claim


@login_required
@require_POST
def claim_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = _claim_for_approver(request, pk)
    try:
        services.claim_approve(claim=claim, actor=request.user)
    except ClaimError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Claim {claim.reference} is approved. {claim.partner.display_name} has been told.")
    return redirect("payments:claim_detail", pk=claim.pk)


@login_required
@require_http_methods(["GET", "POST"])
def claim_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = _claim_for_approver(request, pk)
    form = forms.ReasonForm(
        _posted(request),
        label="What needs to change?",
        hint="The claimant sees this. Say what to change, in plain English.",
        required_message="Tell the claimant what needs to change",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_return(claim=claim, actor=request.user, reason=form.cleaned_data["reason"])
        except ClaimError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"Claim {claim.reference} has been returned to {claim.partner.display_name}.")
            return redirect("payments:claim_detail", pk=claim.pk)
    return render(request, "payments/claim_reason.html", {"claim": claim, "form": form, "decision": "return"})


@login_required
@require_http_methods(["GET", "POST"])
def claim_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = _claim_for_approver(request, pk)
    form = forms.ReasonForm(
        _posted(request),
        label="Why is the claim being rejected?",
        hint="The claimant sees this. If they can fix the claim, return it instead.",
        required_message="Tell the claimant why the claim is being rejected",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_reject(claim=claim, actor=request.user, reason=form.cleaned_data["reason"])
        except ClaimError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"Claim {claim.reference} has been rejected.")
            return redirect("payments:claim_detail", pk=claim.pk)
    return render(request, "payments/claim_reason.html", {"claim": claim, "form": form, "decision": "reject"})


@login_required
@require_http_methods(["GET", "POST"])
def line_query(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = selectors.get_claimline_for_user(request.user, pk)
    _claim_for_approver(request, line.claim_id)
    form = forms.QueryForm(_posted(request), initial={"note": line.query_note})
    if request.method == "POST" and form.is_valid():
        try:
            services.line_query(line=line, actor=request.user, note=form.cleaned_data["note"])
        except ClaimError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "Your question has been added to the line. The claimant has been told.")
            return redirect("payments:claim_detail", pk=line.claim_id)
    return render(request, "payments/line_query.html", {"line": line, "claim": line.claim, "form": form})


@login_required
def receipt_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The receipt file, named after its claim (CLM-000012-receipt-1.jpg). A receipt whose file was
    deleted at the end of the retention period, or has gone missing from storage, gets a page
    that says so and what to do, instead of an error."""
    receipt = selectors.get_receipt_for_user(request.user, pk)
    handle = None
    if receipt.file.name:
        try:
            handle = receipt.file.open("rb")
        except OSError:
            logger.error("receipt file missing from storage", extra={"receipt_id": receipt.pk})
    if handle is None:
        return render(
            request,
            "payments/receipt_missing.html",
            {"receipt": receipt, "claim": receipt.line.claim, "deleted": not receipt.file.name},
            status=404,
        )
    response = FileResponse(
        handle, as_attachment=True, filename=receipt_download_name(receipt), content_type=receipt.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- staff lists -----------------------------------------------------------------------------


@login_required
def claim_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    org_ids = permissions.claim_reader_organisation_ids(request.user)
    if not org_ids:
        raise PermissionDenied("Only involvement leads, finance officers and network admins see the claims queue.")
    programmes = Programme.objects.filter(organisation_id__in=org_ids).only("pk", "name").order_by("name")
    # With no filter chosen the queue opens on what needs the reader's action; every other state is
    # one click away (the state links above the filter).
    chosen = request.GET.copy()
    if not chosen.get("status"):
        chosen["status"] = selectors.queue_default_status(request.user)
    form = forms.QueueFilterForm(chosen, programmes=programmes)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "status": data["status"],
            "older_than_days": int(data["age"]) if data["age"] else None,
            "programme": data["programme"],
            "claimant": data["claimant"],
        }
    claims = selectors.claim_queue(user=request.user, **filters)
    page = CappedPaginator(claims, 50).get_page(request.GET.get("page"))
    page.object_list = selectors.queue_rows(cast(QuerySet[Claim], page.object_list))  # read once
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payments/claim_queue.html",
        {
            "form": form,
            "page_obj": page,
            "query": query.urlencode(),
            "status": form.cleaned_data["status"] if form.is_valid() else "",
            "status_links": [
                (ClaimStatus.SUBMITTED, "Waiting for approval"),
                (ClaimStatus.APPROVED, "Approved, not yet paid"),
                (ClaimStatus.RETURNED, "Returned for changes"),
                (ClaimStatus.PAID, "Paid"),
                (selectors.ALL_STATES, "All"),
            ],
            "can_prepare": bool(permissions.preparer_organisation_ids(request.user)),
            "is_finance": bool(permissions.paying_organisation_ids(request.user)),
        },
    )


@login_required
def rate_card_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    org_ids = visible_organisation_ids(request.user)
    if not org_ids:
        raise PermissionDenied("Only AHSN staff see rate cards.")
    cards = list(selectors.rate_cards_for(request.user))
    today = timezone.localdate()
    groups: dict[int, dict[str, Any]] = {}
    for card in cards:
        group = groups.setdefault(
            card.organisation_id,
            {
                "organisation": card.organisation,
                "current": None,
                "future": [],
                "past": [],
                "can_edit": permissions.can_edit_rates(request.user, card.organisation_id),
            },
        )
        if card.effective_from > today:
            group["future"].append(card)
        elif group["current"] is None:
            group["current"] = card
        else:
            group["past"].append(card)
    ordered = sorted(groups.values(), key=lambda g: (g["organisation"].kind, g["organisation"].name))
    if len(ordered) > 3:  # network admins: their own organisations' cards only unless they pick one
        chosen = request.GET.get("organisation")
        ordered = [g for g in ordered if str(g["organisation"].pk) == chosen] or ordered[:1]
    return render(
        request,
        "payments/rate_card_list.html",
        {"groups": ordered, "all_organisations": sorted(groups.values(), key=lambda g: g["organisation"].name)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate_card_create(request: AuthenticatedHttpRequest, organisation_id: int) -> HttpResponse:
    if organisation_id not in visible_organisation_ids(request.user):
        raise Http404("No such organisation.")
    if not permissions.can_edit_rates(request.user, organisation_id):
        raise PermissionDenied("Only involvement leads can change rates.")
    organisation = Organisation.objects.get(pk=organisation_id)
    current = services.rate_card_in_force(organisation_id=organisation_id, on=timezone.localdate())
    initial = forms.RateCardForm.initial_from(current) if current else {}
    form = forms.RateCardForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rate_card_create(
                organisation=organisation,
                actor=request.user,
                effective_from=data["effective_from"],
                hourly_rate=data["hourly_rate"],
                half_day_rate=data["half_day_rate"],
                half_day_hours=data["half_day_hours"],
                full_day_rate=data["full_day_rate"],
                full_day_hours=data["full_day_hours"],
                mileage_rate_per_mile=data["mileage_rate_per_mile"],
                claim_deadline_days=data["claim_deadline_days"],
                rules=form.rules(),
            )
        except ClaimError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"New rates saved. They take effect on {date_text(data['effective_from'])}.")
            return redirect(f"{reverse('payments:rate_card_list')}?organisation={organisation.pk}")
    return render(request, "payments/rate_card_form.html", {"form": form, "organisation": organisation})


def _batch_forms(request: AuthenticatedHttpRequest, *, posted_for: int | None = None) -> list[tuple[Organisation, Any]]:
    """One "make a payment batch" form per AHSN where the user is in finance, each listing that
    AHSN's approved claims waiting to be paid; the one just sent (`posted_for`) is bound."""
    # Only what the checkboxes say: 200 claims with their whole partner and AHSN rows took 15 ms.
    waiting = selectors.batch_form_rows(request.user)
    result = []
    for organisation in Organisation.objects.filter(pk__in=permissions.paying_organisation_ids(request.user)).order_by(
        "name"
    ):
        claims = [c for c in waiting if c.organisation_id == organisation.pk]
        data = request.POST if organisation.pk == posted_for else None
        form = forms.BatchForm(data, claims=claims, prefix=f"org{organisation.pk}")
        if claims or data is not None:
            result.append((organisation, form))
    return result


def _batch_page(request: AuthenticatedHttpRequest, batch_forms: list[tuple[Organisation, Any]]) -> HttpResponse:
    page = Paginator(selectors.batches_for(request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/batch_list.html",
        {
            "page_obj": page,
            "batch_forms": batch_forms,
            "several": len(batch_forms) > 1,
            "has_errors": any(form.errors for _organisation, form in batch_forms),
        },
    )


@login_required
def batch_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    org_ids = permissions.batch_reader_organisation_ids(request.user)
    if not org_ids:
        raise PermissionDenied("Only finance officers and involvement leads see payment batches.")
    return _batch_page(request, _batch_forms(request))


@login_required
@require_POST
def batch_create(request: AuthenticatedHttpRequest, organisation_id: int) -> HttpResponse:
    if organisation_id not in visible_organisation_ids(request.user):
        raise Http404("No such organisation.")
    if not permissions.can_pay(request.user, organisation_id):
        raise PermissionDenied("Only finance officers can make a payment batch.")
    batch_forms = _batch_forms(request, posted_for=organisation_id)
    form = next((f for o, f in batch_forms if o.pk == organisation_id), None)
    if form is None:
        raise Http404("No such organisation.")
    if form.is_valid():
        try:
            batch = services.batch_create(
                organisation=Organisation.objects.get(pk=organisation_id),
                actor=request.user,
                claim_ids=form.chosen_ids(),
            )
        except ClaimError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"Payment batch {batch.reference} made.")
            return redirect("payments:batch_detail", pk=batch.pk)
    return _batch_page(request, batch_forms)


@login_required
def batch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_paymentbatch_for_user(request.user, pk)
    claims = list(selectors.batch_claims_with_totals(batch))
    return render(
        request,
        "payments/batch_detail.html",
        {
            "batch": batch,
            "claims": claims,
            "fees_total": sum((c.fees_total for c in claims), start=ZERO),
            "expenses_total": sum((c.expenses_total for c in claims), start=ZERO),
            "total": sum((c.total for c in claims), start=ZERO),
            "is_finance": permissions.can_pay(request.user, batch.organisation_id),
        },
    )


@login_required
def batch_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_paymentbatch_for_user(request.user, pk, write=True)
    response = HttpResponse(services.batch_export_csv(batch=batch, actor=request.user), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def batch_mark_paid(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_paymentbatch_for_user(request.user, pk, write=True)
    claims = list(selectors.batch_claims_with_totals(batch))
    error = None
    if request.method == "POST":
        expected = [int(x) for x in request.POST.getlist("claim") if x.isdigit()]
        try:
            batch, changed = services.batch_mark_paid(batch=batch, actor=request.user, expected_claim_ids=expected)
        except ClaimError as exc:
            error = str(exc)
            claims = list(selectors.batch_claims_with_totals(batch))
        else:
            if changed:
                messages.success(request, f"Batch {batch.reference} is marked paid. Each claimant has been told.")
            else:
                messages.info(request, f"Batch {batch.reference} was already marked paid. Nothing has changed.")
            return redirect("payments:batch_detail", pk=batch.pk)
    return render(
        request,
        "payments/batch_mark_paid.html",
        {"batch": batch, "claims": claims, "error": error, "total": sum((c.total for c in claims), start=ZERO)},
    )
