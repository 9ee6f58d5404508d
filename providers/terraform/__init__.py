"""Terraform plans and state (`terraform show -json`), auto-detected by content.

A state gives one graph. A plan gives two: the planned graph is the Source's resources, the
prior graph (from `prior_state`) and the planned changes are in `Source.plan`, which `gate`
compares. Secret values never get past `document.redact`.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.core.provider import Provider
from auditor.core.source import Source
from providers.terraform.keys import TOP_LEVEL_KEYS


def source_from_document(document: Any, file: str) -> Source:
    from providers.terraform.load import source_from_document as load  # translators: only when needed

    return load(document, file)


def load_terraform(data: bytes, origin: str) -> Source:
    from providers.terraform.load import load_terraform as load  # translators: only when needed

    return load(data, origin)


_FIRST_KEY = re.compile(r'\A\s*\{\s*"([a-z_]+)"\s*:')


def looks_like_terraform(head: str) -> bool:
    """Terraform's JSON by its keys, wherever they are: key order is not Terraform's promise
    (`jq -S` sorts them, putting `format_version` after a configuration of any size)."""
    head = head.lstrip("\ufeff")
    first = _FIRST_KEY.match(head)
    if first is None or '"blastscope-' in head[:4096]:
        return False
    if first.group(1) in TOP_LEVEL_KEYS and first.group(1) != "variables":
        return True
    if '"lineage"' in head and ('"serial"' in head or '"terraform_version"' in head):
        return True  # a raw terraform.tfstate
    return '"format_version"' in head and (
        '"terraform_version"' in head
        or '"planned_values"' in head
        or '"values"' in head
        or '"resource_changes"' in head
    )


TERRAFORM = Provider(
    name="terraform",
    description="`terraform show -json` plans and states",
    sniff=looks_like_terraform,
    load=load_terraform,
)
