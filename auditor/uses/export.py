"""Graph export for org-wide queries: GraphML, node-link JSON, and Neo4j import files.

Everything is built from `Topology.to_networkx()`, the public model: one node per resource
(id, kind, name, provider and its attributes), one edge per relation (`rel`, and `actions` on
grants). Ids are the resources' own ids, so two exports of the same account join. Attributes
that could hold a secret value (or a keyed fingerprint of one) are never written, and values
that are not scalars are written as JSON text so every format can carry them.

Neo4j: a node label per kind (`Volume`, `Credential`, …, and `Resource` on all) and a
relationship type per relation (`STORED_ON`, `GRANTS`, …), as CSV files with the headers
`neo4j-admin database import full` reads, plus `load.cypher` doing the same with `LOAD CSV`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.core.model import ALL_RELATIONS, KINDS
from auditor.core.topology import Topology

if TYPE_CHECKING:
    import networkx as nx

EXPORT_FORMATS = ("graphml", "node-link", "neo4j")
#: attribute names that may carry a secret value; never exported
SECRET_ATTR = re.compile(r"(?i)(secret|password|passwd|private|api_?key|fingerprint|^value$|_value$|^token$)")
#: the properties every node has (written first, in this order)
CORE_PROPS = ("id", "kind", "name", "provider")


def node_label(kind: str) -> str:
    """`volume` → `Volume`; `generic` → `Generic`."""
    return "".join(part.capitalize() for part in kind.split("_"))


def rel_type(rel: str) -> str:
    """`stored_on` → `STORED_ON`."""
    return rel.upper()


def _scrub(value: Any) -> Any:
    """Nested mappings (tags, labels) lose secret-looking keys too."""
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if not SECRET_ATTR.search(str(k))}
    if isinstance(value, (list, tuple)):
        return [_scrub(v) for v in value]
    return value


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return json.dumps(_scrub(value), sort_keys=True, default=str)


def export_graph(topology: Topology, tiers: dict[str, str] | None = None) -> nx.MultiDiGraph:
    """The model with secret-looking attributes dropped and every value a scalar; environments
    get `effective_tier` (the tier the checks act on: given, inferred from the name, or
    production when unknown) so queries need not repeat blastscope's inference."""
    graph = topology.nx.copy()
    for env, tier in (tiers or {}).items():
        if env in graph:
            graph.nodes[env]["effective_tier"] = tier
    for _, data in graph.nodes(data=True):
        for key in [k for k in data if SECRET_ATTR.search(k)]:
            del data[key]
        for key, value in list(data.items()):
            if value is None:
                del data[key]  # unknown stays unknown: GraphML and CSV have no null
            else:
                data[key] = _scalar(value)
    for _, _, data in graph.edges(data=True):
        if "actions" in data:
            data["actions"] = ",".join(data["actions"])
    return graph


def to_graphml(topology: Topology, tiers: dict[str, str] | None = None) -> str:
    import networkx as nx

    return "\n".join(nx.generate_graphml(export_graph(topology, tiers), prettyprint=True)) + "\n"


def to_node_link(topology: Topology, tiers: dict[str, str] | None = None) -> str:
    import networkx as nx

    data = nx.node_link_data(export_graph(topology, tiers), edges="links")
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Neo4jExport:
    """File name → content: nodes_<Label>.csv, rels_<TYPE>.csv, load.cypher, README.txt."""

    files: dict[str, str]


def _csv(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def to_neo4j(topology: Topology, tiers: dict[str, str] | None = None) -> Neo4jExport:
    graph = export_graph(topology, tiers)
    by_kind: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for node, data in sorted(graph.nodes(data=True), key=lambda item: item[0]):
        by_kind.setdefault(data.get("kind", "generic"), []).append((node, data))
    files: dict[str, str] = {}
    loads: list[str] = [
        "// blastscope export: run with cypher-shell -f load.cypher from Neo4j's import directory",
        "CREATE CONSTRAINT resource_id IF NOT EXISTS FOR (r:Resource) REQUIRE r.id IS UNIQUE;",
    ]
    for kind in sorted(by_kind):
        label = node_label(kind)
        extra = sorted({k for _, data in by_kind[kind] for k in data} - set(CORE_PROPS))
        header = ["id:ID", "kind", "name", "provider", *extra, ":LABEL"]
        rows = [header] + [
            [n, d.get("kind"), d.get("name"), d.get("provider"), *(d.get(k) for k in extra), f"Resource;{label}"]
            for n, d in by_kind[kind]
        ]
        name = f"nodes_{label}.csv"
        files[name] = _csv(rows)
        props = ", ".join(
            f"{k}: row.{k}" for k in ("kind", "name", "provider", *extra) if re.fullmatch(r"[A-Za-z_]\w*", k)
        )
        loads.append(
            f"LOAD CSV WITH HEADERS FROM 'file:///{name}' AS row\n"
            f"MERGE (r:Resource {{id: row.`id:ID`}}) SET r:{label}, r += {{{props}}};"
        )
    by_rel: dict[str, list[list[Any]]] = {}
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[2]["rel"], e[0], e[1])):
        by_rel.setdefault(data["rel"], []).append([source, target, data.get("actions", ""), rel_type(data["rel"])])
    for rel in [r for r in ALL_RELATIONS if r in by_rel]:
        name = f"rels_{rel_type(rel)}.csv"
        files[name] = _csv([[":START_ID", ":END_ID", "actions", ":TYPE"], *by_rel[rel]])
        set_actions = " SET x.actions = split(row.actions, ',')" if rel == "grants" else ""
        loads.append(
            f"LOAD CSV WITH HEADERS FROM 'file:///{name}' AS row\n"
            f"MATCH (a:Resource {{id: row.`:START_ID`}}), (b:Resource {{id: row.`:END_ID`}})\n"
            f"MERGE (a)-[x:{rel_type(rel)}]->(b){set_actions};"
        )
    files["load.cypher"] = "\n".join(loads) + "\n"
    node_files = " ".join(f"--nodes={n}" for n in sorted(files) if n.startswith("nodes_"))
    rel_files = " ".join(f"--relationships={n}" for n in sorted(files) if n.startswith("rels_"))
    files["README.txt"] = (
        "blastscope graph export for Neo4j\n\n"
        "Offline import (empty database):\n"
        f"  neo4j-admin database import full --array-delimiter=';' {node_files} {rel_files} neo4j\n\n"
        "Into a running database: copy these files to its import directory, then\n  cypher-shell -f load.cypher\n"
    )
    return Neo4jExport(files)


#: every kind and relation has a stable label / type (documented in docs/export.md)
LABELS = {kind: node_label(kind) for kind in sorted(KINDS)}
TYPES = {rel: rel_type(rel) for rel in ALL_RELATIONS}
