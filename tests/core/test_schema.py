"""The schema table is the single source: the docs are generated from it, and every
provider's output satisfies it."""

from __future__ import annotations

from auditor.core.schema import ATTRIBUTES, reference_markdown
from auditor.core.topology import Topology
from auditor.engine.sources import load_file
from tests.conftest import ROOT, SAMPLES


def test_the_inventory_reference_is_generated_from_the_table() -> None:
    doc = (ROOT / "docs" / "inventory.md").read_text(encoding="utf-8")
    assert doc == reference_markdown(), (
        "docs/inventory.md is out of date; regenerate it with the command in its first comment"
    )


def test_every_attribute_has_a_meaning_and_a_known_type() -> None:
    for attr in ATTRIBUTES.values():
        assert attr.meaning and attr.type in {"datetime", "bool", "number", "string", "strings", "choice", "mapping"}


def test_the_public_graph_is_a_networkx_multidigraph() -> None:
    """Topology.nx is the graph people use for their own analysis (and the export builds on it)."""
    topo = Topology(load_file(SAMPLES / "pocketos" / "inventory.yaml").resources)
    graph = topo.nx
    assert graph.number_of_nodes() == len(topo)
    assert graph.nodes["pocketos-db"]["kind"] == "database"
    rels = {data["rel"] for _, _, data in graph.edges(data=True)}
    assert {"parent", "stored_on", "backup_of", "grants", "exposed_to"} <= rels
    grant = next(d for _, t, d in graph.edges(data=True) if d["rel"] == "grants")
    assert set(grant["actions"]) <= {"read", "write", "delete", "admin"}
