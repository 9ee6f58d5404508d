"""Every finding carries the environments it touches — its resource's, its evidence's, and a
credential's exposure and reach — with their tiers, so filters by environment or tier never
hide a credential finding."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.core.evidence import EvidencePath
from auditor.core.policy import Policy
from auditor.engine.audit import audit
from auditor.engine.sources import load_file
from checks._common import touched_environments, touched_environments_walk
from tests.conftest import NOW, SAMPLES
from tests.core.test_blast_properties import analyse, topologies


def test_credential_findings_carry_exposure_and_reach() -> None:
    result = audit([load_file(SAMPLES / "pocketos" / "inventory.yaml")], Policy(), now=NOW)
    by_key = {(f.check_id, f.resource_id): f for f in result.findings}
    token = by_key[("credential-can-destroy-all-copies", "staging-deploy-token")]
    # exposed to staging, reaches the production database
    assert set(token.environments) == {"staging", "production"} and set(token.tiers) == {"staging", "production"}
    shared = by_key[("storage-shared-across-environments", "pg-data")]
    assert set(shared.environments) == {"staging", "production"}
    stale = by_key[("backup-stale", "pocketos-db")]
    assert stale.environments == ["production"] and stale.tiers == ["production"]
    for f in result.findings:
        assert f.environments, f.check_id  # every finding of this account is somewhere
        assert f.to_json(result.label)["tiers"] == f.tiers


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topologies(), st.data())
def test_touched_environments_by_distinct_sets_equal_node_by_node(resources: list[dict], data) -> None:
    """The fast union (each distinct environment set merged once) equals the node-by-node one,
    for any resource, evidence walk and exposure, nodes the graph lacks included."""
    envs = [r["id"] for r in resources if r["kind"] == "environment"]
    for r in resources:
        if envs and r["kind"] in ("database", "service") and data.draw(st.booleans()):
            r["in_environment"] = data.draw(st.sampled_from(envs))
    places = [r["id"] for r in resources if r["kind"] in ("environment", "service", "project", "account")]
    for r in resources:
        if places and r["kind"] == "credential" and data.draw(st.booleans()):
            r["exposed_to"] = data.draw(st.lists(st.sampled_from(places), min_size=1, max_size=2, unique=True))
    an = analyse(resources)
    ids = list(an.topo.nodes)
    for resource_id in data.draw(st.lists(st.sampled_from(ids), max_size=4)):
        walks = data.draw(st.lists(st.lists(st.sampled_from(ids + ["not-in-graph"]), min_size=1), max_size=3))
        paths = [EvidencePath(tuple(w), ()) for w in walks]
        fast = touched_environments(an, resource_id, paths)
        assert isinstance(fast, frozenset)
        assert fast == touched_environments_walk(an, resource_id, paths)
