"""Scale benchmark (SPEC §9): wall time and peak RSS of `blastscope scan` on synthetic accounts.

    python bench/bench_scale.py                      # 10k, 100k, 1M (JSON snapshots)
    python bench/bench_scale.py --sizes 10000 100000 --yaml

Each scan runs in its own process (`python -m auditor scan FILE --format json -o FILE`), so the
peak RSS is that process's own (wait4). The floor is a bare `json.load` of the same file in a
fresh process: parsing is work no auditor can skip. Prints one table; paste it into
bench/RESULTS.md with the machine and date.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def measure(argv: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} exited {proc.returncode}: {err.strip()}")
    return wall, usage.ru_maxrss / 1024, proc.returncode


def ensure_input(size: int, suffix: str) -> Path:
    path = OUT / f"scale-{size}{suffix}"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--resources", str(size), "-o", str(path)], check=True
        )
    return path


def floor_argv(path: Path) -> list[str]:
    # gc off, as in the blastscope process: otherwise the floor pays for collections the scan skips
    if path.suffix == ".json":
        code = "import gc,json,sys; gc.disable(); json.load(open(sys.argv[1], 'rb'))"
    else:
        code = "import gc,yaml,sys; gc.disable(); yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)"
    return [sys.executable, "-c", code, str(path)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--yaml", action="store_true", help="inventory YAML instead of snapshot JSON")
    parser.add_argument("--repeat", type=int, default=2, help="runs per size; the best is kept")
    args = parser.parse_args()
    suffix = ".yaml" if args.yaml else ".json"
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| resources | file MB | scan s | peak RSS MiB | parse floor s | scan/floor | findings exit |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for size in args.sizes:
        path = ensure_input(size, suffix)
        report = OUT / f"scale-{size}.report.json"
        scan = [sys.executable, "-m", "auditor", "scan", str(path), "--format", "json", "-o", str(report), "-q"]
        best = min((measure(scan) for _ in range(args.repeat)), key=lambda r: r[0])
        floor = min(measure(floor_argv(path))[0] for _ in range(args.repeat))
        mb = path.stat().st_size / 1e6
        rows.append((size, best[0]))
        print(
            f"| {size:,} | {mb:.0f} | {best[0]:.2f} | {best[1]:.0f} | {floor:.2f} | {best[0] / floor:.1f}× | "
            f"{best[2]} |",
            flush=True,
        )
    for (n1, t1), (n2, t2) in zip(rows, rows[1:], strict=False):
        print(f"growth {n1:,} → {n2:,}: size ×{n2 / n1:.0f}, time ×{t2 / t1:.1f}")


if __name__ == "__main__":
    main()
