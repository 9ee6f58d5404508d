"""What `--highlight` and `blast --render` light up: one finding's evidence, or one delete's
blast radius (everything it destroys, the copies at stake, and who can make the call)."""

from __future__ import annotations

from auditor.core.blast import analysis
from auditor.core.errors import UsageError
from auditor.core.policy import Policy
from auditor.engine.audit import AuditResult
from auditor.uses.blast_query import blast_report, resolve_node

Selection = tuple[set[str], set[tuple[str, str, str]]]


def finding_elements(result: AuditResult, ref: str) -> Selection | None:
    """Nodes and edges of the finding whose fingerprint starts with `ref` (6+ characters)."""
    if len(ref) < 6:
        return None
    matches = [f for f in result.findings if f.fingerprint.startswith(ref)]
    if len(matches) > 1:
        raise UsageError(f"--highlight {ref!r} matches {len(matches)} findings; give more of the fingerprint")
    if not matches:
        return None
    nodes, edges = {matches[0].resource_id}, set()
    for path in matches[0].evidence:
        nodes.update(path.nodes)
        edges.update(path.edges())
    return nodes, edges


def blast_elements(result: AuditResult, policy: Policy, ref: str) -> tuple[Selection, set[str]]:
    """(highlighted nodes and edges, nodes worth drawing) for one delete of `ref`."""
    topo = result.topology
    an = analysis(topo, policy)
    node = resolve_node(topo, ref)
    report = blast_report(an, node)
    destroyed = set(report.destroyed)
    edges = {(child, how[0], how[1]) for child, how in report.destroyed.items() if how}
    draw = set(destroyed)
    for outcome in report.datasets:
        draw.update(outcome.copies)
    for cred, holder in report.credentials:
        draw.update((cred, holder))
    return (destroyed, edges), draw


def resolve_highlight(result: AuditResult, policy: Policy, ref: str) -> Selection:
    found = finding_elements(result, ref)
    if found is not None:
        return found
    try:
        return blast_elements(result, policy, ref)[0]
    except UsageError:
        raise UsageError(
            f"--highlight {ref!r}: neither a finding fingerprint (see --verbose or the JSON report) nor a resource"
        ) from None
