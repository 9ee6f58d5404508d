"""Reading `terraform show -json` documents (plan and state) into plain TfResource values.

Pure: a decoded JSON document in, resources out. Sensitive leaves (`sensitive_values`,
`after_sensitive`) are replaced by None before anything else sees them — `terraform show -json`
prints them in clear — and values Terraform does not know yet (`after_unknown`) are None too:
unknown is a value, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from auditor.core.errors import InputError

#: format_version majors: 0.1/0.2 (Terraform 0.12 – 1.0) and 1.x share the shape read here
SUPPORTED_MAJORS = ("0", "1")


@dataclass(slots=True)  # one per resource in each graph: no per-instance dict
class TfResource:
    address: str
    type: str
    name: str
    module: str  # "" for the root module, else "module.a.module.b"
    provider: str  # "registry.terraform.io/hashicorp/aws", alias-free
    values: dict[str, Any]
    mode: str = "managed"


@dataclass(slots=True)
class PlannedChange:
    address: str
    type: str
    actions: tuple[str, ...]
    action_reason: str | None = None
    #: a deposed object (left over by create_before_destroy), not the live resource at `address`
    deposed: bool = False

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
    #: what makes the document an incomplete description (errored plan, deferred changes)
    gaps: list[str] = field(default_factory=list)


def is_raw_state(document: Any) -> bool:
    """A `terraform.tfstate` file itself (version 4), not `terraform show -json` output."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("version"), int)
        and "lineage" in document
        and isinstance(document.get("resources"), list)
    )


def looks_like_terraform(document: Any) -> bool:
    if is_raw_state(document):
        return True
    return (
        isinstance(document, dict)
        and ("format_version" in document or "resource_changes" in document)
        and (
            "planned_values" in document
            or "values" in document
            or "resource_changes" in document
            or "terraform_version" in document
            or "prior_state" in document
        )
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
    """Whether any leaf of the mask is `true` (the only mark `_redact` acts on). Empty
    containers, `false` and null are skipped without a call: they are almost every node."""
    if mask is True:
        return True
    if isinstance(mask, dict):
        mask = mask.values()
    elif not isinstance(mask, list):
        return False
    for m in mask:  # noqa: SIM110 - a loop: any() over a generator costs a frame per node
        if m is True or (m and isinstance(m, (dict, list)) and _marks_anything(m)):
            return True
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


def known_after(value: Any, unknown: Any) -> Any:
    """`unknown_to_none(value, unknown)`; `value` itself when that would only copy it, as it
    does for most real `after_unknown` masks (every block mirrored, nothing marked)."""
    return value if _keeps(value, unknown) else unknown_to_none(value, unknown)


def _keeps(value: Any, unknown: Any) -> bool:
    """Whether unknown_to_none(value, unknown) gives a copy of `value`, the same at every level:
    nothing marked true, and no key of the mask missing from the value (it would be added as
    None) or holding something else than a mapping where the mask has one (it would be replaced)."""
    if not unknown:
        return True
    if unknown is True:
        return False
    if isinstance(unknown, dict):
        if not isinstance(value, dict):
            return False
        for key, flag in unknown.items():  # noqa: SIM110 - a loop: any() costs a frame per node
            if key not in value or (flag and not _keeps(value[key], flag)):
                return False
        return True
    if isinstance(unknown, list) and isinstance(value, list):
        for v, flag in zip(value, unknown, strict=False):  # items past the mask are kept as they are
            if flag and not _keeps(v, flag):
                return False
    return True


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
    """The provider's source address; remembered per name (a document names a few providers,
    once per resource)."""
    if type(name) is str:
        found = _PROVIDERS.get(name)
        if found is None:
            found = _provider_of(name)
            if len(_PROVIDERS) < 1024:  # a configuration uses a few: never grows with the document
                _PROVIDERS[name] = found
        return found
    return _provider_of(name)


#: provider names seen, and what _provider_of makes of them
_PROVIDERS: dict[str, str] = {}


def _provider_of(name: Any) -> str:
    text = str(name or "")
    # state: provider["registry.terraform.io/hashicorp/aws"].alias ; show -json: registry.terraform.io/hashicorp/aws
    if text.startswith("provider["):
        text = text.split('"')[1] if '"' in text else text
    return text


def walk_module(module: Any, file: str, where: str) -> list[TfResource]:
    """Every resource of a values-representation module, child modules included (depth first,
    a module's own resources before its children's)."""
    out: list[TfResource] = []
    _walk_module(module, file, where, out)
    return out


def _walk_module(module: Any, file: str, where: str, out: list[TfResource]) -> None:
    if module is None:
        return
    if not isinstance(module, dict):
        raise InputError("expected an object", file=file, field=where)
    append = out.append
    for i, raw in enumerate(_list(module.get("resources"), file, f"{where}.resources")):
        if not isinstance(raw, dict):
            raise InputError("resource without address/type", file=file, field=f"{where}.resources[{i}]")
        address, rtype = raw.get("address"), raw.get("type")
        if not isinstance(address, str) or not isinstance(rtype, str):
            raise InputError("resource without address/type", file=file, field=f"{where}.resources[{i}]")
        if raw.get("deposed_key"):
            continue  # a deposed object (create_before_destroy leftover), not the live resource
        values = raw.get("values")
        if not isinstance(values, dict):
            values = {}
        sensitive = raw.get("sensitive_values")
        if sensitive and _marks_anything(sensitive):
            values = _redact(values, sensitive)
        append(
            TfResource(
                address,
                rtype,
                str(raw.get("name", "")),
                address.rsplit(f"{rtype}.", 1)[0].rstrip(".") if address.startswith("module.") else "",
                _provider(raw.get("provider_name")),
                values,
                str(raw.get("mode", "managed")),
            )
        )
    for j, child in enumerate(_list(module.get("child_modules"), file, f"{where}.child_modules")):
        _walk_module(child, file, f"{where}.child_modules[{j}]", out)


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
    if is_raw_state(document):
        return parse_raw_state(document, file)
    version = str(document.get("format_version", SUPPORTED_MAJORS[-1] + ".0"))
    if version.split(".")[0] not in SUPPORTED_MAJORS:
        raise InputError(
            f"unsupported format_version {version!r} (this blastscope reads 0.1 to 1.x, "
            "what Terraform 0.12 and later write)",
            file=file,
            field="format_version",
        )
    gaps = []
    if document.get("errored") is True:
        gaps.append(
            "Terraform reported errors while planning (errored: true): the plan does not describe the whole change"
        )
    if document.get("complete") is False:
        gaps.append("the plan is not complete (complete: false): Terraform deferred some changes to a later plan")
    tf_version = document.get("terraform_version")
    raw_config = document.get("configuration")
    config: dict[str, Any] = raw_config if isinstance(raw_config, dict) else {}
    raw_providers = config.get("provider_config")
    providers: dict[str, Any] = raw_providers if isinstance(raw_providers, dict) else {}
    variables = {
        k: v.get("value")
        for k, v in _object(document.get("variables"), file, "variables").items()
        if isinstance(v, dict)
    }
    raw_root = config.get("root_module")
    root_config: dict[str, Any] = raw_root if isinstance(raw_root, dict) else {}
    if "planned_values" in document or "resource_changes" in document:
        plan = _plan(document, file)
        return TfDocument("plan", tf_version, *plan, providers, variables, root_config, gaps)
    values = _object(document.get("values"), file, "values")
    resources = walk_module(values.get("root_module"), file, "values.root_module")
    return TfDocument("state", tf_version, resources, [], [], providers, variables, root_config, gaps)


def _module_of(address: str, rtype: str) -> str:
    return address.rsplit(f"{rtype}.", 1)[0].rstrip(".") if address.startswith("module.") else ""


def _plan(document: dict[str, Any], file: str) -> tuple[list[TfResource], list[TfResource], list[PlannedChange]]:
    unknown_after: dict[str, Any] = {}
    sensitive_after: dict[str, Any] = {}
    changes = []
    # what the changes say about resources, for plans that carry only `resource_changes`
    # (built below only for such plans: redacting every `before` costs as much as a graph)
    said: list[tuple[dict[str, Any], list[str], str, str, str, str, Any]] = []
    for i, rc in enumerate(_list(document.get("resource_changes"), file, "resource_changes")):
        if not isinstance(rc, dict) or not isinstance(rc.get("change"), dict):
            raise InputError("malformed resource change", file=file, field=f"resource_changes[{i}]")
        change = rc["change"]
        actions = change.get("actions")
        if not isinstance(actions, list):
            raise InputError("expected a list of actions", file=file, field=f"resource_changes[{i}].change.actions")
        for action in actions:  # a loop, not all(): a generator per change costs a frame
            if not isinstance(action, str):
                raise InputError("expected a list of actions", file=file, field=f"resource_changes[{i}].change.actions")
        address, rtype = str(rc.get("address")), str(rc.get("type"))
        deposed = bool(rc.get("deposed"))
        mode = str(rc.get("mode", "managed"))
        if mode == "managed":
            changes.append(PlannedChange(address, rtype, tuple(actions), rc.get("action_reason"), deposed))
        if deposed:
            continue  # a deposed object's values are not the live resource's
        unknown_after[address] = change.get("after_unknown")
        sensitive_after[address] = change.get("after_sensitive")
        said.append((change, actions, address, rtype, str(rc.get("name", "")), mode, rc.get("provider_name")))

    def before_of() -> list[TfResource]:
        return [
            TfResource(
                address,
                rtype,
                name,
                _module_of(address, rtype),
                _provider(provider),
                redact(change["before"], change.get("before_sensitive")),
                mode,
            )
            for change, actions, address, rtype, name, mode, provider in said
            if isinstance(change.get("before"), dict) and "create" not in actions[:1]
        ]

    def after_of() -> list[TfResource]:
        return [
            TfResource(address, rtype, name, _module_of(address, rtype), _provider(provider), change["after"], mode)
            for change, actions, address, rtype, name, mode, provider in said
            if isinstance(change.get("after"), dict) and "delete" not in actions[-1:]
        ]

    planned = []
    planned_values = _object(document.get("planned_values"), file, "planned_values")
    if "planned_values" not in document:
        planned = after_of()  # judged from the changes themselves
    planned.extend(walk_module(planned_values.get("root_module"), file, "planned_values.root_module"))
    for res in planned:
        res.values = redact(known_after(res.values, unknown_after.get(res.address)), sensitive_after.get(res.address))
    prior_values = _object(
        _object(document.get("prior_state"), file, "prior_state").get("values"), file, "prior_state.values"
    )
    prior = walk_module(prior_values.get("root_module"), file, "prior_state.values.root_module")
    if not prior:  # no prior_state: what exists now is what the changes start from
        prior = before_of()
    return planned, prior, changes


# --------------------------------------------------------------------------- raw terraform.tfstate
SECRET_NAME = re.compile(
    r"password|passwd|secret|token|private|credential|key_material|access_key|auth|certificate|"
    r"connection_string|(^|_)sas(_|$)|signature|ssh_key|api_key|primary_key|secondary_key|_keys?$",
    re.I,
)


def drop_secrets(value: Any) -> Any:
    """Every attribute whose name looks like it holds a secret is removed, at any depth."""
    if isinstance(value, dict):
        return {k: drop_secrets(v) for k, v in value.items() if not SECRET_NAME.search(str(k))}
    if isinstance(value, list):
        return [drop_secrets(v) for v in value]
    return value


def _drop_path(value: Any, path: list[Any]) -> Any:
    """Remove the value at one `sensitive_attributes` path ([{"type": "get_attr", "value": "x"}, …])."""
    if not path or not isinstance(value, (dict, list)):
        return value
    step, rest = path[0], path[1:]
    key = step.get("value") if isinstance(step, dict) else step
    if isinstance(key, dict):  # {"type": "index", "value": {"value": 0, "type": "number"}}
        key = key.get("value")
    if isinstance(value, dict) and isinstance(key, str) and key in value:
        if not rest:
            return {k: v for k, v in value.items() if k != key}
        return {**value, key: _drop_path(value[key], rest)}
    if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
        out = list(value)
        out[key] = None if not rest else _drop_path(value[key], rest)
        return out
    return value


def _address(module: Any, rtype: str, name: str, mode: str, index: Any) -> str:
    base = f"{'data.' if mode == 'data' else ''}{rtype}.{name}"
    if isinstance(module, str) and module:
        base = f"{module}.{base}"
    if isinstance(index, int):
        base += f"[{index}]"
    elif isinstance(index, str):
        base += f'["{index}"]'
    return base


def parse_raw_state(document: dict[str, Any], file: str) -> TfDocument:
    """A `terraform.tfstate` (version 4). Its attributes hold secrets in clear: the paths in
    `sensitive_attributes` and every secret-looking attribute are dropped here, first."""
    if document.get("version") != 4:
        raise InputError(
            f"unsupported terraform.tfstate version {document.get('version')!r} (this blastscope reads "
            "version 4; run `terraform show -json` for older states)",
            file=file,
            field="version",
        )
    resources = []
    for i, raw in enumerate(document["resources"]):
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str) or not isinstance(raw.get("name"), str):
            raise InputError("resource without type/name", file=file, field=f"resources[{i}]")
        mode = str(raw.get("mode", "managed"))
        for j, inst in enumerate(_list(raw.get("instances"), file, f"resources[{i}].instances")):
            if not isinstance(inst, dict) or inst.get("deposed"):
                continue  # deposed objects are not the live resource
            attributes = inst.get("attributes") if isinstance(inst.get("attributes"), dict) else {}
            for path in _list(
                inst.get("sensitive_attributes"), file, f"resources[{i}].instances[{j}].sensitive_attributes"
            ):
                attributes = _drop_path(attributes, path if isinstance(path, list) else [path])
            address = _address(raw.get("module"), raw["type"], raw["name"], mode, inst.get("index_key"))
            resources.append(
                TfResource(
                    address,
                    raw["type"],
                    raw["name"],
                    str(raw.get("module") or ""),
                    _provider(raw.get("provider")),
                    drop_secrets(attributes),
                    mode,
                )
            )
    return TfDocument("state", str(document.get("terraform_version") or "") or None, resources)
