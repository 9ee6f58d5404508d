"""blastscope vs Checkov on the same Terraform plans, side by side (SPEC §9, issue: ≥ 30× faster
at 10k resources, and within 5× of a bare `json.load` of the plan).

    python3 -m venv bench/out/checkov-venv && bench/out/checkov-venv/bin/pip install checkov   # benchmark-only
    python bench/bench_checkov.py                       # 1k, 10k, 20k
    python bench/bench_checkov.py --sizes 1000 --checkov bench/out/checkov-venv/bin/checkov

Plans come from bench/tfplan.py (a realistic AWS estate in modules: RDS with snapshots, S3 with
versioning, EBS volumes attached to instances, and a long tail of security groups, IAM roles,
log groups and target groups). Each tool runs in its own process; peak RSS is that process's
(wait4). Checkov runs with --skip-download (no network on the benchmark machine) and
--framework terraform_plan, its report going to a file, like blastscope's.
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


def measure(argv: list[str], env: dict | None = None) -> tuple[float, float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 20_000])
    parser.add_argument("--checkov", default=str(OUT / "checkov-venv" / "bin" / "checkov"))
    args = parser.parse_args()
    checkov = Path(args.checkov)
    if not checkov.exists():
        sys.exit(f"{checkov}: not found; create the benchmark venv first (see the docstring)")
    probe = subprocess.run([str(checkov), "--version"], capture_output=True, text=True)
    version = probe.stdout.strip()
    if probe.returncode != 0 or not version:
        sys.exit(f"{checkov} --version failed (exit {probe.returncode}): nothing to compare against")
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, Checkov {version}")
    print(
        "| resources | plan MB | json.load s | blastscope s | blastscope MiB | checkov s | checkov MiB | checkov / "
        "blastscope | blastscope / json.load |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    for size in args.sizes:
        plan = OUT / f"plan-{size}.json"
        if not plan.exists():
            subprocess.run(
                [sys.executable, str(HERE / "tfplan.py"), "--resources", str(size), "-o", str(plan)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        floor = min(
            measure(
                [sys.executable, "-c", "import gc,json,sys; gc.disable(); json.load(open(sys.argv[1],'rb'))", str(plan)]
            )[0]
            for _ in range(3)
        )
        ours = min(
            (
                measure(
                    [
                        sys.executable,
                        "-m",
                        "auditor",
                        "scan",
                        str(plan),
                        "--format",
                        "json",
                        "-o",
                        str(OUT / f"plan-{size}.blastscope.json"),
                        "-q",
                    ]
                )
                for _ in range(3)
            ),
            key=lambda m: m[0],
        )
        theirs = measure(
            [
                str(checkov),
                "-f",
                str(plan),
                "--framework",
                "terraform_plan",
                "--skip-download",
                "--quiet",
                "--compact",
                "-o",
                "json",
                "--output-file-path",
                str(OUT / f"plan-{size}.checkov"),
            ],
            env=env,
        )
        if theirs[2] not in (0, 1):  # 1 = Checkov found failed checks; anything else is Checkov not running
            sys.exit(f"checkov exited {theirs[2]} on {plan.name}: no comparison")
        print(
            f"| {size:,} | {plan.stat().st_size / 1e6:.1f} | {floor:.2f} | {ours[0]:.2f} | {ours[1]:.0f} | "
            f"{theirs[0]:.1f} | {theirs[1]:.0f} | "
            f"**{theirs[0] / ours[0]:.0f}×** | {ours[0] / floor:.1f}× |",
            flush=True,
        )


if __name__ == "__main__":
    main()
