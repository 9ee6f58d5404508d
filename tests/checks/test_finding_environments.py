"""Every finding carries the environments it touches — its resource's, its evidence's, and a
credential's exposure and reach — with their tiers, so filters by environment or tier never
hide a credential finding."""

from __future__ import annotations

from auditor.core.policy import Policy
from auditor.engine.audit import audit
from auditor.engine.sources import load_file
from tests.conftest import NOW, SAMPLES


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
