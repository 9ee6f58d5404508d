"""Change checks: judged on a planned change, not on one graph (see auditor/gate.py)."""

from __future__ import annotations

from checks import Check, register

DESTRUCTIVE = register(Check(
    id="destructive-change", title="Planned change deletes or replaces a data holder", severity="critical",
    family="change",
    rationale="A plan that destroys a volume, database or bucket loses its data unless a copy survives elsewhere; "
    "a replace (delete then create) loses it just the same. This is the hard stop before a destructive operation.",
    remediation="Make sure a restorable copy exists outside what the plan destroys (take and verify a snapshot in "
    "another account first), or change the plan so it updates in place; protect the resource (deletion "
    "protection, lifecycle prevent_destroy).",
    run=lambda _topo, _policy: iter(()),  # needs the planned actions: `blastscope gate` evaluates it
    references=("SPEC §7", "https://developer.hashicorp.com/terraform/internals/json-format"),
    severity_note="critical when the last copy of a dataset goes with the plan (the finding lists what is lost), "
    "high otherwise; reported by `blastscope gate` only",
    needs_plan=True,
))
