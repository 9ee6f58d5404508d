"""Report formats. Each module renders an AuditResult to a string; looked up lazily so a
format's dependencies load only when it is used."""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable

from auditor.errors import UsageError

#: format name -> "module:function"; function(result, **options) -> str
FORMATS: dict[str, str] = {
    "text": "auditor.reports.text:render",
    "json": "auditor.reports.json_report:render",
}


def renderer(fmt: str) -> Callable[..., str]:
    target = FORMATS.get(fmt)
    if target is None:
        raise UsageError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    module, func = target.split(":")
    return getattr(import_module(module), func)


def render(fmt: str, result: Any, **options: Any) -> str:
    return renderer(fmt)(result, **options)
