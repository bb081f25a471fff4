from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.access import visible_organisation_ids
from core.paginator import CappedPaginator
from evidence import selectors, services
from evidence.feeds import case_studies_feed, outcomes_feed
from evidence.forms import CaseStudyForm, LibraryFilterForm, QuoteAnswerForm, QuoteForm
from evidence.models import CaseStudy, CaseStudyQuote
from evidence.permissions import can_edit_case_study, can_release_case_study, is_network_staff
from evidence.record import record_file_name, record_pdf
from involvement.selectors import get_outcome_for_user
from partners.selectors import partner_for_user
from programmes.selectors import get_programme_for_user


def _signed_in(request: HttpRequest) -> User:
    """The person behind a `login_required` view."""
    assert isinstance(request.user, User)
    return request.user


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _require_staff(request: HttpRequest) -> None:
    if not is_network_staff(_signed_in(request)):
        raise PermissionDenied("Case studies are for AHSN staff.")


def _url(case_study: CaseStudy) -> str:
    return reverse("evidence:case_study_detail", args=[case_study.pk])


# ---------------------------------------------------------------- staff: their AHSN's case studies


@login_required
@require_GET
def case_study_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    page = CappedPaginator(selectors.case_studies_of(_signed_in(request)), 25).get_page(request.GET.get("page"))
    return render(request, "evidence/case_study_list.html", {"page_obj": page, "query": _query_without_page(request)})


def _create(request: HttpRequest, source: dict[str, Any], *, about: str, back_url: str) -> HttpResponse:
    form = CaseStudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_study = services.case_study_create(actor=_signed_in(request), **source, **form.cleaned_data)
        except services.CaseStudyError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "The case study has been saved as a draft. Its figures come from the portal.")
            return redirect(_url(case_study))
    return render(request, "evidence/case_study_form.html", {"form": form, "about": about, "back_url": back_url})


@login_required
@require_http_methods(["GET", "POST"])
def case_study_from_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = get_outcome_for_user(_signed_in(request), pk)
    return _create(
        request,
        {"outcome": outcome},
        about=f"From the outcome “{outcome.what_we_heard[:80]}”",
        back_url=reverse("involvement:outcome_detail", args=[outcome.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_study_from_programme(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(_signed_in(request), pk)
    return _create(
        request,
        {"programme": programme},
        about=programme.name,
        back_url=reverse("programmes:programme_detail", args=[programme.pk]),
    )


@login_required
@require_GET
def case_study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case_study = selectors.get_case_study_for_user(_signed_in(request), pk)
    own = case_study.organisation_id in visible_organisation_ids(request.user)
    return render(
        request,
        "evidence/case_study_detail.html",
        {
            "case_study": case_study,
            "quotes": selectors.quotes_for(case_study, own_ahsn=own),
            "own": own,
            "can_edit": can_edit_case_study(_signed_in(request), case_study),
            "can_release": can_release_case_study(_signed_in(request), case_study),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_study_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case_study = selectors.get_case_study_for_user(_signed_in(request), pk, write=True)
    form = CaseStudyForm(request.POST or None, initial={k: getattr(case_study, k) for k in services.TEXT_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_study_update(actor=_signed_in(request), case_study=case_study, **form.cleaned_data)
        except services.CaseStudyError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "The case study has been saved.")
            return redirect(_url(case_study))
    return render(
        request,
        "evidence/case_study_form.html",
        {"form": form, "about": case_study.title, "back_url": _url(case_study), "case_study": case_study},
    )


@login_required
@require_http_methods(["GET", "POST"])
def quote_add(request: HttpRequest, pk: int) -> HttpResponse:
    case_study = selectors.get_case_study_for_user(_signed_in(request), pk, write=True)
    form = QuoteForm(request.POST or None, partners=selectors.quotable_partners(case_study))
    if request.method == "POST" and form.is_valid():
        try:
            services.quote_add(actor=_signed_in(request), case_study=case_study, **form.cleaned_data)
        except services.CaseStudyError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "The quote has been added. We have asked them whether we may use it.")
            return redirect(_url(case_study))
    return render(request, "evidence/quote_form.html", {"form": form, "case_study": case_study})


@login_required
@require_http_methods(["GET", "POST"])
def quote_remove(request: HttpRequest, pk: int) -> HttpResponse:
    quote: CaseStudyQuote = selectors.get_quote_for_user(_signed_in(request), pk)
    case_study = quote.case_study
    if request.method == "POST":
        try:
            services.quote_remove(actor=_signed_in(request), quote=quote)
        except services.CaseStudyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The quote has been removed.")
        return redirect(_url(case_study))
    return render(request, "evidence/quote_remove.html", {"quote": quote, "case_study": case_study})


def _release(request: HttpRequest, pk: int, *, publish: bool) -> HttpResponse:
    case_study = selectors.get_case_study_for_user(_signed_in(request), pk, write=True)
    if not can_release_case_study(_signed_in(request), case_study):
        raise PermissionDenied("Only an involvement lead can share or publish case studies.")
    error = ""
    if request.method == "POST":
        move = services.case_study_publish if publish else services.case_study_share
        try:
            move(actor=_signed_in(request), case_study=case_study)
        except services.CaseStudyError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                "It is published on your public page." if publish else "It is shared: every AHSN can now find it.",
            )
            return redirect(_url(case_study))
    return render(
        request,
        "evidence/case_study_release.html",
        {"case_study": case_study, "publish": publish, "error": error, "quotes": list(case_study.quotes.all())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_study_share(request: HttpRequest, pk: int) -> HttpResponse:
    return _release(request, pk, publish=False)


@login_required
@require_http_methods(["GET", "POST"])
def case_study_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _release(request, pk, publish=True)


# ---------------------------------------------------------------- the network's library


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = LibraryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = CappedPaginator(selectors.library(filters), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/library.html",
        {"form": form, "page_obj": page, "query": _query_without_page(request), "searched": bool(request.GET)},
    )


# ---------------------------------------------------------------- the lay partner's answer


@login_required
@require_http_methods(["GET", "POST"])
def quote_answer(request: HttpRequest, pk: int) -> HttpResponse:
    partner = partner_for_user(request.user)
    quote = selectors.quote_for_partner(partner, pk)
    assert partner is not None  # quote_for_partner is a 404 without one
    initial = {"answer": quote.attribution or ("refuse" if quote.consent == "refused" else None)}
    form = QuoteAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        answer = form.cleaned_data["answer"]
        services.quote_answer(
            partner=partner, quote=quote, agree=answer != "refuse", attribution="" if answer == "refuse" else answer
        )
        messages.success(
            request,
            "Thank you. We will not use your words." if answer == "refuse" else "Thank you. We may now use your words.",
        )
        return redirect("evidence:quote_answer", pk=quote.pk)
    return render(request, "evidence/quote_answer.html", {"form": form, "quote": quote})


@login_required
@require_GET
def my_record(request: HttpRequest) -> HttpResponse:
    """The signed-in lay partner's own record as a PDF. There is no address for anyone else's."""
    partner = partner_for_user(request.user)
    if partner is None:
        raise Http404("This is for lay partners.")
    response = HttpResponse(record_pdf(partner), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{record_file_name(partner)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- public pages


@require_GET
def public_page(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_by_slug(slug)
    return render(
        request,
        "evidence/public_page.html",
        {
            "organisation": organisation,
            "slug": slug,
            "case_studies": list(selectors.public_case_studies(organisation)[:50]),
            "page_obj": CappedPaginator(selectors.public_outcomes(organisation), 25).get_page(request.GET.get("page")),
            "query": _query_without_page(request),
        },
    )


@require_GET
def public_case_study(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation_by_slug(slug)
    case_study = selectors.public_case_study(organisation, pk)
    return render(
        request,
        "evidence/public_case_study.html",
        {
            "organisation": organisation,
            "slug": slug,
            "case_study": case_study,
            "quotes": selectors.quotes_for(case_study, own_ahsn=False),
        },
    )


@require_GET
def public_case_studies_feed(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_by_slug(slug)
    items = list(selectors.public_case_studies(organisation)[:30])
    body = case_studies_feed(organisation, items, slug=slug, request=request)
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


@require_GET
def public_outcomes_feed(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_by_slug(slug)
    items = list(selectors.public_outcomes(organisation)[:30])
    return HttpResponse(
        outcomes_feed(organisation, items, slug=slug, request=request),
        content_type="application/atom+xml; charset=utf-8",
    )
