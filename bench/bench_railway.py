"""Railway pull benchmark: request count against the minimum the batching allows, and wall
time against latency × dependent rounds, for a generated account served by the emulator in a
separate process (so its CPU work does not share our interpreter lock).

    python bench/bench_railway.py                       # 50 projects × 4 envs × 5 volumes, 50 ms
    python bench/bench_railway.py --projects 10 --latency 0.1 --runs 5

Prints one markdown table row per configuration (median of --runs pulls): requests against
the minimum, dependent rounds, wall time against latency × rounds, the client's CPU, and the
time from the last answer to the end of the pull (the translation the pull could not overlap
with the round trips). Each run also pulls once "one go" — every project translated after the
last answer, as before projects were translated while the pull ran — alternating with the
streaming pull, so the two are compared under the same load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def start_emulator(args: argparse.Namespace, latency: float) -> tuple[subprocess.Popen, str, str]:
    cmd = [
        sys.executable,
        "-m",
        "providers.railway.emulator",
        "--fixture",
        "generated",
        "--seed",
        "7",
        "--projects",
        str(args.projects),
        "--environments",
        str(args.environments),
        "--volumes",
        str(args.volumes),
        "--backups",
        str(args.backups),
        "--latency",
        str(latency),
        "--cache",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip().rsplit(" ", 1)[-1]
    token = proc.stdout.readline().strip().split("=", 1)[1]
    return proc, url, token


class OneGo:
    """While active, the pull's listener hears nothing: every project is translated after the
    last answer (the pull as it was before translation overlapped the round trips)."""

    def __enter__(self) -> None:
        from providers.railway.translate import ProjectsAsTheyArrive

        self.saved = ProjectsAsTheyArrive.read, ProjectsAsTheyArrive.answered
        ProjectsAsTheyArrive.read = ProjectsAsTheyArrive.answered = lambda self, p, ws: None  # type: ignore[method-assign]

    def __exit__(self, *exc: object) -> None:
        from providers.railway.translate import ProjectsAsTheyArrive

        ProjectsAsTheyArrive.read, ProjectsAsTheyArrive.answered = self.saved  # type: ignore[method-assign]


def run(args: argparse.Namespace, latency: float) -> dict:
    from auditor.cli.live import LiveFlags, live_settings
    from providers.railway import RAILWAY, pull_source

    def one_pull() -> tuple[float, float, dict, list]:
        t0, c0 = time.perf_counter(), time.process_time()
        source = pull_source(live_settings(RAILWAY, LiveFlags(endpoint=url)))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert source.complete, source.gaps
        return wall, cpu, source.meta["railway"], source.resources

    proc, url, token = start_emulator(args, latency)
    try:
        os.environ["RAILWAY_API_TOKEN"] = token
        os.environ.pop("RAILWAY_TOKEN", None)
        pull_source(live_settings(RAILWAY, LiveFlags(endpoint=url)))  # warm-up: imports, schema, connection setup
        walls, cpus, tails, stats, resources = [], [], [], None, 0
        one_go_walls, one_go_tails = [], []
        for _ in range(args.runs):
            wall, cpu, stats, streamed = one_pull()
            walls.append(wall)
            cpus.append(cpu)
            tails.append(stats["seconds_after_last_answer"])
            resources = len(streamed)
            with OneGo():
                wall, _, one_go_stats, whole = one_pull()
            assert [r.id for r in whole] == [r.id for r in streamed]
            one_go_walls.append(wall)
            one_go_tails.append(one_go_stats["seconds_after_last_answer"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert stats is not None
    wall = statistics.median(walls)
    ideal = latency * stats["dependent_rounds"]
    return {
        "latency_ms": latency * 1000,
        "resources": resources,
        "requests": stats["requests"],
        "minimum": stats["requests_minimum"],
        "req_ratio": stats["requests"] / stats["requests_minimum"],
        "rounds": stats["dependent_rounds"],
        "wall_ms": wall * 1000,
        "ideal_ms": ideal * 1000,
        "wall_ratio": (wall / ideal) if ideal else float("nan"),
        # the client's own CPU time (all threads): on a loaded machine wall time also counts the
        # time other processes held the cores; this does not
        "cpu_ms": statistics.median(cpus) * 1000,
        "tail_ms": statistics.median(tails) * 1000,
        "one_go_wall_ms": statistics.median(one_go_walls) * 1000,
        "one_go_tail_ms": statistics.median(one_go_tails) * 1000,
        "streamed_over_one_go": statistics.median(a / b for a, b in zip(walls, one_go_walls, strict=True)),
    }


def run_cold(args: argparse.Namespace, latency: float) -> float:
    """Median pull time (the provider's own clock, which starts before httpx and graphql-core are
    imported) of `blastscope pull railway` in a fresh process each time: parse/validate caches
    cold, as a cron job runs it."""
    import re
    import tempfile

    proc, url, token = start_emulator(args, latency)
    times = []
    try:
        env = dict(os.environ, RAILWAY_API_TOKEN=token)
        env.pop("RAILWAY_TOKEN", None)
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(args.runs):
                out = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "auditor",
                        "pull",
                        "railway",
                        "--endpoint",
                        url,
                        "-o",
                        str(Path(tmp) / "snap.json"),
                        "-v",
                    ],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                times.append(float(re.search(r" in ([0-9.]+) s;", out.stderr).group(1)))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return statistics.median(times)


def main() -> None:
    import gc

    gc.disable()  # as the CLI runs (auditor.cli.main): a one-shot process that frees nothing cyclic
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--projects", type=int, default=50)
    ap.add_argument("--environments", type=int, default=4)
    ap.add_argument("--volumes", type=int, default=5)
    ap.add_argument("--backups", type=int, default=3)
    ap.add_argument("--latency", type=float, nargs="+", default=[0.05, 0.0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="3 runs, no cold-process pulls (under a minute)")
    args = ap.parse_args()
    if args.quick:
        args.runs = 3
    print(
        f"account: {args.projects} projects × {args.environments} environments × {args.volumes} volumes "
        f"({args.projects * args.environments * args.volumes} volume instances, {args.backups} backups each)"
    )
    print(
        "| latency | resources | requests | minimum | ratio | dependent rounds | wall (median) | latency × rounds "
        "| ratio | client CPU (median) | after the last answer | one go: wall, after the last answer "
        "| streamed / one go |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for latency in args.latency:
        r = run(args, latency)
        print(
            f"| {r['latency_ms']:.0f} ms | {r['resources']} | {r['requests']} | {r['minimum']} | "
            f"{r['req_ratio']:.2f}× | "
            f"{r['rounds']} | {r['wall_ms']:.0f} ms | {r['ideal_ms']:.0f} ms | "
            + (f"{r['wall_ratio']:.2f}×" if r["ideal_ms"] else "—")
            + f" | {r['cpu_ms']:.0f} ms | {r['tail_ms']:.0f} ms | {r['one_go_wall_ms']:.0f} ms, "
            f"{r['one_go_tail_ms']:.0f} ms | {r['streamed_over_one_go']:.2f}× |",
            flush=True,
        )
    if args.quick:
        return
    print()
    print(
        "cold process per pull (`blastscope pull railway -v`, the provider's own timer: includes importing httpx and "
        "graphql-core and the first parse of each document, excludes CLI start-up):"
    )
    for latency in args.latency:
        cold = run_cold(args, latency)
        ideal = latency * 3
        print(
            f"- {latency * 1000:.0f} ms latency: {cold * 1000:.0f} ms"
            + (f" = {cold / ideal:.2f}× latency × rounds" if ideal else ""),
            flush=True,
        )


if __name__ == "__main__":
    main()
