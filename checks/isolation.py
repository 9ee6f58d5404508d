"""Isolation checks: storage shared between production and other environments, and
environments whose tier nobody declared."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.core.blast import PRODUCTION
from auditor.core.checks import CheckContext, check
from auditor.core.findings import Finding
from auditor.core.model import DATA_KINDS
from checks._common import make_finding, tier_label


def _shared(served: dict[str, str]) -> bool:
    return PRODUCTION in served and len(served) > 1


@check(
    id="storage-shared-across-environments",
    title="Storage shared between production and other environments",
    severity="high",
    family="isolation",
    rationale="When staging, preview or CI can reach the volume, database or bucket production uses, a routine "
    "non-production action (a reset, a migration, a cleanup) destroys production data.",
    remediation="Give every environment its own storage, with no shared deletable parent; seed non-production from "
    "sanitised dumps, never by attaching to production storage.",
    references=("https://docs.railway.com/volumes/reference",),
)
def storage_shared(ctx: CheckContext) -> Iterator[Finding]:
    topo, _policy, an = ctx.topology, ctx.policy, ctx.analysis
    for res in topo.of_kind(*DATA_KINDS):
        served = an.served(res.id)
        if not _shared(served):
            continue
        below = an.destroyed_by(res.id)
        if any(n != res.id and topo.nodes[n].kind in DATA_KINDS and _shared(an.served(n)) for n in below):
            continue  # report the deepest shared holder only
        others = sorted(t for t in served if t != PRODUCTION)
        prod_witness = served[PRODUCTION]
        evidence = [an.destroyed_by_until(res.id, prod_witness)] + [
            an.destroyed_by_until(res.id, served[t]) for t in others
        ]
        other_text = ", ".join(tier_label(an, t, served[t]) for t in others)
        yield make_finding(
            an,
            storage_shared.id,
            storage_shared.severity,
            res.id,
            f"{topo.label(res.id)} serves {tier_label(an, PRODUCTION, prod_witness)} and {other_text}: "
            "a delete or bad migration from the non-production side destroys production data.",
            storage_shared.remediation,
            evidence=evidence,
            data={"tiers": sorted(served)},
        )


@check(
    id="environment-unclassified",
    title="Environment tier unknown (treated as production)",
    severity="medium",
    family="isolation",
    rationale="Checks need to know which environments are production; an unclassified one is treated as production "
    "so that nothing passes by accident, which may also hide real isolation problems.",
    remediation="Set `tier` on the environment in the source, or add its name to a tier's patterns in "
    ".blastscope.yaml.",
    references=("https://docs.railway.com/reference/environments",),
    local=True,
)
def environment_unclassified(ctx: CheckContext) -> Iterator[Finding]:
    topo, _policy, an = ctx.topology, ctx.policy, ctx.analysis
    for env_id, tier in sorted(an.tiers.items()):
        if tier.tier == "unknown":
            yield make_finding(
                an,
                environment_unclassified.id,
                environment_unclassified.severity,
                env_id,
                f"Environment {topo.nodes[env_id].name!r} has no tier and matches no policy name pattern; "
                "it is treated as production.",
                environment_unclassified.remediation,
            )
