"""What every provider returns: resources from one place, and how completely it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.core.model import Resource


@dataclass(frozen=True)
class PlannedChange:
    """One resource change a plan announces (provider-neutral)."""

    address: str
    type: str
    actions: tuple[str, ...]
    #: the node this change touches in the prior graph; None when its type is not modelled
    node: str | None = None
    #: what the resource was before the change, for judging what is not modelled
    deposed: bool = False
    #: no mapping knows the type: when `node` is None too, nothing judged this change
    unmodelled: bool = False

    @property
    def deletes(self) -> bool:
        """Delete or replace: the object that exists now will be destroyed."""
        return "delete" in self.actions

    @property
    def how(self) -> str:
        return "replaced" if "create" in self.actions and self.deletes else "deleted"


@dataclass
class Plan:
    """What a plan says beyond its planned graph: the prior graph and the changes."""

    prior: list[Resource]
    changes: list[PlannedChange] = field(default_factory=list)


@dataclass
class Source:
    """Resources from one place, with how completely that place could be read.

    `gaps` lists what could not be read (e.g. "railway: backups of volume instance X: 503 after
    4 tries"); any gap makes the audit incomplete (exit 3 unless --allow-partial).
    `plan` is set by sources that describe a change (Terraform plans): the planned graph's
    resources are in `resources`, the prior ones in `plan.prior`.
    """

    origin: str
    provider: str
    resources: list[Resource]
    complete: bool = True
    gaps: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    plan: Plan | None = None

    @property
    def is_complete(self) -> bool:
        return self.complete and not self.gaps
