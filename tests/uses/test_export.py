"""Graph export: the files other tools read, loaded into a real embedded graph database (Kùzu,
which speaks Cypher) and queried there — the blast radius a Cypher query finds must be the one
`blastscope blast` reports."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from auditor.core.model import ALL_RELATIONS
from auditor.uses.export import LABELS, TYPES
from tests.conftest import SAMPLES, invoke

POCKETOS = SAMPLES / "pocketos" / "inventory.yaml"


def export_neo4j(tmp_path: Path, source: Path = POCKETOS) -> Path:
    out = tmp_path / "neo4j"
    proc = invoke("export", str(source), "--format", "neo4j", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def load_into_kuzu(export: Path, db_path: Path):
    """Create one node table and one relationship table per type, then insert every row of
    the exported CSV files through Cypher."""
    kuzu = pytest.importorskip("kuzu", reason="the embedded Cypher engine (pip install kuzu) is a test dependency")
    conn = kuzu.Connection(kuzu.Database(str(db_path)))
    conn.execute(
        "CREATE NODE TABLE Resource(id STRING, kind STRING, name STRING, label STRING, type STRING, "
        "effective_tier STRING, PRIMARY KEY(id))"
    )
    for path in sorted(export.glob("nodes_*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                label = row[":LABEL"].split(";")[-1]
                conn.execute(
                    "CREATE (:Resource {id: $id, kind: $kind, name: $name, label: $label, type: $type, "
                    "effective_tier: $tier})",
                    {
                        "id": row["id:ID"],
                        "kind": row["kind"],
                        "name": row["name"],
                        "label": label,
                        "type": row.get("type") or "",
                        "tier": row.get("effective_tier") or "",
                    },
                )
    for rel in TYPES.values():  # every relationship type, even one this account lacks
        conn.execute(f"CREATE REL TABLE {rel}(FROM Resource TO Resource, actions STRING)")
    for path in sorted(export.glob("rels_*.csv")):
        rel = path.stem.removeprefix("rels_")
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                assert row[":TYPE"] == rel
                conn.execute(
                    f"MATCH (a:Resource {{id: $a}}), (b:Resource {{id: $b}}) "
                    f"CREATE (a)-[:{rel} {{actions: $actions}}]->(b)",
                    {"a": row[":START_ID"], "b": row[":END_ID"], "actions": row["actions"]},
                )
    return conn


def rows(result) -> list[list]:  # type: ignore[no-untyped-def]
    out = []
    while result.has_next():
        out.append(result.get_next())
    return out


BLAST_QUERY = """
MATCH (n:Resource)-[:PARENT|STORED_ON*0..30]->(t:Resource {id: $id})
RETURN DISTINCT n.id
"""
WHO_QUERY = """
MATCH (c:Resource)-[g:GRANTS]->(holder:Resource)<-[:PARENT|STORED_ON*0..30]-(t:Resource {id: $id})
WHERE c.kind = 'credential' AND (g.actions CONTAINS 'delete' OR g.actions CONTAINS 'admin')
RETURN DISTINCT c.id
"""


@pytest.fixture(scope="module")
def incident_db(tmp_path_factory: pytest.TempPathFactory):
    """The incident sample's Neo4j export, loaded once into an embedded Cypher database."""
    folder = tmp_path_factory.mktemp("kuzu")
    return load_into_kuzu(export_neo4j(folder), folder / "db")


@pytest.mark.parametrize("node", ["pg-data-production", "pocketos", "production"])
def test_cypher_blast_query_matches_blastscope_blast(incident_db, node: str) -> None:
    conn = incident_db
    proc = invoke("blast", str(POCKETOS), node, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    blast = json.loads(proc.stdout)
    expected = {d["id"] for d in blast["destroyed"]}
    found = {r[0] for r in rows(conn.execute(BLAST_QUERY, {"id": blast["node"]}))}
    assert found == expected and len(expected) > 1
    who = {r[0] for r in rows(conn.execute(WHO_QUERY, {"id": blast["node"]}))}
    assert who == {c["credential"] for c in blast["credentials"]}


def test_neo4j_files_have_import_headers_labels_and_types(tmp_path: Path) -> None:
    out = export_neo4j(tmp_path)
    names = {p.name for p in out.iterdir()}
    assert {
        "load.cypher",
        "README.txt",
        "nodes_Volume.csv",
        "nodes_Credential.csv",
        "rels_GRANTS.csv",
        "rels_STORED_ON.csv",
    } <= names
    with (out / "nodes_Volume.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header[0] == "id:ID" and header[-1] == ":LABEL"
    with (out / "rels_GRANTS.csv").open(encoding="utf-8") as fh:
        grants = list(csv.DictReader(fh))
    assert {"staging-deploy-token"} <= {g[":START_ID"] for g in grants} and all(g[":TYPE"] == "GRANTS" for g in grants)
    cypher = (out / "load.cypher").read_text(encoding="utf-8")
    assert "LOAD CSV WITH HEADERS FROM 'file:///nodes_Volume.csv'" in cypher and "MERGE (a)-[x:GRANTS]->(b)" in cypher
    assert "neo4j-admin database import full" in (out / "README.txt").read_text(encoding="utf-8")
    assert set(TYPES) == set(ALL_RELATIONS) and LABELS["volume"] == "Volume"


def test_ids_are_stable_and_no_secret_values_are_written(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        """version: 1
resources:
  - {id: prod, kind: environment, name: production, tier: production}
  - {id: vol, kind: volume, name: data, in_environment: [prod]}
  - {id: tok, kind: credential, name: DEPLOY_TOKEN, fingerprint: "hmac-0123456789abcdef",
     tags: {api_key: hunter2-secret}, grants: [{target: vol, actions: [delete]}]}
""",
        encoding="utf-8",
    )
    first = invoke("export", str(inventory), "--format", "node-link")
    second = invoke("export", str(inventory), "--format", "node-link")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert "hunter2" not in first.stdout and "0123456789abcdef" not in first.stdout
    graph = nx.node_link_graph(json.loads(first.stdout), edges="links")
    assert set(graph.nodes) == {"prod", "vol", "tok"}
    assert graph.nodes["tok"]["kind"] == "credential"
    assert [d["actions"] for _, _, d in graph.edges("tok", data=True)] == ["delete"]
    out = export_neo4j(tmp_path, inventory)
    blob = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert "hunter2" not in blob and "0123456789abcdef" not in blob


def test_graphml_is_readable_by_networkx(tmp_path: Path) -> None:
    target = tmp_path / "g.graphml"
    proc = invoke("export", str(POCKETOS), "--format", "GraphML", "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    ET.parse(target)  # well-formed XML
    graph = nx.read_graphml(target)
    assert graph.nodes["pg-data-production"]["kind"] == "volume"
    assert any(d.get("rel") == "stored_on" for _, _, d in graph.edges(data=True))


def test_neo4j_needs_a_directory() -> None:
    proc = invoke("export", str(POCKETOS), "--format", "neo4j")
    assert proc.returncode == 2 and "--output DIR" in proc.stderr
    proc = invoke("export", str(POCKETOS), "--format", "gexf")
    assert proc.returncode == 2 and "graphml, node-link, neo4j" in proc.stderr


AGENT_QUERY = """
MATCH (agent:Resource)<-[:EXPOSED_TO]-(c:Resource)-[g:GRANTS]->(holder:Resource)
      <-[:PARENT|STORED_ON*0..30]-(data:Resource)
WHERE agent.type = 'agent' AND (g.actions CONTAINS 'delete' OR g.actions CONTAINS 'admin')
  AND data.kind IN ['database', 'volume', 'bucket']
MATCH (data)-[:IN_ENVIRONMENT|PARENT*0..30]->(env:Resource {effective_tier: 'production'})
MATCH (copy:Resource)-[:BACKUP_OF|REPLICA_OF*0..1]->(data)
WITH agent, c, data, holder, collect(DISTINCT copy.id) AS copies
MATCH (doomed:Resource)-[:PARENT|STORED_ON*0..30]->(holder)
WHERE list_contains(copies, doomed.id)
WITH agent, c, data, copies, collect(DISTINCT doomed.id) AS destroyed
WHERE size(destroyed) = size(copies)
RETURN DISTINCT c.id, data.id
"""


def test_docs_agent_query_finds_the_incident_credential(incident_db) -> None:
    """docs/export.md's question — which credentials exposed to agents can delete a production
    dataset with every copy — answered in Cypher agrees with blastscope's own findings."""
    conn = incident_db
    found = rows(conn.execute(AGENT_QUERY))
    report = json.loads(invoke("scan", str(POCKETOS), "--format", "json", "--now", "2026-07-01").stdout)
    agents = {"cursor-agent"}
    exposed = {r["id"] for r in _inventory_credentials() if set(r.get("exposed_to", [])) & agents}
    expected = {
        f["resource_id"]
        for f in report["findings"]
        if f["check_id"] == "credential-can-destroy-all-copies" and f["resource_id"] in exposed
    }
    assert expected == {"staging-deploy-token"}
    assert {c for c, _ in found} == expected
    assert "pocketos-db" in {d for _, d in found}


def _inventory_credentials() -> list[dict]:
    import yaml

    doc = yaml.safe_load(POCKETOS.read_text(encoding="utf-8"))
    out = []
    for r in doc["resources"]:
        if r.get("kind") == "credential":
            exposed = r.get("exposed_to", [])
            out.append({**r, "exposed_to": [exposed] if isinstance(exposed, str) else exposed})
    return out
