"""Private files: receipts, forum papers, report files and every other upload or generated file.

They all live in `settings.STORAGES["private"]`: S3-compatible object storage (django-storages,
boto3) when `STORAGE_URL` names a bucket, the local folder `PRIVATE_MEDIA_ROOT` otherwise (one
machine, `make run`). Nothing in it has a public address: a file is read only by a view that has
checked who is asking, and streamed through that view (see docs/running.md, "Files").

`ahsn_portal.settings.base.private_storage_settings` turns the setting into the STORAGES entry;
`private_storage()` here is the storage every model field and service uses.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

from botocore.config import Config
from botocore.exceptions import ClientError
from django.core.files.storage import Storage, storages
from storages.backends.s3 import S3Storage

# How long one request to the object store may take before it counts as failed (seconds).
S3_CONNECT_TIMEOUT = 3
S3_READ_TIMEOUT = 20


class ObjectStorage(S3Storage):
    """django-storages' S3 backend with time limits on each request, so a store that does not
    answer fails a page (or /readyz) in seconds instead of holding a web worker."""

    def __init__(
        self, *, connect_timeout: float = S3_CONNECT_TIMEOUT, read_timeout: float = S3_READ_TIMEOUT, **kwargs: Any
    ):
        kwargs.setdefault(
            "client_config",
            Config(
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"max_attempts": 2, "mode": "standard"},
                signature_version=kwargs.get("signature_version") or "s3v4",
                s3={"addressing_style": kwargs.get("addressing_style") or "path"},
            ),
        )
        super().__init__(**kwargs)


class PrivateStorage(Storage):
    """Always the current `storages["private"]`, looked up on each use (so a changed setting, as in
    the tests, is followed). Model fields name this one, so their migrations do not depend on
    where the files are kept."""

    def backend(self) -> Storage:
        return storages["private"]

    @property
    def location(self) -> str:
        return str(getattr(self.backend(), "location", ""))

    def _open(self, name: str, mode: str = "rb") -> IO[Any]:
        return self.backend().open(name, mode)

    def _save(self, name: str, content: Any) -> str:
        return self.backend().save(name, content)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.backend().get_available_name(name, max_length=max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.backend().generate_filename(filename)

    def delete(self, name: str) -> None:
        self.backend().delete(name)

    def exists(self, name: str) -> bool:
        return self.backend().exists(name)

    def size(self, name: str) -> int:
        return self.backend().size(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.backend().listdir(path)

    def path(self, name: str) -> str:
        return self.backend().path(name)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Private files have no public address: they are served by a checked view.")


_PRIVATE = PrivateStorage()


def private_storage() -> Storage:
    """The storage of every private file (use it as a FileField's `storage=` callable)."""
    return _PRIVATE


def all_names(storage: Storage | None = None, folder: str = "") -> list[str]:
    """Every file name in the storage, depth first (backup and restore)."""
    storage = storage or private_storage()
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += all_names(storage, f"{folder}/{sub}" if folder else sub)
    return sorted(names)


def bucket_ensure(*, create: bool) -> str:
    """Check the private store answers; with `create`, make its bucket when it has none (S3 only).

    Returns what was found, for the command to print. A managed bucket (AWS) is made by its
    operator with public access blocked; the portal's key then needs no right to create one."""
    storage = storages["private"]
    if not isinstance(storage, S3Storage):
        location = Path(str(getattr(storage, "location", "")))
        location.mkdir(parents=True, exist_ok=True)
        return f"folder {location}"
    client = storage.connection.meta.client
    try:
        client.head_bucket(Bucket=storage.bucket_name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket") or not create:
            raise
        client.create_bucket(Bucket=storage.bucket_name)
        return f"bucket {storage.bucket_name} created"
    return f"bucket {storage.bucket_name}"
