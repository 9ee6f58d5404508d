"""Diagrams and the HTML report, checked as a reviewer would look at them: clusters and labels
in the SVG, production marked in words, evidence lit up, legible sizes on large accounts, and
the HTML opening in a real headless browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from auditor.core.policy import Policy
from auditor.engine.audit import audit
from auditor.engine.sources import load_file
from auditor.render.diagram import build_diagram
from tests.conftest import ROOT, SAMPLES, run_cli

SVG = "{http://www.w3.org/2000/svg}"
POCKETOS = str(SAMPLES / "pocketos" / "inventory.yaml")
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` not installed (apt-get install graphviz)"
)


def svg_texts(svg: str) -> tuple[list[str], list[str]]:
    """(cluster labels, node labels) of a Graphviz SVG."""
    root = ET.fromstring(svg)
    clusters, nodes = [], []
    for g in root.iter(f"{SVG}g"):
        texts = " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
        if "cluster" in (g.get("class") or ""):
            clusters.append(texts)
        elif "node" in (g.get("class") or ""):
            nodes.append(texts)
    return clusters, nodes


@needs_dot
@pytest.mark.parametrize(
    "inventory",
    sorted(SAMPLES.glob("*/inventory.yaml")) + sorted((SAMPLES / "terraform").glob("*.json")),
    ids=lambda p: p.parent.name + "/" + p.name,
)
def test_every_sample_renders_svg_and_png(inventory: Path, tmp_path: Path) -> None:
    svg = run_cli("render", str(inventory), "--format", "svg", "--now", "2026-11-24")
    assert svg.returncode == 0, svg.stderr
    clusters, nodes = svg_texts(svg.stdout)
    result = audit([load_file(inventory)], Policy())
    accounts = [r for r in result.topology.nodes.values() if r.kind == "account"]
    assert all(
        any(f"account {a.name}" in c for c in clusters)
        for a in accounts
        if any(r.relations.get("parent") == (a.id,) for r in result.topology.nodes.values())
    ), clusters
    png = tmp_path / "d.png"
    out = run_cli("render", str(inventory), "-o", str(png), "--now", "2026-11-24")
    assert out.returncode == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_dot
def test_incident_diagram_marks_production_in_words_and_colours_the_evidence() -> None:
    out = run_cli("render", POCKETOS, "--format", "svg", "--now", "2026-11-24")
    clusters, nodes = svg_texts(out.stdout)
    assert any("PRODUCTION · environment production" in c for c in clusters)
    assert any("environment staging (staging)" in c for c in clusters)
    assert any("database pocketos-db" in n and "3 findings" in n for n in nodes)
    assert any("backup weekly-2026-08-08" in n for n in nodes)
    # the backup-colocated evidence edge is drawn in the critical colour
    root = ET.fromstring(out.stdout)
    critical = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#b3001b"]
    assert len(critical) >= 4


@needs_dot
def test_highlight_a_blast_radius_and_a_finding() -> None:
    blast = run_cli("render", POCKETOS, "--highlight", "pg-data", "--format", "dot")
    assert blast.returncode == 0 and blast.stdout.count("#7048e8") >= 8  # pg-data and everything it takes
    fingerprint = json.loads(run_cli("scan", POCKETOS, "--format", "json").stdout)["findings"][0]["fingerprint"]
    finding = run_cli("render", POCKETOS, "--highlight", fingerprint[:10], "--format", "dot")
    assert finding.returncode == 0 and finding.stdout.count("#7048e8") >= 5
    bad = run_cli("render", POCKETOS, "--highlight", "nothing-like-this")
    assert bad.returncode == 2 and "neither a finding fingerprint" in bad.stderr


def test_focus_only_findings_and_collapsing() -> None:
    result = audit([load_file(POCKETOS)], Policy())
    focused = build_diagram(result, Policy(), focus="pocketos-db", depth=1)
    assert "pocketos-db" in focused.nodes and "alice" not in focused.nodes and focused.hidden > 0
    only = build_diagram(result, Policy(), only_findings=True)
    assert "api-staging" in only.nodes and "worker" not in only.nodes  # worker is on no evidence path
    services = [{"id": f"svc{i}", "kind": "service", "parent": "prod"} for i in range(38)]
    base = [
        {"id": "acct", "kind": "account"},
        {"id": "p", "kind": "project", "parent": "acct"},
        {"id": "prod", "kind": "environment", "parent": "p", "tier": "production"},
    ]
    from tests.conftest import run_audit

    many = build_diagram(run_audit(base + services), Policy())
    labels = [n.label for n in many.nodes.values()]
    assert "38 services" in labels and many.collapsed_groups == 1


def test_large_account_overview_stays_legible(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    subprocess.run(
        ["python", str(ROOT / "bench" / "generate.py"), "--resources", "1000", "-o", str(big)],
        check=True,
        capture_output=True,
    )
    result = audit([load_file(big)], Policy())
    diagram = build_diagram(result, Policy())
    assert len(result.topology) > 1000 and len(diagram.nodes) <= 80 and diagram.summarized >= 20
    assert any("finding" in n.label for n in diagram.nodes.values() if n.kind == "project")


def test_mermaid_and_dot_work_without_graphviz_binaries_and_images_say_how_to_install(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # no `dot` anywhere
    import sys

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "auditor", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    mermaid = cli("render", POCKETOS, "--format", "mermaid")
    assert (
        mermaid.returncode == 0
        and mermaid.stdout.startswith("flowchart LR")
        and "PRODUCTION · environment production" in mermaid.stdout
    )
    dot = cli("render", POCKETOS, "--format", "dot")
    assert dot.returncode == 0 and "digraph blastscope" in dot.stdout
    svg = cli("render", POCKETOS, "--format", "svg")
    assert svg.returncode == 2 and "apt-get install graphviz" in svg.stderr and "Traceback" not in svg.stderr
    assert len(svg.stderr.strip().splitlines()) == 1


@needs_dot
def test_blast_render_draws_the_delete(tmp_path: Path) -> None:
    target = tmp_path / "blast.svg"
    out = run_cli("blast", POCKETOS, "pg-data", "--render", str(target))
    assert out.returncode == 1
    clusters, nodes = svg_texts(target.read_text())
    assert any("database pocketos-db" in n for n in nodes) and any("backup weekly-2026-08-22" in n for n in nodes)
    assert not any("service worker" in n for n in nodes)  # not part of this delete


# -------------------------------------------------------------------------------- HTML
def test_html_report_is_self_contained() -> None:
    out = run_cli("scan", POCKETOS, "--format", "html", "--now", "2026-11-24")
    assert out.returncode == 1
    page = out.stdout
    assert page.startswith("<!DOCTYPE html>") and 'id="findings"' in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page.split("<svg")[0]
    assert page.count('<div class="finding"') == 13


chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@needs_dot
@pytest.mark.skipif(chromium is None, reason="no Chromium for the browser test (apt-get install chromium)")
def test_html_report_in_headless_chromium_lights_up_a_findings_path(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    assert run_cli("scan", POCKETOS, "--format", "html", "-o", str(report), "--now", "2026-11-24").returncode == 1
    fingerprint = json.loads(run_cli("scan", POCKETOS, "--format", "json", "--now", "2026-11-24").stdout)["findings"][
        0
    ]["fingerprint"]
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=3000",
            "--dump-dom",
            f"{report.as_uri()}#finding={fingerprint}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dom.returncode == 0, dom.stderr[-500:]
    assert 'id="findings"' in dom.stdout and "13 of 13 findings shown" in dom.stdout  # the script ran
    assert 'class="finding selected"' in dom.stdout
    assert dom.stdout.count(' hl"') >= 5  # the evidence nodes and edges of backup-colocated are lit
