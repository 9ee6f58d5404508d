"""Terraform resources → blastscope resources (pure).

Two passes in a fixed order: data holders and other primary nodes first, then what refers to
them (snapshots, attachments, replication, backup selections, credentials). Resources no
mapping knows become `generic` nodes — kept, counted and listed with --verbose — so nothing
silently disappears from the graph.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from providers.terraform import aws, aws_iam, cloud_iam, datatypes, gcp, railway
from providers.terraform.builder import PROVIDER, Builder, node_id
from providers.terraform.context import Context
from providers.terraform.document import TfResource

FAMILIES = (aws, gcp, railway, cloud_iam)


def is_modelled_type(rtype: str) -> bool:
    """A type some mapping understands (as a node, or absorbed into other nodes); remembered
    per type (a plan asks once per change, about a few dozen types)."""
    known = _MODELLED.get(rtype)
    if known is None:
        known = _is_modelled_type(rtype)
        if len(_MODELLED) < 4096:  # a provider has a few thousand types: never grows with documents
            _MODELLED[rtype] = known
    return known


_MODELLED: dict[str, bool] = {}


def _is_modelled_type(rtype: str) -> bool:
    return (
        rtype in datatypes.DATA_TYPES
        or rtype in datatypes.HOLDS_DATA
        or rtype in datatypes.SCOPE_TYPES
        or any(rtype in f.PRIMARY or rtype in f.RELATIONAL or rtype in f.ABSORBED for f in FAMILIES)
    )


class UnexpectedShape(Exception):
    """A known resource type whose values do not have the shape its provider documents."""

    def __init__(self, address: str, detail: str) -> None:
        super().__init__(detail)
        self.address = address


def _run(handler, res: TfResource, b: Builder) -> None:  # type: ignore[no-untyped-def]
    try:
        handler(res, b)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
        raise UnexpectedShape(
            res.address, f"values do not have the documented {res.type} shape ({type(exc).__name__}: {exc})"
        ) from None


def translate(resources: list[TfResource], ctx: Context) -> tuple[list[dict[str, Any]], Counter]:
    """Inventory-shaped resource dicts, and a count of the unmapped resource types."""
    b = Builder(ctx)
    b.plans = {}
    b.pending_disk_policies = []
    b.snapshot_policies = {}
    managed = [r for r in resources if r.mode == "managed"]
    by_type: dict[str, list[TfResource]] = {}
    for res in managed:
        by_type.setdefault(res.type, []).append(res)
    try:
        aws.collect_user_policies(managed, b)
        aws.collect_role_links(managed, b)
        b.iam = aws_iam.build_index(managed, b)
        b.iam_refs = {}
    except (TypeError, AttributeError) as exc:
        raise UnexpectedShape("aws_iam_*", f"IAM policy attachments have an unexpected shape ({exc})") from None
    for res in by_type.get("aws_backup_plan", []):
        b.plans[res.address] = res
        if res.values.get("id"):
            b.plans[res.values["id"]] = res
    family_types = {t for f in FAMILIES for t in (*f.PRIMARY, *f.RELATIONAL, *f.ABSORBED)}
    generic_data = datatypes.handler_types([r for r in managed if r.type not in family_types])
    for res in generic_data.pop("azurerm_resource_group", []):
        _run(datatypes.resource_group, res, b)
    for family in FAMILIES:
        for rtype, handler in family.PRIMARY.items():
            for res in by_type.get(rtype, []):
                _run(handler, res, b)
    for group in generic_data.values():
        for res in group:
            _run(datatypes.data_holder, res, b)
    for family in FAMILIES:
        for rtype, handler in family.RELATIONAL.items():
            for res in by_type.get(rtype, []):
                _run(handler, res, b)
    gcp.resolve_snapshot_schedules(b)
    aws.link_kms_keys(managed, b)
    for group in generic_data.values():
        for res in group:
            _run(datatypes.attach, res, b)
    for res in by_type.get("azurerm_management_lock", []):
        _run(datatypes.management_lock, res, b)
    unmapped: Counter = Counter()
    for res in managed:
        if res.type in family_types or node_id(res) in b.nodes or res.type == "azurerm_management_lock":
            continue
        unmapped[res.type] += 1
        node: dict[str, Any] = {
            "id": node_id(res),
            "kind": "generic",
            "name": res.address,
            "provider": PROVIDER,
            "address": res.address,
            "tf_type": datatypes.effective_type(res),
        }
        if datatypes.holds_data(res):
            node["holds_data"] = True
        b.add(node)
    return list(b.nodes.values()), unmapped
