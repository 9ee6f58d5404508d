"""Where a snapshot scan's time and memory go, phase by phase, in one process as the CLI runs it
(GC off): loading (`load_sources`), the audit, the JSON report (streamed to /dev/null).

    python bench/phase_split.py bench/out/speed-100000-s7.json

Prints one JSON line: CPU seconds of each phase, resident memory after each and the peak so far
(MiB). `bench_speed.py --only phases` runs it beside `json.load` of the same file in a separate
process, so neither sees the other's memory.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from datetime import UTC, datetime


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(path: str) -> None:
    gc.disable()
    from auditor.core.policy import Policy
    from auditor.core.verdict import judge
    from auditor.engine.audit import audit
    from auditor.engine.sources import load_sources
    from auditor.reports import render_stream
    from auditor.reports.context import ReportContext

    out: dict[str, float] = {"start_rss": rss_mib()}
    start = time.process_time()
    sources = load_sources([path])
    out["load_s"], out["load_rss"], out["load_peak"] = time.process_time() - start, rss_mib(), peak_mib()
    start = time.process_time()
    result = audit(sources, Policy(), now=datetime(2026, 11, 25, tzinfo=UTC))
    out["audit_s"], out["audit_rss"], out["audit_peak"] = time.process_time() - start, rss_mib(), peak_mib()
    verdict = judge(result.findings, fail_on="high", baseline=None, complete=result.complete, allow_partial=False)
    ctx = ReportContext(result, verdict, policy=Policy(), verbose=False, color=False)
    start = time.process_time()
    with open("/dev/null", "w", encoding="utf-8") as sink:
        for chunk in render_stream("json", ctx):
            sink.write(chunk)
    out["report_s"], out["report_rss"], out["report_peak"] = time.process_time() - start, rss_mib(), peak_mib()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
