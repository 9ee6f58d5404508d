"""Small text helpers used in messages a user reads."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


#: bidirectional overrides and isolates, which reorder what a terminal or browser shows
_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F}


def printable(text: object) -> str:
    """Text from a source (a resource name, a server message) made safe for a terminal: control
    characters (ESC sequences, carriage returns, bells, C1 codes), bidi overrides and lone
    surrogates become visible `\\xNN`/`\\uNNNN` escapes instead of acting on the screen."""
    text = str(text)
    if text.isprintable():
        # every character escaped below (controls, bidi formatting, surrogates) is one that
        # str.isprintable() refuses; the usual message needs no walk character by character
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif code in _BIDI or 0xD800 <= code < 0xE000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
