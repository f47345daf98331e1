"""`-o` writes as `>` would, but never half a file: regular files are replaced atomically
(keeping their mode), character devices and FIFOs are written in place, symbolic links are
followed, the output is checked before a live collection starts, and a run killed mid-write
leaves no temporary file behind (or the next run removes it)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from auditor import files
from auditor.cli import main
from tests import estate_builder as b

Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    nodes = b.subnet_id("vnet", "nodes")
    document = (
        b.Estate()
        .add(
            b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/16")]),
            b.cluster("aks", [b.pool("sys", nodes)]),
        )
        .document()
    )
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(document))
    return path


def _audit(snapshot: Path, output: Path, fmt: str = "json") -> int:
    return main(
        ["--snapshot", str(snapshot), "--format", fmt, "-o", str(output), "--fail-on", "never"]
    )


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_an_existing_report_keeps_its_mode(tmp_path: Path, snapshot: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("old")
    report.chmod(0o600)
    assert _audit(snapshot, report) == 0
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert json.loads(report.read_text())["summary"]["clusters"] == 1
    assert _temporaries(tmp_path) == []


def test_a_new_report_follows_the_umask(tmp_path: Path, snapshot: Path) -> None:
    report = tmp_path / "report.json"
    assert _audit(snapshot, report) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(report.stat().st_mode) == 0o666 & ~umask


def test_a_symbolic_link_is_followed_and_stays(tmp_path: Path, snapshot: Path) -> None:
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "latest.json"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "report.json"
    link.symlink_to(target)
    assert _audit(snapshot, link) == 0
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert json.loads(target.read_text())["summary"]["clusters"] == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _temporaries(tmp_path) == _temporaries(tmp_path / "reports") == []


def test_a_dangling_symbolic_link_gets_its_target_created(tmp_path: Path, snapshot: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "new.json")
    assert _audit(snapshot, link) == 0
    assert link.is_symlink()
    assert json.loads((tmp_path / "new.json").read_text())["summary"]["clusters"] == 1


def test_a_fifo_is_written_in_place_for_its_reader(tmp_path: Path, snapshot: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    try:
        assert _audit(snapshot, fifo) == 0
    finally:
        reader.join(timeout=60)
    assert json.loads(received[0])["summary"]["clusters"] == 1
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert _temporaries(tmp_path) == []


def test_a_character_device_is_written_in_place(tmp_path: Path, snapshot: Path) -> None:
    # A pseudo-terminal stands for a terminal, /dev/stdout or /dev/null: written in place,
    # it stays a device and nothing is created beside it.
    controller, terminal = os.openpty()
    device = Path(os.ttyname(terminal))
    received = bytearray()

    def drain() -> None:  # a terminal's buffer is small: the report is read as it is written
        with contextlib.suppress(OSError):  # EIO once the terminal side is closed
            while chunk := os.read(controller, 65536):
                received.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert _audit(snapshot, device) == 0
        assert stat.S_ISCHR(device.stat().st_mode)
        for _ in range(600):  # until the reader has it all (the terminal echoes \n as \r\n)
            if bytes(received).rstrip().endswith(b"]}"):
                break
            time.sleep(0.05)
    finally:
        os.close(terminal)
        reader.join(timeout=10)
        os.close(controller)
    report = json.loads(bytes(received).replace(b"\r\n", b"\n"))
    assert report["summary"]["clusters"] == 1
    assert _temporaries(device.parent) == []


def test_a_directory_is_refused(tmp_path: Path, snapshot: Path, capsys: Capsys) -> None:
    assert _audit(snapshot, tmp_path) == 2
    assert (
        capsys.readouterr().err
        == f"egress-audit: error: {tmp_path}: cannot write: is a directory\n"
    )


def test_a_socket_is_refused(tmp_path: Path, snapshot: Path, capsys: Capsys) -> None:
    import socket

    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert _audit(snapshot, path) == 2
    assert "cannot write: not a regular file, character device or FIFO" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file")
def test_a_read_only_report_is_not_replaced(tmp_path: Path, snapshot: Path, capsys: Capsys) -> None:
    report = tmp_path / "report.json"
    report.write_text("keep")
    report.chmod(0o444)
    assert _audit(snapshot, report) == 2
    assert report.read_text() == "keep"
    assert "cannot write: Permission denied" in capsys.readouterr().err


def test_the_output_is_checked_before_a_live_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capsys
) -> None:
    from auditor.collect import args as collect_args

    def collect(*_: object) -> None:
        raise AssertionError("collection started")

    monkeypatch.setattr(collect_args, "collect_from_args", collect)
    missing = tmp_path / "no-such-folder" / "report.sarif"
    argv = ["--subscription", "00000000-0000-4000-8000-000000000001", "--format", "sarif"]
    assert main([*argv, "-o", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"egress-audit: error: {missing}: cannot write: no such folder\n"
    )
    assert main(["snapshot", *argv[:2], "-o", str(tmp_path)]) == 2
    assert "cannot write: is a directory" in capsys.readouterr().err
    assert main(["graph", *argv[:2], "-o", str(missing)]) == 2
    assert "cannot write: no such folder" in capsys.readouterr().err
    output_dir = tmp_path / "file"
    output_dir.write_text("")
    assert main([*argv, "--output-dir", str(output_dir / "sarif")]) == 2
    assert "cannot write: not a folder" in capsys.readouterr().err


def test_sigterm_while_writing_removes_the_temporary_file(
    tmp_path: Path, snapshot: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capsys
) -> None:
    real_fsync = os.fsync

    def terminated_mid_write(descriptor: int) -> None:
        # The report is in the temporary file, not yet renamed: the moment a CronJob's
        # deadline would hit a large write.
        assert _temporaries(tmp_path)
        os.kill(os.getpid(), signal.SIGTERM)
        real_fsync(descriptor)

    monkeypatch.setattr(files.os, "fsync", terminated_mid_write)
    handler = signal.getsignal(signal.SIGTERM)
    report = tmp_path / "report.html"
    assert _audit(snapshot, report, "html") == 128 + signal.SIGTERM
    assert capsys.readouterr().err == "egress-audit: terminated\n"
    assert not report.exists()
    assert _temporaries(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) is handler  # main() put it back


def test_sigterm_to_a_running_process_exits_143_without_leftovers(tmp_path: Path) -> None:
    # A real process: the handler is installed by main() and reaches the write in progress.
    script = (
        "import os, signal, sys\n"
        "from auditor import files\n"
        "from auditor.cli import main\n"
        "real = os.fsync\n"
        "def slow(fd):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    real(fd)\n"
        "files.os.fsync = slow\n"
        "sys.exit(main(['--demo', '--format', 'html', '-o', sys.argv[1]]))\n"
    )
    report = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-c", script, str(report)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert (done.returncode, done.stderr) == (143, "egress-audit: terminated\n")
    assert list(tmp_path.iterdir()) == []


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporary_files_of_a_killed_run_are_removed_by_the_next(
    tmp_path: Path, snapshot: Path
) -> None:
    old = time.time() - files.STALE_AFTER_SECONDS - 60
    dead = _dead_pid()
    stale = tmp_path / f".report.json.egress-audit-{dead}-abc123.tmp"
    recent = tmp_path / f".report.json.egress-audit-{dead}-def456.tmp"  # perhaps another host's
    running = tmp_path / f".report.json.egress-audit-{os.getppid()}-ghi789.tmp"
    other_target = tmp_path / f".other.json.egress-audit-{dead}-jkl012.tmp"
    not_ours = tmp_path / ".report.json.x1y2z3"
    for path in (stale, recent, running, other_target, not_ours):
        path.write_bytes(b"x" * 1000)
        if path is not recent:
            os.utime(path, (old, old))
    assert _audit(snapshot, tmp_path / "report.json") == 0
    assert not stale.exists()
    assert all(path.exists() for path in (recent, running, other_target, not_ours))
