"""Two versions of the Railway pull, compared pull by pull: each source tree runs in a process of
its own with its own emulator (50 projects × 4 environments × 5 volumes, as bench_railway.py),
and single pulls alternate between them, so both meet the same minutes of a machine whose speed
drifts. Prints each side's median and best wall time against latency × rounds, and the per-pull
ratio (second / first) of wall and client CPU.

    git worktree add /tmp/before main    # or: mkdir /tmp/before && git archive main | tar -x -C /tmp/before
    python bench/railway_pairs.py /tmp/before . --pulls 40
    python bench/railway_pairs.py /tmp/before . --pulls 30 --latency 0
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def worker(tree: Path, latency: float) -> None:
    """One side: pull whenever a line `go` arrives on stdin, answer with one JSON line."""
    import gc

    sys.path.insert(0, str(tree))
    os.chdir(tree)
    gc.disable()  # as the CLI runs
    from bench.bench_railway import start_emulator

    account = argparse.Namespace(projects=50, environments=4, volumes=5, backups=3)
    proc, url, token = start_emulator(account, latency)
    from auditor.cli.live import LiveFlags, live_settings
    from providers.railway import RAILWAY, pull_source

    os.environ["RAILWAY_API_TOKEN"] = token
    os.environ.pop("RAILWAY_TOKEN", None)
    kept: list = []  # the last sources, freed outside the timed pulls (as bench_railway.py does)
    try:
        pull_source(live_settings(RAILWAY, LiveFlags(endpoint=url)))  # warm-up
        print("ready", flush=True)
        for line in sys.stdin:
            if line.strip() != "go":
                break
            t0, c0 = time.perf_counter(), time.process_time()
            source = pull_source(live_settings(RAILWAY, LiveFlags(endpoint=url)))
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            kept = [*kept[-2:], source]
            stats = source.meta["railway"]
            answer = {
                "wall": wall,
                "cpu": cpu,
                "rounds": stats["dependent_rounds"],
                "requests": stats["requests"],
                "minimum": stats["requests_minimum"],
                "resources": len(source.resources),
                "complete": source.complete,
            }
            print(json.dumps(answer), flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("first", type=Path, help="source tree of the first side (the base)")
    ap.add_argument("second", type=Path, help="source tree of the second side")
    ap.add_argument("--pulls", type=int, default=30, help="pulls per side")
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.first.resolve(), args.latency)
        return
    sides = {"first": args.first.resolve(), "second": args.second.resolve()}
    procs = {
        name: subprocess.Popen(
            [sys.executable, __file__, str(tree), str(tree), "--worker", "--latency", str(args.latency)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, tree in sides.items()
    }
    try:
        for proc in procs.values():
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        results: dict[str, list[dict]] = {name: [] for name in sides}
        loads = []
        for i in range(args.pulls):
            loads.append(os.getloadavg()[0])
            for name in sides if i % 2 == 0 else reversed(list(sides)):
                proc = procs[name]
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write("go\n")
                proc.stdin.flush()
                results[name].append(json.loads(proc.stdout.readline()))
    finally:
        for proc in procs.values():
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=30)
    ideal = args.latency * 3
    print(
        f"{args.pulls} alternating pulls per side at {args.latency * 1000:.0f} ms latency; "
        f"load average (1 min) {min(loads):.1f}–{max(loads):.1f}"
    )
    for name, tree in sides.items():
        walls = [r["wall"] for r in results[name]]
        first = results[name][0]
        against = f" = {statistics.median(walls) / ideal:.2f}× latency × rounds" if ideal else ""
        best = f" = {min(walls) / ideal:.2f}×" if ideal else ""
        print(
            f"- {name} ({tree}): wall median {statistics.median(walls) * 1000:.0f} ms{against}, "
            f"best {min(walls) * 1000:.0f} ms{best}; client CPU median "
            f"{statistics.median(r['cpu'] for r in results[name]) * 1000:.0f} ms; requests {first['requests']} "
            f"(minimum {first['minimum']}), {first['rounds']} dependent rounds, {first['resources']} resources, "
            f"complete: {all(r['complete'] for r in results[name])}"
        )
    for what in ("wall", "cpu"):
        ratios = [b[what] / a[what] for a, b in zip(results["first"], results["second"], strict=True)]
        q1, _, q3 = statistics.quantiles(ratios, n=4)
        median = statistics.median(ratios)
        print(f"- per-pull second / first, {what}: median {median:.3f} (quartiles {q1:.3f}–{q3:.3f})")


if __name__ == "__main__":
    main()
