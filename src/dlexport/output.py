"""Atomic output: every file is written beside its destination, then renamed into place, so a failed
build never leaves a truncated artifact in out/."""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import importlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from dlexport.errors import ExportError

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path in the destination's folder; rename it onto `path` only on success. A file
    that already holds exactly those bytes is left alone, so its time stamp still says when it last
    changed (an edit rewrites only the outputs that show it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror}") from None
    os.close(fd)
    try:
        yield Path(tmp)
        if not (_regular(path) and filecmp.cmp(tmp, path, shallow=False)):
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _regular(path: Path) -> bool:
    """A file of its own: a link (to the same bytes elsewhere) or a pipe is replaced, never kept."""
    return not path.is_symlink() and path.is_file()


def cpus() -> int:
    """The CPUs this process may run on (its affinity, which containers often narrow), not the machine's."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def workers_for(amount: int, per_worker: int, limit: int) -> int:
    """How many workers `amount` of work pays for when each needs `per_worker` of it to earn its fork,
    at most `limit`. One means none: do the work here."""
    return max(1, min(limit, amount // per_worker))


def _start_worker(parent: int, preload: tuple[str, ...], setup: Callable[[], None] | None) -> None:
    _die_with_parent(parent)
    for module in preload:
        # Only a head start: a module that fails to import fails the job that needs it, with its own
        # error (an initializer that raises would break the pool, and the build would only say so).
        with contextlib.suppress(Exception):
            importlib.import_module(module)
    if setup:
        setup()


def _die_with_parent(parent: int) -> None:
    """In a worker: ask Linux to kill this process when the build that started it dies, however it
    dies (SIGKILL included), so no worker goes on laying out pages for nobody."""
    import ctypes
    import gc
    import signal

    gc.freeze()  # what the worker was forked with is the build's: its collections need never walk it
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)


@contextmanager
def worker_pool(
    processes: int, preload: tuple[str, ...] = (), setup: Callable[[], None] | None = None
) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers end with the build: on return, on any exception (KeyboardInterrupt
    from SIGINT, SystemExit from SIGTERM, a worker that died), and, through the death signal, when the
    build itself is killed. Each worker imports the `preload` modules as it starts, while the build
    goes on: its first job does not wait for them; then it calls `setup`, which it inherits rather than
    receives (nothing is pickled), so that it must never fail."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor  # here: only work large enough for workers needs it
    from concurrent.futures.process import BrokenProcessPool

    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM)
    if main:
        signal.signal(signal.SIGTERM, _terminate)
    # Forked (whatever the platform's default), as the workers count on: they share the build's memory
    # as it was, and their parent is the build (not a fork server) for the death signal.
    fork = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        processes, mp_context=fork, initializer=_start_worker, initargs=(os.getpid(), preload, setup)
    )
    try:
        with _signals_held() if main else contextlib.nullcontext():
            pool.submit(os.getpid)  # fork every worker now, before the build starts threads
        yield pool
        # All work is done: the workers end on their own. (Killing them under a pool shut down without
        # waiting can make the interpreter print an OSError from concurrent.futures at exit.)
        pool.shutdown(wait=True)
    except BrokenProcessPool:
        raise ExportError("a worker process died: build stopped, earlier outputs are intact") from None
    finally:
        workers = list((getattr(pool, "_processes", None) or {}).values())  # the executor has no terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.kill()
        for worker in workers:
            worker.join()
        if main:
            signal.signal(signal.SIGTERM, previous)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while workers are forked, then raise them again. Handled during a fork,
    a signal's exception is raised inside an at-fork hook, which swallows it (the build goes on) and can
    leave the logging lock held (every thread that then logs waits forever). The workers, forked with
    these handlers, keep ignoring the signals: the build ends them itself."""
    held: list[int] = []
    stopping = (signal.SIGINT, signal.SIGTERM)
    handlers = {sig: signal.signal(sig, lambda signum, frame: held.append(signum)) for sig in stopping}
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        if held:
            signal.raise_signal(held[0])


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold `out` for one build: a second build into the same folder stops with a clear error instead
    of racing the first. Temporary files found there then belong to a build that was killed: remove them."""
    import fcntl

    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportError(f"another dlexport build is writing to {out}: wait for it to finish") from None
        remove_stale_temporaries(out)
        yield
    except BaseException:
        if created:  # a build that failed before writing anything leaves no empty folders behind
            for folder in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
                with contextlib.suppress(OSError):
                    folder.rmdir()
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    finally:
        os.close(fd)


def remove_stale_temporaries(folder: Path, older_than: float = 0) -> None:
    """Remove what `atomic_target` left in `folder` when a build was killed: files no rename took away,
    `older_than` seconds old (in a folder other builds may be writing to at the same time)."""
    import time

    for stale in folder.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - stale.lstat().st_mtime >= older_than:
                stale.unlink()


def cache_dir() -> Path:
    """dlexport's folder in the user's cache (XDG): what is slow to make and cheap to keep."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dlexport"


def write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically; a file that already holds exactly `data` is left alone."""
    with contextlib.suppress(OSError):  # the same check as atomic_target's, without writing a copy first
        if _regular(path) and path.stat().st_size == len(data) and path.read_bytes() == data:
            return path
    with atomic_target(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_text(path: Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def keep(path: Path, data: bytes) -> None:
    """Write a file of the cache, with a hash of its bytes; one that cannot be written (a read-only home)
    only costs time."""
    with contextlib.suppress(OSError, ExportError):
        write_bytes(path, hashlib.sha256(data).hexdigest().encode() + b"\n" + data)


def kept(path: Path) -> bytes | None:
    """What `keep` wrote to `path`, or None if it is missing, torn or damaged: never used, only made again."""
    try:
        digest, _, data = path.read_bytes().partition(b"\n")
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest().encode() == digest else None
