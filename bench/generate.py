"""Synthetic inventories for benchmarks and diagrams: a realistic mix of workspaces, projects
with 2–5 environments, shared and per-environment volumes, databases, backups (some
co-located, some off-site), scoped and over-broad tokens, and fingerprinted secrets.

    python bench/generate.py --resources 100000 -o bench/out/synthetic-100k.json   # snapshot JSON
    python bench/generate.py --resources 1000 -o bench/out/synthetic-1k.yaml       # inventory YAML

Deterministic for a given --seed, so runs are comparable.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ENV_SETS = [
    ["production", "staging"],
    ["production", "staging", "development"],
    ["production", "staging", "development", "pr-101"],
    ["production", "uat", "dev", "pr-7", "pr-8"],
]


def project_resources(rng: random.Random, account: str, p: int, backup_account: str) -> Iterator[dict]:
    proj = f"p{p}"
    yield {"id": proj, "kind": "project", "name": f"project-{p}", "parent": account}
    envs = rng.choice(ENV_SETS)
    env_ids = []
    for e in envs:
        env_id = f"{proj}-env-{e}"
        env_ids.append(env_id)
        env = {"id": env_id, "kind": "environment", "name": e, "parent": proj}
        if e == "production":
            env["tier"] = "production"
        yield env
    shared_volume = rng.random() < 0.3  # Railway-style: one volume, an instance per environment
    if shared_volume:
        yield {"id": f"{proj}-vol", "kind": "volume", "name": "pg-data", "parent": proj}
    for env_id, e in zip(env_ids, envs, strict=False):
        prod = e == "production"
        vol = f"{env_id}-vol"
        parents = [f"{proj}-vol", env_id] if shared_volume else [env_id]
        yield {
            "id": vol,
            "kind": "volume",
            "name": f"pg-data ({e})",
            "parent": parents,
            "deletion_protection": prod and rng.random() < 0.5,
            "size_mb": rng.choice([1024, 5120, 51200]),
        }
        db = f"{env_id}-db"
        yield {
            "id": db,
            "kind": "database",
            "name": f"postgres ({e})",
            "in_environment": env_id,
            "stored_on": vol,
            "engine": "postgres",
            "deletion_protection": prod and rng.random() < 0.5,
        }
        services = rng.randint(2, 4)
        for s in range(services):
            svc = {"id": f"{env_id}-svc{s}", "kind": "service", "name": f"svc-{s}", "parent": env_id}
            if s == 0:
                svc["attached_to"] = db
            yield svc
        for b in range(rng.randint(3, 5) if prod else rng.randint(0, 1)):
            day = rng.randint(1, 28)
            yield {
                "id": f"{db}-b{b}",
                "kind": "backup",
                "name": f"daily-{b}",
                "backup_of": db,
                "stored_on": vol,
                "created_at": f"2026-11-{day:02d}T03:00:00Z",
                "retention_days": rng.choice([6, 30, 90]),
                "status": "completed",
            }
        if prod and rng.random() < 0.4:
            yield {
                "id": f"{db}-offsite",
                "kind": "backup",
                "name": "offsite dump",
                "backup_of": db,
                "stored_on": backup_account,
                "created_at": "2026-11-24T04:00:00Z",
                "retention_days": 35,
                "status": "completed",
            }
        yield {
            "id": f"{env_id}-token",
            "kind": "credential",
            "name": f"deploy ({e})",
            "token_kind": "project",
            "grants": [{"target": env_id, "actions": ["read", "write", "delete"]}],
            "exposed_to": f"{env_id}-svc0",
            "expires_at": "2027-06-01T00:00:00Z",
        }
        for k in range(2):
            shared = rng.random() < 0.1
            fp = f"fp-{proj}-{k}" if shared else f"fp-{env_id}-{k}"
            yield {
                "id": f"{env_id}-secret{k}",
                "kind": "credential",
                "name": f"SECRET_{k}",
                "token_kind": "secret",
                "fingerprint": fp,
                "exposed_to": f"{env_id}-svc{k % services}",
            }
    if rng.random() < 0.2:  # the incident pattern: a project-wide token left in staging
        yield {
            "id": f"{proj}-wide-token",
            "kind": "credential",
            "name": "ci-deploy",
            "token_kind": "account",
            "grants": [{"target": proj, "actions": ["read", "write", "delete"]}],
            "exposed_to": env_ids[1],
        }


def generate(target: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out: list[dict] = []
    a = 0
    while len(out) < target:
        account = f"acct{a}"
        backup_account = f"acct{a}-backups"
        out.append({"id": account, "kind": "account", "name": f"workspace-{a}"})
        out.append({"id": f"{backup_account}-acct", "kind": "account", "name": f"backups-{a}"})
        out.append(
            {
                "id": backup_account,
                "kind": "bucket",
                "name": f"dumps-{a}",
                "parent": f"{backup_account}-acct",
                "deletion_protection": True,
            }
        )
        out.append(
            {
                "id": f"{account}-admin",
                "kind": "credential",
                "name": f"team token {a}",
                "token_kind": "workspace",
                "grants": [{"target": account, "actions": ["admin"]}],
                "expires_at": "2027-01-01T00:00:00Z",
            }
        )
        for p in range(200):
            out.extend(project_resources(rng, account, a * 1000 + p, backup_account))
            if len(out) >= target:
                break
        a += 1
    return out


def snapshot_document(resources: list[dict]) -> dict:
    """A blastscope snapshot holding `resources`, as `pull` would write it (fixed times)."""
    return {
        "format": "blastscope-snapshot",
        "format_version": 1,
        "provider": "synthetic",
        "tool_version": "bench",
        "created_at": "2026-11-25T00:00:00Z",
        "complete": True,
        "gaps": [],
        "meta": {},
        "resources": resources,
    }


def write(resources: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix in (".yaml", ".yml"):
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        with path.open("w") as fh:
            yaml.dump(
                {"version": 1, "resources": resources},
                fh,
                Dumper=dumper,
                default_flow_style=None,
                sort_keys=False,
                width=200,
            )
    else:
        with path.open("w") as fh:
            json.dump(snapshot_document(resources), fh, separators=(",", ":"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, required=True, help="approximate number of resources")
    parser.add_argument("-o", "--output", type=Path, required=True, help=".json (snapshot) or .yaml (inventory)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    resources = generate(args.resources, args.seed)
    write(resources, args.output)
    print(f"{args.output}: {len(resources)} resources, {args.output.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
