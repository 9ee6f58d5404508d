"""The built-in providers, in sniffing order: the most specific formats first.

Plugins add providers through the `blastscope.providers` entry-point group (an entry point
names an `auditor.core.provider.Provider` or a list of them).
"""

from __future__ import annotations

from auditor.core.provider import Provider
from auditor.io.snapshot import load_snapshot_bytes, looks_like_snapshot
from providers.aws import AWS
from providers.inventory import INVENTORY
from providers.railway import RAILWAY
from providers.terraform import TERRAFORM

SNAPSHOT = Provider(
    name="snapshot",
    description="blastscope snapshots (what `blastscope pull` writes)",
    sniff=looks_like_snapshot,
    load=load_snapshot_bytes,
)

#: Terraform before the inventory: the inventory's sniffer accepts any YAML-ish text.
BUILTIN_PROVIDERS: tuple[Provider, ...] = (SNAPSHOT, TERRAFORM, INVENTORY, RAILWAY, AWS)
