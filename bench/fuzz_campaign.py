"""Full-size fuzz campaign over the five loaders (the CI runs the same engine at a small size:
tests/faults/test_fuzz_loaders.py).

    python bench/fuzz_campaign.py                      # 3,000 inputs per loader
    python bench/fuzz_campaign.py --per-loader 300 --loaders policy baseline

Each loader's inputs run in a worker process (address space capped at 2 GiB, a 20 s alarm
per input); a worker that dies is restarted after the input that killed it. Every Nth input
(`--cli-every`) is also run through the real command line in its own process, checking the
exit code (0–3), the absence of "Traceback" and "internal error", a 20 s deadline and its
peak RSS. Prints one row per loader and the totals the issue asks for:
tracebacks, hangs past 20 s, runs over 1 GB, "internal error" lines, invalid inputs accepted.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HANG_SECONDS = 20
MEMORY_CAP = 2 * 1024**3
ONE_GB_KIB = 1024 * 1024


class Hang(Exception):
    pass


def _alarm(_signum, _frame):
    raise Hang()


def worker(loader: str, seed: int, start: int, count: int) -> None:
    """Run inputs start..count-1 of `loader` (inputs are reproducible from seed and index);
    print one JSON line per input."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    signal.signal(signal.SIGALRM, _alarm)
    from tests.faults import fuzz

    workdir = Path(tempfile.mkdtemp(prefix="fuzz-"))
    for index in range(start, count):
        rng = random.Random(f"{seed}:{loader}:{index}")
        case = fuzz.generate(rng, loader)
        began = time.monotonic()
        signal.alarm(HANG_SECONDS)
        try:
            outcome = fuzz.run_case(case, workdir)
        except Hang:
            outcome = "hang"
        finally:
            signal.alarm(0)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            json.dumps(
                {
                    "i": index,
                    "kind": case.kind,
                    "outcome": outcome,
                    "note": case.note[:160],
                    "s": round(time.monotonic() - began, 3),
                    "rss_kib": rss,
                }
            ),
            flush=True,
        )


def cli_check(loader: str, seed: int, index: int, workdir: Path) -> dict:
    """One input through the real command line, as a user would run it."""
    from tests.faults import fuzz

    case = fuzz.generate(random.Random(f"{seed}:{loader}:{index}"), loader)
    path = workdir / f"cli-{loader}{case.suffix}"
    path.write_bytes(case.data)
    sample = ROOT / "samples" / "pocketos" / "inventory.yaml"
    if loader == "policy":
        args = ["scan", str(sample), "--policy", str(path)]
    elif loader == "baseline":
        args = ["scan", str(sample), "--baseline", str(path)]
    else:
        args = ["scan", str(path)]
    argv = [sys.executable, "-m", "auditor", *args, "--now", "2026-11-25", "-f", "json", "-o", str(workdir / "r.json")]
    began = time.monotonic()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _out, err = proc.communicate(timeout=HANG_SECONDS)
        hang = False
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
        hang = True
    rss = _child_rss(proc.pid)
    return {
        "exit": proc.returncode,
        "hang": hang,
        "traceback": "Traceback" in err,
        "internal": "internal error" in err,
        "lines": len(err.strip().splitlines()),
        "s": round(time.monotonic() - began, 2),
        "rss_kib": rss,
        "must_reject": case.must_reject,
        "note": case.note[:120],
        "stderr": err[-300:],
    }


def _child_rss(_pid: int) -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far


def run_loader(loader: str, seed: int, count: int, cli_every: int) -> dict:
    results: dict[int, dict] = {}
    start = 0
    while start < count:
        # stderr to a file: a pipe nobody reads fills up and blocks the worker
        with tempfile.TemporaryFile(mode="w+") as errors:
            proc = subprocess.Popen(
                [sys.executable, __file__, "--worker", loader, str(seed), str(start), str(count)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
            assert proc.stdout is not None
            for line in proc.stdout:
                row = json.loads(line)
                results[row["i"]] = row
                start = row["i"] + 1
            proc.wait()
            if start < count and proc.returncode != 0:
                # the worker died on input `start` (memory cap, a signal): record it, go on after it
                errors.seek(0)
                results[start] = {
                    "i": start,
                    "kind": "?",
                    "outcome": f"worker died (exit {proc.returncode})",
                    "note": errors.read()[-200:],
                    "s": 0,
                    "rss_kib": 0,
                }
                start += 1
    cli = []
    if cli_every:
        workdir = Path(tempfile.mkdtemp(prefix="fuzz-cli-"))
        cli = [cli_check(loader, seed, i, workdir) for i in range(0, count, cli_every)]
    return {"rows": [results[i] for i in sorted(results)], "cli": cli}


def summarise(loader: str, data: dict) -> dict:
    rows, cli = data["rows"], data["cli"]
    outcomes = collections.Counter(r["outcome"].split(":")[0] for r in rows)
    kinds = collections.Counter(r["kind"] for r in rows)
    return {
        "loader": loader,
        "inputs": len(rows),
        "kinds": dict(kinds),
        "accepted": outcomes["accepted"],
        "rejected": outcomes["rejected"],
        "tracebacks": sum(1 for r in rows if r["outcome"].startswith("worker died")) + sum(c["traceback"] for c in cli),
        "hangs": outcomes["hang"] + sum(c["hang"] for c in cli),
        "over_1gb": sum(1 for r in rows if r["rss_kib"] > ONE_GB_KIB)
        + sum(1 for c in cli if c["rss_kib"] > ONE_GB_KIB),
        "internal_errors": outcomes["internal"] + outcomes["nan-output"] + sum(c["internal"] for c in cli),
        "invalid_accepted": outcomes["invalid-accepted"]
        + sum(1 for c in cli if c["must_reject"] and c["exit"] in (0, 1)),
        "cli_runs": len(cli),
        "cli_bad_exit": sum(1 for c in cli if c["exit"] not in (0, 1, 2, 3) or c["lines"] > 1 and c["exit"] == 2),
        "max_rss_mib": max([r["rss_kib"] for r in rows] + [c["rss_kib"] for c in cli] + [0]) // 1024,
        "median_ms": sorted(r["s"] for r in rows)[len(rows) // 2] * 1000 if rows else 0,
        "examples": sorted(
            {f"{r['outcome'][:110]} <- {r['note'][:90]}" for r in rows if r["outcome"] not in ("accepted", "rejected")}
        )[:12],
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        loader, seed, start, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        worker(loader, seed, start, count)
        return
    from tests.faults.fuzz import LOADERS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-loader", type=int, default=3000)
    parser.add_argument("--loaders", nargs="*", default=list(LOADERS))
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--cli-every", type=int, default=50, help="also run every Nth input through the CLI (0: never)")
    parser.add_argument("--json", type=Path, help="write the full summary here")
    args = parser.parse_args()
    began = time.monotonic()
    summaries = []
    print(
        f"{'loader':<10} {'inputs':>6} {'accepted':>8} {'rejected':>8} {'tracebacks':>10} {'hangs':>5} {'>1GB':>5} "
        f"{'internal':>8} {'invalid ok':>10} {'cli runs':>8} {'max RSS MiB':>11} {'median ms':>9}"
    )
    for loader in args.loaders:
        summary = summarise(loader, run_loader(loader, args.seed, args.per_loader, args.cli_every))
        summaries.append(summary)
        print(
            f"{loader:<10} {summary['inputs']:>6} {summary['accepted']:>8} {summary['rejected']:>8} "
            f"{summary['tracebacks']:>10} {summary['hangs']:>5} {summary['over_1gb']:>5} "
            f"{summary['internal_errors']:>8} "
            f"{summary['invalid_accepted']:>10} {summary['cli_runs']:>8} {summary['max_rss_mib']:>11} "
            f"{summary['median_ms']:>9.0f}",
            flush=True,
        )
        for example in summary["examples"]:
            print(f"    {example}")
    totals = {
        k: sum(s[k] for s in summaries)
        for k in (
            "inputs",
            "tracebacks",
            "hangs",
            "over_1gb",
            "internal_errors",
            "invalid_accepted",
            "cli_runs",
            "cli_bad_exit",
        )
    }
    print(f"total: {totals} in {time.monotonic() - began:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"totals": totals, "loaders": summaries}, indent=2))
    clean = all(totals[k] == 0 for k in ("tracebacks", "hangs", "over_1gb", "internal_errors", "invalid_accepted"))
    sys.exit(0 if clean else 1)


if __name__ == "__main__":
    main()
