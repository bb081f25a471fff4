from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core.access import visible_organisation_ids, visible_organisations
from core.errors import add_form_error
from core.paginator import CappedPaginator
from evidence import selectors, services
from evidence.feeds import case_studies_feed, outcomes_feed
from evidence.forms import AttendeeForm, CaseStudyForm, LibraryFilterForm, QuoteAnswerForm, QuoteForm, SessionForm
from evidence.models import CaseStudy, CaseStudyQuote, DevelopmentSession
from evidence.permissions import (
    SESSION_WRITE_ROLES,
    can_edit_case_study,
    can_manage_session,
    can_release_case_study,
    is_network_staff,
)
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
            add_form_error(form, exc)
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
            add_form_error(form, exc)
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
            add_form_error(form, exc)
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


# ---------------------------------------------------------------- learning and development: staff


def _session_url(session: DevelopmentSession) -> str:
    return reverse("evidence:session_detail", args=[session.pk])


@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    user = _signed_in(request)
    page = CappedPaginator(selectors.sessions_of(user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/session_list.html",
        {
            "page_obj": page,
            "query": _query_without_page(request),
            "can_add": bool(visible_organisation_ids(user, roles=SESSION_WRITE_ROLES)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    user = _signed_in(request)
    organisations = visible_organisations(user, roles=SESSION_WRITE_ROLES).order_by("name")
    if not organisations.exists():
        raise PermissionDenied("Only staff who run involvement can add development sessions.")
    form = SessionForm(
        request.POST or None, organisations=organisations, initial={"organisation": organisations.first()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=user, **form.cleaned_data)
        except services.SessionError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The session has been added. Now record who took part.")
            return redirect(_session_url(session))
    return render(request, "evidence/session_form.html", {"form": form, "back_url": reverse("evidence:session_list")})


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(_signed_in(request), pk, write=True)
    initial = {key: getattr(session, key) for key in services.SESSION_FIELDS}
    form = SessionForm(request.POST or None, organisations=None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=_signed_in(request), session=session, **form.cleaned_data)
        except services.SessionError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "The session has been saved.")
            return redirect(_session_url(session))
    return render(
        request,
        "evidence/session_form.html",
        {"form": form, "back_url": _session_url(session), "session": session},
    )


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(_signed_in(request), pk)
    return render(
        request,
        "evidence/session_detail.html",
        {
            "session": session,
            "attendances": selectors.session_attendances(session),
            "requests": selectors.session_requests(session),
            "can_manage": can_manage_session(_signed_in(request), session),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(_signed_in(request), pk, write=True)
    form = AttendeeForm(
        request.POST or None,
        partners=selectors.session_partner_choices(session) if session.open_to_partners else None,
        staff=selectors.session_staff_choices(session) if session.open_to_staff else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_add(
                actor=_signed_in(request),
                session=session,
                partner=form.cleaned_data.get("partner"),
                user=form.cleaned_data.get("user"),
            )
        except services.SessionError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "Recorded as taking part.")
            return redirect(_session_url(session))
    return render(request, "evidence/attendance_form.html", {"form": form, "session": session})


@login_required
@require_http_methods(["GET", "POST"])
def attendance_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attendance = selectors.get_attendance_for_user(_signed_in(request), pk)
    session = attendance.session
    if request.method == "POST":
        services.attendance_remove(actor=_signed_in(request), attendance=attendance)
        messages.success(request, f"{attendance.person_name} is no longer recorded as taking part.")
        return redirect(_session_url(session))
    return render(request, "evidence/attendance_remove.html", {"attendance": attendance, "session": session})


@login_required
@require_POST
def session_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    session_request = selectors.get_session_request_for_user(_signed_in(request), pk)
    accept = request.POST.get("decision") == "accept"
    try:
        services.session_request_decide(actor=_signed_in(request), request=session_request, accept=accept)
    except services.SessionError as exc:
        messages.error(request, str(exc))
    else:
        name = session_request.partner.full_name
        messages.success(request, f"{name} has a place. We have told them." if accept else f"We have told {name}.")
    return redirect(_session_url(session_request.session))


# ---------------------------------------------------------------- learning and development: each person


@login_required
@require_GET
def my_learning(request: HttpRequest) -> HttpResponse:
    """A person's learning record: a lay partner's (with the sessions they can ask to join) or a
    member of staff's. Only ever their own: there is no address for anyone else's."""
    partner = partner_for_user(request.user)
    if partner is not None:
        context: dict[str, Any] = {
            "partner": partner,
            "record": list(selectors.learning_record(partner=partner)[:100]),
            "open_sessions": list(selectors.sessions_open_to(partner)[:50]),
        }
    else:
        context = {"record": list(selectors.learning_record(user=_signed_in(request))[:100]), "open_sessions": []}
    return render(request, "evidence/my_learning.html", context)


@login_required
@require_POST
def session_ask(request: HttpRequest, pk: int) -> HttpResponse:
    partner = partner_for_user(request.user)
    session = selectors.sessions_open_to(partner).filter(pk=pk).first() if partner is not None else None
    if partner is None or session is None:
        raise Http404("No such session.")
    try:
        services.session_request_create(partner=partner, session=session)
    except services.SessionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You have asked to take part in {session.title}. We will tell you the answer.")
    return redirect("evidence:my_learning")
