"""How long the agent guard takes per command, as an agent's hook sees it: wall time of the
whole `blastscope guard` process (interpreter start-up included).

- non-destructive commands (nothing to judge: the graph must not even be loaded): p95 ≤ 150 ms;
- destructive commands judged against a 10k-resource snapshot: p95 ≤ 600 ms.

    python bench/bench_guard.py [--runs 5] [--resources 10000]

The snapshot is generated with bench/generate.py into bench/out/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

HARMLESS = [
    "git status",
    "git diff --stat && git log --oneline -5",
    "ls -la src/ | head -20",
    "pytest -q tests/unit -x",
    "npm run build && npm test",
    "cat package.json | jq .scripts",
    "grep -rn 'volumeDelete' src/ || true",
    "echo 'railway volume delete --volume pg-data'",
    "git commit -m 'docs: never run railway volume delete in prod'",
    "cd web && pnpm install --frozen-lockfile",
    "python -m pip install -e '.[dev]'",
    "docker compose up -d db && sleep 2",
    "railway status && railway logs --service api",
    "kubectl get pods -n staging -o wide",
    "terraform plan -out plan.tfplan",
    "aws s3 ls s3://assets-bucket/ --recursive | wc -l",
    "FOO=1 make -j4 test 2>&1 | tail -50",
    "find . -name '*.pyc' -delete",
    "sed -i 's/old/new/g' config/app.yaml",
    'for f in *.md; do wc -l "$f"; done',
]


def destructive(snapshot: dict) -> list[str]:
    """Real-looking destructive calls aimed at resources of the generated account."""
    res = snapshot["resources"]
    by_kind: dict[str, list[dict]] = {}
    for r in res:
        by_kind.setdefault(r["kind"], []).append(r)
    volume = by_kind["volume"][0]
    env = next(r for r in by_kind["environment"] if r["name"] == "staging")
    db = by_kind["database"][0]
    backup = by_kind["backup"][0]
    api = "https://backboard.railway.com/graphql/v2"
    return [
        f"railway volume delete --volume {volume['id']} -y",
        f"sh -c 'railway environment delete {env['id']}'",
        f"curl -s {api} -H 'Content-Type: application/json' "
        f'-d \'{{"query":"mutation {{ volumeDelete(volumeId: \\"{volume["id"]}\\") }}"}}\'',
        f"railway api 'mutation($b: String!) {{ volumeInstanceBackupDelete(volumeInstanceBackupId: $b, "
        f'volumeInstanceId: "x") }}\' --variables \'{{"b": "{backup["id"]}"}}\'',
        f"cd infra && railway service delete --service {db['id']}",
        "railway volume delete --volume no-such-volume",
    ]


CPU: list[float] = []  # user+sys seconds of each guard process: what the guard costs, whatever the load


def run(cmd: list[str]) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    if proc.returncode != 0:
        raise SystemExit(f"guard failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    return elapsed, json.loads(proc.stdout)["decision"]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs of each command")
    ap.add_argument("--resources", type=int, default=10_000)
    args = ap.parse_args()
    exe = shutil.which("blastscope", path=str(Path(sys.executable).parent)) or shutil.which("blastscope")
    base = [exe] if exe else [sys.executable, "-m", "auditor"]
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    snap_path = out / f"guard-{args.resources // 1000}k.json"
    if not snap_path.exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--resources", str(args.resources), "-o", str(snap_path)],
            check=True,
        )
    snapshot = json.loads(snap_path.read_text())
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}")
    print(f"snapshot: {len(snapshot['resources'])} resources, {snap_path.stat().st_size / 1e6:.1f} MB")

    CPU.clear()
    interpreter = [run([sys.executable, "-c", 'print(\'{"decision": "allow"}\')'])[0] for _ in range(args.runs * 3)]
    print(
        f"bare interpreter start-up: median {statistics.median(interpreter) * 1000:.0f} ms wall, "
        f"{statistics.median(CPU) * 1000:.0f} ms cpu"
    )

    CPU.clear()
    harmless: list[float] = []
    for command in HARMLESS:
        for _ in range(args.runs):
            elapsed, decision = run(base + ["guard", "--command", command, "--format", "json"])
            assert decision == "allow", (command, decision)
            harmless.append(elapsed)
    print(
        f"non-destructive ({len(HARMLESS)} × {args.runs}): median {statistics.median(harmless) * 1000:.0f} ms, "
        f"p95 {p95(harmless) * 1000:.0f} ms (target ≤ 150 ms)"
    )

    print(f"  cpu (user+sys) per run: median {statistics.median(CPU) * 1000:.0f} ms, p95 {p95(CPU) * 1000:.0f} ms")
    CPU.clear()
    judged: list[float] = []
    decisions: dict[str, str] = {}
    for command in destructive(snapshot):
        for _ in range(args.runs):
            elapsed, decision = run(
                base + ["guard", "--command", command, "--source", str(snap_path), "--format", "json"]
            )
            judged.append(elapsed)
            decisions[command[:60]] = decision
    print(
        f"destructive vs {len(snapshot['resources'])} resources ({len(decisions)} commands × {args.runs}): "
        f"median {statistics.median(judged) * 1000:.0f} ms, p95 {p95(judged) * 1000:.0f} ms (target ≤ 600 ms)"
    )
    print(f"  cpu (user+sys) per run: median {statistics.median(CPU) * 1000:.0f} ms, p95 {p95(CPU) * 1000:.0f} ms")
    for command, decision in decisions.items():
        print(f"  {decision:5}  {command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
