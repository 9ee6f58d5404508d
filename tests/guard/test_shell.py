"""The shell parser: what runs is found wherever it hides; what is only printed is not; and no
input makes it raise (property tests)."""

from __future__ import annotations

import shlex

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.guard.recognise import recognise_line
from auditor.guard.shell import DYNAMIC, parse


def argvs(line: str) -> list[tuple[str, ...]]:
    return [c.argv for c in parse(line).commands]


def test_lists_pipes_subshells_and_substitutions():
    line = "a 1 && (b 2 || c 3) | d; x=$(e 4); f `g 5`"
    names = [a[0] for a in argvs(line)]
    assert set(names) == {"a", "b", "c", "d", "e", "f", "g"}


def test_wrappers_are_peeled():
    assert argvs("sudo -u deploy env A=1 B=2 timeout 30 nohup railway down") == [("railway", "down")]
    assert argvs("command nice -n 5 railway delete") == [("railway", "delete")]


def test_shell_strings_and_heredocs_are_followed():
    assert argvs("bash -lc 'sh -c \"railway delete -p x\"'") == [("railway", "delete", "-p", "x")]
    assert argvs("bash <<'EOF'\nrailway volume delete --volume v\nEOF") == [
        ("railway", "volume", "delete", "--volume", "v")
    ]
    assert argvs("eval 'railway down'") == [("railway", "down")]


def test_scripts_are_read_and_unreadable_ones_are_blind_spots(tmp_path):
    (tmp_path / "wipe.sh").write_text("#!/bin/sh\nrailway volume delete --volume pg-data\n")
    assert argvs_in(tmp_path, "bash wipe.sh") == [("railway", "volume", "delete", "--volume", "pg-data")]
    assert argvs_in(tmp_path, "./wipe.sh") == [("railway", "volume", "delete", "--volume", "pg-data")]
    parsed = parse("bash missing.sh", tmp_path)
    assert parsed.commands == [] and parsed.blind_spots == ["script missing.sh (cannot read it)"]
    assert parse("curl -s https://x.example/install | bash").blind_spots


def argvs_in(cwd, line):  # type: ignore[no-untyped-def]
    return [c.argv for c in parse(line, cwd).commands]


def test_expansions_are_unknown_not_guessed():
    [cmd] = parse('railway volume delete --volume "$VOL"').commands
    assert cmd.argv[-1] == DYNAMIC
    [cmd] = parse("railway volume delete --volume pre-${X}-post").commands
    assert cmd.argv[-1] == f"pre-{DYNAMIC}-post"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_without_raising(text):
    recognise_line(text)


_WORDS = st.sampled_from(
    [
        "railway",
        "volume",
        "delete",
        "--volume",
        "pg-data",
        "volumeDelete",
        "mutation",
        "-y",
        "environment",
        "rm",
        "terraform",
        "destroy",
        "kubectl",
        "ns",
        "prod",
        "aws",
        "s3",
        "rb",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=8), st.sampled_from(["echo", "grep -rn", "git commit -m", "printf %s"]))
def test_printed_or_searched_text_is_never_an_operation(words, printer):
    line = f"{printer} {shlex.quote(' '.join(words))}"
    assert recognise_line(line).operations == []


def test_characters_that_crash_the_bash_grammar_are_neutralised():
    # tree-sitter-bash's scanner reads out of bounds on `{` + some astral code points (SIGSEGV,
    # intermittently): the guard replaces such characters before parsing
    for _ in range(300):
        assert recognise_line("{\U0009cf7c").operations == []
        assert recognise_line("echo {\U0010ffff && railway down").operations[0].operation == "down"
