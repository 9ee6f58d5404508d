"""Where a snapshot scan's time goes, in one process: `json.load` (GC off) of the file, loading
it (`load_sources`), the audit, and each check of the audit, in CPU seconds.

    python bench/bench_phases.py bench/out/speed-100000-s7.json --runs 3

The process runs with the GC off, as the CLI does. Each run loads and audits afresh (nothing is
shared between runs); the phases of one run are timed back to back, so their ratios hold even
when other jobs share the cores. Medians over --runs are printed.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.core.checks import CheckContext  # noqa: E402
from auditor.core.policy import Policy  # noqa: E402
from auditor.core.topology import Topology  # noqa: E402
from auditor.engine.audit import apply_suppressions, merge_sources, select_checks  # noqa: E402
from auditor.engine.registry import check_registry  # noqa: E402
from auditor.engine.sources import load_sources  # noqa: E402

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def one_run(path: Path) -> dict[str, float]:
    clock = time.process_time
    out: dict[str, float] = {}
    start = clock()
    with open(path, "rb") as handle:
        json.load(handle)
    out["json.load"] = clock() - start
    start = clock()
    sources = load_sources([str(path)])
    out["load_sources"] = clock() - start
    policy = Policy()
    start = clock()
    topo = Topology(merge_sources(sources))
    out["audit: Topology"] = clock() - start
    ctx = CheckContext(topo, policy, NOW)
    an = ctx.analysis
    first = next(iter(topo.nodes), None)
    if first is not None:  # the passes every check shares, timed on their own
        for name, warm in (("envs", an.envs), ("served", an.served)):
            begin = clock()
            warm(first)
            out[f"  shared: {name}"] = clock() - begin
        begin = clock()
        an.production_datasets()
        out["  shared: production_datasets"] = clock() - begin
    findings = []
    for check in select_checks(check_registry()):
        begin = clock()
        findings.extend(check.run(ctx))
        out[f"  check {check.id}"] = clock() - begin
    begin = clock()
    apply_suppressions(findings, policy, NOW)
    out["  apply_suppressions"] = clock() - begin
    out["audit (all)"] = clock() - start
    out["findings"] = len(findings)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    gc.disable()
    runs = []
    for _ in range(args.runs):
        runs.append(one_run(args.snapshot))
        gc.collect()
    floor = statistics.median(r["json.load"] for r in runs)
    print(f"{args.snapshot.name}: medians of {args.runs} runs, CPU seconds (× json.load)")
    for key in runs[0]:
        value = statistics.median(r[key] for r in runs)
        if key == "findings":
            print(f"{key:48} {value:>9.0f}")
        else:
            print(f"{key:48} {value:9.3f}  {value / floor:6.2f}×")
    load_audit = [r["load_sources"] + r["audit (all)"] for r in runs]
    print(f"{'load + audit':48} {statistics.median(load_audit):9.3f}  {statistics.median(load_audit) / floor:6.2f}×")


if __name__ == "__main__":
    main()
