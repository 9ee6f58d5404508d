"""`-o` is written safely by every command: an unpredictable temporary name created exclusively,
never a planted link followed, never the input or a device replaced, one clear line (exit 2)
when the directory is missing or unwritable, nothing left behind when the run is stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from auditor.io.files import write_atomic
from tests.conftest import ROOT, SAMPLES, run_cli

INVENTORY = SAMPLES / "pocketos" / "inventory.yaml"
NOW = ("--now", "2026-11-25")

COMMANDS = {
    "scan": lambda src, out: ["scan", str(src), *NOW, "-f", "json", "-o", str(out)],
    "render": lambda src, out: ["render", str(src), "-f", "dot", "-o", str(out)],
    "blast": lambda src, out: ["blast", str(src), "pg-data", "-o", str(out)],
    "pull": lambda src, out: ["pull", str(src), "-o", str(out)],
    "baseline": lambda src, out: ["baseline", "update", str(src), *NOW, "-o", str(out)],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_link_planted_at_the_old_temporary_name_is_never_followed(tmp_path, command):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "report.out"
    (tmp_path / ".report.out.tmp").symlink_to(victim)
    run = run_cli(*COMMANDS[command](INVENTORY, out))
    assert run.returncode in (0, 1), run.stderr
    assert victim.read_text() == "precious\n"
    assert out.is_file() and not out.is_symlink() and out.stat().st_size > 0


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_link_at_the_output_is_refused_and_its_target_untouched(tmp_path, command):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "report.out"
    out.symlink_to(victim)
    run = run_cli(*COMMANDS[command](INVENTORY, out))
    assert run.returncode == 2
    assert "symbolic link" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert victim.read_text() == "precious\n" and out.is_symlink()


@pytest.mark.parametrize("command", ["scan", "render", "pull", "baseline"])
def test_writing_onto_the_input_is_refused(tmp_path, command):
    src = tmp_path / "inventory.yaml"
    src.write_bytes(INVENTORY.read_bytes())
    run = run_cli(*COMMANDS[command](src, src))
    assert run.returncode == 2 and "also an input" in run.stderr, run.stderr
    assert src.read_bytes() == INVENTORY.read_bytes()


@pytest.mark.parametrize("target", ["/dev/stdout", "/dev/null", "/proc/self/fd/1"])
def test_devices_are_never_an_output(tmp_path, target):
    run = run_cli(*COMMANDS["scan"](INVENTORY, target))
    assert run.returncode == 2 and "blastscope: error: --output" in run.stderr, run.stderr
    assert os.path.islink("/dev/stdout") or not os.path.exists("/dev/stdout")


def test_a_missing_directory_is_one_clear_line(tmp_path):
    run = run_cli(*COMMANDS["scan"](INVENTORY, tmp_path / "nope" / "report.json"))
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"blastscope: error: --output {tmp_path / 'nope' / 'report.json'}: directory {tmp_path / 'nope'} does not exist"
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere; permissions cannot be tested as root")
def test_an_unwritable_directory_is_one_clear_line(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    run = run_cli(*COMMANDS["scan"](INVENTORY, locked / "report.json"))
    assert run.returncode == 2 and "not writable" in run.stderr and "Traceback" not in run.stderr


def test_an_interrupted_write_leaves_no_temporary_file_and_the_old_file_intact(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old\n")

    def chunks():
        yield "new, half"
        raise SystemExit(143)  # what the CLI's SIGTERM handler raises

    with pytest.raises(SystemExit):
        write_atomic(out, chunks())
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_the_written_file_has_ordinary_permissions(tmp_path):
    out = tmp_path / "report.json"
    old = os.umask(0o022)
    try:
        write_atomic(out, "x")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_sigterm_unwinds_instead_of_dying_in_place(tmp_path):
    # a scan waiting on a live API that never answers, then SIGTERM: exit 143, one clean stop
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/graphql/v2"
    env = {**os.environ, "RAILWAY_API_TOKEN": "t", "BLASTSCOPE_RAILWAY_TIMEOUT": "60"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor", "scan", "railway", "--endpoint", url, "-o", str(tmp_path / "r.json")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        conn, _ = listener.accept()  # the scan has started its pull
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
        conn.close()
    finally:
        listener.close()
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == []


def test_ctrl_c_during_start_up_is_one_line_not_a_traceback(tmp_path):
    # a module that is interrupted while it is imported stands in for a Ctrl-C during start-up
    (tmp_path / "typer.py").write_text("raise KeyboardInterrupt\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    run = subprocess.run(
        [sys.executable, "-m", "auditor", "checks"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 130
    assert run.stderr.strip() == "blastscope: interrupted"
