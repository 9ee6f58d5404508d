"""Reading `terraform show -json` documents (plan and state) into plain TfResource values.

Pure: a decoded JSON document in, resources out. Sensitive leaves (`sensitive_values`,
`after_sensitive`) are replaced by None before anything else sees them — `terraform show -json`
prints them in clear — and values Terraform does not know yet (`after_unknown`) are None too:
unknown is a value, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from auditor.core.errors import InputError

SUPPORTED_MAJOR = "1"


@dataclass
class TfResource:
    address: str
    type: str
    name: str
    module: str  # "" for the root module, else "module.a.module.b"
    provider: str  # "registry.terraform.io/hashicorp/aws", alias-free
    values: dict[str, Any]
    mode: str = "managed"


@dataclass
class PlannedChange:
    address: str
    type: str
    actions: tuple[str, ...]
    action_reason: str | None = None

    @property
    def deletes(self) -> bool:
        """Delete or replace: the object that exists now will be destroyed."""
        return "delete" in self.actions


@dataclass
class TfDocument:
    kind: str  # "plan" | "state"
    terraform_version: str | None
    resources: list[TfResource]  # planned (plan) or current (state)
    prior: list[TfResource] = field(default_factory=list)
    changes: list[PlannedChange] = field(default_factory=list)
    provider_config: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    root_config: dict[str, Any] = field(default_factory=dict)


def looks_like_terraform(document: Any) -> bool:
    return isinstance(document, dict) and "format_version" in document and (
        "planned_values" in document or "values" in document or "resource_changes" in document or "terraform_version" in document
    )


def redact(value: Any, sensitive: Any) -> Any:
    """Replace every leaf marked true in `sensitive` (same shape as value) by None.

    `terraform show -json` writes a mask for every resource, mirroring each map, list and block
    as an empty container (`{"tags": {}, "ebs_block_device": [{}]}`): most masks are truthy yet
    mark nothing. Those take the same shortcut as an absent mask, checked once per resource."""
    if not _marks_anything(sensitive):
        return value
    return _redact(value, sensitive)


def _marks_anything(mask: Any) -> bool:
    """Whether any leaf of the mask is `true` (the only mark `_redact` acts on)."""
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(_marks_anything(m) for m in mask.values())
    if isinstance(mask, list):
        return any(_marks_anything(m) for m in mask)
    return False


def _redact(value: Any, sensitive: Any) -> Any:
    if not sensitive:  # None, False, {} or []: nothing is sensitive below this point
        return value
    if sensitive is True:
        return None
    if isinstance(value, dict) and isinstance(sensitive, dict):
        return {k: _redact(v, sensitive.get(k)) for k, v in value.items()}
    if isinstance(value, list) and isinstance(sensitive, list):
        return [_redact(v, sensitive[i] if i < len(sensitive) else None) for i, v in enumerate(value)]
    return value


def unknown_to_none(value: Any, unknown: Any) -> Any:
    """Leaves marked true in `after_unknown` become None (known after apply)."""
    if not unknown:
        return value
    if unknown is True:
        return None
    if isinstance(unknown, dict):
        base = dict(value) if isinstance(value, dict) else {}
        for key, flag in unknown.items():
            base[key] = unknown_to_none(base.get(key), flag)
        return base
    if isinstance(unknown, list) and isinstance(value, list):
        return [unknown_to_none(v, unknown[i] if i < len(unknown) else None) for i, v in enumerate(value)]
    return value


def _provider(name: Any) -> str:
    text = str(name or "")
    # state: provider["registry.terraform.io/hashicorp/aws"].alias ; show -json: registry.terraform.io/hashicorp/aws
    if text.startswith("provider["):
        text = text.split('"')[1] if '"' in text else text
    return text


def walk_module(module: Any, file: str, where: str) -> Iterator[TfResource]:
    """Every resource of a values-representation module, child modules included."""
    if module is None:
        return
    if not isinstance(module, dict):
        raise InputError("expected an object", file=file, field=where)
    for i, raw in enumerate(_list(module.get("resources"), file, f"{where}.resources")):
        if not isinstance(raw, dict) or not isinstance(raw.get("address"), str) or not isinstance(raw.get("type"), str):
            raise InputError("resource without address/type", file=file, field=f"{where}.resources[{i}]")
        values = raw.get("values") if isinstance(raw.get("values"), dict) else {}
        values = redact(values, raw.get("sensitive_values"))
        address = raw["address"]
        module_addr = address.rsplit(f"{raw['type']}.", 1)[0].rstrip(".") if address.startswith("module.") else ""
        yield TfResource(address, raw["type"], str(raw.get("name", "")), module_addr, _provider(raw.get("provider_name")),
                         values, str(raw.get("mode", "managed")))
    for j, child in enumerate(_list(module.get("child_modules"), file, f"{where}.child_modules")):
        yield from walk_module(child, file, f"{where}.child_modules[{j}]")


def _object(value: Any, file: str, where: str) -> dict[str, Any]:
    """`value` as an object: absent/null is empty, anything else but an object is an input error."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError("expected an object", file=file, field=where)
    return value


def _list(value: Any, file: str, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError("expected a list", file=file, field=where)
    return value


def parse_document(document: Any, file: str) -> TfDocument:
    if not looks_like_terraform(document):
        raise InputError("not a `terraform show -json` plan or state document", file=file)
    version = str(document.get("format_version", ""))
    if version.split(".")[0] != SUPPORTED_MAJOR:
        raise InputError(f"unsupported format_version {version!r} (this blastscope reads 1.x)", file=file, field="format_version")
    tf_version = document.get("terraform_version")
    config = document.get("configuration") if isinstance(document.get("configuration"), dict) else {}
    providers = config.get("provider_config") if isinstance(config.get("provider_config"), dict) else {}
    variables = {k: v.get("value") for k, v in _object(document.get("variables"), file, "variables").items() if isinstance(v, dict)}
    root_config = config.get("root_module") if isinstance(config.get("root_module"), dict) else {}
    if "planned_values" in document or "resource_changes" in document:
        unknown_after: dict[str, Any] = {}
        sensitive_after: dict[str, Any] = {}
        changes = []
        for i, rc in enumerate(_list(document.get("resource_changes"), file, "resource_changes")):
            if not isinstance(rc, dict) or not isinstance(rc.get("change"), dict):
                raise InputError("malformed resource change", file=file, field=f"resource_changes[{i}]")
            actions = rc["change"].get("actions")
            if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
                raise InputError("expected a list of actions", file=file, field=f"resource_changes[{i}].change.actions")
            address = str(rc.get("address"))
            if rc.get("mode", "managed") == "managed":
                changes.append(PlannedChange(address, str(rc.get("type")), tuple(actions), rc.get("action_reason")))
            unknown_after[address] = rc["change"].get("after_unknown")
            sensitive_after[address] = rc["change"].get("after_sensitive")
        planned = []
        planned_values = _object(document.get("planned_values"), file, "planned_values")
        for res in walk_module(planned_values.get("root_module"), file, "planned_values.root_module"):
            res.values = redact(unknown_to_none(res.values, unknown_after.get(res.address)), sensitive_after.get(res.address))
            planned.append(res)
        prior_values = _object(_object(document.get("prior_state"), file, "prior_state").get("values"), file, "prior_state.values")
        prior = list(walk_module(prior_values.get("root_module"), file, "prior_state.values.root_module"))
        return TfDocument("plan", tf_version, planned, prior, changes, providers, variables, root_config)
    values = _object(document.get("values"), file, "values")
    resources = list(walk_module(values.get("root_module"), file, "values.root_module"))
    return TfDocument("state", tf_version, resources, [], [], providers, variables, root_config)
