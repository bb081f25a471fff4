"""Every write of the spreadsheet import: upload, match columns, check, import, undo, invite.

Nothing is written to the portal's records until the person confirms. The import itself runs in
a Celery task (`imports.tasks.run_import`), in one transaction per file, and is audited as one
entry with its row count. It claims its batch with a conditional update, so running it twice
does nothing the second time."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from typing import IO, Any, cast

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from core.audit import log_action
from core.errors import DomainError
from core.notifications import notify
from imports.checking import EXISTING, PROBLEM, READY, Checker, RowResult, checker_for
from imports.kinds import columns_for, missing_required, recognise
from imports.models import UNDO_DAYS, ColumnChoice, ImportBatch, ImportKind, ImportStatus
from imports.reading import FileRefused, header_row, inspect_upload, numbered_rows
from imports.selectors import import_organisation_ids, remembered_headers
from imports.values import normalised_headers, text
from involvement.models import Activity, Participation
from partners.models import ConsentRecord, LayPartner, PartnerInvitation, PartnerLink
from partners.services import PartnerError, partner_invite
from payments.models import Claim, ClaimLine
from programmes.models import Programme

logger = logging.getLogger(__name__)

CHUNK_ROWS = 1000
PROBLEMS_KEPT = 500
MATCHES_KEPT = 500
PROGRESS_SECONDS = 24 * 60 * 60
# Cells a spreadsheet would run as a formula if written back out unescaped.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ImportRefused(DomainError):
    """An import step the rules do not allow, in plain English."""


def _check_importer(actor: User, organisation: Organisation) -> None:
    if organisation.pk not in import_organisation_ids(actor) or organisation.is_network:
        raise ImportRefused(f"You cannot import records into {organisation.name}.")


# --- Upload and columns -------------------------------------------------------------------------


def import_upload(*, actor: User, organisation: Organisation, kind: str, upload: UploadedFile) -> ImportBatch:
    """Keep the file (private storage), recognise its columns, and check it if they are all known."""
    _check_importer(actor, organisation)
    if kind not in ImportKind.values:
        raise ImportRefused("Choose what the file contains.", field="kind")
    handle = cast(IO[bytes], upload.file)
    facts = inspect_upload(handle, size=upload.size or 0)
    headers = normalised_headers(header_row(handle, file_format=facts.file_format, encoding=facts.encoding))
    if not any(headers):
        raise FileRefused("The first row of the file is empty. Put the column headings in the first row.")
    columns = recognise(kind, headers, remembered_headers(organisation_id=organisation.pk, kind=kind))
    handle.seek(0)
    with transaction.atomic():
        batch = ImportBatch(
            organisation=organisation,
            kind=kind,
            original_name=(upload.name or "upload")[-255:],
            file_format=facts.file_format,
            encoding=facts.encoding,
            size=facts.size,
            sha256=facts.sha256,
            headers=headers,
            columns=columns,
            created_by=actor,
        )
        batch.file.save(f"{facts.sha256[:16]}.{facts.file_format}", upload, save=False)
        batch.save()
        log_action(
            actor=actor,
            action="imports.import.uploaded",
            target=batch,
            organisation=organisation,
            data={"kind": kind, "format": facts.file_format, "bytes": facts.size},
        )
    if not missing_required(kind, columns):
        import_check(batch=batch)
    return batch


def import_set_columns(*, actor: User, batch: ImportBatch, columns: dict[str, int]) -> ImportBatch:
    """The person's own matching of their columns to fields; remembered for next time."""
    _check_importer(actor, batch.organisation)
    _check_status(batch, ImportStatus.NEEDS_COLUMNS, ImportStatus.CHECKED)
    missing = missing_required(batch.kind, columns)
    if missing:
        raise ImportRefused("Choose a column for " + ", ".join(c.heading.lower() for c in missing) + ".")
    with transaction.atomic():
        batch.columns = columns
        batch.save(update_fields=["columns"])
        remembered = remembered_headers(organisation_id=batch.organisation_id, kind=batch.kind)
        remembered.update({batch.headers[index]: name for name, index in columns.items() if batch.headers[index]})
        ColumnChoice.objects.update_or_create(
            organisation=batch.organisation,
            kind=batch.kind,
            defaults={"headers": remembered, "updated_by": actor},
        )
    return import_check(batch=batch)


def _check_status(batch: ImportBatch, *allowed: str) -> None:
    if batch.status not in allowed:
        raise ImportRefused(f"This import is {batch.get_status_display().lower()}, so that cannot be done now.")


# --- Check --------------------------------------------------------------------------------------


def _open(batch: ImportBatch) -> IO[bytes]:
    return batch.file.open("rb")


def checked_rows(batch: ImportBatch, checker: Checker | None = None) -> Iterator[tuple[RowResult, list[Any]]]:
    """Every data row of the file with what the check says about it, streamed."""
    checker = checker or checker_for(
        batch.kind, organisation=batch.organisation, columns=batch.columns, decisions=batch.decisions
    )
    with _open(batch) as handle:
        rows = numbered_rows(handle, file_format=batch.file_format, encoding=batch.encoding)
        next(rows, None)  # the header row
        for number, row in rows:
            yield checker.check(number, row), row


def import_check(*, batch: ImportBatch) -> ImportBatch:
    """Check every row (nothing is written but the counts and the first problems)."""
    counts = {READY: 0, EXISTING: 0, PROBLEM: 0}
    problems: list[dict[str, Any]] = []
    matches: list[dict[str, Any]] = []
    for result, _row in checked_rows(batch):
        counts[result.status] += 1
        if result.status == PROBLEM and len(problems) < PROBLEMS_KEPT:
            problems.append({"row": result.number, "problems": result.problems})
        if result.match and result.match["by"] != "email" and len(matches) < MATCHES_KEPT:
            matches.append(result.match)
    batch.row_count = sum(counts.values())
    batch.ready_count, batch.existing_count, batch.problem_count = counts[READY], counts[EXISTING], counts[PROBLEM]
    batch.problems, batch.matches = problems, matches
    batch.status = ImportStatus.CHECKED
    batch.save(
        update_fields=[
            "row_count",
            "ready_count",
            "existing_count",
            "problem_count",
            "problems",
            "matches",
            "status",
        ]
    )
    return batch


def import_decide(*, actor: User, batch: ImportBatch, decisions: dict[str, str]) -> ImportBatch:
    """For rows that look like someone already in the portal: "same" person or a "new" one."""
    _check_importer(actor, batch.organisation)
    _check_status(batch, ImportStatus.CHECKED)
    offered = {str(m["row"]) for m in batch.matches}
    batch.decisions = {row: choice for row, choice in decisions.items() if row in offered and choice in {"same", "new"}}
    batch.save(update_fields=["decisions"])
    return import_check(batch=batch)


def _escape(value: Any) -> str:
    cell = text(value)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def problem_rows_csv(batch: ImportBatch) -> Iterator[str]:
    """Just the rows that need changes, with the problems in a last column, ready to fix and upload
    again. A cell that starts like a formula is escaped with a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with _open(batch) as handle:
        header = header_row(handle, file_format=batch.file_format, encoding=batch.encoding)
    writer.writerow([_escape(cell) for cell in header] + ["Problems to fix (delete this column or leave it)"])
    yield "\ufeff" + buffer.getvalue()
    for result, row in checked_rows(batch):
        if result.status != PROBLEM:
            continue
        buffer.seek(0)
        buffer.truncate()
        cells = list(row) + [""] * (len(header) - len(row))
        writer.writerow([_escape(cell) for cell in cells[: len(header)]] + [_escape(" ".join(result.problems))])
        yield buffer.getvalue()


# --- Import -------------------------------------------------------------------------------------


def progress_key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def set_progress(batch_id: int, percent: int, message: str) -> None:
    """In the cache (the import's own transaction is not visible to the page until it commits)."""
    cache.set(progress_key(batch_id), {"percent": percent, "message": message}, PROGRESS_SECONDS)


def progress_of(batch: ImportBatch) -> dict[str, Any]:
    if batch.status == ImportStatus.DONE:
        return {"percent": 100, "message": "Finished"}
    return cache.get(progress_key(batch.pk)) or {"percent": 0, "message": "Waiting to start"}


def import_confirm(*, actor: User, batch: ImportBatch, run: bool = True) -> ImportBatch:
    """The person has seen the check and wants the ready rows imported: start the background task."""
    from imports.tasks import run_import  # noqa: PLC0415 - a circular import: the task module calls back into this one

    _check_importer(actor, batch.organisation)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _check_status(locked, ImportStatus.CHECKED, ImportStatus.FAILED)
        if locked.ready_count == 0:
            raise ImportRefused("There are no new rows to import.")
        locked.status = ImportStatus.IMPORTING
        locked.confirmed_at = timezone.now()
        locked.error = ""
        locked.save(update_fields=["status", "confirmed_at", "error"])
        set_progress(locked.pk, 0, "Waiting to start")
        if run:
            pk = locked.pk
            transaction.on_commit(lambda: run_import.delay(pk))
    return locked


def _write_rows(batch: ImportBatch, checker: Checker) -> tuple[dict[str, list[int]], int, int, int]:
    """(ids created by kind, rows read, rows already there, rows written)."""
    created: dict[str, list[int]] = {}
    pending: list[RowResult] = []
    done = existing = written = 0

    def flush() -> None:
        for name, ids in checker.create(pending, actor=batch.created_by).items():
            created.setdefault(name, []).extend(ids)
        pending.clear()

    for result, _row in checked_rows(batch, checker):
        done += 1
        if result.status == READY:
            pending.append(result)
            written += 1
        elif result.status == EXISTING:
            existing += 1
        if len(pending) >= CHUNK_ROWS:
            flush()
        if done % CHUNK_ROWS == 0:
            percent = min(95, int(done * 100 / max(batch.row_count, 1)))
            set_progress(batch.pk, percent, f"{done:,} of {batch.row_count:,} rows")
    flush()
    return created, done, existing, written


def import_run(*, batch_id: int) -> ImportBatch | None:
    """Write every ready row, in one transaction. Safe to run twice: only an importing batch runs."""
    batch = ImportBatch.objects.select_related("organisation", "created_by").filter(pk=batch_id).first()
    if batch is None or batch.status != ImportStatus.IMPORTING:
        return batch
    try:
        with transaction.atomic():
            locked = (
                ImportBatch.objects.select_for_update(nowait=False, of=("self",))
                .select_related("organisation", "created_by")
                .get(pk=batch_id)
            )
            if locked.status != ImportStatus.IMPORTING or locked.imported_at is not None:
                return locked
            checker = checker_for(
                locked.kind, organisation=locked.organisation, columns=locked.columns, decisions=locked.decisions
            )
            created, rows, existing, written = _write_rows(locked, checker)
            locked.created = created
            locked.ready_count, locked.existing_count = written, existing
            locked.created_count = sum(len(ids) for ids in created.values())
            locked.status = ImportStatus.DONE
            locked.imported_at = timezone.now()
            locked.save(
                update_fields=["created", "created_count", "ready_count", "existing_count", "status", "imported_at"]
            )
            log_action(
                actor=locked.created_by,
                action="imports.import.imported",
                target=locked,
                organisation=locked.organisation,
                data={
                    "kind": locked.kind,
                    "rows": rows,
                    "imported": written,
                    "created": {name: len(ids) for name, ids in created.items()},
                    "already_there": existing,
                },
            )
    except Exception as exc:
        logger.exception("Import %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.IMPORTING).update(
            status=ImportStatus.FAILED,
            error="The import stopped and nothing was saved. Try again; if it fails again, ask for help.",
        )
        set_progress(batch_id, 0, f"Failed: {type(exc).__name__}")
        return ImportBatch.objects.get(pk=batch_id)
    set_progress(batch_id, 100, "Finished")
    return locked


# --- Undo ---------------------------------------------------------------------------------------


def _undo_refusal(batch: ImportBatch) -> str:
    """Why the import cannot be undone, or ''. Only what it created, and nothing claimed or paid."""
    created = batch.created
    partners = created.get("partners", [])
    participations = created.get("participations", [])
    activities = created.get("activities", [])
    programmes = created.get("programmes", [])
    if ClaimLine.objects.filter(participation_id__in=participations).exists() or (
        partners and Claim.objects.filter(partner_id__in=partners).exists()
    ):
        return "Some of what this import added has since been claimed or paid, so it cannot be undone."
    if partners and Participation.objects.filter(partner_id__in=partners).exists():
        return "Some of the lay partners this import added have since been added to activities."
    if partners and LayPartner.objects.filter(pk__in=partners, user__isnull=False).exists():
        return "Some of the lay partners this import added have since set up an account."
    if activities and Participation.objects.filter(activity_id__in=activities).exists():
        return "People have since been added to some of the activities this import added."
    if activities and ClaimLine.objects.filter(participation__activity_id__in=activities).exists():
        return "Some of what this import added has since been claimed or paid, so it cannot be undone."
    if programmes and Activity.objects.filter(programme_id__in=programmes).exists():
        return "Activities have since been logged against some of the programmes this import added."
    return ""


def import_undo(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Remove exactly what the import created, within 7 days, unless any of it has since been used."""
    _check_importer(actor, batch.organisation)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
        if not locked.can_be_undone:
            raise ImportRefused(f"An import can only be undone within {UNDO_DAYS} days of importing it.")
        refusal = _undo_refusal(locked)
        if refusal:
            raise ImportRefused(refusal)
        created = locked.created
        counts = {
            "participations": Participation.objects.filter(pk__in=created.get("participations", [])).delete()[0],
            "activities": Activity.objects.filter(pk__in=created.get("activities", [])).delete()[0],
            "programmes": Programme.objects.filter(pk__in=created.get("programmes", [])).delete()[0],
        }
        PartnerInvitation.objects.filter(partner_id__in=created.get("partners", [])).delete()
        ConsentRecord.objects.filter(pk__in=created.get("consents", [])).delete()
        counts["links"] = PartnerLink.objects.filter(pk__in=created.get("links", [])).delete()[0]
        counts["partners"] = LayPartner.objects.filter(pk__in=created.get("partners", [])).delete()[0]
        locked.status = ImportStatus.UNDONE
        locked.undone_at = timezone.now()
        locked.undone_by = actor
        locked.save(update_fields=["status", "undone_at", "undone_by"])
        # The records are gone, so no copy of the people in the file is kept either.
        storage, name = locked.file.storage, locked.file.name or ""
        if name:
            transaction.on_commit(lambda: storage.delete(name))
        log_action(
            actor=actor,
            action="imports.import.undone",
            target=locked,
            organisation=locked.organisation,
            data={"kind": locked.kind, "removed": counts},
        )
    return locked


# --- Inviting imported partners -----------------------------------------------------------------


def import_invite_partners(*, actor: User, batch: ImportBatch) -> tuple[int, int]:
    """Invite the partners this import added, each by their own channel: an emailed invitation link
    for those with an email address; for the others a message by phone or post through the
    notification log, asking them to get in touch. Returns (emailed, told another way)."""
    _check_importer(actor, batch.organisation)
    if batch.status != ImportStatus.DONE or batch.kind != ImportKind.PARTNERS:
        raise ImportRefused("Only the lay partners of a finished import can be invited.")
    organisation = batch.organisation
    emailed = other = 0
    partners = LayPartner.objects.filter(
        pk__in=batch.created.get("partners", []), user__isnull=True, left_at__isnull=True, anonymised=False
    ).exclude(invitations__organisation=organisation)
    for partner in partners.order_by("pk"):
        if partner.email:
            try:
                partner_invite(
                    actor=actor,
                    organisation=organisation,
                    email=partner.email,
                    full_name=partner.full_name,
                    partner=partner,
                )
            except PartnerError:
                continue
            emailed += 1
        else:
            _, created = notify(
                kind="imports.partner.invited",
                subject=partner,
                partner=partner,
                organisation=organisation,
                title=f"You can now take part through {organisation.name}'s online portal",
                body=(
                    f"{organisation.name} now keeps its involvement records in an online portal. We have added your "
                    "details so that we can keep in touch. If you would like to use the portal yourself, contact us "
                    "and we will set up an account with you. If you prefer, we will keep doing things for you."
                ),
                occurrence=f"import-{batch.pk}",
            )
            other += int(created)
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(invited_at=timezone.now())
        log_action(
            actor=actor,
            action="imports.import.partners_invited",
            target=batch,
            organisation=organisation,
            data={"emailed": emailed, "other_channel": other},
        )
    return emailed, other


def columns_summary(batch: ImportBatch) -> list[tuple[str, str]]:
    """(field heading, their column heading) for each field, '' when not matched."""
    return [
        (column.heading, batch.headers[batch.columns[column.name]] if column.name in batch.columns else "")
        for column in columns_for(batch.kind)
    ]
