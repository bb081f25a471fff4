"""Back up and restore the whole portal: the PostgreSQL database and every private file.

A backup is one folder:

    database.dump    pg_dump's custom format: one consistent snapshot of every table
    files/<name>     every object in the private store (receipts, forum papers, report files…)
    manifest.json    when, from what, and the size and SHA-256 of the dump and of every file

The database is dumped first, then the files copied. Private files are written before the row
that names them commits and are never changed in place (new names each time), so every file the
dump refers to is already in the store when it is copied: the two agree. A file deleted between
the dump and the copy (a receipt past its retention) is missing from the backup exactly as it
would be from the portal a moment later (its page says the file is gone).

`restore` checks every checksum first, refuses a database or store that is not empty, then loads
the dump (pg_restore: tables, then rows, then indexes, constraints and triggers — so the audit
table's append-only trigger, which refuses UPDATE and DELETE, exists only once the rows are in)
and puts the files back under their own names.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import connection

from core.audit import log_action
from core.errors import DomainError
from core.storage import all_names, private_storage

MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(DomainError):
    """A backup that cannot be made, or cannot be restored where asked."""


@dataclass(frozen=True)
class Outcome:
    folder: Path
    files: int
    bytes: int
    seconds: float


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- PostgreSQL's own tools ---------------------------------------------------------------------


def _tool_major(path: str) -> int:
    output = subprocess.run(  # noqa: S603 - a PostgreSQL tool found on this machine, fixed arguments
        [path, "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(found.group(1)) if found else 0


def _tool_candidates(name: str) -> Iterator[str]:
    if folder := os.environ.get("PG_BIN_DIR"):
        yield str(Path(folder) / name)
    # make run's embedded PostgreSQL (the pgserver package) brings its own tools.
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        yield str(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / name)
    if found := shutil.which(name):
        yield found
    yield from sorted(str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore of the server's major version (else the oldest newer one): a newer
    pg_restore writes settings an older server refuses."""
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    found: dict[int, str] = {}
    for candidate in _tool_candidates(name):
        if os.access(candidate, os.X_OK):
            found.setdefault(_tool_major(candidate), candidate)
    usable = sorted(major for major in found if major >= server_major)
    if not usable:
        raise BackupError(
            f"No {name} for PostgreSQL {server_major} or newer: install postgresql-client-{server_major}."
        )
    return found[server_major] if server_major in found else found[usable[0]]


def _pg_environment() -> dict[str, str]:
    db = settings.DATABASES["default"]
    values = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": db["NAME"],
        "PGCONNECT_TIMEOUT": "10",
    }
    return {**os.environ, **{key: value for key, value in values.items() if value}}


def _run(command: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 - pg_dump / pg_restore with arguments built here
        command, env=_pg_environment(), capture_output=True, text=True, timeout=6 * 60 * 60, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


# --- Backing up ---------------------------------------------------------------------------------


def _copy_files(target: Path) -> list[dict[str, Any]]:
    storage = private_storage()
    entries = []
    for name in all_names(storage):
        destination = target / FILES / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with storage.open(name, "rb") as source, destination.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        entries.append({"name": name, "size": size, "sha256": digest.hexdigest()})
    return entries


def backup_create(*, folder: Path) -> Outcome:
    """Write a backup into `folder` (created; it must not exist or be empty)."""
    started = datetime.now(UTC)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for each backup.")
    folder.mkdir(parents=True, exist_ok=True)
    dump = folder / DUMP
    pg_dump = pg_tool("pg_dump")
    _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump)])
    files = _copy_files(folder)
    seconds = (datetime.now(UTC) - started).total_seconds()
    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "seconds": round(seconds, 3),
        "database": {
            "name": settings.DATABASES["default"]["NAME"],
            "server_version": connection.pg_version,  # type: ignore[attr-defined]
            "file": DUMP,
            "size": dump.stat().st_size,
            "sha256": sha256_of(dump),
        },
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1))
    # Written after the dump, so the backup itself does not hold it: the live log does.
    log_action(actor=None, action="core.backup.created", data={"folder": str(folder), "files": len(files)})
    return Outcome(folder=folder, files=len(files), bytes=sum(f["size"] for f in files), seconds=seconds)


# --- Restoring ----------------------------------------------------------------------------------


def backup_verify(*, folder: Path) -> dict[str, Any]:
    """The manifest, once the dump and every file match their size and checksum."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} has no readable {MANIFEST}: is it a portal backup?") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is a backup in format {manifest.get('format')}; this portal reads {FORMAT}.")
    database = manifest["database"]
    checks = [(folder / database["file"], database), *((folder / FILES / f["name"], f) for f in manifest["files"])]
    bad = [
        str(path.relative_to(folder))
        for path, entry in checks
        if not path.is_file() or path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]
    ]
    if bad:
        raise BackupError(f"{len(bad)} file(s) in the backup are missing or changed: {', '.join(bad[:10])}")
    return dict(manifest)


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        row = cursor.fetchone()
    return row is not None and row[0] == 0


def backup_restore(*, folder: Path) -> Outcome:
    """Restore the backup in `folder` into this portal's empty database and empty private store."""
    started = datetime.now(UTC)
    manifest = backup_verify(folder=folder)
    if not _database_is_empty():
        raise BackupError(
            f"The database {settings.DATABASES['default']['NAME']} already has tables: restore into a new, empty one."
        )
    storage = private_storage()
    if all_names(storage):
        raise BackupError("The private file store already holds files: restore into an empty bucket or folder.")
    pg_restore = pg_tool("pg_restore")
    _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--dbname", settings.DATABASES["default"]["NAME"], str(folder / DUMP)])  # fmt: skip
    connection.close()  # the restored tables, types and sequences are new to this connection
    for entry in manifest["files"]:
        with (folder / FILES / entry["name"]).open("rb") as handle:
            stored = storage.save(entry["name"], File(handle))
        if stored != entry["name"]:
            raise BackupError(f"{entry['name']} was stored as {stored}: the store was not empty.")
    seconds = (datetime.now(UTC) - started).total_seconds()
    size = sum(f["size"] for f in manifest["files"])
    log_action(
        actor=None,
        action="core.backup.restored",
        data={"folder": str(folder), "backup_created_at": manifest["created_at"], "files": len(manifest["files"])},
    )
    return Outcome(folder=folder, files=len(manifest["files"]), bytes=size, seconds=seconds)
