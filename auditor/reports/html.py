"""Self-contained HTML report (`scan --format html`, `render --format html`).

One file that works offline — no CDN, no external fonts or scripts: a summary by severity,
the findings table with filters (severity, check, environment, text), each finding's evidence
paths and fix, and the topology diagram as inline SVG where clicking a finding lights up its
evidence path. Large accounts get the findings-only diagram so the page stays usable.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from auditor import __version__
from auditor.engine.audit import AuditResult
from auditor.reports.context import ReportContext
from auditor.core.errors import UsageError
from auditor.core.policy import Policy
from auditor.core.severity import SEVERITIES

FULL_DIAGRAM_UP_TO = 300  # resources; above that the diagram shows only the findings' evidence

CSS = """
:root{--critical:#b3001b;--high:#d9480f;--medium:#b08900;--low:#1864ab;--info:#5c677d;--hl:#7048e8}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#212529;background:#f8f9fa}
header{background:#212529;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:20px}
header .meta{opacity:.8;font-size:13px}
main{padding:16px 24px;max-width:1600px}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0 16px}
.badge{border-radius:6px;padding:8px 14px;color:#fff;font-weight:600;min-width:90px}
.badge b{display:block;font-size:22px}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}
.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.incomplete{background:#fff3bf;border:1px solid #f08c00;padding:8px 12px;border-radius:6px;margin-bottom:12px}
.filters{display:flex;gap:8px;flex-wrap:wrap;margin:12px 0}
.filters select,.filters input{padding:5px 8px;border:1px solid #ced4da;border-radius:4px;font:inherit}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #dee2e6;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#e9ecef;position:sticky;top:0}
tr.finding{cursor:pointer}tr.finding:hover{background:#f1f3f5}tr.finding.selected{background:#ede7ff}
td.sev span{color:#fff;border-radius:4px;padding:1px 6px;font-size:12px;font-weight:600}
code.path{display:block;font-size:12px;white-space:pre-wrap;color:#495057;margin-top:3px}
.fix{font-size:12px;color:#2b8a3e;margin-top:4px}
#diagram{background:#fff;border:1px solid #dee2e6;border-radius:6px;margin-top:16px;overflow:auto;max-height:85vh}
#diagram svg{max-width:none}
#diagram g.hl polygon,#diagram g.hl ellipse,#diagram g.hl path,#diagram g.hl polyline{stroke:var(--hl)!important;stroke-width:4px!important}
#diagram g.hl text{fill:var(--hl)!important;font-weight:bold}
.count{color:#868e96;font-size:13px}
"""

JS = """
(function(){
  var rows=[].slice.call(document.querySelectorAll('#findings tbody tr.finding'));
  var f={sev:document.getElementById('f-sev'),check:document.getElementById('f-check'),env:document.getElementById('f-env'),text:document.getElementById('f-text')};
  function apply(){
    var shown=0;
    rows.forEach(function(r){
      var ok=(!f.sev.value||r.dataset.sev===f.sev.value)&&(!f.check.value||r.dataset.check===f.check.value)&&
             (!f.env.value||(' '+r.dataset.env+' ').indexOf(' '+f.env.value+' ')>=0)&&
             (!f.text.value||r.textContent.toLowerCase().indexOf(f.text.value.toLowerCase())>=0);
      r.style.display=ok?'':'none';if(ok)shown++;
    });
    document.getElementById('shown').textContent=shown+' of '+rows.length+' findings shown';
  }
  Object.keys(f).forEach(function(k){f[k].addEventListener('input',apply)});
  rows.forEach(function(r){r.addEventListener('click',function(){
    var was=r.classList.contains('selected');
    rows.forEach(function(x){x.classList.remove('selected')});
    [].forEach.call(document.querySelectorAll('#diagram .hl'),function(e){e.classList.remove('hl')});
    if(was)return;
    r.classList.add('selected');
    var first=null;
    (r.dataset.nodes+' '+r.dataset.edges).split(' ').forEach(function(id){
      if(!id)return;var el=document.getElementById(id);if(el){el.classList.add('hl');first=first||el;}
    });
    if(first&&first.scrollIntoView)first.scrollIntoView({block:'center',inline:'center',behavior:'smooth'});
  })});
  apply();
  // deep link: report.html#finding=<fingerprint> opens with that finding's path lit up
  var m=/#finding=([0-9a-f]+)/.exec(location.hash);
  if(m){rows.forEach(function(r){if(r.dataset.fingerprint.indexOf(m[1])===0)r.click()})}
})();
"""


def _diagram_svg(result: AuditResult, policy: Policy) -> tuple[str, str]:
    """(inline SVG or '', a note for the reader)."""
    from auditor.render.diagram import build_diagram
    from auditor.render.dot import render_binary

    only = len(result.topology) > FULL_DIAGRAM_UP_TO
    diagram = build_diagram(result, policy, only_findings=only)
    try:
        svg = render_binary(diagram, "svg").decode("utf-8")
    except UsageError as exc:
        return "", f"No diagram: {exc}"
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE: inline SVG needs neither
    note = "Only resources on the findings' evidence paths are drawn (the account is large)." if only else ""
    return svg, note


def render(ctx: ReportContext) -> str:
    from auditor.render.diagram import dom_id

    result, fail_on = ctx.result, ctx.verdict.fail_on
    policy = ctx.policy or Policy()
    counts = result.counts()
    label = result.label
    checks = sorted({f.check_id for f in result.findings})
    envs = sorted({e for f in result.findings for e in f.environments})
    rows = []
    for f in result.findings:
        nodes = {f.resource_id} | {n for p in f.evidence for n in p.nodes}
        edges = {(s, r, t) for p in f.evidence for s, r, t in p.edges()}
        evidence = "".join(f'<code class="path">{escape(p.text(label))}</code>' for p in f.evidence)
        rows.append(
            f'<tr class="finding" data-sev="{f.severity}" data-check="{escape(f.check_id)}" data-env="{escape(" ".join(f.environments))}" '
            f'data-nodes="{" ".join(dom_id(n) for n in sorted(nodes))}" data-edges="{" ".join(dom_id(f"{s}>{r}>{t}") for s, r, t in sorted(edges))}" '
            f'data-fingerprint="{f.fingerprint}">'
            f'<td class="sev"><span class="sev-{f.severity}">{f.severity}</span></td><td>{escape(f.check_id)}</td>'
            f'<td>{escape(label(f.resource_id))}</td><td>{escape(", ".join(f.environments))}</td>'
            f'<td>{escape(f.message)}{evidence}<div class="fix">Fix: {escape(f.remediation)}</div></td></tr>'
        )
    svg, note = _diagram_svg(result, policy)
    sources = ", ".join(f"{escape(s.origin)} ({escape(s.provider)}, {len(s.resources)} resources)" for s in result.sources)
    badges = "".join(f'<div class="badge sev-{s}"><b>{counts.get(s, 0)}</b>{s}</div>' for s in SEVERITIES)
    incomplete = ""
    if not ctx.complete:
        gaps = "".join(f"<li>{escape(g)}</li>" for g in ctx.gaps[:50])
        incomplete = f'<div class="incomplete"><b>Incomplete audit</b> — blastscope could not read everything; this is not a clean bill.<ul>{gaps}</ul></div>'
    options = lambda values: "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)  # noqa: E731
    now = result.now.strftime("%Y-%m-%d %H:%M UTC") if result.now else ""
    data = json.dumps({"findings": len(result.findings), "resources": len(result.topology), "complete": ctx.complete,
                       "verdict": ctx.verdict.status, "exit_code": ctx.verdict.exit_code})
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>blastscope report</title><style>{CSS}</style></head>
<body><header><h1>blastscope: shared blast radius</h1>
<div class="meta">{sources} · audited {now} · blastscope {__version__} · fail-on {fail_on}: <b class="verdict">{escape(ctx.verdict_word)}</b></div></header>
<main>
{incomplete}<section class="summary" id="summary">{badges}</section>
<div class="filters">
<select id="f-sev"><option value="">all severities</option>{options(SEVERITIES)}</select>
<select id="f-check"><option value="">all checks</option>{options(checks)}</select>
<select id="f-env"><option value="">all environments</option>{options(envs)}</select>
<input id="f-text" type="search" placeholder="filter text…"> <span class="count" id="shown"></span>
</div>
<table id="findings"><thead><tr><th>severity</th><th>check</th><th>resource</th><th>environments</th><th>finding, evidence and fix (click a row to light up its path)</th></tr></thead>
<tbody>{"".join(rows) or '<tr><td colspan="5">No findings.</td></tr>'}</tbody></table>
<section id="diagram" aria-label="topology diagram">{svg}</section>
<p class="count">{escape(note)}</p>
<script type="application/json" id="report-data">{data}</script>
<script>{JS}</script>
</main></body></html>
"""
