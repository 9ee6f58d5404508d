"""Inventory YAML → Sources. Reading is I/O; `parse_inventory` is the pure part."""

from __future__ import annotations

import re
from typing import Any

from auditor.core.errors import InputError
from auditor.core.provider import Provider
from auditor.core.source import Source
from auditor.io.lifetime import done_with
from auditor.io.resources import parse_resources

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
    if type(version) is not int or version not in SUPPORTED_VERSIONS:  # `true` is not version 1
        raise InputError(
            f"unsupported inventory version {version!r} (this blastscope reads version 1)",
            file=file,
            field="version",
        )
    resources = parse_resources(document.get("resources"), file)
    meta = document.get("metadata") or {}
    return Source(
        origin=file, provider="inventory", resources=resources, meta=dict(meta) if isinstance(meta, dict) else {}
    )


def load_inventory(data: bytes, origin: str) -> Source:
    from auditor.io.yamlio import load_yaml_bytes  # here: scanning a snapshot or a plan never needs PyYAML (~20 ms)

    spent: list[Any] = []
    document = load_yaml_bytes(data, origin, spent)
    source = parse_inventory(document, origin)
    done_with(spent, document)  # a one-shot command never frees the node tree and the document
    return source


def looks_like_inventory(head: str) -> bool:
    return not head.lstrip().startswith("{") and bool(_LOOKS_LIKE_INVENTORY.search(head))


INVENTORY = Provider(
    name="inventory",
    description="hand-written or exported YAML inventories (version: 1, resources: [...])",
    sniff=looks_like_inventory,
    load=load_inventory,
)
