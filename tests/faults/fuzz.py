"""The fuzz engine shared by the CI-sized hypothesis tests (tests/faults/test_fuzz_loaders.py)
and the full-size campaign (bench/fuzz_campaign.py).

Five loaders, each fed through what the CLI does with it (load, audit, render the JSON
report): inventory YAML, policy YAML, snapshot JSON, Terraform plan JSON, baseline JSON.
Inputs are valid seeds mutated three ways:

- `targeted`: one number, version or date field replaced by a value that is invalid by
  contract (NaN, ±inf, negative, a boolean, a 5,000-digit integer, year 0/10000). The oracle
  is known: the input must be refused with an input error.
- `structural`: any value in the decoded document replaced by a hostile one (wrong type, deep
  nesting, surrogates, control characters, huge strings); outcome unknown, but never a crash.
- `bytes`: the serialized text cut, spliced, duplicated or bit-flipped; never a crash.

An outcome is `accepted`, `rejected` (a BlastscopeError: one line, exit 2/3), or a failure:
`internal` (any other exception — the CLI's "internal error" line), `nan-output` (a report
that is not strict JSON) or `invalid-accepted` (a targeted input that was not refused).
"""

from __future__ import annotations

import copy
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
LOADERS = ("inventory", "policy", "snapshot", "terraform", "baseline")

POLICY_SEED = """version: 1
environments: {production: [prod, production, live], staging: [stg, staging]}
backups: {rpo: 24h, min_retention: 7d}
severity: {credential-no-expiry: medium}
suppressions:
  - {check: backup-colocated, resource: pocketos-db, reason: "off-site dumps, OPS-123", expires: 2027-01-31}
"""

#: values that are invalid wherever a number, count, duration or version is expected
BAD_NUMBERS: list[Any] = [math.nan, math.inf, -math.inf, -1, -30, True, False, 10**5000, "NaN", 1e308 * 10]
BAD_DATES: list[Any] = [
    "0000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "2026-13-45T00:00:00Z",
    "9999-12-31T23:59:60Z",
    True,
    20261125,
    "yesterday",
]
BAD_DURATIONS: list[Any] = [math.nan, math.inf, "-7d", -1, True, "99999999999999999999d", ".nan", "1e400s"]

HOSTILE: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**63,
    10**5000,
    math.nan,
    math.inf,
    -math.inf,
    1e-320,
    "",
    " ",
    "\x00",
    "\x1b[2J",
    "\ud800",
    "\udfff",
    "\u202e",
    "a" * 100_000,
    "é" * 5000,
    "<img src=x onerror=1>",
    "${{ secrets.X }}",
    [],
    {},
    [[[]]],
    {"": None},
    {"id": None},
    [None] * 50,
    "2026-02-30T00:00:00Z",
    "0001-01-01",
    "9999-12-31T23:59:59Z",
    "-0",
    "0x1F",
    "1_000",
    "~",
    "null",
    "yes",
    "no",
    "on",
    ".inf",
    ".nan",
    "1e999",
    "---",
    "!!binary AAAA",
    "*alias",
]


@dataclass(frozen=True)
class Case:
    loader: str
    kind: str  # targeted | structural | bytes
    data: bytes
    suffix: str
    must_reject: bool
    note: str


# ---------------------------------------------------------------------- seeds
def _inventory_seeds() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*/inventory.yaml"))]


def _snapshot_seed() -> str:
    from auditor.engine.sources import load_file
    from auditor.io.snapshot import snapshot_document

    source = load_file(SAMPLES / "pocketos" / "inventory.yaml")
    return json.dumps(snapshot_document(source, now=NOW))


def _baseline_seed() -> str:
    from auditor.io.baseline import baseline_document
    from tests.faults.fuzz import run_inventory_audit

    result = run_inventory_audit(SAMPLES / "pocketos" / "inventory.yaml")
    return json.dumps(baseline_document(result.findings, now=NOW))


_SEEDS: dict[str, list[tuple[str, str]]] = {}


def seeds(loader: str) -> list[tuple[str, str]]:
    """(text, suffix) of the valid documents a loader's inputs are mutated from."""
    if loader not in _SEEDS:
        if loader == "inventory":
            _SEEDS[loader] = [(t, ".yaml") for t in _inventory_seeds()]
        elif loader == "policy":
            _SEEDS[loader] = [(POLICY_SEED, ".yaml")]
        elif loader == "snapshot":
            _SEEDS[loader] = [(_snapshot_seed(), ".json")]
        elif loader == "terraform":
            plans = sorted((SAMPLES / "terraform").glob("*.json"))
            _SEEDS[loader] = [(p.read_text(encoding="utf-8"), ".json") for p in plans]
        elif loader == "baseline":
            _SEEDS[loader] = [(_baseline_seed(), ".json")]
        else:
            raise ValueError(loader)
    return _SEEDS[loader]


# ---------------------------------------------------------------------- serialising hostile values
def _dump(doc: Any, suffix: str) -> bytes:
    """JSON for .json; for .yaml, JSON too (YAML 1.2 reads it) except for the values JSON cannot
    say, which are written the YAML way (.nan, .inf)."""
    if suffix == ".yaml" and isinstance(doc, dict):
        # block style at the top (`version: 1` on its own line, as inventories are recognised),
        # flow style (JSON) below
        text = (
            "\n".join(
                f"{k if isinstance(k, str) and k.isidentifier() else json.dumps(k)}: "
                f"{json.dumps(_huge_ints_marked(v), allow_nan=True)}"
                for k, v in doc.items()
            )
            + "\n"
        )
    else:
        text = json.dumps(_huge_ints_marked(doc), allow_nan=True)
    text = text.replace(f'"{_HUGE}"', "9" * 5000)
    for depth in (50, 500, 5000):
        text = text.replace(json.dumps(_deep(depth)), "[" * depth + '"x"' + "]" * depth)
    if suffix == ".yaml":
        text = text.replace("-Infinity", "-.inf").replace("Infinity", ".inf").replace("NaN", ".nan")
    return text.encode("utf-8", "surrogatepass")


_HUGE = "\u0000huge-int\u0000"


def _huge_ints_marked(doc: Any) -> Any:
    """Integers too long for json.dumps (Python limits int→str at 4,300 digits) as a marker
    that `_dump` replaces with 5,000 digits of text."""
    if isinstance(doc, dict):
        return {k: _huge_ints_marked(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_huge_ints_marked(v) for v in doc]
    if isinstance(doc, int) and not isinstance(doc, bool) and doc.bit_length() > 10_000:
        return _HUGE
    return doc


def short(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 10_000:
        return "<5000-digit integer>"
    return repr(value)[:40]


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


def _set(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def _decode(text: str, suffix: str) -> Any:
    return json.loads(text) if suffix == ".json" else yaml.safe_load(text)


def _jsonable(doc: Any) -> Any:
    """YAML gives dates and datetimes; the mutated document is re-serialised as JSON text."""
    if isinstance(doc, dict):
        return {str(k): _jsonable(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_jsonable(v) for v in doc]
    if hasattr(doc, "isoformat"):
        text = doc.isoformat()
        return text.replace("+00:00", "Z") if "T" in text else text
    return doc


# ---------------------------------------------------------------------- the three mutators
NUMBER_KEYS = {"retention_days", "size_mb", "version", "format_version"}
DATE_KEYS = {"created_at", "expires_at", "expires"}
DURATION_KEYS = {"rpo", "min_retention"}
#: the fields each loader promises to validate (others are metadata or provider data it passes over)
TARGETS = {
    "inventory": {"retention_days", "size_mb", "version", "created_at", "expires_at"},
    "policy": {"version", "rpo", "min_retention", "expires"},
    "snapshot": {"retention_days", "size_mb", "format_version", "created_at", "expires_at"},
    "terraform": set(),
    "baseline": {"format_version"},
}


def targeted(rng: random.Random, loader: str) -> Case | None:
    text, suffix = rng.choice(seeds(loader))
    doc = _jsonable(_decode(text, suffix))
    candidates = [
        p
        for p in _paths(doc)
        if p
        and isinstance(p[-1], str)
        and p[-1] in TARGETS[loader]
        and (len(p) == 1 or loader not in ("inventory", "snapshot") or p[0] == "resources")
    ]
    if not candidates:
        return None
    path = rng.choice(candidates)
    key = path[-1]
    pool = BAD_NUMBERS if key in NUMBER_KEYS else BAD_DATES if key in DATE_KEYS else BAD_DURATIONS
    value = rng.choice(pool)
    note = f"{'.'.join(map(str, path))} = {short(value)}"
    return Case(loader, "targeted", _dump(_set(doc, path, value), suffix), suffix, True, note)


def _deep(depth: int) -> str:
    """A marker that `_dump` replaces with `depth` nested lists (built as text, never as objects)."""
    return f"\u0000deep:{depth}\u0000"


def structural(rng: random.Random, loader: str) -> Case:
    text, suffix = rng.choice(seeds(loader))
    doc = _jsonable(_decode(text, suffix))
    notes = []
    for _ in range(rng.randint(1, 3)):
        paths = _paths(doc)
        path = rng.choice(paths)
        roll = rng.random()
        if roll < 0.1:
            value: Any = _deep(rng.choice([50, 500, 5000]))
        elif roll < 0.2 and isinstance(doc, dict):
            value = copy.deepcopy(rng.choice(HOSTILE))
            path = path[:-1] + (rng.choice(["", "\x1b", "__proto__", "a" * 500, "id", "kind"]),) if path else path
        else:
            value = copy.deepcopy(rng.choice(HOSTILE))  # a fresh copy: later mutations must not edit the pool
        try:
            doc = _set(doc, path, value)
        except (TypeError, KeyError, IndexError):
            continue
        notes.append(f"{'.'.join(map(str, path))[:60]} = {short(value)}")
    return Case(loader, "structural", _dump(doc, suffix), suffix, False, "; ".join(notes))


def byte_level(rng: random.Random, loader: str) -> Case:
    text, suffix = rng.choice(seeds(loader))
    data = bytearray(text.encode("utf-8"))
    notes = []
    for _ in range(rng.randint(1, 4)):
        if not data:
            break
        op = rng.choice(["cut", "flip", "insert", "dup", "delete"])
        i = rng.randrange(len(data))
        if op == "cut":
            del data[i:]
        elif op == "flip":
            data[i] ^= 1 << rng.randrange(8)
        elif op == "insert":
            data[i:i] = rng.choice(
                [
                    b"\x00",
                    b"\xff\xfe",
                    b"&a [*a]",
                    b"{",
                    b"[",
                    b'"',
                    b":",
                    b"\n- ",
                    b"!!python/object:os.system",
                    b"\\ud800",
                    b"1e99999",
                    b"\t",
                    b"\r",
                ]
            )
        elif op == "dup":
            j = min(len(data), i + rng.randint(1, 200))
            data[i:i] = data[i:j] * rng.randint(2, 20)
        else:
            j = min(len(data), i + rng.randint(1, 50))
            del data[i:j]
        notes.append(f"{op}@{i}")
    return Case(loader, "bytes", bytes(data), suffix, False, " ".join(notes))


def generate(rng: random.Random, loader: str) -> Case:
    roll = rng.random()
    if roll < 0.3:
        case = targeted(rng, loader)
        if case is not None:
            return case
    if roll < 0.7:
        return structural(rng, loader)
    return byte_level(rng, loader)


# ---------------------------------------------------------------------- running one case
def run_inventory_audit(path: Path, policy: Any = None) -> Any:
    from auditor.core.policy import Policy
    from auditor.engine.audit import audit
    from auditor.engine.sources import load_sources

    return audit(load_sources([str(path)]), policy or Policy(), now=NOW)


def _strict_json(text: str) -> None:
    def refuse(name: str) -> Any:
        raise ValueError(f"non-standard JSON constant {name}")

    json.loads(text, parse_constant=refuse)


def _report(result: Any) -> None:
    from auditor.core.verdict import judge
    from auditor.reports import render_stream
    from auditor.reports.context import ReportContext

    verdict = judge(result.findings, fail_on="high", baseline=None, complete=result.complete, allow_partial=False)
    ctx = ReportContext(result, verdict, policy=None, verbose=False, color=False)
    _strict_json("".join(render_stream("json", ctx)))
    "".join(render_stream("text", ctx))


def exercise(loader: str, path: Path) -> None:
    """What the CLI does with this loader's file: load, audit, render."""
    if loader == "policy":
        from auditor.io.policy_file import load_policy

        policy = load_policy(path)
        _report(run_inventory_audit(SAMPLES / "pocketos" / "inventory.yaml", policy))
    elif loader == "baseline":
        from auditor.io.baseline import load_baseline

        load_baseline(path)
    else:
        _report(run_inventory_audit(path))


def run_case(case: Case, workdir: Path) -> str:
    """The outcome of one case: accepted | rejected | internal: … | nan-output: … | invalid-accepted."""
    from auditor.core.errors import BlastscopeError

    path = workdir / f"fuzz-{case.loader}{case.suffix}"
    path.write_bytes(case.data)
    try:
        exercise(case.loader, path)
    except BlastscopeError as exc:
        message = str(exc)
        if "internal error" in message:
            return f"internal: {message[:200]}"
        return "rejected"
    except ValueError as exc:
        if "non-standard JSON constant" in str(exc):
            return f"nan-output: {exc}"
        return f"internal: {type(exc).__name__}: {str(exc)[:200]}"
    except MemoryError:
        return "internal: MemoryError"
    except Exception as exc:  # noqa: BLE001 - every other exception is what the CLI prints as "internal error"
        return f"internal: {type(exc).__name__}: {str(exc)[:200]}"
    return "invalid-accepted" if case.must_reject else "accepted"


def failed(outcome: str) -> bool:
    return outcome not in ("accepted", "rejected")


Runner = Callable[[Case, Path], str]
