"""Findings: what a check reports, with the evidence that proves it and a stable fingerprint."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from auditor.core.evidence import EvidencePath


@dataclass(frozen=True)
class Finding:
    """One problem on one resource.

    `evidence_key` distinguishes findings of the same check on the same resource (e.g. which
    credential can destroy a dataset); together with check id and resource id it makes the
    fingerprint, so baselines and suppressions survive reordering, renames of files and time.
    """

    check_id: str
    severity: str
    resource_id: str
    resource_name: str
    message: str
    evidence: list[EvidencePath] = field(default_factory=list)
    remediation: str = ""
    evidence_key: str = ""
    environments: list[str] = field(default_factory=list)
    #: effective tiers (production, staging, …) of those environments; unknown counts as production
    tiers: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    suppressed_by: str | None = None

    @functools.cached_property
    def fingerprint(self) -> str:
        raw = "\x1f".join((self.check_id, self.resource_id, self.evidence_key))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]

    def to_json(self, label: Callable[[str], str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check_id": self.check_id,
            "severity": self.severity,
            "resource_id": self.resource_id,
            "resource_name": self.resource_name,
            "message": self.message,
            "evidence": [p.to_json(label) for p in self.evidence],
            "remediation": self.remediation,
            "environments": self.environments,
            "tiers": self.tiers,
            "fingerprint": self.fingerprint,
        }
        if self.data:
            out["data"] = self.data
        if self.suppressed_by:
            out["suppressed_by"] = self.suppressed_by
        return out
