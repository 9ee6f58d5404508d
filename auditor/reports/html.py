"""Self-contained HTML report (`scan --format html`, `render --format html`).

One file that works offline — no CDN, no external fonts or scripts. The picture comes first:
the diagram fills the right of the window (fitted, with pan and zoom) and the findings sit
beside it, filterable by severity, tier, environment, check and text. Clicking a finding
lights its evidence path and brings it into view; `report.html#finding=<fingerprint>` opens
with one finding selected. Large accounts get the overview drawing, where a finding lights
the project or credential group standing for each resource on its path.
"""

from __future__ import annotations

import json
from html import escape

from auditor import __version__
from auditor.core.errors import UsageError
from auditor.core.findings import Finding
from auditor.core.policy import Policy
from auditor.core.severity import SEVERITIES
from auditor.engine.audit import AuditResult
from auditor.reports.context import ReportContext

FINDINGS_DIAGRAM_UP_TO = 3000  # resources; up to this the findings' evidence is drawn, above it the overview
FULL_DIAGRAM_UP_TO = 300  # resources; up to this everything is drawn
SEP = "|"  # between environment names and tiers in data attributes

CSS = """
:root{--critical:#b3001b;--high:#d9480f;--medium:#b08900;--low:#1864ab;--info:#5c677d;--hl:#7048e8}
*{box-sizing:border-box}
html,body{height:100%}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#212529;
 background:#f8f9fa;
 display:flex;flex-direction:column}
header{background:#212529;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
header h1{margin:0;font-size:17px;white-space:nowrap}
header .meta{opacity:.85;font-size:12px;flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.summary{display:flex;gap:6px;margin-left:auto}
.badge{border-radius:4px;padding:2px 8px;color:#fff;font-weight:600;font-size:12px}
.badge b{font-size:14px;margin-right:4px}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}
.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.verdict-fail{color:#ffa8a8}.verdict-incomplete{color:#ffd43b}.verdict-pass{color:#8ce99a}
.incomplete{background:#fff3bf;border-bottom:1px solid #f08c00;padding:6px 16px}
#layout{flex:1;display:flex;min-height:0}
#side{width:36%;min-width:340px;max-width:640px;display:flex;flex-direction:column;
 border-right:1px solid #dee2e6;background:#fff}
.filters{display:flex;gap:6px;flex-wrap:wrap;padding:8px;border-bottom:1px solid #dee2e6}
.filters select,.filters input{padding:3px 6px;border:1px solid #ced4da;border-radius:4px;font:inherit;
 font-size:13px;max-width:180px}
#list{overflow:auto;flex:1}
.finding{display:flex;gap:8px;border-bottom:1px solid #e9ecef;padding:6px 8px;cursor:pointer;
 content-visibility:auto;contain-intrinsic-size:auto 150px}
.finding:hover{background:#f1f3f5}.finding.selected{background:#ede7ff;outline:2px solid var(--hl);outline-offset:-2px}
.finding .sev span{color:#fff;border-radius:4px;padding:1px 6px;font-size:11px;
 font-weight:600}.finding .body{min-width:0}
.what{font-size:12px;color:#495057}.what b{color:#212529}
.env{display:inline-block;border:1px solid #ced4da;border-radius:3px;padding:0 4px;margin:2px 3px 0 0;font-size:11px}
.env.production{border-color:var(--critical);color:var(--critical)}
code.path{display:block;font-size:11px;white-space:pre-wrap;color:#495057;margin-top:3px}
.fix{font-size:12px;color:#2b8a3e;margin-top:3px}
#canvas{flex:1;position:relative;min-width:0;background:#fff}
#diagram{position:absolute;inset:0;overflow:hidden;cursor:grab;touch-action:none}
#diagram.dragging{cursor:grabbing}
#diagram svg{width:100%;height:100%;display:block}
#tools{position:absolute;top:8px;right:8px;z-index:2;display:flex;gap:4px;align-items:center}
#tools button{font:inherit;font-size:13px;padding:2px 9px;border:1px solid #adb5bd;background:#fff;
 border-radius:4px;cursor:pointer}
#tools .hint{font-size:11px;color:#868e96;background:rgba(255,255,255,.85);padding:2px 4px}
#note{position:absolute;left:8px;bottom:6px;font-size:12px;color:#495057;background:rgba(255,255,255,.9);
 padding:2px 6px;z-index:2}

 #diagram g.hl polygon,#diagram g.hl ellipse,
#diagram g.hl path,#diagram g.hl polyline{stroke:var(--hl)!important;stroke-width:4px!important}
#diagram g.hl text{fill:var(--hl)!important;font-weight:bold}
#diagram.focused g.node:not(.hl),#diagram.focused g.edge:not(.hl){opacity:.35}
.count{color:#868e96;font-size:12px;align-self:center}
@media (max-width:900px){#layout{flex-direction:column}#side{width:auto;max-width:none;order:2;max-height:55vh}
 #canvas{order:1;min-height:45vh}}
"""

JS = """
(function(){
  var rows=[].slice.call(document.querySelectorAll('#findings .finding'));
  var f={sev:document.getElementById('f-sev'),tier:document.getElementById('f-tier'),
         env:document.getElementById('f-env'),
         check:document.getElementById('f-check'),text:document.getElementById('f-text')};
  function has(list,v){return ('|'+list+'|').indexOf('|'+v+'|')>=0}
  function apply(){
    var shown=0,needle=f.text.value.toLowerCase();
    rows.forEach(function(r){
      var ok=(!f.sev.value||r.dataset.sev===f.sev.value)&&(!f.check.value||r.dataset.check===f.check.value)&&
             (!f.tier.value||has(r.dataset.tier,f.tier.value))&&(!f.env.value||has(r.dataset.env,f.env.value))&&
             (!needle||r.textContent.toLowerCase().indexOf(needle)>=0);
      r.style.display=ok?'':'none';if(ok)shown++;
    });
    document.getElementById('shown').textContent=shown+' of '+rows.length+' findings shown';
  }
  Object.keys(f).forEach(function(k){f[k].addEventListener('input',apply)});
  // ------------------------------------------------------------ pan and zoom on the SVG's viewBox
  var box=document.getElementById('diagram'),svg=box.querySelector('svg'),full=null,view=null;
  if(svg){
    var vb=svg.viewBox.baseVal;full={x:vb.x,y:vb.y,w:vb.width,h:vb.height};
    svg.removeAttribute('width');svg.removeAttribute('height');
  }
  function setView(v){view=v;svg.setAttribute('viewBox',v.x+' '+v.y+' '+v.w+' '+v.h)}
  function fit(){if(svg)setView({x:full.x,y:full.y,w:full.w,h:full.h})}
  function unitsPerPixel(){return Math.max(view.w/box.clientWidth,view.h/box.clientHeight)}
  function toSvg(cx,cy){var p=svg.createSVGPoint();p.x=cx;p.y=cy;return p.matrixTransform(svg.getScreenCTM().inverse())}
  function zoom(k,cx,cy){
    if(!svg)return;var r=box.getBoundingClientRect();
    var p=toSvg(cx===undefined?r.left+r.width/2:cx,cy===undefined?r.top+r.height/2:cy);
    var w=Math.min(full.w*4,Math.max(full.w/60,view.w*k)),s=w/view.w;
    setView({x:p.x-(p.x-view.x)*s,y:p.y-(p.y-view.y)*s,w:w,h:view.h*s});
  }
  if(svg){
    fit();
    box.addEventListener('wheel',function(e){e.preventDefault();zoom(e.deltaY>0?1.2:1/1.2,e.clientX,e.clientY)},{passive:false});
    var drag=null;
    box.addEventListener('pointerdown',function(e){drag={x:e.clientX,y:e.clientY,v:view};box.classList.add('dragging')});
    window.addEventListener('pointermove',function(e){if(!drag)return;var u=unitsPerPixel();
      setView({x:drag.v.x-(e.clientX-drag.x)*u,y:drag.v.y-(e.clientY-drag.y)*u,w:drag.v.w,h:drag.v.h})});
    window.addEventListener('pointerup',function(){drag=null;box.classList.remove('dragging')});
    document.getElementById('z-in').addEventListener('click',function(){zoom(1/1.5)});
    document.getElementById('z-out').addEventListener('click',function(){zoom(1.5)});
    document.getElementById('z-fit').addEventListener('click',function(){fit();box.classList.remove('focused')});
  }
  // the union of the lit elements, in viewBox units, brought to the middle of the view
  function focusOn(els){
    if(!svg||!els.length)return;var inv=svg.getScreenCTM().inverse(),x0=1e12,y0=1e12,x1=-1e12,y1=-1e12;
    els.forEach(function(el){var r=el.getBoundingClientRect();[[r.left,r.top],[r.right,r.bottom]].forEach(function(c){
      var p=svg.createSVGPoint();p.x=c[0];p.y=c[1];p=p.matrixTransform(inv);
      x0=Math.min(x0,p.x);y0=Math.min(y0,p.y);x1=Math.max(x1,p.x);y1=Math.max(y1,p.y)})});
    var w=Math.max(x1-x0,full.w/8,200)*1.25,h=Math.max(y1-y0,full.h/8,150)*1.25;
    var aspect=box.clientWidth/Math.max(1,box.clientHeight);
    if(w/h<aspect)w=h*aspect;else h=w/aspect;
    setView({x:(x0+x1)/2-w/2,y:(y0+y1)/2-h/2,w:w,h:h});
  }
  function select(r){
    var was=r.classList.contains('selected');
    rows.forEach(function(x){x.classList.remove('selected')});
    [].forEach.call(document.querySelectorAll('#diagram .hl'),function(e){e.classList.remove('hl')});
    box.classList.remove('focused');
    if(was){fit();return}
    r.classList.add('selected');
    var lit=[];
    (r.dataset.nodes+' '+r.dataset.edges).split(' ').forEach(function(id){
      if(!id)return;var el=document.getElementById(id);if(el){el.classList.add('hl');lit.push(el)}
    });
    // frame the nodes and edges (a lit account or project frame would make the view the whole drawing)
    var inner=lit.filter(function(e){return !e.classList.contains('cluster')});
    if(lit.length){box.classList.add('focused');focusOn(inner.length?inner:lit)}
  }
  rows.forEach(function(r){r.addEventListener('click',function(){select(r)})});
  apply();
  // deep link: report.html#finding=<fingerprint> opens with that finding's path lit up
  var m=/#finding=([0-9a-f]+)/.exec(location.hash);
  if(m){rows.some(function(r){
    if(r.dataset.fingerprint.indexOf(m[1])===0){select(r);r.scrollIntoView({block:'center'});return true}})}
})();
"""


def _diagram(result: AuditResult, policy: Policy):  # type: ignore[no-untyped-def]
    """(diagram or None, inline SVG or '', a note for the reader)."""
    from auditor.render.diagram import build_diagram
    from auditor.render.dot import render_binary

    size = len(result.topology)
    diagram = build_diagram(result, policy, only_findings=FULL_DIAGRAM_UP_TO < size <= FINDINGS_DIAGRAM_UP_TO)
    try:
        svg = render_binary(diagram, "svg").decode("utf-8")
    except UsageError as exc:
        return None, "", f"No diagram: {exc}"
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: inline SVG needs neither
    if diagram.summarized:
        note = (
            f"Overview of {size:,} resources: the riskiest projects one node each; a finding lights the project "
            "or credential group holding each resource on its path."
        )
    elif size > FULL_DIAGRAM_UP_TO:
        note = "Only resources on the findings' evidence paths are drawn (the account is large)."
    else:
        note = ""
    return diagram, svg, note


def _row(f: Finding, ctx: ReportContext, label, shown_as, element, dom_id) -> str:  # type: ignore[no-untyped-def]
    nodes, edges = set(), set()
    for n in {f.resource_id, *(n for p in f.evidence for n in p.nodes)}:
        drawn = shown_as(n)
        if drawn is not None:
            nodes.add(element(drawn))
    for p in f.evidence:
        for s, r, t in p.edges():
            a, b = shown_as(s), shown_as(t)
            if a is not None and b is not None and a != b:
                edges.add(dom_id(f"{a}>{r}>{b}"))
    evidence = "".join(f'<code class="path">{escape(p.text(label))}</code>' for p in f.evidence)
    tiers = set(f.tiers)
    chips = "".join(
        f'<span class="env{" production" if "production" in tiers and len(tiers) == 1 else ""}">{escape(e)}</span>'
        for e in f.environments
    )
    chips += "".join(
        f'<span class="env tier{" production" if t == "production" else ""}">tier: {escape(t)}</span>' for t in f.tiers
    )
    failing = " · fails the run" if ctx.fails(f) else (" · baselined" if ctx.baselined(f) else "")
    return (
        f'<div class="finding" data-sev="{f.severity}" data-check="{escape(f.check_id)}" '
        f'data-env="{escape(SEP.join(f.environments))}" data-tier="{escape(SEP.join(f.tiers))}" '
        f'data-nodes="{" ".join(sorted(nodes))}" data-edges="{" ".join(sorted(edges))}" '
        f'data-fingerprint="{f.fingerprint}">'
        f'<div class="sev"><span class="sev-{f.severity}">{f.severity}</span></div>'
        f'<div class="body"><div class="what"><b>{escape(label(f.resource_id))}</b> · '
        f"{escape(f.check_id)}{failing}</div>{escape(f.message)}<div>{chips}</div>{evidence}"
        f'<div class="fix">Fix: {escape(f.remediation)}</div></div></div>'
    )


def render(ctx: ReportContext) -> str:
    from auditor.render.diagram import dom_id

    result, fail_on = ctx.result, ctx.verdict.fail_on
    policy = ctx.policy or Policy()
    counts = result.counts()
    label = result.label
    checks = sorted({f.check_id for f in result.findings})
    envs = sorted({e for f in result.findings for e in f.environments})
    tiers = sorted({t for f in result.findings for t in f.tiers})
    diagram, svg, note = _diagram(result, policy)
    shown_as = diagram.shown_as if diagram is not None else (lambda _n: None)

    def element(drawn: str) -> str:
        """The SVG id of a drawn node, or of a cluster (an environment on an evidence path)."""
        return f"cluster-{dom_id(drawn)}" if diagram is not None and drawn in diagram.clusters else dom_id(drawn)

    rows = [_row(f, ctx, label, shown_as, element, dom_id) for f in result.findings]
    sources = ", ".join(
        f"{escape(s.origin)} ({escape(s.provider)}, {len(s.resources):,} resources)" for s in result.sources
    )
    badges = "".join(f'<span class="badge sev-{s}"><b>{counts.get(s, 0)}</b>{s}</span>' for s in SEVERITIES)
    incomplete = ""
    if not ctx.complete:
        gaps = "".join(f"<li>{escape(g)}</li>" for g in ctx.gaps[:50])
        incomplete = (
            '<div class="incomplete"><b>Incomplete audit</b> — blastscope could not read everything; '
            f"this is not a clean bill.<ul>{gaps}</ul></div>"
        )

    def options(values: list[str]) -> str:
        return "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)

    now = result.now.strftime("%Y-%m-%d %H:%M UTC") if result.now else ""
    data = json.dumps(
        {
            "findings": len(result.findings),
            "resources": len(result.topology),
            "complete": ctx.complete,
            "verdict": ctx.verdict.status,
            "exit_code": ctx.verdict.exit_code,
        }
    )
    tools = (
        (
            '<div id="tools"><span class="hint">drag to pan · wheel to zoom · click a finding</span>'
            '<button id="z-in" title="zoom in">+</button><button id="z-out" title="zoom out">−</button>'
            '<button id="z-fit" title="fit the whole drawing">fit</button></div>'
        )
        if svg
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>blastscope report</title><style>{CSS}</style></head>
<body><header><h1>blastscope: shared blast radius</h1>
<div class="meta">{sources} · audited {now} · blastscope {__version__} · fail-on {fail_on}:
<b class="verdict verdict-{ctx.verdict.status}">{escape(ctx.verdict_word)}</b></div>
<div class="summary" id="summary">{badges}</div></header>
{incomplete}<div id="layout">
<section id="side" aria-label="findings">
<div class="filters">
<select id="f-sev" aria-label="severity"><option value="">all severities</option>{options(list(SEVERITIES))}</select>
<select id="f-tier" aria-label="tier"><option value="">all tiers</option>{options(tiers)}</select>
<select id="f-env" aria-label="environment"><option value="">all environments</option>{options(envs)}</select>
<select id="f-check" aria-label="check"><option value="">all checks</option>{options(checks)}</select>
<input id="f-text" type="search" placeholder="filter text…" aria-label="text"> <span class="count" id="shown"></span>
</div>
<div id="list"><div id="findings" role="list">{"".join(rows) or "<p>No findings.</p>"}</div></div>
</section>
<section id="canvas" aria-label="topology diagram">{tools}<div id="diagram">{svg}</div>
<div id="note">{escape(note)}</div></section>
</div>
<script type="application/json" id="report-data">{data}</script>
<script>{JS}</script>
</body></html>
"""
