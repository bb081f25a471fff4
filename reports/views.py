"""Quarterly report pages: thin views over `reports.selectors` and `reports.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.typing import AuthenticatedHttpRequest
from core.errors import add_form_error
from core.quarters import FinancialQuarter, QuarterError
from reports import selectors, services
from reports.forms import CompileForm, NarrativeForm
from reports.rendering import download_name, report_context, report_storage

DOWNLOADS = {
    "pdf": ("pdf_file", "application/pdf"),
    "csv": ("csv_file", "text/csv; charset=utf-8"),
    "html": ("html_file", "text/html; charset=utf-8"),
}


@login_required
@require_GET
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.require_report_reader(request.user)
    scopes = selectors.report_scopes_for(request.user)
    scope_id: int | None = None
    quarter: FinancialQuarter | None = None
    try:
        scope_id = int(request.GET["scope"]) if request.GET.get("scope") else None
    except ValueError:
        scope_id = None
    quarter_error = ""
    try:
        quarter = FinancialQuarter.parse(request.GET["quarter"]) if request.GET.get("quarter") else None
    except QuarterError as exc:
        quarter = None
        quarter_error = f"{exc} Showing every quarter instead."
    reports = selectors.report_list(user=request.user, scope_id=scope_id, quarter=quarter)
    page = Paginator(reports, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/report_list.html",
        {
            "page_obj": page,
            "query": query.urlencode(),
            "scopes": scopes,
            "selected_scope": scope_id,
            "selected_quarter": quarter.slug if quarter else "",
            "quarter_error": quarter_error,
            "quarters": CompileForm(scopes=scopes).fields["quarter"].choices,  # type: ignore[attr-defined]
            "form": CompileForm(scopes=scopes),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_compile(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.require_report_reader(request.user)
    scopes = selectors.report_scopes_for(request.user)
    form = CompileForm(request.POST or None, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_compile_request(
                scope=form.cleaned_data["scope"], quarter=form.cleaned_data["quarter"], actor=request.user
            )
        except services.ReportError as exc:
            add_form_error(form, exc)
        else:
            return redirect("reports:report_detail", pk=report.pk)
    return render(request, "reports/report_compile.html", {"form": form})


@login_required
@require_POST
def report_recompile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk, write=True)
    try:
        new = services.report_compile_request(scope=report.scope, quarter=report.quarter, actor=request.user)
    except services.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:report_detail", pk=report.pk)
    return redirect("reports:report_detail", pk=new.pk)


@login_required
@require_GET
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk)
    versions = list(selectors.other_versions(report))
    context = {
        "report": report,
        "versions": versions,
        "latest": versions[0] if versions else report,
        "can_change": report.is_ready and not report.is_published,
    }
    if report.is_ready:
        context.update(report_context(report.indicators, report.narrative))
    return render(request, "reports/report_detail.html", context)


@never_cache
@login_required
@require_GET
def report_progress(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    report = selectors.get_report_for_user(request.user, pk)
    return JsonResponse(
        {
            "status": report.status,
            "progress": report.progress,
            "message": report.progress_message,
            "url": reverse("reports:report_detail", args=[report.pk]),
        }
    )


@login_required
@require_GET
def report_download(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> FileResponse:
    report = selectors.get_report_for_user(request.user, pk)
    if fmt not in DOWNLOADS:
        raise Http404("No such format.")
    field, content_type = DOWNLOADS[fmt]
    name = getattr(report, field)
    if not report.is_ready or not name:
        raise Http404("This report has no files yet.")
    try:
        handle = report_storage().open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404("This report's file is missing from storage.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(report, fmt),
        content_type=content_type,
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def report_narrative(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk, write=True)
    initial = {f"theme_{key}": text for key, text in (report.narrative or {}).items()}
    form = NarrativeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_set_narrative(report=report, narrative=form.narrative(), actor=request.user)
        except services.ReportError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, "Narrative saved. Publish the report when it is ready.")
            return redirect("reports:report_detail", pk=report.pk)
    return render(request, "reports/report_narrative.html", {"report": report, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def report_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk, write=True)
    error = ""
    if request.method == "POST":
        try:
            services.report_publish(report=report, actor=request.user)
        except services.ReportError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Version {report.version} is published to the network.")
            return redirect("reports:report_detail", pk=report.pk)
    return render(
        request,
        "reports/report_publish.html",
        {"report": report, "error": error, "error_list": [error] if error else []},
    )
