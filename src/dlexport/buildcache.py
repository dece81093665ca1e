"""Nothing changed, nothing done.

Each exporter's outputs are recorded in `out/.dlexport-build.json` with a key: a hash of everything they
are made from (every file of the corpus folder, ledger and images included; the templates; dlexport's own
code and the versions of the libraries that lay out and package; the options, the selection, the title
and SOURCE_DATE_EPOCH) and a hash of each file written. A build whose key matches, and whose files are
all there with those hashes, is skipped before the corpus is even read. A missing, stale or damaged
record is never trusted: the exporter simply runs again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from dlexport.output import write_text

RECORD = ".dlexport-build.json"
_LIBRARIES = (  # whatever shapes the bytes of an output
    "genanki", "weasyprint", "pydyf", "fonttools", "ziamath", "font-source-sans-pro", "markdown-it-py",
    "mdit-py-plugins", "mdformat", "mdformat-gfm", "nh3", "pygments", "jinja2",
)  # fmt: skip


def _files(root: Path) -> Iterable[Path]:
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(root).parts)
    )


def files_digest(folders: Iterable[Path]) -> str:
    """A hash of every file under `folders` (names and bytes) and of dlexport's own code."""
    digest = hashlib.sha256()
    for root in (*folders, Path(__file__).parent):
        for path in _files(root):
            digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def inputs_key(files: str, settings: Any) -> str:
    """The key of one exporter's outputs: the files' digest, library versions, SOURCE_DATE_EPOCH and
    `settings` (a JSON-able description of the exporter, its options and the selection)."""
    versions = {}
    for name in _LIBRARIES:
        with contextlib.suppress(PackageNotFoundError):
            versions[name] = version(name)
    extra = {
        "files": files,
        "settings": settings,
        "versions": versions,
        "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
    }
    return hashlib.sha256(json.dumps(extra, sort_keys=True, default=str).encode()).hexdigest()


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class BuildRecord:
    out: Path
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # exporter -> {"key", "files"}

    @classmethod
    def load(cls, out: Path) -> BuildRecord:
        try:
            doc = json.loads((out / RECORD).read_text(encoding="utf-8"))
            outputs = doc["outputs"]
            if doc.get("version") != 1 or not isinstance(outputs, dict):
                raise ValueError
            for entry in outputs.values():
                if not (isinstance(entry["key"], str) and isinstance(entry["files"], dict)):
                    raise ValueError
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(out)  # missing or damaged: every exporter runs
        return cls(out, outputs)

    def fresh(self, exporter: str, key: str) -> bool:
        """True when `exporter`'s outputs were made from inputs with this key and are still intact."""
        entry = self.outputs.get(exporter)
        if not entry or entry["key"] != key or not entry["files"]:
            return False
        return all(_file_hash(self.out / rel) == sha for rel, sha in entry["files"].items())

    def record(self, exporter: str, key: str, files: list[Path]) -> None:
        hashes = {p.relative_to(self.out).as_posix(): _file_hash(p) for p in files}
        self.outputs[exporter] = {"key": key, "files": hashes}

    def save(self) -> None:
        text = json.dumps({"version": 1, "outputs": self.outputs}, indent=1, sort_keys=True) + "\n"
        path = self.out / RECORD
        with contextlib.suppress(OSError):
            if path.read_text(encoding="utf-8") == text:
                return  # a no-op build writes nothing
        write_text(path, text)
