"""Evidence files for an outcome's history: where they are kept and how they are checked.

Kept in the private storage (`storages["private"]`, looked up on every use so a changed setting is
followed), never under a public URL; checked by their content, not their name: PDF, PNG or JPEG,
and no larger than MAX_UPLOAD_BYTES. (The forum's paper check accepts office files too; involvement
sits below forum in the app layers, so it does not import it.)"""

from __future__ import annotations

from typing import Any

import filetype
from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.utils.deconstruct import deconstructible

ACCEPTED = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
ACCEPTED_LABELS = "PDF, PNG or JPEG"


class EvidenceRejected(Exception):
    """The file is not one we accept; the message says why in plain English."""


@deconstructible
class PrivateEvidenceStorage(Storage):
    def _target(self) -> Storage:
        return storages["private"]

    def _open(self, name: str, mode: str = "rb") -> Any:
        return self._target().open(name, mode)

    def _save(self, name: str, content: Any) -> str:
        return self._target().save(name, content)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self._target().get_available_name(name, max_length)

    def delete(self, name: str) -> None:
        self._target().delete(name)

    def exists(self, name: str) -> bool:
        return self._target().exists(name)

    def size(self, name: str) -> int:
        return self._target().size(name)

    def path(self, name: str) -> str:
        return self._target().path(name)


def check_evidence(upload: UploadedFile) -> tuple[str, str]:
    """(extension, content type) of what the file really is, or EvidenceRejected."""
    limit: int = settings.MAX_UPLOAD_BYTES
    if not upload.size:
        raise EvidenceRejected("The selected file is empty")
    if upload.size > limit:
        raise EvidenceRejected(f"The selected file must be smaller than {limit // (1024 * 1024)} MB")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    extension = guess.extension if guess else ""
    if extension not in ACCEPTED:
        raise EvidenceRejected(f"The selected file must be a {ACCEPTED_LABELS} file")
    return extension, ACCEPTED[extension]
