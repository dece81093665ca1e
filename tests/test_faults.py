"""Faults during a build: kills, a full disk, a read-only folder, two builds at once. Previous outputs
stay intact, no process is left running, no temporary file survives the next run."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import edit, run

from dlexport.output import exclusive


def children(pid: int) -> set[int]:
    """The build's forked workers (not helper programs a library may run, such as ldconfig)."""
    found: set[int] = set()
    try:
        own = Path(f"/proc/{pid}/cmdline").read_bytes()
        for task in Path(f"/proc/{pid}/task").glob("*"):
            found |= {int(c) for c in (task / "children").read_text().split()}
        return {c for c in found if Path(f"/proc/{c}/cmdline").read_bytes() == own}
    except OSError:
        return set()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def cold(out: Path) -> dict[str, str]:
    """An environment with an empty layout cache, so the build has pages to lay out."""
    return {**os.environ, "XDG_CACHE_HOME": str(out.parent / f"cache-{time.monotonic_ns()}")}


def start_pdf_build(content: Path, out: Path, *formats: str) -> tuple[subprocess.Popen, set[int]]:
    """A build of `formats` (default: the PDF) caught with its workers running."""
    chosen = [flag for name in formats or ("pdf",) for flag in ("-f", name)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "dlexport", "build", *chosen, "--content", content, "--out", out],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=cold(out),
    )
    deadline = time.monotonic() + 60
    while not (workers := children(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers, "the build never started its workers"
    return proc, workers


def wait_gone(pids: set[int], seconds: float = 15) -> set[int]:
    deadline = time.monotonic() + seconds
    while (left := {p for p in pids if alive(p)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL])  # SIGTERM, SIGINT: the two tests below
def test_killing_the_build_leaves_no_worker_and_old_outputs_intact(mini, tmp_path, sig):
    out = tmp_path / "out"
    cli = [sys.executable, "-m", "dlexport", "build", "--content", str(mini), "--out", str(out)]
    subprocess.run([*cli, "--format", "pdf"], check=True, capture_output=True, timeout=120)
    before = {p: p.read_bytes() for p in out.rglob("*.pdf")}
    (mini / "basics.yaml").write_text((mini / "basics.yaml").read_text().replace("squashes", "maps"))

    proc, workers = start_pdf_build(mini, out)
    os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    assert wait_gone(workers) == set(), "workers outlived the build"
    for path in before:  # each file is the old one or a complete new one, never a mix
        assert path.read_bytes()[:5] == b"%PDF-" and path.read_bytes()[-6:].strip().endswith(b"%%EOF")
    (out / "pdf" / ".basics.pdf.stale.tmp").write_bytes(b"%PDF-")  # as a SIGKILL mid-write leaves
    subprocess.run([*cli, "--format", "md"], check=True, capture_output=True, timeout=120)
    assert list(out.rglob(".*.tmp")) == []  # the next run removes what a killed build left


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_a_build_of_every_format_stops_its_formats_and_workers(mini, tmp_path, sig):
    proc, workers = start_pdf_build(mini, tmp_path / "out", "anki", "md", "pdf")  # side by side
    os.kill(proc.pid, sig)
    try:
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode != 0 and b"Traceback" not in stderr, stderr
    assert wait_gone(workers) == set(), "workers outlived the build"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_that_comes_while_workers_are_forked_still_stops_the_build(mini, tmp_path, sig):
    """Handled inside an at-fork hook, the signal's exception would be swallowed (the build went on, or
    hung on the logging lock the hook held): it must stop the build once the workers exist."""
    out = tmp_path / "out"
    script = (
        "import os, sys\n"
        "from dlexport.cli import main\n"
        f"os.register_at_fork(before=lambda: os.kill(os.getpid(), {int(sig)}))\n"
        "sys.argv = ['dlexport', 'build', '-f', 'pdf', '--content', sys.argv[1], '--out', sys.argv[2]]\n"
        "main()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, mini, out], stderr=subprocess.PIPE, text=True, env=cold(out)
    )
    try:
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode in (128 + sig, -sig, 1), stderr
    assert "Exception ignored" not in stderr and "Traceback" not in stderr, stderr
    assert not (out / "pdf").exists()
    assert wait_gone(running(out)) == set(), "workers outlived the build"


def test_killing_a_worker_fails_the_build_cleanly(mini, tmp_path):
    out = tmp_path / "out"
    proc, workers = start_pdf_build(mini, out)
    os.kill(next(iter(workers)), signal.SIGKILL)
    try:
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert wait_gone(workers | children(proc.pid)) == set()
    assert list(out.rglob(".*.tmp")) == []


def test_two_builds_into_one_folder(mini, tmp_path):
    """While one build holds the folder (here: this test, through the same lock), another one stops."""
    out = tmp_path / "out"
    cli = [sys.executable, "-m", "dlexport", "build", "-f", "md", "--content", mini, "--out", out]
    with exclusive(out):
        proc = subprocess.run(cli, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1 and f"another dlexport build is writing to {out}" in proc.stderr
        assert not (out / "md").exists()
    assert subprocess.run(cli, capture_output=True, timeout=120).returncode == 0


def test_a_full_disk_is_a_clean_error_and_leaves_nothing_half_written(mini, tmp_path):
    """The file-size limit makes every write past 20 kB fail as a full disk does."""
    out = tmp_path / "out"
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))\n"
        "from dlexport.cli import main\n"
        "sys.argv = ['dlexport', 'build', '-f', 'anki', '--content', sys.argv[1], '--out', sys.argv[2]]\n"
        "main()\n"
    )
    (mini / "images" / "big.png").write_bytes(os.urandom(50_000))
    edit(mini / "basics.yaml", "    answer: |\n", "    answer: |\n      ![b](images/big.png)\n\n")
    proc = subprocess.run([sys.executable, "-c", script, str(mini), str(out)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "cannot write" in proc.stderr and "Traceback" not in proc.stderr
    assert [p for p in out.rglob("*") if p.is_file()] == []
    assert resource.getrlimit(resource.RLIMIT_FSIZE)  # the limit was the child's alone


@pytest.mark.skipif(os.geteuid() == 0 and not Path("/proc/self").exists(), reason="needs /proc")
def test_a_read_only_output_folder(mini, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "md").mkdir()
    proc = (
        subprocess.run(
            [
                "unshare",
                "-r",
                "--mount",
                "sh",
                "-c",
                f"mount -o bind,ro {out} {out} && {sys.executable} -m "
                f"dlexport build --format md --content {mini} --out {out}",
            ],
            capture_output=True,
            text=True,
        )
        if os.geteuid() == 0
        else None
    )
    if proc is None:
        out.chmod(0o500)
        result = run("build", "--format", "md", "--content", mini, "--out", out)
        out.chmod(0o700)
        assert result.exit_code == 1 and "cannot write" in result.output
        return
    assert proc.returncode == 1, proc.stderr
    assert "cannot write" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("cache", ["a file", "read-only"])
def test_an_unusable_cache_folder_only_costs_time(mini, tmp_path, cache):
    """What is kept between builds is only a speed-up: a cache folder that cannot be written (a read-only
    home, or `dlexport` there being a file) must not fail a build that writes into a good output folder."""
    home = tmp_path / "cache"
    home.mkdir()
    out = tmp_path / "out"
    env = {**os.environ, "XDG_CACHE_HOME": str(home)}
    cli = f"{sys.executable} -m dlexport build -f pdf --layout cheatsheet --content {mini} --out {out}"
    if cache == "a file":
        (home / "dlexport").write_text("not a folder")
        proc = subprocess.run(cli.split(), capture_output=True, text=True, env=env, timeout=300)
    else:
        if os.geteuid() != 0:
            pytest.skip("mounts the cache read-only in a user namespace as root")
        (home / "dlexport").mkdir()
        script = f"mount -o bind,ro {home} {home} && {cli}"
        proc = subprocess.run(
            ["unshare", "-r", "--mount", "sh", "-c", script],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
    # was: exit 1, "error: cannot write .../dlexport/math-ziamath-<version>-svg1.json" (the math cache)
    assert proc.returncode == 0, proc.stderr
    assert (out / "pdf" / "cheatsheet.pdf").read_bytes()[:5] == b"%PDF-"


def running(out: Path) -> set[int]:
    """Every process of a build into `out`, the build's orphaned workers included."""
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(out).encode() in cmdline.read_bytes().split(b"\0"):
                found.add(int(cmdline.parent.name))
        except OSError:
            pass
    return found
