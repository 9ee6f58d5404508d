"""Snapshot JSON (SPEC §6): what `blastscope pull` writes and every command can read back.

Versioned, written atomically (temp file in the same directory, fsync, rename), and never
holding a secret value: secrets appear only as keyed fingerprints, which translators compute
before a Resource exists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from auditor import __version__
from auditor.core.errors import InputError
from auditor.core.model import Resource
from auditor.core.source import Source
from auditor.io.files import display_name, parse_json, read_input, write_json_atomic
from auditor.io.resources import parse_resources, resource_to_dict, to_utc

FORMAT_NAME = "blastscope-snapshot"
FORMAT_VERSION = 1


def snapshot_document(source: Source, *, now: datetime | None = None) -> dict[str, Any]:
    """The JSON document for a source: header, completeness, gaps, resources."""
    taken = (now or datetime.now(UTC)).astimezone(UTC)
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


def write_snapshot(path: Path, source: Source, *, now: datetime | None = None) -> dict[str, Any]:
    document = snapshot_document(source, now=now)
    write_json_atomic(path, document)
    return document


def parse_snapshot(
    document: Any,
    file: str,
    *,
    consume: bool = False,
    decode: Callable[[Any], Any] | None = None,
    known: dict[bytes, Resource] | None = None,
) -> Source:
    """Validate a decoded snapshot document with the same rules as an inventory (`consume`:
    the document is ours, its resource mappings are dropped as they are translated; `decode`:
    its resources are still encoded, each is decoded just before it is translated; `known`: see
    parse_resources)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise InputError(f"not a {FORMAT_NAME} document", file=file, field="format")
    version = document.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:  # `true` is not version 1
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
    raw_meta = document.get("meta")
    meta: dict[str, Any] = dict(raw_meta) if isinstance(raw_meta, dict) else {}
    created = document.get("created_at")
    if created is not None:
        try:
            created = to_utc(created).isoformat().replace("+00:00", "Z")
        except ValueError as exc:
            raise InputError(str(exc), file=file, field="created_at") from None
    meta["snapshot_created_at"] = created
    return Source(
        origin=file,
        provider=provider,
        resources=parse_resources(document.get("resources"), file, consume=consume, decode=decode, known=known),
        complete=complete,
        gaps=list(gaps),
        meta=meta,
    )


def load_snapshot(path: str | Path) -> Source:
    return load_snapshot_bytes(read_input(path), display_name(path))


def load_snapshot_bytes(data: bytes, origin: str, known: dict[bytes, Resource] | None = None) -> Source:
    """The snapshot in `data`, decoded one resource at a time when msgspec can (`_load_by_parts`),
    else — and for every input error — exactly as `json.loads` then `parse_snapshot` define it.
    `known`: Resources by the bytes of their encoding, shared with another snapshot (parse_resources)."""
    try:
        return _load_by_parts(data, origin, known)
    except (_Declined, InputError):  # the definition decides: its values, its first error
        pass
    return parse_snapshot(parse_json(data, origin), origin, consume=True)


class _Declined(Exception):
    """msgspec did not decode part of the document (json may still: NaN, UTF-16, a surrogate)."""


@functools.cache
def _msgspec() -> tuple[ModuleType, Any, Any, Any]:
    """msgspec and its decoders, imported on first use: commands that read no snapshot (a YAML
    inventory's scan, `--help`) do not pay its import (~20 ms)."""
    import msgspec

    whole = msgspec.json.Decoder()
    return msgspec, msgspec.json.Decoder(dict[str, msgspec.Raw]), msgspec.json.Decoder(list[msgspec.Raw]), whole


def _load_by_parts(data: bytes, origin: str, known: dict[bytes, Resource] | None = None) -> Source:
    """`load_snapshot_bytes` without ever holding the decoded document whole: the top level is
    split into its values still encoded, and each resource is decoded just before it becomes a
    Resource, so a million-resource snapshot never sits in memory as a million dicts (about
    1 GB) and the memory each one used is reused by the next.

    Every byte is decoded by msgspec (header values, each resource), which accepts only valid
    UTF-8 JSON that `json.loads` reads to the same values; anything it declines raises
    `_Declined`, and an input error found here is left for the definition to name (the json
    path may find an earlier problem, such as a byte that is not UTF-8 further on)."""
    msgspec, top_level, items, whole = _msgspec()
    try:
        top = top_level.decode(data)
        document = {key: whole.decode(value) for key, value in top.items() if key != "resources"}
        if "resources" in top:
            document["resources"] = items.decode(top.pop("resources"))
    except (msgspec.MsgspecError, ValueError, RecursionError):
        raise _Declined from None
    del top
    try:
        return parse_snapshot(document, origin, consume=True, decode=whole.decode, known=known)
    except (msgspec.MsgspecError, UnicodeDecodeError, RecursionError):  # a resource msgspec does not decode
        raise _Declined from None


def looks_like_snapshot(head: str) -> bool:
    return head.lstrip().startswith("{") and f'"{FORMAT_NAME}"' in head
