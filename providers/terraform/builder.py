"""Shared scaffolding for the per-family mappings: node dicts in inventory shape, the account and
environment nodes resources are placed in, and lookups so one resource can point at another
by the attribute Terraform uses (an RDS identifier, an EBS volume id, a bucket name…)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor.io.resources import add_relation
from providers.terraform.context import Context, provider_family
from providers.terraform.document import TfResource

if TYPE_CHECKING:
    from providers.awsiam import ResourceRef
    from providers.terraform.aws_iam import IamIndex

PROVIDER = "terraform"


def node_id(res: TfResource) -> str:
    return f"tf:{res.address}"


class Builder:
    # indexes translate() sets before the mappings run (declared here for the type checker only)
    plans: dict[Any, TfResource]  # aws_backup_plan by address and by the id Terraform wrote
    pending_disk_policies: list[tuple[str, str]]  # (disk node id, GCP resource policy name)
    snapshot_policies: dict[str, tuple[TfResource, Any]]  # GCP policy name -> (policy, retention days)
    iam: IamIndex
    iam_refs: dict[str, ResourceRef | None]  # node id -> its IAM resource, computed once
    # keyed by the IAM names Terraform wrote: None when a name is known only after apply
    role_policies: dict[str | None, list[Any]]
    user_policies: dict[str | None, list[Any]]
    instances_with_role: dict[str | None, list[str]]

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.nodes: dict[str, dict[str, Any]] = {}
        self._lookup: dict[tuple[str, str], str] = {}
        self.generic: list[str] = []
        #: account and environment nodes already added (each is the same node every time)
        self._placed: set[str] = set()

    # ------------------------------------------------------------------ nodes
    def add(self, node: dict[str, Any]) -> str:
        existing = self.nodes.get(node["id"])
        if existing is None:
            self.nodes[node["id"]] = node
        else:  # the same external thing referenced twice: merge relations
            for key, value in node.items():
                if key not in existing:
                    existing[key] = value
        return node["id"]

    def account(self, family: str, account: str) -> str:
        nid = f"{family}:account:{account}"
        if nid in self._placed:
            return nid  # added before: adding the same node again changes nothing
        self._placed.add(nid)
        label = {"aws": "AWS account", "gcp": "GCP project", "railway": "Railway workspace"}.get(family, "account")
        return self.add(
            {
                "id": f"{family}:account:{account}",
                "kind": "account",
                "name": f"{label} {account}",
                "provider": PROVIDER,
                "cloud": family,
            }
        )

    def environment(self, name: str) -> str:
        nid = f"env:{name}"
        if nid in self._placed:
            return nid
        self._placed.add(nid)
        return self.add({"id": nid, "kind": "environment", "name": name, "provider": PROVIDER})

    def resource(self, res: TfResource, kind: str, name: Any, **attrs: Any) -> dict[str, Any]:
        """A node for `res`, placed in its account (parent), region and environment."""
        fam = provider_family(res)
        node: dict[str, Any] = {
            "id": node_id(res),
            "kind": kind,
            "name": str(name or res.address),
            "provider": PROVIDER,
            "address": res.address,
            "tf_type": res.type,
        }
        if isinstance(res.values.get("arn"), str) and res.values["arn"]:
            node["arn"] = res.values["arn"]
        region = self.ctx.region(res)
        if region:
            node["region"] = region
        node["parent"] = self.account(fam, self.ctx.account(res))
        env = self.ctx.environment(res)
        if env:
            node["in_environment"] = self.environment(env)
        for key, value in attrs.items():
            if value is not None:
                node[key] = value
        self.add(node)
        return node

    # ---------------------------------------------------------------- lookups
    def remember(self, key: str, value: Any, nid: str) -> None:
        if isinstance(value, str) and value:
            self._lookup[(key, value)] = nid

    def find(self, key: str, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        return self._lookup.get((key, value))

    def relate(self, nid: str, rel: str, target: str) -> None:
        add_relation(self.nodes[nid], rel, target)
