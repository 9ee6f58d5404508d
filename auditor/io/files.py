"""Reading inputs and writing outputs safely.

Inputs are regular files or standard input (`-`), read once, up to a size cap, so a FIFO,
`/dev/zero` or a pipe given twice cannot hang the tool or be read twice. Outputs are written
atomically through an unpredictable temporary name created exclusively next to the target,
so readers see the old file or the new one and a planted link is never followed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from auditor.core.errors import InputError, UsageError

#: The largest input accepted (a 1M-resource snapshot is ~300 MB).
MAX_INPUT_BYTES = 2 * 1024**3
STDIN = "-"
#: names that mean standard input (a pipe given as /dev/stdin is read once, like `-`)
STDIN_NAMES = frozenset({STDIN, "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
#: what standard input held, with the stream it came from: read once per process and stream
_stdin_read: list[tuple[object, bytes]] = []


def display_name(name: str | Path) -> str:
    return "<stdin>" if str(name) in STDIN_NAMES else str(name)


def read_input(name: str | Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file, or of standard input for `-` (read once per process)."""
    if str(name) in STDIN_NAMES:
        if not _stdin_read or _stdin_read[0][0] is not sys.stdin:
            data = _read_capped(sys.stdin.buffer, limit)
            if len(data) > limit:
                raise InputError(f"standard input is larger than {limit} bytes", file="<stdin>")
            _stdin_read[:] = [(sys.stdin, data)]
        return _stdin_read[0][1]
    path = Path(name)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError("no such file", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory; pass a file", file=str(path))
    if not stat.S_ISREG(st.st_mode):
        raise InputError(
            "not a regular file (a device, FIFO or socket cannot be audited); pass a file or '-'", file=str(path)
        )
    if st.st_size > limit:
        raise InputError(f"file is larger than {limit} bytes", file=str(path))
    try:
        with path.open("rb") as fh:
            data = _read_capped(fh, limit, expected=st.st_size)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    if len(data) > limit:
        raise InputError(f"file is larger than {limit} bytes", file=str(path))
    return data


def _read_capped(fh: Any, limit: int, expected: int | None = None) -> bytes:
    """At most limit + 1 bytes, read in chunks: `read(limit + 1)` would reserve the whole cap
    (2 GiB of address space) for every input, however small."""
    chunks: list[bytes] = []
    size = 0
    step = max(64 * 1024, min(limit + 1, (expected or 0) + 1))
    while size <= limit:
        chunk = fh.read(min(step, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


#: a \uD800–\uDFFF escape that is not half of a surrogate pair: not text, and it would crash
#: every writer later (UTF-8 cannot encode it)
_LONE_SURROGATE = re.compile(
    rb"(?<!\\)\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\)(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def text_encoding(data: bytes) -> tuple[str, int]:
    """(codec, length of the byte-order mark) of a text document: by its BOM (what PowerShell
    5.1's `>` writes is UTF-16LE with one), else by the NUL bytes BOM-less UTF-16/32 shows when
    it starts with ASCII, else UTF-8."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    quad = data[:4]
    if len(quad) == 4 and quad[0] and not any(quad[1:]):
        return "utf-32-le", 0
    if len(quad) == 4 and quad[3] and not any(quad[:3]):
        return "utf-32-be", 0
    if len(quad) >= 2 and quad[0] and not quad[1]:
        return "utf-16-le", 0
    if len(quad) >= 2 and quad[1] and not quad[0]:
        return "utf-16-be", 0
    return "utf-8", 0


def decode_text(data: bytes, origin: str) -> str:
    """The whole document as text in its encoding; undecodable bytes are an input error."""
    codec, skip = text_encoding(data)
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid {codec.upper()} text (byte {exc.start + skip})", file=origin) from None


def parse_json(data: bytes, file: str) -> Any:
    """Decode JSON; errors name the file, line and column."""
    if b"\\u" in data and (bad := _LONE_SURROGATE.search(data)):
        line = data.count(b"\n", 0, bad.start()) + 1
        raise InputError(
            f"invalid JSON: line {line}: {bad.group().decode()} is half of a surrogate pair, not text", file=file
        )
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}", file=file) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=file) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", file=file) from None


def read_json(name: str | Path) -> Any:
    return parse_json(read_input(name), display_name(name))


#: directories whose entries are devices or kernel views, never a report's home
_SPECIAL_DIRS = ("/dev", "/proc", "/sys")


def check_output_path(output: Path, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse, before any work is done, an output that cannot be replaced safely: a directory,
    a device or FIFO, a symbolic link (planted or not, it is replaced, never followed), a file
    under /dev or /proc (`-o /dev/stdout`: leave -o out instead), an input of this run, or a
    directory that is missing or not writable."""
    output = Path(output)
    flag = f"--output {output}"
    try:
        st = os.lstat(output)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise UsageError(f"{flag}: cannot use: {exc.strerror}") from None
    parent = output.parent if str(output.parent) else Path(".")
    real_parent = os.path.realpath(parent)
    if any(real_parent == d or real_parent.startswith(d + "/") for d in _SPECIAL_DIRS):
        raise UsageError(f"{flag}: a device or kernel file, not a report file; leave -o out to write to stdout")
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise UsageError(f"{flag}: is a symbolic link; name the file itself (links are never written through)")
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"{flag}: is a directory; name a file")
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"{flag}: not a regular file (a device or FIFO); name a file or leave -o out for stdout")
    if not parent.exists():
        raise UsageError(f"{flag}: directory {parent} does not exist")
    if not parent.is_dir():
        raise UsageError(f"{flag}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{flag}: directory {parent} is not writable")
    if st is None:
        return
    for name in inputs:
        if str(name) in STDIN_NAMES:
            continue
        try:
            if os.path.samefile(output, name):
                raise UsageError(f"{flag}: is also an input; writing it would destroy what is being read")
        except OSError:
            continue


def write_atomic(path: Path, chunks: Iterable[str] | str) -> None:
    """Write text so readers see the old file or the new one, never half of one."""
    data = [chunks] if isinstance(chunks, str) else chunks
    _write(Path(path), (c.encode("utf-8") for c in data))


def write_atomic_bytes(path: Path, data: bytes) -> None:
    _write(Path(path), [data])


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write(path: Path, chunks: Iterable[bytes]) -> None:
    """mkstemp (O_EXCL, unpredictable name) next to the target, fsync, rename over it. The
    temporary file is removed on any exception — SIGTERM included, which the CLI turns into
    SystemExit — so no `.NAME.*.tmp` is left behind."""
    check_output_path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UsageError(f"--output {path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~_umask())
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            raise UsageError(f"--output {path}: cannot write: {exc.strerror or exc}") from None
        raise


def write_json_atomic(path: Path, document: Any) -> None:
    write_atomic(path, [json.dumps(document, ensure_ascii=False, separators=(",", ":")), "\n"])
