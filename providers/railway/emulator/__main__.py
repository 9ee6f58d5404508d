"""`python -m providers.railway.emulator --fixture incident|generated --port N`: serve an
emulated Railway account for demos until interrupted."""

from __future__ import annotations

import argparse
import sys
import time

from providers.railway.emulator import EmulatorServer, generate_account, incident_account


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m providers.railway.emulator", description=__doc__)
    ap.add_argument("--fixture", choices=["incident", "generated"], default="incident")
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: a free one)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workspaces", type=int, default=1)
    ap.add_argument("--projects", type=int, default=3)
    ap.add_argument("--environments", type=int, default=2)
    ap.add_argument("--volumes", type=int, default=2)
    ap.add_argument("--backups", type=int, default=3)
    ap.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    ap.add_argument("--budget", type=int, default=None, help="requests before 429")
    ap.add_argument(
        "--cache",
        action="store_true",
        help="memoise answers (benchmarks: keeps the emulator's own CPU out of client timings)",
    )
    args = ap.parse_args(argv)
    if args.fixture == "incident":
        account = incident_account()
    else:
        account = generate_account(
            args.seed, args.workspaces, args.projects, args.environments, args.volumes, args.backups
        )
    with EmulatorServer(account, latency=args.latency, budget=args.budget, port=args.port, cache=args.cache) as srv:
        print(f"Railway emulator ({args.fixture}) at {srv.url}", flush=True)
        print(f"  export RAILWAY_API_TOKEN={account.token}", flush=True)
        print(f"  blastscope scan railway --endpoint {srv.url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
