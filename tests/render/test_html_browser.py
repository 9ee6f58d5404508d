"""The HTML report in a real headless Chromium driven over the DevTools protocol: a person's
click on a finding lights its path *inside the visible diagram*, and the filters by tier and
environment keep the credential findings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, run_cli
from tests.render.cdp import Chromium, find_chromium

POCKETOS = str(SAMPLES / "pocketos" / "inventory.yaml")
pytestmark = [
    pytest.mark.skipif(find_chromium() is None, reason="no Chromium for the browser test (apt-get install chromium)"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed"),
]

LIT_IN_VIEW = """(() => {
  const box = document.getElementById('diagram').getBoundingClientRect();
  const lit = [...document.querySelectorAll('#diagram .hl')];
  const inside = lit.filter(el => { const r = el.getBoundingClientRect();
    const cx = (r.left + r.right) / 2, cy = (r.top + r.bottom) / 2;
    return r.width > 0 && cx >= box.left && cx <= box.right && cy >= box.top && cy <= box.bottom
      && cx >= 0 && cy >= 0 && cx <= innerWidth && cy <= innerHeight; });
  return {lit: lit.length, inside: inside.length, nodes: lit.filter(e => e.classList.contains('node')).length,
          box: [box.left, box.top, box.width, box.height]};
})()"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    assert run_cli("scan", POCKETOS, "--format", "html", "-o", str(path), "--now", "2026-07-01").returncode == 1
    return path


@pytest.fixture(scope="module")
def browser(report: Path):
    """One Chromium for the module; each test reloads the report."""
    with Chromium(report.as_uri(), 1400, 860) as page:
        yield page


@pytest.fixture
def page(browser: Chromium, report: Path) -> Chromium:
    browser.navigate("about:blank")
    browser.navigate(report.as_uri())
    return browser


def row_center(page: Chromium, check_id: str) -> tuple[float, float]:
    rect = page.eval(f"""(() => {{ const r = document.querySelector('.finding[data-check="{check_id}"]');
        r.scrollIntoView({{block: 'center'}}); const b = r.getBoundingClientRect();
        return [b.left + b.width / 2, b.top + Math.min(b.height / 2, 20)]; }})()""")
    return rect[0], rect[1]


def test_clicking_a_finding_lights_its_path_inside_the_visible_diagram(page: Chromium) -> None:
    page.wait_for("document.getElementById('shown').textContent.indexOf('findings shown') > 0")
    layout = page.eval("""(() => { const d = document.getElementById('diagram').getBoundingClientRect();
        const l = document.getElementById('list').getBoundingClientRect();
        return [d.left, d.top, d.width, d.height, l.right]; })()""")
    left, top, width, height, list_right = layout
    assert (
        top < 120 and height > 600 and left >= list_right - 2 and width > 600
    )  # the picture is beside the findings, not below
    zoom_in = page.eval(
        "(() => "
        "{ const b = document.getElementById('z-in').getBoundingClientRect(); return [b.left + 5, b.top + 5]; })()"
    )
    for check_id in ("backup-colocated", "credential-can-destroy-all-copies"):
        for _ in range(4):  # a reader zoomed into some corner: the path starts partly off screen
            page.click(*zoom_in)
        page.eval(
            "(() => { const s = document.querySelector('#diagram svg'); const v = s.viewBox.baseVal;"
            " s.setAttribute('viewBox', [v.x - v.width, v.y - v.height, v.width, v.height].join(' ')); })()"
        )
        assert page.eval(LIT_IN_VIEW.replace("'#diagram .hl'", "'#diagram g.node'"))["inside"] == 0
        x, y = row_center(page, check_id)
        page.click(x, y)
        page.wait_for("document.querySelector('.finding.selected')")
        page.wait_for("document.querySelectorAll('#diagram .hl').length > 0")
        state = page.eval(LIT_IN_VIEW)
        assert page.eval("document.querySelector('.finding.selected').dataset.check") == check_id
        assert state["nodes"] >= 2, state
        assert state["inside"] == state["lit"], state  # every lit node and edge is on screen, in the diagram
    # clicking the selected finding again clears the selection and fits the whole drawing
    page.click(*row_center(page, "credential-can-destroy-all-copies"))
    page.wait_for("!document.querySelector('.finding.selected')")
    assert page.eval("document.querySelectorAll('#diagram .hl').length") == 0


def test_filters_by_tier_and_environment_keep_credential_findings(page: Chromium) -> None:
    page.wait_for("document.getElementById('shown').textContent.indexOf('findings shown') > 0")
    options = page.eval("[...document.querySelectorAll('#f-env option, #f-tier option')].map(o => o.value)")
    assert {"production", "staging"} <= set(options)

    def visible_checks(select: str, value: str) -> set[str]:
        return set(
            page.eval(f"""(() => {{ const s = document.getElementById('{select}'); s.value = '{value}';
            s.dispatchEvent(new Event('input')); const out = [...document.querySelectorAll('.finding')]
            .filter(r => r.style.display !== 'none').map(r => r.dataset.check); s.value = '';
            s.dispatchEvent(new Event('input')); return out; }})()""")
        )

    production = visible_checks("f-tier", "production")
    assert {
        "credential-can-destroy-all-copies",
        "backup-colocated",
        "storage-shared-across-environments",
    } <= production
    staging = visible_checks("f-env", "staging")
    assert {"credential-can-destroy-all-copies", "storage-shared-across-environments"} <= staging
    assert "backup-stale" not in staging  # a production-only finding


def test_pan_and_zoom_change_the_view(page: Chromium) -> None:
    page.wait_for("document.getElementById('shown').textContent.indexOf('findings shown') > 0")
    before = page.eval("document.querySelector('#diagram svg').getAttribute('viewBox')")
    x, y = page.eval(
        "(() => { const b = document.getElementById('z-in').getBoundingClientRect(); "
        "return [b.left + 5, b.top + 5]; })()"
    )
    page.click(x, y)
    zoomed = page.eval("document.querySelector('#diagram svg').getAttribute('viewBox')")
    assert float(zoomed.split()[2]) < float(before.split()[2])
    x, y = page.eval(
        "(() => { const b = document.getElementById('z-fit').getBoundingClientRect(); "
        "return [b.left + 5, b.top + 5]; })()"
    )
    page.click(x, y)
    assert page.eval("document.querySelector('#diagram svg').getAttribute('viewBox')") == before
