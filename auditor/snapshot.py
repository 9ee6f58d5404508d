"""Snapshot JSON (SPEC §6): what `blastscope pull` writes and every command can read back.

Versioned, written atomically (temp file in the same directory, fsync, rename), and never
holding a secret value: secrets appear only as keyed fingerprints, which translators compute
before a Resource exists.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.errors import InputError
from auditor.parse import parse_resources, resource_to_dict
from auditor.source import FileFormat, Source

FORMAT_NAME = "blastscope-snapshot"
FORMAT_VERSION = 1


def snapshot_document(source: Source, *, now: datetime | None = None) -> dict[str, Any]:
    """The JSON document for a source: header, completeness, gaps, resources."""
    taken = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "provider": source.provider,
        "tool_version": __version__,
        "created_at": taken.isoformat().replace("+00:00", "Z"),
        "complete": source.complete and not source.gaps,
        "gaps": list(source.gaps),
        "meta": source.meta,
        "resources": [resource_to_dict(r) for r in source.resources],
    }


def write_json_atomic(path: Path, document: Any) -> None:
    """Write JSON so that readers see the old file or the new one, never half of one."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, ensure_ascii=False, separators=(",", ":"))
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_snapshot(path: Path, source: Source, *, now: datetime | None = None) -> dict[str, Any]:
    document = snapshot_document(source, now=now)
    write_json_atomic(path, document)
    return document


def parse_snapshot(document: Any, file: str) -> Source:
    """Validate a decoded snapshot document with the same rules as an inventory."""
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise InputError(f"not a {FORMAT_NAME} document", file=file, field="format")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise InputError(
            f"unsupported snapshot format_version {version!r} (this blastscope reads {FORMAT_VERSION})",
            file=file,
            field="format_version",
        )
    complete = document.get("complete")
    if not isinstance(complete, bool):
        raise InputError("expected true or false", file=file, field="complete")
    gaps = document.get("gaps") or []
    if not isinstance(gaps, list) or not all(isinstance(g, str) for g in gaps):
        raise InputError("expected a list of strings", file=file, field="gaps")
    provider = document.get("provider")
    if not isinstance(provider, str):
        raise InputError("expected a string", file=file, field="provider")
    if not complete and not gaps:
        gaps = ["snapshot marked incomplete without a list of gaps"]
    meta = document.get("meta") if isinstance(document.get("meta"), dict) else {}
    meta = dict(meta)
    meta["snapshot_created_at"] = document.get("created_at")
    return Source(
        origin=file,
        provider=provider,
        resources=parse_resources(document.get("resources"), file),
        complete=complete,
        gaps=list(gaps),
        meta=meta,
    )


def read_json(path: Path) -> Any:
    try:
        with Path(path).open("rb") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None


def load_snapshot(path: Path) -> Source:
    return parse_snapshot(read_json(path), str(path))


def _sniff(path: Path, head: str) -> bool:
    return head.lstrip().startswith("{") and f'"{FORMAT_NAME}"' in head


SNAPSHOT_FORMAT = FileFormat("snapshot", _sniff, load_snapshot)
