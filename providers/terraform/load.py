"""A `terraform show -json` document → Source (the heavy half of the provider: the translators
and the AWS IAM catalogue are imported only when a Terraform document is actually read)."""

from __future__ import annotations

from typing import Any

import msgspec

from auditor.core.errors import InputError
from auditor.core.model import Resource
from auditor.core.source import Plan, PlannedChange, Source
from auditor.io.files import decode_text, parse_json, text_encoding
from auditor.io.lifetime import done_with
from auditor.io.resources import check_references, parse_resource, parse_resources
from providers.terraform.context import Context
from providers.terraform.document import TfDocument, parse_document
from providers.terraform.translate import UnexpectedShape, is_modelled_type, translate


def source_from_document(document: Any, file: str, spent: list[Any] | None = None) -> Source:
    """The Source of a decoded document; `spent`, if given, receives what was built on the way
    and is no longer needed (for lifetime.done_with)."""
    try:
        return _source(document, file, spent if spent is not None else [])
    except UnexpectedShape as exc:
        raise InputError(str(exc), file=file, resource=exc.address, field="values") from None
    except RecursionError:
        raise InputError("nested too deeply to be a document Terraform writes", file=file) from None
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        # a value of a shape `terraform show -json` never writes, somewhere the reader did not
        # check it field by field: refused as input (exit 2), never an internal error
        raise InputError(
            f"not the shape `terraform show -json` writes ({type(exc).__name__}: {str(exc)[:80]})", file=file
        ) from None


def _source(document: Any, file: str, spent: list[Any]) -> Source:
    doc: TfDocument = parse_document(document, file)
    ctx = Context.build(doc.resources + doc.prior, doc.provider_config, doc.root_config)
    raw, unmapped = translate(doc.resources, ctx)
    meta: dict[str, Any] = {
        "terraform_kind": doc.kind,
        "terraform_version": doc.terraform_version,
        "unmapped_types": dict(sorted(unmapped.items())),
        "unmapped": sum(unmapped.values()),
    }
    source = Source(
        origin=file, provider="terraform", resources=parse_resources(raw, file), meta=meta, gaps=list(doc.gaps)
    )
    if doc.kind == "plan":
        prior_raw, _ = translate(doc.prior, ctx)
        prior = _parse_prior(prior_raw, raw, source.resources, f"{file} (prior state)")
        addresses = {r.attrs["address"]: r.id for r in prior if r.id == f"tf:{r.attrs.get('address')}"}
        changes = []
        counts = {"delete": 0, "replace": 0, "create": 0, "update": 0}
        for c in doc.changes:  # one pass: a plan of 50k resources has 50k changes
            actions = c.actions
            changes.append(
                PlannedChange(
                    c.address,
                    c.type,
                    actions,
                    None if c.deposed else addresses.get(c.address),
                    c.deposed,
                    not is_modelled_type(c.type),
                )
            )
            if actions == ("delete",) or actions == ("create",) or actions == ("update",):
                counts[actions[0]] += 1
            elif "delete" in actions and "create" in actions:
                counts["replace"] += 1
        source.plan = Plan(prior, changes)
        meta["changes"] = counts
        spent.append(prior_raw)
    spent += (doc, raw)
    return source


def load_terraform(data: bytes, origin: str) -> Source:
    if text_encoding(data) == ("utf-8", 0) and data.isascii():
        encoded = data  # ASCII is valid UTF-8: nothing to decode, no text copy of a large plan
    else:
        text = decode_text(data, origin)
        # plain UTF-8 that decoded is its own encoding: no second copy of a large plan
        encoded = data if text_encoding(data) == ("utf-8", 0) else text.encode("utf-8", "surrogatepass")
        del text
    document = quick_decode(encoded)
    if document is REFUSED:
        # the shared JSON reader decides: errors with line and column, no lone surrogates,
        # bounded nesting (called from here, as always, so its nesting bound is unchanged)
        document = parse_json(encoded, origin)
    spent = [document]
    source = source_from_document(document, origin, spent)
    done_with(spent)  # a one-shot command never frees it (a fifth of decoding it, at 50k)
    return source


#: quick_decode's answer when msgspec refuses a document: the shared reader then decides
REFUSED: Any = object()

#: Python frames quick_decode stands below its caller, so that msgspec (which counts the same
#: recursion budget and accepts a few levels more than `json` from the same frame) refuses a
#: little less deep than parse_json would; tests/providers/terraform/test_decode.py holds it to that
_HEADROOM = 12


def quick_decode(data: bytes, _frames: int = _HEADROOM) -> Any:
    """The value `json.loads(data)` gives, by msgspec's decoder (about twice as fast on a plan),
    or REFUSED. msgspec accepts a subset of what `json` does (no NaN or Infinity, no number
    out of a float's range, no byte-order mark, no lone surrogate, a shallower nesting from
    here) and gives the same values for it; everything it refuses goes to parse_json, which
    accepts or rejects it as before."""
    if _frames:
        return quick_decode(data, _frames - 1)
    try:
        return msgspec.json.decode(data)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return REFUSED


def _parse_prior(prior_raw: list[Any], planned_raw: list[Any], planned: list[Resource], file: str) -> list[Resource]:
    """`parse_resources(prior_raw, file)`, reusing the planned graph's Resource wherever the prior
    mapping is `identical` to the planned one of the same id: most of a plan's resources are not
    changed by it, and parsing them again was a tenth of reading a plan. Resources are never
    modified after parsing, so one object can sit in both graphs."""
    same_id: dict[str, tuple[Any, Resource]] = {}
    for raw, res in zip(planned_raw, planned, strict=True):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            same_id[raw["id"]] = (raw, res)
    prior = []
    for i, raw in enumerate(prior_raw):
        hit = same_id.get(raw["id"]) if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        if hit is not None and identical(hit[0], raw):
            prior.append(hit[1])
        else:
            prior.append(parse_resource(raw, i, file))
    check_references(prior, file)
    return prior


def identical(a: Any, b: Any) -> bool:
    """The same mapping, types and key order included (what `repr(a) == repr(b)` says, ten
    times faster): `==` tells lists from tuples and finds most differences first; msgspec's
    encoding tells True from 1, 1.0 from 1, -0.0 from 0.0 and one key order from another. A
    value msgspec cannot encode is compared by `repr`. (A NaN equals no other NaN here: the
    resource is parsed again, never shared wrongly.)"""
    if a != b:
        return False
    try:
        return _encode(a) == _encode(b)
    except (TypeError, ValueError, OverflowError, RecursionError):
        return repr(a) == repr(b)


_encode = msgspec.json.Encoder().encode
