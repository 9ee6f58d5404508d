"""Render timing (issue: 5,000-resource graph with --only-findings in < 10 s).

    python bench/bench_render.py                 # 1k and 5k, only-findings and full overview
    python bench/bench_render.py --sizes 5000

Each render runs `blastscope render FILE -o OUT.svg` in its own process (includes parsing,
the audit and Graphviz's `dot`), best of two.
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


def timed(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return time.perf_counter() - start, proc.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    dot = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {dot}")
    print("| resources | mode | seconds | what was drawn |")
    print("|---:|---|---:|---|")
    for size in args.sizes:
        src = OUT / f"render-{size}.json"
        if not src.exists():
            OUT.mkdir(exist_ok=True)
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--resources", str(size), "-o", str(src)], check=True, capture_output=True)
        for mode, extra in (("--only-findings", ["--only-findings"]), ("default (overview)", [])):
            runs = [timed([sys.executable, "-m", "auditor", "render", str(src), *extra, "-o", str(OUT / f"render-{size}.svg")]) for _ in range(2)]
            best = min(runs)
            drawn = best[1].removeprefix("wrote ").split(": ", 1)[-1]
            print(f"| {size:,} | {mode} | {best[0]:.2f} | {drawn} |", flush=True)


if __name__ == "__main__":
    main()
