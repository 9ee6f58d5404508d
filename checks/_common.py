"""Helpers shared by the check families: building findings with names and environments."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from auditor.core.blast import EVIDENCE_LIMIT, BlastAnalysis
from auditor.core.evidence import EvidencePath
from auditor.core.findings import Finding

MAX_PATHS = EVIDENCE_LIMIT


def make_finding(
    an: BlastAnalysis,
    check_id: str,
    severity: str,
    resource_id: str,
    message: str,
    remediation: str,
    *,
    evidence: Iterable[EvidencePath] = (),
    key: str = "",
    data: dict[str, Any] | None = None,
) -> Finding:
    res = an.topo.nodes[resource_id]
    paths = evidence[:MAX_PATHS] if isinstance(evidence, list) else list(itertools.islice(evidence, MAX_PATHS))
    names, tiers = an.environment_names(touched_environments(an, resource_id, paths))
    return Finding(
        check_id=check_id,
        severity=severity,
        resource_id=resource_id,
        resource_name=res.name,
        message=message,
        evidence=paths,
        remediation=remediation,
        evidence_key=key,
        environments=list(names),
        tiers=list(tiers),
        data=data or {},
    )


def touched_environments(an: BlastAnalysis, resource_id: str, paths: list[EvidencePath]) -> frozenset[str]:
    """Environment ids a finding touches: its resource's, every node's on its evidence (a
    credential's reach ends in the environment it proves), and where a credential is exposed."""
    exposed = an.topo.nodes[resource_id].relations.get("exposed_to", ())
    if not paths and not exposed:
        return an.envs(resource_id)
    return an.envs_of_nodes(itertools.chain((resource_id,), exposed, *[path.nodes for path in paths]))


def touched_environments_walk(an: BlastAnalysis, resource_id: str, paths: list[EvidencePath]) -> set[str]:
    """touched_environments() node by node: the definition."""
    nodes = {resource_id, *an.topo.nodes[resource_id].relations.get("exposed_to", ())}
    for path in paths:
        nodes.update(path.nodes)
    known, envs = an.topo.nodes, an.envs
    return set().union(*[envs(n) for n in nodes if n in known])


def env_label(an: BlastAnalysis, env_id: str) -> str:
    """'environment staging', 'environment uat (staging)', 'environment blue (unclassified, treated as production)'."""
    name = an.topo.nodes[env_id].name
    tier = an.tiers.get(env_id)
    if tier is None or tier.tier == name.lower():
        return f"environment {name}"
    if tier.tier == "unknown":
        return f"environment {name} (unclassified, treated as production)"
    return f"environment {name} ({tier.tier})"


def witness_label(an: BlastAnalysis, witness: str) -> str:
    """What proves a tier is reached: an environment, or a dataset in no environment."""
    if witness in an.tiers:
        return env_label(an, witness)
    return f"{an.topo.label(witness)} (in no environment, treated as production)"


def tier_label(an: BlastAnalysis, tier: str, witness: str) -> str:
    """'staging' when the witness is simply the environment of that name, else 'production (environment live)'."""
    if witness in an.tiers and an.topo.nodes[witness].name.lower() == tier:
        return tier
    return f"{tier} ({witness_label(an, witness)})"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
