"""Results kept between builds in the user's cache folder, each under a key made of what it is made
from: what is slow to make and cheap to keep (page layouts, tidied handout pages). Each file carries a
hash of its own bytes, so a result that is missing, torn or damaged is never used, only made again."""

from __future__ import annotations

import contextlib
import hashlib
from functools import cache
from pathlib import Path

from dlexport.output import cache_dir, keep, kept


@cache
def code_version() -> str:
    """A digest of dlexport's own code: what it made before an upgrade is made again."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class Store:
    """Results of one kind, in `cache_dir()/name`. `salt` is what, besides a result's source, it depends
    on (library versions, the folders a layout may read...)."""

    def __init__(self, name: str, salt: str, limit: int = 400):
        self.folder = cache_dir() / name
        self.salt = salt
        self.limit = limit
        self.used: set[str] = set()  # this build's keys, never pruned

    def _path(self, source: str) -> Path:
        key = hashlib.sha256(f"{self.salt}\0{source}".encode()).hexdigest()
        self.used.add(key)
        return self.folder / key

    def get(self, source: str) -> bytes | None:
        return kept(self._path(source))

    def put(self, source: str, data: bytes) -> None:
        keep(self._path(source), data)

    def prune(self) -> None:
        """Keep this build's results and the most recent others, up to `limit` in all."""
        with contextlib.suppress(OSError):
            others = sorted(
                (p for p in self.folder.iterdir() if p.name not in self.used and not p.name.startswith(".")),
                key=lambda p: p.stat().st_mtime,
            )
            for path in others[: max(0, len(others) + len(self.used) - self.limit)]:
                path.unlink()
