"""Checking a meeting paper by what it contains, not by its name or the browser's say-so."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from core.errors import DomainError


class PaperRejected(DomainError):
    """The file is not one we accept; the message says why in plain English."""

    default_field = "file"


@dataclass(frozen=True)
class PaperKind:
    extension: str
    content_type: str
    label: str


PDF = PaperKind("pdf", "application/pdf", "PDF")
DOCX = PaperKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word")
XLSX = PaperKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
PPTX = PaperKind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint")
ODT = PaperKind("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text")
PNG = PaperKind("png", "image/png", "PNG image")
JPEG = PaperKind("jpg", "image/jpeg", "JPEG image")

ACCEPTED_LABELS = "PDF, Word, Excel, PowerPoint, OpenDocument text, PNG or JPEG"

# Office Open XML files are zip files; the main part's content type says which kind.
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.ms-word.document.macroenabled.main+xml": None,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}


def _kind_of_zip(data: bytes) -> PaperKind | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None
    names = set(archive.namelist())
    if "mimetype" in names:
        if archive.read("mimetype").strip() == ODT.content_type.encode():
            return ODT
        return None
    if "[Content_Types].xml" not in names:
        return None
    types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
    if "macroenabled" in types or "vbaproject" in types:
        return None
    for marker, kind in _OOXML_MAIN_PARTS.items():
        if marker in types:
            return kind
    return None


def check_paper(upload: UploadedFile) -> PaperKind:
    """Return what the file really is, or raise PaperRejected with the reason."""
    limit: int = settings.MAX_UPLOAD_BYTES
    if upload.size is None or upload.size == 0:
        raise PaperRejected("The selected file is empty")
    if upload.size > limit:
        raise PaperRejected(f"The selected file must be smaller than {limit // (1024 * 1024)} MB")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    guess = filetype.guess(data)
    extension = guess.extension if guess else ""
    kind: PaperKind | None = None
    if extension == "pdf":
        kind = PDF
    elif extension == "png":
        kind = PNG
    elif extension == "jpg":
        kind = JPEG
    elif extension in {"zip", "docx", "xlsx", "pptx", "odt"}:
        kind = _kind_of_zip(data)
    if kind is None:
        raise PaperRejected(f"The selected file must be a {ACCEPTED_LABELS} file")
    return kind
