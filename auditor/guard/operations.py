"""What the guard found in a command or API call: destructive operations and their targets as
written (not yet resolved in any graph)."""

from __future__ import annotations

from auditor.guard.record import factory, record
from auditor.guard.shell import DYNAMIC


@record
class Operation:
    """One destructive operation.

    `targets` are references as written (id, provider-native id or name); empty when the call
    names none (a linked project, a whole Terraform configuration). `kinds` narrows what a
    reference may resolve to. `scope` names an environment that narrows the delete (Railway's
    `serviceDelete(environmentId:)`, `railway down -e`). `fixed` is a decision the operation
    gets whatever the graph says (e.g. "ask" for a restore that overwrites live data), with
    `note` saying why. `whole_state` marks a Terraform destroy of everything in the state.
    """

    tool: str
    operation: str
    targets: tuple[str, ...] = ()
    kinds: frozenset[str] | None = None
    scope: str | None = None
    note: str | None = None
    fixed: str | None = None
    whole_state: bool = False
    text: str = ""
    #: a Terraform plan's `show -json` document found beside the plan an apply names: judged by the gate
    plan_json: str | None = None

    def target_label(self) -> str:
        if not self.targets:
            return "(not named)"
        return ", ".join(t.replace(DYNAMIC, "$…") for t in self.targets)


@record
class Findings:
    """Operations found in one command line or API call, and what could not be followed."""

    operations: list[Operation] = factory(default_factory=list)
    blind_spots: list[str] = factory(default_factory=list)
