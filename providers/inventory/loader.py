"""Inventory YAML → Sources. Reading is I/O; `parse_inventory` is the pure part."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.parse import parse_resources
from auditor.source import FileFormat, Source
from auditor.yamlio import load_yaml

SUPPORTED_VERSIONS = (1,)
_LOOKS_LIKE_INVENTORY = re.compile(r"^\s*(version|resources)\s*:", re.MULTILINE)


def parse_inventory(document: Any, file: str) -> Source:
    """Validate a decoded inventory document (`version: 1`, `resources: [...]`)."""
    if not isinstance(document, dict):
        raise InputError("an inventory is a mapping with 'version' and 'resources'", file=file)
    unknown = set(document) - {"version", "resources", "metadata"}
    if unknown:
        raise InputError(f"unknown top-level key {sorted(map(str, unknown))[0]!r}", file=file)
    version = document.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise InputError(
            f"unsupported inventory version {version!r} (this blastscope reads version 1)",
            file=file,
            field="version",
        )
    resources = parse_resources(document.get("resources"), file)
    meta = document.get("metadata") or {}
    return Source(origin=file, provider="inventory", resources=resources, meta=dict(meta) if isinstance(meta, dict) else {})


def load_inventory(path: Path) -> Source:
    return parse_inventory(load_yaml(path), str(path))


def _sniff(path: Path, head: str) -> bool:
    if path.suffix.lower() in (".yaml", ".yml"):
        return True
    stripped = head.lstrip()
    return not stripped.startswith("{") and bool(_LOOKS_LIKE_INVENTORY.search(head))


INVENTORY_FORMAT = FileFormat("inventory", _sniff, load_inventory)
