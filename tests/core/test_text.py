"""`printable` escapes what would act on a terminal; its shortcut for already printable text
must give exactly what the character-by-character walk gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from auditor.core.text import printable

_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F}


def walked(text: str) -> str:
    """The defining version: every character looked at."""
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


_MANGLING = st.sampled_from(["\x1b[31m", "\r", "\x07", "\x85", "\u202e", "\u2066", "\u200f", "\ud800", "\u00a0"])


@given(st.lists(st.one_of(st.text(), _MANGLING)).map("".join))
def test_printable_equals_the_walk(text: str) -> None:
    assert printable(text) == walked(text)


def test_what_a_terminal_would_act_on_is_escaped() -> None:
    assert printable("prod\x1b[2J\u202edb") == "prod\\x1b[2J\\u202edb"
    assert printable("plain name") == "plain name"
    assert printable(42) == "42"
