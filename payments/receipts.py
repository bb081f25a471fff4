"""Checking an uploaded receipt: what it is (by its content, never its name) and how big it is;
taking the hidden data out of receipt photos; and the name a receipt downloads with."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from PIL import Image, ImageOps

from core.errors import DomainError
from payments.models import Receipt

ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
HEIC_TYPES = {"image/heic", "image/heif", "image/avif"}


class ReceiptRejected(DomainError):
    """The upload is not a receipt we can accept; the message says why in plain English."""

    default_field = "receipt"


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


IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def without_metadata(uploaded: UploadedFile, checked: CheckedReceipt) -> tuple[ContentFile[bytes], CheckedReceipt]:
    """A receipt photo redrawn without its EXIF, XMP and text data: phones record where a photo
    was taken (GPS), when and on what, and none of that belongs in a claim. The picture is turned
    the right way up first (phones often store it sideways and say so only in the EXIF).
    PDFs are returned as they are."""
    uploaded.seek(0)
    if checked.content_type not in IMAGE_FORMATS:
        content = ContentFile(uploaded.read())
        uploaded.seek(0)
        return content, checked
    try:
        with Image.open(uploaded) as original:
            original.load()
            picture = ImageOps.exif_transpose(original)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ReceiptRejected(
            "This photo could not be opened. Take the photo again, or upload a PDF of the receipt."
        ) from exc
    out = io.BytesIO()
    if checked.content_type == "image/jpeg":
        if picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        picture.save(out, "JPEG", quality=90, optimize=True)
    else:
        picture.save(out, "PNG", optimize=True)
    data = out.getvalue()
    cleaned = CheckedReceipt(
        content_type=checked.content_type,
        extension=checked.extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    uploaded.seek(0)
    return ContentFile(data), cleaned


def download_name(*, claim_reference: str, number: int, content_type: str) -> str:
    """What a receipt is called when downloaded: CLM-000012-receipt-1.jpg (the claim's first receipt)."""
    extension = ALLOWED.get(content_type, "bin")
    return f"{claim_reference or 'claim'}-receipt-{number}.{extension}"


def receipt_download_name(receipt: Any) -> str:
    """The receipt's download name; its number is its place among the claim's receipts, oldest first."""

    claim = receipt.line.claim
    earlier = (
        Receipt.objects.filter(line__claim_id=claim.pk)
        .filter(Q(uploaded_at__lt=receipt.uploaded_at) | Q(uploaded_at=receipt.uploaded_at, pk__lt=receipt.pk))
        .count()
    )
    return download_name(claim_reference=claim.reference, number=earlier + 1, content_type=receipt.content_type)
