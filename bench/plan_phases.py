"""Where reading and scanning a Terraform plan spends its CPU time, phase by phase, in one
process with the GC off (as the CLI runs): decode, document reading (walks, masks, redaction),
context, translation and parsing of the planned and prior graphs, the audit.

    python bench/plan_phases.py bench/out/speed-plan-50000.json     # a plan bench/tfplan.py wrote
"""

from __future__ import annotations

import gc
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.core.policy import Policy  # noqa: E402
from auditor.core.topology import Topology  # noqa: E402
from auditor.engine.audit import audit  # noqa: E402
from auditor.io.files import read_input  # noqa: E402
from auditor.io.resources import parse_resources  # noqa: E402
from providers.terraform import load  # noqa: E402
from providers.terraform.context import Context  # noqa: E402
from providers.terraform.document import parse_document  # noqa: E402
from providers.terraform.translate import translate  # noqa: E402


def main() -> None:
    gc.disable()
    path = sys.argv[1]
    last = time.process_time()

    def lap(label: str) -> None:
        nonlocal last
        now = time.process_time()
        print(f"| {label} | {now - last:.2f} |", flush=True)
        last = now

    print("| phase | CPU s |\n| --- | ---: |")
    data = read_input(path)
    lap("read")
    floor = json.loads(data)
    lap("`json.loads` (the floor's decode, for scale)")
    del floor
    last = time.process_time()
    doc = load.quick_decode(data)
    lap("decode (msgspec)")
    tf = parse_document(doc, path)
    lap("document: walks, masks, redaction")
    ctx = Context.build(tf.resources + tf.prior, tf.provider_config, tf.root_config)
    lap("context (accounts, regions, references)")
    raw, _ = translate(tf.resources, ctx)
    lap("translate planned graph")
    planned = parse_resources(raw, path)
    lap("parse planned graph (shared loader)")
    prior_raw, _ = translate(tf.prior, ctx)
    lap("translate prior graph")
    load._parse_prior(prior_raw, raw, planned, path)
    lap("parse prior graph (reusing unchanged resources)")
    source = load.source_from_document(doc, path)
    last = time.process_time()
    now = datetime(2026, 11, 25, tzinfo=UTC)
    audit([source], Policy(), now=now, topology=Topology(source.resources))
    lap("audit, every check")
    audit([source], Policy(), now=now, only=["backup-colocated"], topology=Topology(source.resources))
    lap("(backup-colocated alone)")


if __name__ == "__main__":
    main()
