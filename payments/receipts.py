"""Checking an uploaded receipt: what it is (by its content, never its name) and how big it is."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
HEIC_TYPES = {"image/heic", "image/heif", "image/avif"}


class ReceiptRejected(Exception):
    """The upload is not a receipt we can accept; the message says why in plain English."""


@dataclass(frozen=True)
class CheckedReceipt:
    content_type: str
    extension: str
    size: int
    sha256: str


def _max_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def check_receipt(uploaded: UploadedFile) -> CheckedReceipt:
    """Accept a PDF, JPEG or PNG up to the size limit; raise ReceiptRejected otherwise.

    The size is checked from the upload's recorded size before anything is read, so a huge file
    is refused without loading it. The type comes from the file's first bytes."""
    limit = _max_bytes()
    size = uploaded.size or 0
    if size > limit:
        raise ReceiptRejected(
            f"The file must be smaller than {limit // (1024 * 1024)}MB. "
            "Try a smaller photo, or take the photo again at a lower quality."
        )
    if size == 0:
        raise ReceiptRejected("The file is empty. Choose the photo or PDF of your receipt again.")
    uploaded.seek(0)
    head = uploaded.read(262)
    uploaded.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else ""
    if mime in HEIC_TYPES:
        raise ReceiptRejected(
            "This photo is in HEIC format, which we cannot open. On an iPhone, choose 'Most Compatible' "
            "in Settings > Camera > Formats, or take a screenshot of the photo and upload that."
        )
    if mime not in ALLOWED:
        raise ReceiptRejected("The file must be a photo (JPEG or PNG) or a PDF.")
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedReceipt(content_type=mime, extension=ALLOWED[mime], size=size, sha256=digest.hexdigest())
