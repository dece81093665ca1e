"""Topic files that passed their own checks, kept between runs in the user's cache folder.

Validation is mostly per file: parsing, the schema, Markdown, math and images. What a topic file gave is
kept under a key made of everything it depends on: the file's bytes, the topic ids it may name (in
order: they number the entries), the source keys it may cite, dlexport's code, the libraries that read
it and the Python version. The images it shows are
looked up again on every run (the loader does that), as only their names are in the file. Each record
carries a hash of its own text: a record that is missing, stale or damaged is never used, and the file
is simply checked again. Files with problems are never kept, so every report is made afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

import markdown_it
import mdit_py_plugins
import nh3
import yaml

from dlexport.errors import Problem
from dlexport.model import Entry
from dlexport.output import keep, kept
from dlexport.store import code_version
from dlexport.yamlnodes import Loader

_FORMAT = 1  # of the records below
MAX_RECORDS = 500  # one per topic file: a few corpora's worth
# Whatever reads a corpus file; their own version attributes (importlib.metadata is slow to import).
_LIBRARIES = (yaml, markdown_it, mdit_py_plugins, nh3)
_ENTRY_FIELDS = tuple(f.name for f in fields(Entry) if f.name != "path")
_TUPLE_FIELDS = frozenset(f.name for f in fields(Entry) if f.default == ())


@dataclass
class TopicFile:
    """A topic file checked on its own: all of validation but what needs the other files (unique ids,
    ids that exist, one file per topic)."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    topic: str | None = None  # None when the file names no topic or an unknown one (reported)
    topic_at: tuple[int, int] = (1, 1)
    entries: list[Entry] = field(default_factory=list)  # those without problems
    ids: list[tuple[str, int, int]] = field(default_factory=list)  # each well-formed id, where it stands
    refs: list[tuple[str | None, str, str, int, int]] = field(default_factory=list)  # id, target, key, at
    images: dict[str, str] = field(default_factory=dict)  # image path as written -> corpus-relative path

    def record(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "topic_at": self.topic_at,
            "entries": [[getattr(e, name) for name in _ENTRY_FIELDS] for e in self.entries],
            "ids": self.ids,
            "refs": self.refs,
            "images": self.images,
        }

    @classmethod
    def from_record(cls, path: Path, doc: dict[str, Any]) -> TopicFile:
        """Raises ValueError, KeyError or TypeError on a record of another shape."""
        entries = []
        for row in doc["entries"]:
            values = dict(zip(_ENTRY_FIELDS, row, strict=True))
            for name in _TUPLE_FIELDS:
                values[name] = tuple(values[name])
            entries.append(Entry(**values, path=path))
        line, col = doc["topic_at"]
        return cls(
            path,
            topic=doc["topic"],
            topic_at=(line, col),
            entries=entries,
            ids=[(entry_id, line, col) for entry_id, line, col in doc["ids"]],
            refs=[(entry_id, target, key, line, col) for entry_id, target, key, line, col in doc["refs"]],
            images=dict(doc["images"]),
        )


@cache
def _code() -> str:
    """dlexport's own code and the versions of what reads a corpus."""
    versions = {module.__name__: getattr(module, "__version__", "?") for module in _LIBRARIES}
    with contextlib.suppress(ImportError):  # the C parser's own library, when PyYAML has it
        from yaml._yaml import get_version_string

        versions["libyaml"] = get_version_string()
    return json.dumps([_FORMAT, code_version(), versions, sys.version, Loader.__name__])


class CheckCache:
    """Records of checked topic files under `folder` (None: keep nothing). `context` is what, besides a
    file's bytes, its checks depend on (the topic ids and source keys it may cite)."""

    def __init__(self, folder: Path | None, context: Any):
        self.folder = folder
        self.prefix = hashlib.sha256(json.dumps([_code(), context]).encode()).digest()

    def key(self, data: bytes) -> str:
        """The key of a file with these bytes."""
        return hashlib.sha256(self.prefix + data).hexdigest()

    def _record_path(self, path: Path) -> Path:
        # One record per corpus file (by where it is), overwritten when the file changes. realpath, unlike
        # Path.resolve, never raises (a symbolic link loop is a problem the loader reports).
        name = hashlib.sha256(os.path.realpath(path).encode()).hexdigest()[:32]
        return self.folder / f"{name}.json"  # type: ignore[operator]

    def get(self, path: Path, key: str) -> TopicFile | None:
        """The kept result for the file at `path` with key `key`, if there is a sound one."""
        if self.folder is None:
            return None
        if (body := kept(self._record_path(path))) is None:
            return None  # missing or damaged
        try:
            doc = json.loads(body)
            if doc["key"] != key:
                return None  # stale
            return TopicFile.from_record(path, doc["file"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, path: Path, key: str, checked: TopicFile) -> None:
        if self.folder is None or checked.problems:
            return
        body = json.dumps({"key": key, "file": checked.record()}, ensure_ascii=False).encode()
        keep(self._record_path(path), body)

    def prune(self, paths: list[Path]) -> None:
        """Keep the records of `paths` and the most recent others, up to MAX_RECORDS in all."""
        if self.folder is None:
            return
        keep = {self._record_path(path) for path in paths}
        with contextlib.suppress(OSError):
            others = sorted(
                (p for p in self.folder.glob("*.json") if p not in keep), key=lambda p: p.stat().st_mtime
            )
            for path in others[: max(0, len(others) + len(keep) - MAX_RECORDS)]:
                path.unlink()
