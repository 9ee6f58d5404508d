"""Line numbers of resources in their source files, so SARIF results and JUnit failures point
at the line a reviewer should look at (a plan's `"address": "…"`, an inventory's `id: …`)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_ADDRESS = re.compile(r'"address":\s*"([^"]+)"')
_INVENTORY_ID = re.compile(r"(?:^|[{\s,-])id:\s*['\"]?([^,'\"}\s]+)")


@lru_cache(maxsize=8)
def _index(origin: str) -> dict[str, int]:
    """First line (1-based) mentioning each address or id; empty for files we cannot read."""
    path = Path(origin)
    lines: dict[str, int] = {}
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, 1):
                for pattern in (_ADDRESS, _INVENTORY_ID):
                    for match in pattern.finditer(line):
                        lines.setdefault(match.group(1), number)
    except OSError:
        return {}
    return lines


def line_of(origin: str, resource_id: str, address: str | None = None) -> int | None:
    index = _index(origin)
    for key in (address, resource_id):
        if key and key in index:
            return index[key]
    return None
