"""Terraform on real documents: coverage of data-bearing resources, and scan time on a big plan.

    python bench/bench_terraform_corpus.py [--corpus ../shared/realworld/terraform] [--resources 10000]

1. Coverage: every resource in the corpus (planned and prior, each address once per document)
   whose type is in the maintained data-bearing table (providers/terraform/datatypes.py) or
   mapped by a per-type mapping to a data kind; the share that becomes a node of a modelled kind
   (database, bucket, volume, backup, credential) rather than a `generic` "treated as data" node.
2. Speed: a generated N-resource plan (bench/tfplan.py) scanned end to end against json.load of
   the same file (median of 3).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.core.errors import InputError  # noqa: E402
from auditor.core.policy import Policy  # noqa: E402
from auditor.engine.audit import audit  # noqa: E402
from auditor.engine.sources import load_file  # noqa: E402
from providers.terraform import datatypes  # noqa: E402

MODELLED = {"database", "bucket", "volume", "backup", "credential"}
#: per-type mappings (aws.py, gcp.py) that build data nodes
FAMILY_DATA = {
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_ebs_volume",
    "aws_s3_bucket",
    "aws_backup_vault",
    "aws_db_snapshot",
    "aws_db_cluster_snapshot",
    "aws_ebs_snapshot",
    "google_storage_bucket",
    "google_compute_disk",
    "google_sql_database_instance",
    "railway_volume",
}


#: keys are not data holders: the data encrypted with them is `stored_on` them (counted apart)
KEYS = {"aws_kms_key", "google_kms_crypto_key", "oci_kms_key", "oci_kms_vault"}


def coverage(corpus: Path) -> tuple[int, int, Counter]:
    data = modelled = 0
    keys: Counter = Counter()
    missing: Counter = Counter()
    for path in sorted(corpus.glob("*.json")):
        try:
            source = load_file(str(path))
        except InputError:
            continue
        seen = set()
        for res in source.resources + (source.plan.prior if source.plan else []):
            address, rtype = res.attrs.get("address"), res.attrs.get("tf_type")
            if not address or address in seen or res.id != f"tf:{address}":
                continue
            seen.add(address)
            if rtype == "aws_ssm_parameter" and res.kind != "credential" and not res.attrs.get("holds_data"):
                continue  # a plain String parameter holds no secret
            if rtype in KEYS:
                keys[res.kind == "generic" and bool(res.attrs.get("holds_data"))] += 1
                continue
            if rtype in datatypes.DATA_TYPES or rtype in datatypes.HOLDS_DATA or rtype in FAMILY_DATA:
                data += 1
                if res.kind in MODELLED:
                    modelled += 1
                else:
                    missing[rtype] += 1
    missing["(keys, not counted above)"] = sum(keys.values())
    return data, modelled, missing


def speed(resources: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.json"
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "tfplan.py"), "--resources", str(resources), "-o", str(plan)],
            check=True,
            capture_output=True,
        )
        loads, scans = [], []
        for _ in range(3):
            t = time.perf_counter()
            with plan.open("rb") as f:
                json.load(f)
            loads.append(time.perf_counter() - t)
            t = time.perf_counter()
            audit([load_file(str(plan))], Policy())
            scans.append(time.perf_counter() - t)
        return statistics.median(loads), statistics.median(scans), plan.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "realworld" / "terraform")
    parser.add_argument("--resources", type=int, default=10000)
    args = parser.parse_args()
    data, modelled, missing = coverage(args.corpus)
    print(f"data-bearing resources: {data}; mapped to a modelled kind: {modelled} ({modelled / max(data, 1):.1%})")
    print(f"treated as data (generic): {dict(missing.most_common())}")
    load, scan, size = speed(args.resources)
    print(
        f"{args.resources}-resource plan ({size / 1e6:.1f} MB): json.load {load:.2f} s, scan {scan:.2f} s, "
        f"ratio {scan / load:.1f}x (median of 3)"
    )


if __name__ == "__main__":
    main()
