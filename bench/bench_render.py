"""Render timing: diagrams of 1k, 5k and 100k-resource accounts, and the HTML report of a 10k
account opened in headless Chromium.

    python bench/bench_render.py                        # 1k, 5k, 100k diagrams + 10k HTML
    python bench/bench_render.py --sizes 5000 --html 0  # one size, no browser

Each render runs `blastscope render FILE --now … -o OUT` in its own process (parse, audit,
layout and Graphviz's `dot`), median of --repeat runs; `scan` of the same file (parse + audit
+ JSON report) is timed alongside, since the audit is most of a render and a loaded machine
slows both alike. Targets: a 100k-resource overview in < 10 s, the 10k HTML report open in
< 3 s (navigation start to the report's script having run, as Chromium measures it).
Exits non-zero when Graphviz or (with --html) Chromium is missing: nothing to measure.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
NOW = "2026-11-25"


def timed(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    lines = proc.stderr.strip().splitlines()
    return time.perf_counter() - start, (lines[-1] if lines else "")


def account(size: int) -> Path:
    src = OUT / f"render-{size}.json"
    if not src.exists():
        OUT.mkdir(exist_ok=True)
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--resources", str(size), "-o", str(src)],
            check=True,
            capture_output=True,
        )
    return src


def bench_diagrams(sizes: list[int], repeat: int) -> None:
    print("| resources | scan s | render svg s | render png s | what was drawn |")
    print("|---:|---:|---:|---:|---|")
    for size in sizes:
        src = account(size)
        cli = [sys.executable, "-m", "auditor"]
        scan = statistics.median(
            timed([*cli, "scan", str(src), "--now", NOW, "-q", "-f", "json", "-o", str(OUT / "scan.json")])[0]
            for _ in range(repeat)
        )
        svg_runs = [
            timed([*cli, "render", str(src), "--now", NOW, "-o", str(OUT / f"render-{size}.svg")])
            for _ in range(repeat)
        ]
        png_runs = [
            timed([*cli, "render", str(src), "--now", NOW, "-o", str(OUT / f"render-{size}.png")])
            for _ in range(repeat)
        ]
        drawn = svg_runs[-1][1].removeprefix("wrote ").split(": ", 1)[-1]
        print(
            f"| {size:,} | {scan:.2f} | {statistics.median(r[0] for r in svg_runs):.2f} | "
            f"{statistics.median(r[0] for r in png_runs):.2f} | {drawn} |",
            flush=True,
        )


def bench_html(size: int, repeat: int) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.render.cdp import Chromium, find_chromium

    if find_chromium() is None:
        sys.exit("no Chromium (apt-get install chromium): the HTML open time cannot be measured")
    src = account(size)
    report = OUT / f"report-{size}.html"
    write = timed(
        [sys.executable, "-m", "auditor", "scan", str(src), "--now", NOW, "-q", "-f", "html", "-o", str(report)]
    )[0]
    opens, walls = [], []
    with Chromium("about:blank") as page:
        for _ in range(repeat):
            page.navigate("about:blank")
            start = time.perf_counter()
            page.navigate(report.as_uri())
            page.wait_for("document.getElementById('shown').textContent.indexOf('findings shown') > 0")
            walls.append(time.perf_counter() - start)
            opens.append(page.eval("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
        rows = page.eval("document.querySelectorAll('#findings .finding').length")
    print()
    print(
        "| resources | report MB | findings | scan → html s | open in Chromium s (load event) "
        "| open, wall s (incl. DevTools) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {size:,} | {report.stat().st_size / 1e6:.1f} | {rows:,} | {write:.2f} | {statistics.median(opens):.2f} | "
        f"{statistics.median(walls):.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 100_000])
    parser.add_argument("--html", type=int, default=10_000, help="resources of the HTML report to open (0: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("dot") is None:
        sys.exit("Graphviz `dot` not found (apt-get install graphviz): nothing to measure")
    dot = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
    load = os.getloadavg()[0]
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {dot}, "
        f"load average {load:.1f}"
    )
    bench_diagrams(args.sizes, args.repeat)
    if args.html:
        bench_html(args.html, args.repeat)


if __name__ == "__main__":
    main()
