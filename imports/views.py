"""Import pages: thin views over `imports.selectors` and `imports.services`."""

from __future__ import annotations

import re
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from imports import selectors, services
from imports.forms import ColumnsForm, UploadForm
from imports.kinds import TEMPLATE_NAMES
from imports.models import ImportBatch, ImportKind, ImportStatus
from imports.reading import FileRefused, header_row
from imports.templates import template_csv, template_xlsx
from imports.values import text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    """The signed-in member of staff (every view here is behind `login_required`)."""
    return cast(User, request.user)


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    selectors.require_importer(request.user)
    batches = list(selectors.imports_visible_to(request.user)[:50])
    kinds = [(value, label, TEMPLATE_NAMES[value]) for value, label in ImportKind.choices]
    return render(request, "imports/import_list.html", {"batches": batches, "kinds": kinds})


@login_required
@require_GET
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    selectors.require_importer(request.user)
    by_name: dict[str, str] = {name: str(value) for value, name in TEMPLATE_NAMES.items()}
    if kind not in by_name or fmt not in {"csv", "xlsx"}:
        raise Http404("No such template.")
    value = by_name[kind]
    if fmt == "csv":
        response = HttpResponse(template_csv(value), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(template_xlsx(value), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    selectors.require_importer(request.user)
    organisations = selectors.import_organisations(request.user)
    chosen = request.POST.get("organisation", "")
    if chosen and not organisations.filter(pk=int(chosen) if chosen.isdigit() else 0).exists():
        raise Http404("No such AHSN.")  # importing into an AHSN the person does not lead
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        organisations=organisations,
        initial={"kind": request.GET.get("kind", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_upload(
                actor=_user(request),
                organisation=form.cleaned_data["organisation"],
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except (services.ImportRefused, FileRefused) as exc:
            form.add_error(exc.field, str(exc))
        else:
            if batch.status == ImportStatus.NEEDS_COLUMNS:
                return redirect("imports:import_columns", pk=batch.pk)
            return redirect("imports:import_detail", pk=batch.pk)
    return render(request, "imports/import_new.html", {"form": form})


def _raw_headers(batch: ImportBatch) -> list[str]:
    with batch.file.open("rb") as handle:
        return [text(cell) for cell in header_row(handle, file_format=batch.file_format, encoding=batch.encoding)]


@login_required
@require_http_methods(["GET", "POST"])
def import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_import_for_user(request.user, pk)
    if batch.status not in (ImportStatus.NEEDS_COLUMNS, ImportStatus.CHECKED):
        return redirect("imports:import_detail", pk=batch.pk)
    form = ColumnsForm(
        request.POST or None,
        kind=batch.kind,
        headers=batch.headers,
        raw_headers=_raw_headers(batch),
        current=batch.columns,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.import_set_columns(actor=_user(request), batch=batch, columns=form.columns())
        except services.ImportRefused as exc:
            form.add_error(exc.field, str(exc))
        else:
            return redirect("imports:import_detail", pk=batch.pk)
    return render(request, "imports/import_columns.html", {"form": form, "batch": batch})


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_import_for_user(request.user, pk)
    if batch.status == ImportStatus.NEEDS_COLUMNS:
        return redirect("imports:import_columns", pk=batch.pk)
    context = {
        "batch": batch,
        "problems": batch.problems[: selectors.PROBLEMS_SHOWN],
        "matches": [
            {**match, "choice": batch.decisions.get(str(match["row"]), "same")}
            for match in batch.matches[: selectors.MATCHES_SHOWN]
        ],
        "progress": services.progress_of(batch),
        "columns": services.columns_summary(batch),
        "created_partners": len(batch.created.get("partners", [])),
    }
    return render(request, "imports/import_detail.html", context)


@login_required
@require_POST
def import_decide(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_import_for_user(request.user, pk)
    decisions = {key[4:]: str(value) for key, value in request.POST.items() if key.startswith("row-")}
    try:
        services.import_decide(actor=_user(request), batch=batch, decisions=decisions)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your choices are saved and the file has been checked again.")
    return redirect("imports:import_detail", pk=batch.pk)


@login_required
@require_GET
def import_problems(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    batch = selectors.get_import_for_user(request.user, pk)
    if batch.status == ImportStatus.UNDONE:
        raise Http404("The file of an undone import is not kept.")
    response = StreamingHttpResponse(services.problem_rows_csv(batch), content_type="text/csv; charset=utf-8")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", batch.original_name.rsplit(".", 1)[0])[:80].strip("-") or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-rows-to-fix.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_import_for_user(request.user, pk)
    try:
        services.import_confirm(actor=_user(request), batch=batch)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
    return redirect("imports:import_detail", pk=batch.pk)


@never_cache
@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    batch = selectors.get_import_for_user(request.user, pk)
    progress = services.progress_of(batch)
    return JsonResponse(
        {
            "status": batch.status,
            "progress": progress["percent"],
            "message": progress["message"],
            "url": reverse("imports:import_detail", args=[batch.pk]),
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_import_for_user(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            services.import_undo(actor=_user(request), batch=batch)
        except services.ImportRefused as exc:
            error = str(exc)
        else:
            messages.success(request, f"The import of {batch.original_name} has been undone.")
            return redirect("imports:import_detail", pk=batch.pk)
    return render(
        request, "imports/import_undo.html", {"batch": batch, "error": error, "errors": [error] if error else []}
    )


@login_required
@require_POST
def import_invite(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_import_for_user(request.user, pk)
    try:
        emailed, other = services.import_invite_partners(actor=_user(request), batch=batch)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{emailed} invitation{'s' if emailed != 1 else ''} sent by email; "
            f"{other} {'people' if other != 1 else 'person'} told by phone or post.",
        )
    return redirect("imports:import_detail", pk=batch.pk)
