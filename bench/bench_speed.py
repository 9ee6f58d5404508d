"""Speed against the floor: the ratios of issue "Speed to the floor", each measured in one run.

    python bench/bench_speed.py                          # everything but 1M (a few minutes)
    python bench/bench_speed.py --only scan --sizes 100000 1000000 --runs 2
    python bench/bench_speed.py --quick --cpu                # every ratio at 10k, one run each

Every number is a child process's wall (or, with --cpu, CPU) time from `wait4`, min and median
of --runs; every ratio
compares two things timed in the same run, on the same file:

- scan: `blastscope scan FILE --format json -o OUT -q` vs `json.load` of FILE (GC off, as the CLI
  runs), growth between sizes, peak RSS;
- phases: the same scan split into loading, audit and JSON report (CPU seconds, bench/phase_split.py),
  each against `json.load`, with resident memory after each phase;
- reports: each --format at 100k vs --format json (same scan, only the format differs);
- plans: scans of real-shaped Terraform plans (bench/tfplan.py) vs `json.load`;
- yaml: inventories vs `yaml.load(CSafeLoader)` (GC off), one written by PyYAML's dumper and one
  by bench/yaml_styles.py (comments, anchors, mixed styles);
- start-up: `blastscope --help`, and `scan` of the incident sample;
- diff: `blastscope diff OLD NEW` of two snapshots vs a scan of the larger one.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
PY = sys.executable
CPU = False


def wall(argv: list[str], ok: tuple[int, ...] = (0, 1)) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of one child process; seconds are wall time, or CPU time (user +
    system, from wait4) with --cpu, steadier than wall time when other jobs share the cores."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = usage.ru_utime + usage.ru_stime if CPU else time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        sys.exit(f"{' '.join(argv)} exited {code}: {proc.stderr.read().decode().strip() if proc.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024


def timed(argv: list[str], runs: int, ok: tuple[int, ...] = (0, 1)) -> tuple[float, float, float]:
    """(min s, median s, max peak RSS MiB) over `runs`."""
    results = [wall(argv, ok) for _ in range(runs)]
    times = [t for t, _ in results]
    return min(times), statistics.median(times), max(r for _, r in results)


def scan(path: Path, fmt: str = "json") -> list[str]:
    return [
        PY,
        "-m",
        "auditor",
        "scan",
        str(path),
        "--format",
        fmt,
        "-o",
        str(OUT / f"{path.stem}.{fmt}.out"),
        "-q",
        "--now",
        "2026-11-25",
    ]


def json_floor(path: Path) -> list[str]:
    return [PY, "-c", "import gc,json,sys; gc.disable(); json.load(open(sys.argv[1], 'rb'))", str(path)]


def yaml_floor(path: Path) -> list[str]:
    return [
        PY,
        "-c",
        "import gc,yaml,sys; gc.disable(); yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)",
        str(path),
    ]


def generated(name: str, script: str, *args: str) -> Path:
    """bench/out/NAME, written by `script ARGS -o PATH` the first time it is asked for."""
    path = OUT / name
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        subprocess.run(
            [PY, str(HERE / script), *args, "-o", str(path)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )
    return path


def snapshot(size: int, seed: int = 7, suffix: str = ".json") -> Path:
    return generated(f"speed-{size}-s{seed}{suffix}", "generate.py", "--resources", str(size), "--seed", str(seed))


def plan(size: int) -> Path:
    return generated(f"speed-plan-{size}.json", "tfplan.py", "--resources", str(size))


def edited(base: Path, share: float = 0.005, seed: int = 3) -> Path:
    """The same account a day later: a small share of resources changed, added or removed, of
    the kinds that change day to day — services redeployed, data holders' protection and size
    changed, backups completed, failed or expired, tokens rotated, issued and revoked. Everything
    else (accounts, projects, environments and their structure) as it was."""
    path = base.with_name(f"{base.stem}-day-{share:g}-s{seed}.json")
    if not path.exists():
        doc = json.loads(base.read_bytes())
        rng = random.Random(seed)
        kept, added = [], []
        for res in doc["resources"]:
            kind, roll = res["kind"], rng.random()
            if roll >= share:
                kept.append(res)
                continue
            if kind in ("credential", "backup") and roll < share / 3:
                continue  # revoked, or expired (nothing refers to a credential or a backup)
            if kind == "service":
                res = {**res, "image": f"registry.example/{res['id']}:{rng.randrange(10**6)}"}
            elif kind in ("volume", "database"):
                res = {**res, "deletion_protection": not res.get("deletion_protection"), "size_mb": 102400}
            elif kind == "backup":
                res = {**res, "status": rng.choice(["failed", "completed"]), "created_at": "2026-11-25T03:00:00Z"}
            elif kind == "credential":
                res = {**res, "expires_at": "2027-12-01T00:00:00Z"}
            elif kind == "environment" and rng.random() < 0.5:
                res = {**res, "name": res["name"] + "-2"}  # renamed
            kept.append(res)
            if kind == "database" and rng.random() < 0.5:  # a new backup completed
                added.append(
                    {
                        "id": f"{res['id']}-new",
                        "kind": "backup",
                        "name": "daily-new",
                        "backup_of": res["id"],
                        "stored_on": res["stored_on"],
                        "created_at": "2026-11-25T03:00:00Z",
                        "retention_days": 30,
                        "status": "completed",
                    }
                )
            elif kind == "environment" and rng.random() < 0.5:  # a token issued for it
                added.append(
                    {
                        "id": f"{res['id']}-token-new",
                        "kind": "credential",
                        "name": "deploy (new)",
                        "token_kind": "project",
                        "grants": [{"target": res["id"], "actions": ["read", "write"]}],
                        "expires_at": "2027-06-01T00:00:00Z",
                    }
                )
        doc["resources"] = kept + added
        path.write_text(json.dumps(doc, separators=(",", ":")))
    return path


def row(*cells: object) -> None:
    print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)


def bench_scan(sizes: list[int], runs: int) -> None:
    print("\n### Snapshot scan vs `json.load` (GC off)\n")
    row(
        "resources",
        "file MB",
        "scan s (min / median)",
        "json.load s (min / median)",
        "scan / floor (min)",
        "peak RSS MiB",
    )
    row(*["---:"] * 6)
    mins = []
    for size in sizes:
        path = snapshot(size)
        s_min, s_med, rss = timed(scan(path), runs)
        f_min, f_med, _ = timed(json_floor(path), runs)
        mins.append((size, s_min))
        row(
            f"{size:,}",
            f"{path.stat().st_size / 1e6:.0f}",
            f"{s_min:.2f} / {s_med:.2f}",
            f"{f_min:.2f} / {f_med:.2f}",
            f"**{s_min / f_min:.1f}×**",
            f"{rss:.0f}",
        )
    for (n1, t1), (n2, t2) in itertools.pairwise(mins):
        print(f"\ngrowth {n1:,} → {n2:,}: ×{t2 / t1:.1f} for ×{n2 / n1:.0f} resources")


def bench_phases(sizes: list[int], runs: int) -> None:
    """The scan's phases in one process (bench/phase_split.py): CPU seconds of loading, the audit
    and the JSON report, each against `json.load` (GC off, timed the same way in its own
    process), with resident memory after each phase; min over `runs` (memory: the fastest run's)."""
    print("\n### Phases of a snapshot scan, CPU seconds (bench/phase_split.py) vs `json.load` (GC off)\n")
    row(
        "resources",
        "json.load s",
        "load s (/ json)",
        "audit s (/ json)",
        "JSON report s (/ json)",
        "total / json",
        "RSS MiB after load / audit / report (peak)",
    )
    row(*["---:"] * 7)
    for size in sizes:
        path = snapshot(size)
        floor = min(json_load_seconds(path) for _ in range(runs))
        splits = []
        for _ in range(runs):
            done = subprocess.run(
                [PY, str(HERE / "phase_split.py"), str(path)], cwd=ROOT, check=True, capture_output=True, text=True
            )
            splits.append(json.loads(done.stdout))
        best = min(splits, key=lambda s: s["load_s"] + s["audit_s"] + s["report_s"])
        load, audit, report = (min(s[k] for s in splits) for k in ("load_s", "audit_s", "report_s"))
        row(
            f"{size:,}",
            f"{floor:.2f}",
            f"{load:.2f} ({load / floor:.1f}×)",
            f"{audit:.2f} ({audit / floor:.1f}×)",
            f"{report:.2f} ({report / floor:.1f}×)",
            f"**{(load + audit + report) / floor:.1f}×**",
            f"{best['load_rss']:.0f} / {best['audit_rss']:.0f} / {best['report_rss']:.0f} ({best['report_peak']:.0f})",
        )


def json_load_seconds(path: Path) -> float:
    """CPU seconds of `json.load` of the file (GC off) in a fresh process, timed inside it like the phases."""
    code = (
        "import gc,json,sys,time; gc.disable(); t = time.process_time(); "
        "json.load(open(sys.argv[1], 'rb')); print(time.process_time() - t)"
    )
    done = subprocess.run([PY, "-c", code, str(path)], cwd=ROOT, check=True, capture_output=True, text=True)
    return float(done.stdout)


def bench_reports(size: int, runs: int) -> None:
    print(f"\n### Report formats at {size:,} resources (whole `scan` process; ratio to --format json)\n")
    path = snapshot(size)
    row("format", "scan s (min / median)", "/ json (min)", "report-only s (min)", "report-only / json")
    row("---", "---:", "---:", "---:", "---:")
    base = timed(scan(path, "json"), runs)
    quiet = [PY, "-m", "auditor", "scan", str(path), "--format", "text", "-q", "--now", "2026-11-25"]
    audit_only = timed(quiet, runs)  # -q text prints the summary line only: the audit without a report
    json_report = base[0] - audit_only[0]
    row("json", f"{base[0]:.2f} / {base[1]:.2f}", "1.00×", f"{json_report:.2f}", "1.00×")
    for fmt in ("text", "sarif", "junit", "markdown", "ocsf"):
        t = timed(scan(path, fmt), runs)
        report = t[0] - audit_only[0]
        row(
            fmt,
            f"{t[0]:.2f} / {t[1]:.2f}",
            f"{t[0] / base[0]:.2f}×",
            f"{report:.2f}",
            f"{report / json_report:.2f}×" if json_report > 0.05 else "n/a",
        )
    print(f"\n(audit without a report, `-q` text: {audit_only[0]:.2f} s)")


def bench_plans(sizes: list[int], runs: int) -> None:
    print("\n### Terraform plans with real-shaped masks vs `json.load` (GC off)\n")
    row("resources", "plan MB", "scan s (min / median)", "json.load s (min)", "scan / floor (min)")
    row(*["---:"] * 5)
    for size in sizes:
        path = plan(size)
        try:
            s = timed(scan(path), runs)
        except SystemExit as exc:  # a plan the loader rejects is a finding of the benchmark, not a crash
            row(f"{size:,}", f"{path.stat().st_size / 1e6:.0f}", f"failed: {exc}", "", "")
            continue
        f = timed(json_floor(path), runs)
        row(
            f"{size:,}",
            f"{path.stat().st_size / 1e6:.0f}",
            f"{s[0]:.2f} / {s[1]:.2f}",
            f"{f[0]:.2f}",
            f"**{s[0] / f[0]:.1f}×**",
        )


def styled(size: int, seed: int = 8) -> Path:
    """An inventory not written by PyYAML's dumper (bench/yaml_styles.py): comments, anchors,
    flow and block styles, every quoting style."""
    return generated(
        f"speed-styled-{size}-s{seed}.yaml", "yaml_styles.py", "--resources", str(size), "--seed", str(seed)
    )


def bench_yaml(size: int, runs: int) -> None:
    print("\n### YAML inventories vs `yaml.load(CSafeLoader)` (GC off), two independently generated files\n")
    row("file", "resources", "scan s (min / median)", "CSafeLoader s (min)", "scan / floor (min)")
    row("---", "---:", "---:", "---:", "---:")
    for path in (snapshot(size, 7, ".yaml"), styled(size, 8)):
        s = timed(scan(path), runs)
        f = timed(yaml_floor(path), runs)
        row(path.name, f"{size:,}", f"{s[0]:.2f} / {s[1]:.2f}", f"{f[0]:.2f}", f"**{s[0] / f[0]:.2f}×**")
    print("\n(the first written by PyYAML's dumper via bench/generate.py, the second by bench/yaml_styles.py)")


def bench_startup(runs: int) -> None:
    print("\n### Start-up\n")
    row("command", "ms (min / median)", "target")
    row("---", "---:", "---:")
    exe = Path(PY).with_name("blastscope")
    helper = [str(exe), "--help"] if exe.exists() else [PY, "-m", "auditor", "--help"]
    h = timed(helper, runs, ok=(0,))
    row("`blastscope --help`", f"{h[0] * 1000:.0f} / {h[1] * 1000:.0f}", "≤ 120")
    sample = ROOT / "samples" / "pocketos" / "inventory.yaml"
    argv = [
        str(exe) if exe.exists() else PY,
        *([] if exe.exists() else ["-m", "auditor"]),
        "scan",
        str(sample),
        "--now",
        "2026-11-25",
    ]
    s = timed(argv, runs)
    row("`blastscope scan samples/pocketos/inventory.yaml`", f"{s[0] * 1000:.0f} / {s[1] * 1000:.0f}", "≤ 200")
    p = timed([PY, "-c", "pass"], runs, ok=(0,))
    row("(bare `python -c pass`, for scale)", f"{p[0] * 1000:.0f} / {p[1] * 1000:.0f}", "")


def bench_diff(size: int, runs: int) -> None:
    print(f"\n### `blastscope diff` of two {size:,}-resource snapshots vs a scan of the larger\n")
    old = snapshot(size)
    new = edited(old)
    larger = max((old, new), key=lambda p: p.stat().st_size)
    d = timed(
        [
            PY,
            "-m",
            "auditor",
            "diff",
            str(old),
            str(new),
            "--format",
            "json",
            "-o",
            str(OUT / "speed-diff.json"),
            "--now",
            "2026-11-25",
        ],
        runs,
    )
    s = timed(scan(larger), runs)
    before = {r["id"]: r for r in json.loads(old.read_bytes())["resources"]}
    after = {r["id"]: r for r in json.loads(new.read_bytes())["resources"]}
    changed = sum(1 for rid, r in after.items() if rid in before and before[rid] != r)
    print(
        f"{new.name}: {len(after):,} resources; against {old.name}: {changed:,} changed, "
        f"{len(after.keys() - before.keys()):,} added, {len(before.keys() - after.keys()):,} removed\n"
    )
    row("diff s (min / median)", "scan s (min / median)", "diff / scan (min)")
    row("---:", "---:", "---:")
    row(f"{d[0]:.2f} / {d[1]:.2f}", f"{s[0]:.2f} / {s[1]:.2f}", f"**{d[0] / s[0]:.2f}×**")


def fresh_bytecode() -> None:
    """Write the project's bytecode caches, as a user's first run does. Where
    PYTHONDONTWRITEBYTECODE is set, an edited module is otherwise compiled again in every timed
    process (a fifth of the incident sample's start-up after a merge)."""
    import compileall

    for package in ("auditor", "checks", "providers"):
        compileall.compile_dir(ROOT / package, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["scan", "phases", "reports", "plans", "yaml", "startup", "diff"],
        default=["startup", "scan", "phases", "reports", "plans", "yaml", "diff"],
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="snapshot scan sizes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cpu", action="store_true", help="CPU seconds (user + system) instead of wall seconds")
    parser.add_argument(
        "--quick", action="store_true", help="every ratio at 10k resources, one run each (under a minute when quiet)"
    )
    args = parser.parse_args()
    big = 10_000 if args.quick else 100_000
    plan_sizes = [10_000] if args.quick else [10_000, 50_000]
    if args.quick:
        args.sizes, args.runs = [10_000], 1
    global CPU
    CPU = args.cpu
    OUT.mkdir(exist_ok=True)
    fresh_bytecode()
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {os.getloadavg()[0]:.1f}, "
        f"{'CPU' if CPU else 'wall'} seconds"
    )
    for part in args.only:
        if part == "scan":
            bench_scan(args.sizes, args.runs)
        elif part == "phases":
            bench_phases(args.sizes, args.runs)
        elif part == "reports":
            bench_reports(big, args.runs)
        elif part == "plans":
            bench_plans(plan_sizes, args.runs)
        elif part == "yaml":
            bench_yaml(big, args.runs)
        elif part == "startup":
            bench_startup(max(args.runs, 3 if args.quick else 5))
        elif part == "diff":
            bench_diff(big, args.runs)


if __name__ == "__main__":
    main()
