"""GraphQL documents → the destructive Railway mutations they call, with arguments after
variable substitution. graphql-core parses the document (imported only when a command carries
one, so commands without GraphQL stay fast)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from auditor.guard.operations import Operation
from auditor.guard.shell import DYNAMIC

#: a stand-in for DYNAMIC inside GraphQL text (the lexer refuses control characters)
_PLACEHOLDER = "__blastscope_unknown__"


@dataclass(frozen=True)
class MutationRule:
    """Where a mutation names its target and what kind of resource it is."""

    args: tuple[str, ...]  # argument paths, first present wins ("input.name")
    kinds: frozenset[str] | None
    scope_arg: str | None = None
    fixed: str | None = None
    note: str | None = None


_K = frozenset
RAILWAY_MUTATIONS: dict[str, MutationRule] = {
    "volumeDelete": MutationRule(("volumeId",), _K({"volume"})),
    "volumeInstanceDelete": MutationRule(("volumeInstanceId", "id"), _K({"volume"})),
    "volumeInstanceBackupDelete": MutationRule(("volumeInstanceBackupId",), _K({"backup"})),
    "volumeInstanceBackupBatchDelete": MutationRule(("volumeInstanceBackupIds", "ids"), _K({"backup"})),
    "environmentDelete": MutationRule(("id",), _K({"environment"})),
    "projectDelete": MutationRule(("id",), _K({"project"})),
    "projectScheduleDelete": MutationRule(("id",), _K({"project"})),
    "projectScheduleDeleteForce": MutationRule(("id",), _K({"project"})),
    "serviceDelete": MutationRule(("id",), _K({"service", "database"}), scope_arg="environmentId"),
    "bucketDelete": MutationRule(("id", "bucketId"), _K({"bucket"})),
    "workspaceDelete": MutationRule(("id",), _K({"account"})),
    "variableDelete": MutationRule(("input.name",), _K({"credential"}), scope_arg="input.environmentId"),
    "deploymentRemove": MutationRule(("id",), None, note="removes a deployment (deployments are not in the graph)"),
    "volumeInstanceBackupRestore": MutationRule(
        ("volumeInstanceId",),
        _K({"volume"}),
        fixed="ask",
        note="a restore overwrites the volume's current data with the backup",
    ),
}
#: mutations that only delete when an argument says so
_REPLACE = "variableCollectionUpsert"
#: names that never destroy anything although they contain "Delete"
_NOT_DESTRUCTIVE_SUFFIXES = ("DeleteCancel", "Restore", "Create", "Update", "Upsert")


class GraphQLDocumentError(ValueError):
    """The body looked like GraphQL but could not be parsed: the guard cannot tell what it does."""


def body_operations(body: str, tool: str, railway_endpoint: bool) -> list[Operation]:
    """A request body (JSON {query, variables} or a batch of them, or a bare document)."""
    stripped = body.strip()
    requests: list[tuple[str, dict[str, Any]]] = []
    if stripped.startswith(("{", "[")) and '"query"' in stripped:
        try:
            decoded = json.loads(stripped, strict=False)
        except ValueError:
            decoded = None
        if decoded is not None:
            items = decoded if isinstance(decoded, list) else [decoded]
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("query"), str):
                    raise GraphQLDocumentError("a GraphQL request without a query string")
                variables = item.get("variables") or {}
                if isinstance(variables, str):
                    try:
                        variables = json.loads(variables, strict=False)
                    except ValueError:
                        variables = {}
                requests.append((item["query"], variables if isinstance(variables, dict) else {}))
        elif "mutation" in stripped:
            raise GraphQLDocumentError("a GraphQL request body that is not valid JSON")
    if not requests:
        requests.append((stripped, {}))
    out: list[Operation] = []
    for query, variables in requests:
        out.extend(document_operations(query, variables, tool, railway_endpoint))
    return out


def document_operations(
    query: str, variables: dict[str, Any], tool: str, railway_endpoint: bool = True
) -> list[Operation]:
    """Every destructive mutation field of every mutation operation in the document."""
    from graphql import GraphQLError, OperationType, parse
    from graphql.language import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, VariableNode
    from graphql.utilities import value_from_ast_untyped

    if "mutation" not in query and not query.lstrip().startswith("{"):
        return []
    try:
        doc = parse(query.replace(DYNAMIC, _PLACEHOLDER), no_location=True)
    except GraphQLError as exc:
        if "mutation" in query:
            raise GraphQLDocumentError(f"GraphQL document does not parse: {exc.message}") from None
        return []
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    values = {k: _restore(v) for k, v in variables.items()}
    out: list[Operation] = []
    for definition in doc.definitions:
        if not isinstance(definition, OperationDefinitionNode) or definition.operation != OperationType.MUTATION:
            continue
        defaults = {
            v.variable.name.value: value_from_ast_untyped(v.default_value)
            for v in definition.variable_definitions or ()
            if v.default_value is not None
        }
        scope = {**defaults, **values}
        for node in _fields(definition.selection_set, fragments):
            assert isinstance(node, FieldNode)
            args = {a.name.value: _restore(value_from_ast_untyped(a.value, scope)) for a in node.arguments or ()}
            for a in node.arguments or ():
                if isinstance(a.value, VariableNode) and a.value.name.value not in scope:
                    args[a.name.value] = DYNAMIC  # a variable the request does not supply
            op = _judge_field(node.name.value, args, tool, railway_endpoint)
            if op is not None:
                out.append(op)
    return out


def _fields(selection_set, fragments):  # type: ignore[no-untyped-def]
    for sel in selection_set.selections:
        if sel.kind == "field":
            yield sel
        elif sel.kind == "inline_fragment":
            yield from _fields(sel.selection_set, fragments)
        elif sel.kind == "fragment_spread" and sel.name.value in fragments:
            yield from _fields(fragments[sel.name.value].selection_set, fragments)


def _restore(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(_PLACEHOLDER, DYNAMIC)
    if isinstance(value, list):
        return [_restore(v) for v in value]
    if isinstance(value, dict):
        return {k: _restore(v) for k, v in value.items()}
    return value


def _arg(args: dict[str, Any], path: str) -> Any:
    current: Any = args
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current


def _judge_field(name: str, args: dict[str, Any], tool: str, railway_endpoint: bool) -> Operation | None:
    rule = RAILWAY_MUTATIONS.get(name)
    if rule is not None:
        targets: list[str] = []
        for path in rule.args:
            value = _arg(args, path)
            if value is None:
                continue
            targets = [_text(v) for v in value] if isinstance(value, list) else [_text(value)]
            break
        scope = _arg(args, rule.scope_arg) if rule.scope_arg else None
        return Operation(
            tool,
            name,
            tuple(targets),
            rule.kinds,
            scope=_text(scope) if scope is not None else None,
            note=rule.note,
            fixed=rule.fixed,
        )
    if name == _REPLACE:
        raw_input = args.get("input")
        inp: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
        replace = inp.get("replace")
        if replace is True or replace == DYNAMIC:
            env = inp.get("environmentId")
            return Operation(
                tool,
                name,
                (),
                frozenset({"credential"}),
                scope=_text(env) if env else None,
                note="replace: true deletes every variable of the environment not in the new set",
            )
        return None
    if railway_endpoint and "Delete" in name and not name.endswith(_NOT_DESTRUCTIVE_SUFFIXES):
        target = next((_text(v) for k, v in sorted(args.items()) if k in ("id", "input") and v is not None), None)
        return Operation(
            tool,
            name,
            (target,) if target and isinstance(args.get("id"), str) else (),
            None,
            note=f"{name} is a delete the guard has no rule for",
        )
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
