"""Report formats. Each module renders an AuditResult to a string; looked up lazily so a
format's dependencies load only when it is used."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from typing import TYPE_CHECKING

from auditor.core.errors import UsageError

if TYPE_CHECKING:  # the report modules import it; the format list alone must stay light
    from auditor.reports.context import ReportContext

#: format name -> "module:function"; function(result, **options) -> str
FORMATS: dict[str, str] = {
    "text": "auditor.reports.text:render",
    "json": "auditor.reports.json_report:render",
    "sarif": "auditor.reports.sarif:render",
    "junit": "auditor.reports.junit:render",
    "markdown": "auditor.reports.markdown:render",
    "html": "auditor.reports.html:render",
    "ocsf": "auditor.reports.ocsf:render",
}


def renderer(fmt: str) -> Callable[[ReportContext], str]:
    target = FORMATS.get(fmt)
    if target is None:
        raise UsageError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    module, func = target.split(":")
    return getattr(import_module(module), func)  # type: ignore[no-any-return]


def render(fmt: str, ctx: ReportContext) -> str:
    return renderer(fmt)(ctx)


def render_stream(fmt: str, ctx: ReportContext) -> Iterator[str]:
    """The report in chunks: formats whose module has `stream()` never build it whole
    (a 1M-resource JSON report is ~250 MB); the others yield their string once."""
    target = FORMATS.get(fmt)
    module = import_module(target.split(":")[0]) if target else None
    streamer = getattr(module, "stream", None)
    if streamer is not None:
        yield from streamer(ctx)
    else:
        yield renderer(fmt)(ctx)
