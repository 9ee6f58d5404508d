"""A shell command line → the simple commands it would run, with their words as far as they
are known before it runs.

Parsed with tree-sitter's bash grammar (a real parser: lists, pipelines, subshells, command
substitutions, heredocs, quoting), never with regexes over the line. Wrappers that run another
command (`sudo`, `env`, `xargs`, `nohup`, `timeout` …) are peeled off, and strings handed to a
shell (`sh -c`, `bash -lc`, `eval`) or scripts it can read are parsed again, recursively.

A word whose value depends on the run (`$VAR`, `$(cmd)`, a glob) keeps its literal parts and a
DYNAMIC marker in place of the rest, so a target built from a variable is "unknown", never a
guess at a name.
"""

from __future__ import annotations

import os
import re

from auditor.guard.record import factory, record

#: Stands in for the part of a word only the running shell knows.
DYNAMIC = "\x00"
#: How deep `sh -c "bash -c '…'"` and scripts are followed.
MAX_DEPTH = 6
#: Scripts larger than this are not read (the guard must answer quickly).
MAX_SCRIPT_BYTES = 256 * 1024

_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "busybox"})
_ESCAPE_IN_DOUBLE = re.compile(r'\\([$`"\\\n])')
_ESCAPE_IN_WORD = re.compile(r"\\(.)", re.S)

_parser = None


def _get_parser():  # type: ignore[no-untyped-def]
    global _parser
    if _parser is None:
        try:  # the compiled modules directly: the packages' __init__ pull in typing and importlib.resources
            from tree_sitter._binding import Language, Parser

            language = _bash_language()
        except (ImportError, OSError):  # pragma: no cover - another version's layout
            from tree_sitter import Language, Parser
            from tree_sitter_bash import language

        _parser = Parser(Language(language()))
    return _parser


def _bash_language():  # type: ignore[no-untyped-def]
    """tree_sitter_bash's compiled `language` without importing its package `__init__` (which
    loads importlib.resources, ~10% of the guard's start-up budget, for queries we never use)."""
    import importlib.machinery
    import importlib.util
    import sys

    spec = importlib.util.find_spec("tree_sitter_bash")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("tree_sitter_bash")
    folder = next(iter(spec.submodule_search_locations))
    names = [n for n in os.listdir(folder) if n.startswith("_binding.") and n.endswith((".so", ".pyd"))]
    binary = os.path.join(folder, names[0]) if names else None
    if binary is None:
        raise ImportError("tree_sitter_bash._binding")
    name = "tree_sitter_bash._binding"
    if name in sys.modules:
        return sys.modules[name].language
    loader = importlib.machinery.ExtensionFileLoader(name, binary)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    loader.exec_module(module)
    return module.language


@record
class SimpleCommand:
    """One command as the shell would run it: argv (words may hold DYNAMIC), its stdin text
    when a heredoc or here-string gives it, and the text it came from."""

    argv: tuple[str, ...]
    text: str
    stdin: str | None = None
    #: a wrapper like `xargs` appends words the guard cannot see
    open_ended: bool = False

    @property
    def name(self) -> str:
        return os.path.basename(self.argv[0]) if self.argv else ""


@record
class ParsedLine:
    commands: list[SimpleCommand] = factory(default_factory=list)
    #: things the guard could not follow (unreadable scripts, too deep), said in the reason
    blind_spots: list[str] = factory(default_factory=list)


_ASTRAL = re.compile("[\U00010000-\U0010ffff\ud800-\udfff]")


def _safe_text(line: str) -> str:
    """The line with characters outside the Basic Multilingual Plane (and lone surrogates)
    replaced by U+FFFD before parsing: tree-sitter-bash's scanner crashes (SIGSEGV) on some of
    them, e.g. `{` followed by U+9CF7C. No command, flag or resource name the guard acts on
    needs them; a name holding one then resolves to nothing, and the guard asks."""
    return _ASTRAL.sub("\ufffd", line) if not line.isascii() else line


def is_dynamic(word: str) -> bool:
    return DYNAMIC in word


def parse(line: str, cwd: str | os.PathLike | None = None) -> ParsedLine:
    """Every simple command `line` runs, wrappers peeled and `sh -c` strings followed."""
    cwd = os.fspath(cwd) if cwd is not None else None
    out = ParsedLine()
    _parse_into(line, cwd, out, 0)
    return out


def _parse_into(line: str, cwd: str | None, out: ParsedLine, depth: int) -> None:
    if depth > MAX_DEPTH:
        out.blind_spots.append("shell strings nested too deep to follow")
        return
    source = _safe_text(line).encode("utf-8", errors="replace")
    tree = _get_parser().parse(source)
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "command":
            cmd = _command(node)
            if cmd is not None:
                _expand(cmd, cwd, out, depth)
        # commands inside arguments ($(…), `…`) and inside compound statements run too
        stack.extend(reversed(node.children))


def _command(node) -> SimpleCommand | None:  # type: ignore[no-untyped-def]
    words: list[str] = []
    for child in node.children:
        if child.type == "variable_assignment":
            continue  # FOO=1 cmd: an environment prefix
        if child.type == "command_name":
            words.append(word_value(child.children[0] if child.children else child))
        elif child.is_named and child.type not in (
            "comment",
            "file_redirect",
            "herestring_redirect",
            "heredoc_redirect",
        ):
            words.append(word_value(child))
    if not words:
        return None
    stdin = _stdin_of(node)
    return SimpleCommand(tuple(words), node.text.decode("utf-8", errors="replace"), stdin)


def _stdin_of(node) -> str | None:  # type: ignore[no-untyped-def]
    """The text a heredoc or here-string feeds the command (`curl -d @- <<EOF`)."""
    parent = node.parent
    candidates = list(node.children)
    if parent is not None and parent.type == "redirected_statement":
        candidates += list(parent.children)
    for child in candidates:
        if child.type == "heredoc_redirect":
            body = next((c for c in child.children if c.type == "heredoc_body"), None)
            if body is not None:
                return word_value(body, heredoc=True)
        if child.type == "herestring_redirect":
            value = next((c for c in child.children if c.is_named), None)
            if value is not None:
                return word_value(value)
    return None


def word_value(node, heredoc: bool = False) -> str:  # type: ignore[no-untyped-def]
    """A word's value after quote removal; expansions become DYNAMIC."""
    kind = node.type
    text = node.text.decode("utf-8", errors="replace")
    if kind == "raw_string":
        return text[1:-1]
    if kind == "ansi_c_string":
        return _ansi_c(text[2:-1])
    if kind in ("word", "number", "command_name"):
        return _ESCAPE_IN_WORD.sub(r"\1", text) if "\\" in text else text
    if kind in (
        "simple_expansion",
        "expansion",
        "command_substitution",
        "process_substitution",
        "arithmetic_expansion",
    ):
        return DYNAMIC
    if kind == "concatenation":
        return "".join(word_value(c) for c in node.children)
    if kind in ("string", "heredoc_body", "translated_string"):
        parts: list[str] = []
        pos = node.start_byte
        raw = node.text
        base = node.start_byte
        for child in node.children:
            if child.type in ("simple_expansion", "expansion", "command_substitution", "arithmetic_expansion"):
                parts.append(_unescape_double(raw[pos - base : child.start_byte - base].decode("utf-8", "replace")))
                parts.append(DYNAMIC)
                pos = child.end_byte
        parts.append(_unescape_double(raw[pos - base :].decode("utf-8", "replace")))
        joined = "".join(parts)
        if kind == "string" and joined.startswith('"'):
            joined = joined[1:]
        if kind == "string" and joined.endswith('"'):
            joined = joined[:-1]
        return joined
    return DYNAMIC if node.is_named else text


def _unescape_double(text: str) -> str:
    return _ESCAPE_IN_DOUBLE.sub(r"\1", text)


def _ansi_c(body: str) -> str:
    try:
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        return body


# ------------------------------------------------------------------------- wrappers and shells
#: wrapper -> options that take a value (so the value is not mistaken for the command)
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "--user", "--group"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}),
    "nohup": frozenset(),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "-p"}),
    "command": frozenset(),
    "exec": frozenset({"-a"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "timeout": frozenset({"-s", "--signal", "-k", "--kill-after"}),
    "xargs": frozenset(
        {
            "-I",
            "-L",
            "-n",
            "-P",
            "-d",
            "-E",
            "-s",
            "-a",
            "--arg-file",
            "--delimiter",
            "--max-args",
            "--max-procs",
            "--replace",
        }
    ),
    "watch": frozenset({"-n", "--interval", "-d"}),
    "retry": frozenset(),
    "caffeinate": frozenset(),
}


def _expand(cmd: SimpleCommand, cwd: str | None, out: ParsedLine, depth: int) -> None:
    argv = list(cmd.argv)
    open_ended = cmd.open_ended
    # peel wrappers: `sudo -u x env A=1 timeout 5 railway …`
    for _ in range(8):
        if not argv:
            return
        name = os.path.basename(argv[0])
        if name not in _WRAPPERS:
            break
        takes_value = _WRAPPERS[name]
        i = 1
        while i < len(argv):
            word = argv[i]
            if word == "--":
                i += 1
                break
            if name == "env" and "=" in word and not word.startswith("-"):
                i += 1
                continue
            if word.startswith("-") and len(word) > 1:
                i += 2 if word in takes_value else 1
                continue
            if name == "timeout" and i == _first_positional(argv, takes_value):
                i += 1  # the duration
                continue
            break
        if name == "env" and any(a in ("-S", "--split-string") for a in argv[1:i]):
            split = argv[argv.index("-S" if "-S" in argv else "--split-string") + 1]
            _parse_into(split + " " + " ".join(argv[i:]), cwd, out, depth + 1)
            return
        if name == "xargs":
            open_ended = True
        argv = argv[i:]
    if not argv:
        return
    name = os.path.basename(argv[0])
    if name in _SHELLS:
        _shell(argv, cmd, cwd, out, depth)
        return
    if name == "eval":
        _parse_into(" ".join(argv[1:]), cwd, out, depth + 1)
        return
    if name in ("source", "."):
        if len(argv) > 1:
            _script(argv[1], cwd, out, depth)
        return
    if "/" in argv[0] and argv[0].endswith((".sh", ".bash")):
        _script(argv[0], cwd, out, depth)
        return
    out.commands.append(SimpleCommand(tuple(argv), cmd.text, cmd.stdin, open_ended))


def _first_positional(argv: list[str], takes_value: frozenset[str]) -> int:
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] in takes_value else 1
    return i


def _shell(argv: list[str], cmd: SimpleCommand, cwd: str | None, out: ParsedLine, depth: int) -> None:
    """`bash -lc 'string'`, `sh script.sh`, `bash <<EOF … EOF`."""
    i = 1
    while i < len(argv):
        word = argv[i]
        if word.startswith("-") and not word.startswith("--") and "c" in word[1:]:
            if i + 1 < len(argv):
                _parse_into(argv[i + 1], cwd, out, depth + 1)
            else:
                out.blind_spots.append(f"{argv[0]} -c without a command string")
            return
        if word in ("-o", "-O", "+o", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if word.startswith("-") or word.startswith("+"):
            i += 1
            continue
        _script(word, cwd, out, depth)
        return
    if cmd.stdin is not None:
        _parse_into(cmd.stdin, cwd, out, depth + 1)
    else:
        out.blind_spots.append(f"commands {argv[0]} reads from its standard input")


def _script(name: str, cwd: str | None, out: ParsedLine, depth: int) -> None:
    if is_dynamic(name):
        out.blind_spots.append("a script whose name is only known when it runs")
        return
    path = os.path.expanduser(name)
    if not os.path.isabs(path) and cwd is not None:
        path = os.path.join(cwd, path)
    try:
        if os.stat(path).st_size > MAX_SCRIPT_BYTES:
            out.blind_spots.append(f"script {name} (too large to read)")
            return
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        out.blind_spots.append(f"script {name} (cannot read it)")
        return
    _parse_into(text, os.path.dirname(path), out, depth + 1)
