"""Files in and out: special files refused without blocking, outputs replaced whole or not at all."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import Result

from convcalc.netfile.loader import load_network
from tests.conftest import EXAMPLES

Run = Callable[..., Result]
ENCODER = str(EXAMPLES / "vgg16_features.yaml")


def convcalc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run convcalc in its own process; a hang fails the test instead of stopping the suite."""
    return subprocess.run(
        [sys.executable, "-m", "convcalc", *args], capture_output=True, text=True, timeout=30, cwd=cwd, check=False
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_as_input_and_output(tmp_path: Path) -> None:
    """A named pipe with no writer would block forever: it is refused at once, in and out."""
    os.mkfifo(tmp_path / "pipe")
    done = convcalc("stack", "pipe", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, "pipe: is a FIFO (named pipe), not a file\n")
    done = convcalc("mirror", ENCODER, "-o", "pipe", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, "pipe: is a FIFO (named pipe), not a file\n")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["stack", ""], "'': no file name given"),
        (["stack", "/dev/zero"], "/dev/zero: is a device, not a file"),
        (
            ["explain", "convt", "-i", "3", "-k", "2", "-s", "2", "--svg", "/dev/null"],
            "/dev/null: is a device, not a file",
        ),
    ],
    ids=["empty name", "device in", "device out"],
)
def test_special_paths_are_one_line(run: Run, args: list[str], line: str) -> None:
    """Exit 2 and one line that says what the path is."""
    result = run(*args)
    assert (result.exit_code, result.stderr) == (2, line + "\n")


def test_standard_streams_by_name(run: Run) -> None:
    """`-o -` writes to standard output; `-` reads standard input."""
    result = run("mirror", ENCODER, "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("# The decoder that mirrors")
    result = run("stack", "-", stdin=(EXAMPLES / "resnet_stem.yaml").read_text())
    assert result.exit_code == 0
    assert result.stdout.startswith("<stdin>: input 3×224×224")


def test_a_failed_write_keeps_the_old_file(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk while writing: exit 2, one line, the old file whole and no temporary file left."""
    target = tmp_path / "decoder.yaml"
    target.write_text("the user's own file\n")

    def full(_: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = run("mirror", ENCODER, "-o", str(target))
    assert (result.exit_code, result.stderr) == (2, f"{target}: cannot write: No space left on device\n")
    assert target.read_text() == "the user's own file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["decoder.yaml"]


def test_a_written_file_keeps_its_mode(run: Run, tmp_path: Path) -> None:
    """Replacing a file keeps its permissions; a new file gets the usual ones."""
    target = tmp_path / "decoder.yaml"
    target.write_text("old\n")
    target.chmod(0o640)
    assert run("mirror", ENCODER, "-o", str(target)).exit_code == 0
    assert target.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "fresh.yaml"
    assert run("mirror", ENCODER, "-o", str(fresh)).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_racing_writers_leave_one_whole_file(tmp_path: Path) -> None:
    """Twelve mirror runs writing one file at once: every run exits 0 and the file is one whole decoder."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "convcalc", "mirror", ENCODER, "-o", "decoder.yaml"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(12)
    ]
    for process in processes:
        _, err = process.communicate(timeout=60)
        assert (process.returncode, err) == (0, b"")
    text = (tmp_path / "decoder.yaml").read_text()
    assert isinstance(yaml.safe_load(text), dict)
    assert load_network(text, "decoder.yaml").layers
    assert [p.name for p in tmp_path.iterdir()] == ["decoder.yaml"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["mirror", "enc.yaml", "-o", "./enc.yaml"], "--output: './enc.yaml' is the input FILE: not written over"),
        (["mirror", "enc.yaml", "-o", "link.yaml"], "--output: 'link.yaml' is the input FILE: not written over"),
        (
            ["explain", "enc.yaml", "--html", "../work/enc.yaml"],
            "--html: '../work/enc.yaml' is the input FILE: not written over",
        ),
        (
            ["explain", "conv", "-i", "6", "-k", "2", "--svg", "p.svg", "--html", "./p.svg"],
            "--html: './p.svg' is --svg too: not written over",
        ),
        (["import", "model.json", "-o", "model.json"], "--output: 'model.json' is the input SOURCE: not written over"),
    ],
    ids=["mirror over its input", "through a link", "explain over its input", "two pictures", "import over its input"],
)
def test_an_output_that_is_an_input_is_refused(tmp_path: Path, args: list[str], line: str) -> None:
    """By the file a path resolves to, not its spelling: one line, exit 2, the input untouched."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "enc.yaml").write_text(Path(ENCODER).read_text())
    (work / "link.yaml").symlink_to(work / "enc.yaml")
    (work / "model.json").write_text("{}")
    before = {path.name: path.read_bytes() for path in work.iterdir()}
    done = convcalc(*args, cwd=work)
    assert (done.returncode, done.stderr) == (2, f"convcalc: error: {line}\n")
    assert {path.name: path.read_bytes() for path in work.iterdir()} == before


def test_a_symlinked_output_is_written_through(tmp_path: Path) -> None:
    """-o LINK replaces the file the link names; the link stays a link."""
    (tmp_path / "real.yaml").write_text("old\n")
    (tmp_path / "out.yaml").symlink_to(tmp_path / "real.yaml")
    done = convcalc("mirror", ENCODER, "-o", "out.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.yaml").is_symlink()
    assert (tmp_path / "real.yaml").read_text().startswith("# The decoder that mirrors")


def test_a_read_only_output_is_not_replaced(tmp_path: Path) -> None:
    """A file without write permission is left as it is (root could replace it; convcalc does not)."""
    target = tmp_path / "out.yaml"
    target.write_text("keep\n")
    target.chmod(0o444)
    done = convcalc("mirror", ENCODER, "-o", "out.yaml", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, "out.yaml: is read-only: not written over\n")
    assert target.read_text() == "keep\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_replaced_file_keeps_its_owner_and_mode(tmp_path: Path) -> None:
    """A file of another user, replaced, is still theirs, with its mode."""
    target = tmp_path / "out.yaml"
    target.write_text("old\n")
    os.chown(target, 12345, 23456)
    target.chmod(0o640)
    done = convcalc("mirror", ENCODER, "-o", "out.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found = target.stat()
    assert (found.st_uid, found.st_gid, found.st_mode & 0o777) == (12345, 23456, 0o640)
