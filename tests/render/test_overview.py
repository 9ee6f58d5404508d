"""Drawings that stay legible: the overview of a large account, grant arrows that end on a
node, outlines that follow the evidence a node sits on, a legend of shapes and lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor.core.policy import Policy
from auditor.core.severity import rank
from auditor.engine.audit import audit
from auditor.engine.sources import load_file
from auditor.render.diagram import LEGIBLE_NODES, build_diagram
from auditor.render.dot import dot_source
from auditor.render.overview import TOP_PROJECTS, project_index
from tests.conftest import NOW, ROOT, SAMPLES, invoke

POCKETOS = SAMPLES / "pocketos" / "inventory.yaml"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("big") / "big.json"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--resources", "1000", "-o", str(path)],
        check=True,
        capture_output=True,
    )
    return path, audit([load_file(path)], Policy(), now=NOW)


def test_incident_outlines_follow_the_evidence_and_grants_end_on_nodes() -> None:
    result = audit([load_file(POCKETOS)], Policy(), now=NOW)
    diagram = build_diagram(result, Policy())
    # the volume holding the database and every backup: its own finding is low, its evidence critical
    assert diagram.nodes["pg-data-production"].severity == "critical"
    source = dot_source(diagram)
    # a grant on the whole project ends on a visible node inside the project, not at the cluster edge
    assert 'label="whole project"' in source and "lhead=" not in source
    # the legend draws the real shapes and line styles
    assert "cluster_legend" in source and "legend_database" in source and "legend_credential" in source
    assert "grant: what a credential may do" in source and "style=dashed" in source


def test_large_account_becomes_an_overview_of_the_riskiest_projects(synthetic) -> None:
    _, result = synthetic
    diagram = build_diagram(result, Policy())
    projects = [r.id for r in result.topology.of_kind("project")]
    assert diagram.summarized == len(projects) > TOP_PROJECTS
    assert len(diagram.nodes) <= 30 and diagram.notes and "--focus PROJECT" in diagram.notes[0]
    drawn_projects = [n for n in diagram.nodes.values() if n.kind == "project"]
    assert len(drawn_projects) == TOP_PROJECTS
    rest = diagram.nodes["overview:other-projects"]
    assert f"{len(projects) - TOP_PROJECTS} more projects" in rest.label
    # the drawn projects are the riskiest: none of the rest has a worse finding
    worst_drawn = max(rank(n.severity) for n in drawn_projects if n.severity)
    assert rest.severity is None or rank(rest.severity) >= min(rank(n.severity) for n in drawn_projects if n.severity)
    assert worst_drawn <= rank("high")
    # credentials grouped by what they reach; every group's grants end on a drawn node
    groups = [n for n in diagram.nodes.values() if n.kind == "credential"]
    assert groups and sum(n.collapsed for n in groups) <= sum(1 for _ in result.topology.of_kind("credential"))
    assert all(e.target in diagram.nodes for e in diagram.edges)
    # every resource of a project is stood in for by a drawn node (the HTML report lights it)
    owner = project_index(result)
    for node_id, project in list(owner.items())[:500]:
        if project is not None:
            assert diagram.shown_as(node_id) in diagram.nodes


def test_focus_on_a_project_draws_that_project_in_detail(synthetic) -> None:
    _, result = synthetic
    project = max(
        result.topology.of_kind("project"), key=lambda p: sum(1 for o in project_index(result).values() if o == p.id)
    )
    diagram = build_diagram(result, Policy(), focus=project.id)
    assert not diagram.summarized and project.id in diagram.clusters
    assert len(diagram.nodes) <= LEGIBLE_NODES
    others = {r.id for r in result.topology.of_kind("project")} - {project.id}
    assert not others & set(diagram.clusters) and not others & set(diagram.nodes)


def test_render_warns_when_it_falls_back_to_the_overview(synthetic, tmp_path: Path) -> None:
    path, _ = synthetic
    out = invoke("render", str(path), "--now", "2026-11-25", "--format", "dot")
    assert out.returncode == 0, out.stderr
    assert "warning: too large to draw legibly" in out.stderr and "--focus PROJECT" in out.stderr
    assert "overview of" in out.stdout
