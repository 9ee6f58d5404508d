"""Credential checks: reach across environments, exposure outside production, the power to
destroy every copy, shared secrets and missing expiry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from auditor.core.blast import PRODUCTION, BlastAnalysis
from auditor.core.checks import CheckContext, check
from auditor.core.evidence import EvidencePath, Link
from auditor.core.findings import Finding
from auditor.core.model import DESTRUCTIVE_ACTIONS, MUTATING_ACTIONS, Resource
from checks._common import env_label, make_finding, tier_label
from checks.data_protection import key_window_note


@check(
    id="credential-spans-environments",
    title="Credential can change production and other environments",
    severity="high",
    family="credentials",
    rationale="A token valid in production and staging turns every staging task into a production risk: the "
    "incident's token was created for staging work and could delete production.",
    remediation="Issue one credential per environment (e.g. Railway project tokens scoped to one environment); "
    "never reuse production credentials elsewhere.",
    references=("https://docs.railway.com/integrations/api",),
)
def spans_environments(ctx: CheckContext) -> Iterator[Finding]:
    topo, _policy, an = ctx.topology, ctx.policy, ctx.analysis
    for cred in topo.of_kind("credential"):
        if not cred.grants:
            continue  # reaches nothing (most credentials are secrets without grants)
        reach = an.reach_tiers(cred.id, MUTATING_ACTIONS)
        if PRODUCTION not in reach or len(reach) < 2:
            continue
        others = sorted(t for t in reach if t != PRODUCTION)
        evidence = [an.reach_path(cred.id, *reach[t]) for t in [PRODUCTION, *others]]
        yield make_finding(
            an,
            spans_environments.id,
            spans_environments.severity,
            cred.id,
            f"{topo.label(cred.id)} can change {tier_label(an, PRODUCTION, reach[PRODUCTION][1])} and "
            f"{', '.join(tier_label(an, t, reach[t][1]) for t in others)}: a mistake made with it in one "
            "environment lands in the other.",
            spans_environments.remediation,
            evidence=evidence,
            data={"tiers": sorted(reach)},
        )


def _exposures_outside(an: BlastAnalysis, cred_id: str) -> list[tuple[str, EvidencePath]]:
    """(why, path) for every exposure to non-production, CI or an agent."""
    topo = an.topo
    out = []
    for target in topo.nodes[cred_id].relations.get("exposed_to", ()):
        res = topo.nodes[target]
        head = EvidencePath.single(cred_id).then(Link("exposed_to", True), target)
        if res.kind == "principal" and res.attrs.get("type") in ("ci", "agent"):
            out.append((f"{res.attrs['type']} {res.name}", head))
            continue
        for env in sorted(an.envs(target)):
            tier = an.tiers.get(env)
            if tier is not None and tier.effective != PRODUCTION:
                out.append((env_label(an, env), head.join(an.env_path(target, env))))
                break
    return out


@check(
    id="credential-exposed-outside-scope",
    title="Production-deleting credential exposed to staging, CI or an agent",
    severity="high",
    family="credentials",
    rationale="Credentials placed where non-production tooling, CI jobs or coding agents can read them will "
    "eventually be used there; if they can delete production, one wrong call is enough.",
    remediation="Remove the credential from that environment, CI secret store or agent configuration; give that "
    "consumer a credential scoped to what it needs, without delete on production.",
    references=(
        "https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-06-Insufficient-Credential-Hygiene",
    ),
)
def exposed_outside_scope(ctx: CheckContext) -> Iterator[Finding]:
    topo, _policy, an = ctx.topology, ctx.policy, ctx.analysis
    for cred in topo.of_kind("credential"):
        if not cred.grants or not cred.relations.get("exposed_to"):
            continue
        reach = an.reach_tiers(cred.id, DESTRUCTIVE_ACTIONS)
        if PRODUCTION not in reach:
            continue
        exposures = _exposures_outside(an, cred.id)
        if not exposures:
            continue
        whom = ", ".join(why for why, _ in exposures)
        yield make_finding(
            an,
            exposed_outside_scope.id,
            exposed_outside_scope.severity,
            cred.id,
            f"{topo.label(cred.id)} can delete {tier_label(an, PRODUCTION, reach[PRODUCTION][1])} and is "
            f"exposed to {whom}: whoever holds it there can destroy production.",
            exposed_outside_scope.remediation,
            evidence=[path for _, path in exposures] + [an.reach_path(cred.id, *reach[PRODUCTION])],
            data={"exposed_to": [why for why, _ in exposures]},
        )


@check(
    id="credential-can-destroy-all-copies",
    title="Credential can destroy a dataset and every copy",
    severity="critical",
    family="credentials",
    rationale="If one credential can delete the data and every backup, one holder of it (a person, a CI job, an "
    "agent, an attacker) can lose the data for good.",
    remediation="Keep at least one copy where this credential cannot delete it (another account or project with "
    "separate credentials, or immutable/locked backups), and narrow the credential's grants.",
    references=(
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html",
        "https://docs.railway.com/volumes/backups",
    ),
    local=True,
)
def can_destroy_all_copies(ctx: CheckContext) -> Iterator[Finding]:
    topo, _policy, an = ctx.topology, ctx.policy, ctx.analysis
    for dataset in an.production_datasets():
        for cred_id, targets in sorted(an.credentials_destroying_all(dataset).items()):
            n_copies = len(targets) - 1
            what = f"and all {n_copies} of its copies" if n_copies else "(it has no other copy)"
            keys = sorted({t for t in targets.values() if an.is_key(t)})
            how = (
                f" (by scheduling the deletion of {', '.join(topo.label(k) for k in keys)}, which leaves what it "
                "encrypts unreadable)"
                if keys
                else ""
            )
            yield make_finding(
                an,
                can_destroy_all_copies.id,
                can_destroy_all_copies.severity,
                cred_id,
                f"{topo.label(cred_id)} can delete {topo.label(dataset)} {what}{how}: one holder of this "
                "credential can lose the data for good." + (key_window_note(topo, keys[0]) if keys else ""),
                can_destroy_all_copies.remediation,
                evidence=(
                    an.grant_path(cred_id, targets[c], dataset, c)
                    for c in sorted(targets, key=lambda c: (c != dataset, c))
                ),
                key=dataset,
                data={"dataset": dataset, "copies": sorted(targets)},
            )


@check(
    id="shared-secret-across-environments",
    title="Same secret exposed in production and elsewhere",
    severity="high",
    family="credentials",
    rationale="A secret value reused between production and staging/preview lets anyone who reads the weaker "
    "environment act on production.",
    remediation="Rotate the secret and give each environment its own value.",
    references=(
        "https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-06-Insufficient-Credential-Hygiene",
    ),
    local=True,
)
def shared_secret(ctx: CheckContext) -> Iterator[Finding]:
    topo, _policy, an = ctx.topology, ctx.policy, ctx.analysis
    groups: dict[str, list[Resource]] = defaultdict(list)
    for cred in topo.of_kind("credential"):
        if cred.relations.get("exposed_to"):
            groups[cred.attrs.get("fingerprint") or f"id:{cred.id}"].append(cred)
    # first which tiers see each secret (cheap: one tier set per exposure target and per distinct
    # set of environments), then witnesses and evidence only for the secrets reported
    tiers_at: dict[str, frozenset[str]] = {}
    tiers_of: dict[frozenset[str], frozenset[str]] = {}

    def tiers_seen_at(target: str) -> frozenset[str]:
        envs = an.envs(target)
        tiers_here = tiers_of.get(envs)
        if tiers_here is None:
            tiers_here = tiers_of[envs] = frozenset(an.tiers[e].effective for e in envs if e in an.tiers)
        tiers_at[target] = tiers_here
        return tiers_here

    reported = []
    for key, members in groups.items():
        if len(members) == 1 and len(targets := members[0].relations["exposed_to"]) == 1:  # most secrets
            seen = tiers_at.get(targets[0]) or tiers_seen_at(targets[0])
        else:
            seen = frozenset().union(
                *[tiers_at.get(t) or tiers_seen_at(t) for cred in members for t in cred.relations["exposed_to"]]
            )
        if PRODUCTION in seen and len(seen) > 1:
            reported.append(key)
    for key in sorted(reported):
        member_ids = [cred.id for cred in groups[key]]
        witnesses: dict[str, tuple[str, str, str]] = {}  # tier -> (credential, exposure target, env)
        for cred_id in sorted(member_ids):
            for target in topo.nodes[cred_id].relations.get("exposed_to", ()):
                for env in an.envs(target):
                    tier = an.tiers.get(env)
                    if tier is not None and (tier.effective not in witnesses or env < witnesses[tier.effective][2]):
                        witnesses[tier.effective] = (cred_id, target, env)
        if PRODUCTION not in witnesses or len(witnesses) < 2:
            continue
        tiers = {
            tier: EvidencePath.single(c).then(Link("exposed_to", True), t).join(an.env_path(t, e))
            for tier, (c, t, e) in witnesses.items()
        }
        others = sorted(t for t in tiers if t != PRODUCTION)
        subject = sorted(member_ids)[0]
        what = "the same secret value" if not key.startswith("id:") else "this secret"
        yield make_finding(
            an,
            shared_secret.id,
            shared_secret.severity,
            subject,
            f"{what.capitalize()} ({topo.label(subject)}"
            f"{f' and {len(member_ids) - 1} more' if len(member_ids) > 1 else ''}) is exposed in production and in "
            f"{', '.join(others)}: a leak from the weaker environment opens production.",
            shared_secret.remediation,
            evidence=[tiers[PRODUCTION]] + [tiers[t] for t in others],
            key=key if not key.startswith("id:") else "",
            data={"credentials": sorted(member_ids)},
        )


@check(
    id="credential-no-expiry",
    title="Delete-capable credential with no expiry",
    severity="low",
    family="credentials",
    rationale="Long-lived destructive credentials accumulate in files, CI settings and agent configs; an expiry "
    "bounds how long a leaked copy stays dangerous.",
    remediation="Issue the credential with an expiry and a rotation schedule.",
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#rotate-credentials",),
    local=True,
)
def no_expiry(ctx: CheckContext) -> Iterator[Finding]:
    topo, _policy, an = ctx.topology, ctx.policy, ctx.analysis
    for cred in topo.of_kind("credential"):
        if not cred.grants:
            continue  # most credentials are secrets without grants
        destructive = [g for g in cred.grants if g.actions & DESTRUCTIVE_ACTIONS]
        if not destructive or cred.attrs.get("expires_at") is not None or cred.attrs.get("short_lived") is True:
            continue  # short-lived: issued per session (an assumed IAM role, OIDC) — nothing long-lived to leak
        grant = sorted(destructive, key=lambda g: g.target)[0]
        path = EvidencePath.single(cred.id).then(Link("grants", True, ",".join(sorted(grant.actions))), grant.target)
        yield make_finding(
            an,
            no_expiry.id,
            no_expiry.severity,
            cred.id,
            f"{topo.label(cred.id)} can delete resources and has no expiry (or none the source reports).",
            no_expiry.remediation,
            evidence=[path],
        )
