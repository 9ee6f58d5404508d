"""Terraform plans and state (`terraform show -json`), auto-detected by content.

A state gives one graph. A plan gives two: the planned graph is the Source's resources, the
prior graph (from `prior_state`) and the planned changes are in `Source.plan`, which `gate`
compares. Secret values never get past `document.redact`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.io.resources import parse_resources
from auditor.core.provider import Provider
from auditor.core.source import Plan, PlannedChange, Source
from auditor.io.files import parse_json
from auditor.core.model import Resource
from providers.terraform.context import Context
from providers.terraform.document import TfDocument, parse_document
from providers.terraform.translate import UnexpectedShape, translate
from auditor.core.errors import InputError


def source_from_document(document: Any, file: str) -> Source:
    try:
        return _source(document, file)
    except UnexpectedShape as exc:
        raise InputError(str(exc), file=file, resource=exc.address, field="values") from None


def _source(document: Any, file: str) -> Source:
    doc: TfDocument = parse_document(document, file)
    ctx = Context.build(doc.resources + doc.prior, doc.provider_config, doc.root_config)
    raw, unmapped = translate(doc.resources, ctx)
    meta: dict[str, Any] = {
        "terraform_kind": doc.kind,
        "terraform_version": doc.terraform_version,
        "unmapped_types": dict(sorted(unmapped.items())),
        "unmapped": sum(unmapped.values()),
    }
    source = Source(origin=file, provider="terraform", resources=parse_resources(raw, file), meta=meta)
    if doc.kind == "plan":
        prior_raw, _ = translate(doc.prior, ctx)
        prior = parse_resources(prior_raw, f"{file} (prior state)")
        addresses = {r.attrs["address"]: r.id for r in prior if r.id == f"tf:{r.attrs.get('address')}"}
        source.plan = Plan(prior, [PlannedChange(c.address, c.type, c.actions, addresses.get(c.address)) for c in doc.changes])
        meta["changes"] = {"delete": sum(1 for c in doc.changes if c.actions == ("delete",)),
                           "replace": sum(1 for c in doc.changes if "delete" in c.actions and "create" in c.actions),
                           "create": sum(1 for c in doc.changes if c.actions == ("create",)),
                           "update": sum(1 for c in doc.changes if c.actions == ("update",))}
    return source


def load_terraform(data: bytes, origin: str) -> Source:
    return source_from_document(parse_json(data, origin), origin)


def looks_like_terraform(head: str) -> bool:
    text = head.lstrip()
    return text.startswith("{") and '"blastscope-' not in head and '"format_version"' in head and (
        '"terraform_version"' in head or '"planned_values"' in head or '"values"' in head or '"resource_changes"' in head
    )


TERRAFORM = Provider(
    name="terraform",
    description="`terraform show -json` plans and states",
    sniff=looks_like_terraform,
    load=load_terraform,
)
