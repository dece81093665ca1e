"""The note ledger: when each Anki note's content last changed.

Anki updates a note on re-import only when the incoming modification time is newer than its own, and
a rebuild of unchanged content must be byte-identical. So each note's mtime is stored beside the
corpus with a hash of its content: unchanged hash, same mtime; changed hash, a strictly newer one.
Commit the ledger with the corpus. It also remembers notes whose entries were deleted, so they can be
sent to learners as retired.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlexport.corpus import read_text
from dlexport.errors import CorpusError, Problem
from dlexport.output import write_text

MAX_MTIME = 2**32  # seconds: Anki keeps mtimes as 64-bit integers, and no real edit is dated past 2106
_NOTE_KEYS = {"id": str, "kind": str, "topic": str, "question": str}


def _record_problem(key: str, record: Any) -> str | None:
    """What is wrong with one ledger record, or None."""
    if not isinstance(record, dict):
        return "must be a mapping"
    expected = {"hash": str, "mtime": int} | ({} if key.startswith("model:") else _NOTE_KEYS)
    for name, kind in expected.items():
        value = record.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"'{name}' must be {'a string' if kind is str else 'a whole number'}"
    if not 0 <= record["mtime"] < MAX_MTIME:
        return f"'mtime' {record['mtime']} is out of range"
    if "kind" in record and record["kind"] not in ("basic", "cloze"):
        return "'kind' must be basic or cloze"
    return None


def content_hash(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Ledger:
    path: Path
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    decks: dict[str, str] = field(default_factory=dict)  # topic id -> deck name, fixed when first published
    images: dict[str, str] = field(default_factory=dict)  # corpus path -> packed name (with its bytes' hash)
    changed: bool = False
    # What the ledger held when loaded: release notes compare against it.
    before: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    decks_before: dict[str, str] = field(default_factory=dict, repr=False)
    images_before: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path) -> Ledger:
        """Read the ledger; a damaged one is reported like a damaged corpus file, every problem at once."""
        if not (path.exists() or path.is_symlink()):
            return cls(path)
        problems: list[Problem] = []
        text = read_text(path, problems)
        if text is None:
            raise CorpusError(problems)
        try:
            doc = json.loads(text)
        except RecursionError:
            raise CorpusError([Problem(path, 1, 1, "not a dlexport ledger: nested too deeply")]) from None
        except ValueError as exc:
            line, col = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
            raise CorpusError([Problem(path, line, col, f"not a dlexport ledger: {exc.args[0]}")]) from None
        records = doc.get("records") if isinstance(doc, dict) else None
        if not isinstance(records, dict):
            raise CorpusError([Problem(path, 1, 1, "not a dlexport ledger: no 'records' mapping")])
        maps = {name: doc.get(name, {}) for name in ("decks", "images")}

        def problem_at(key: str, message: str) -> None:
            at = text.find(json.dumps(key, ensure_ascii=False))
            line = text.count("\n", 0, at) + 1 if at >= 0 else 1
            col = at - text.rfind("\n", 0, at) if at >= 0 else 1
            problems.append(Problem(path, line, col, message))

        for key, record in records.items():
            if problem := _record_problem(key, record):
                problem_at(key, f"ledger record {key!r}: {problem}")
        for name, mapping in maps.items():
            if not isinstance(mapping, dict):
                problem_at(name, f"'{name}' must be a mapping")
                maps[name] = {}
            for key, value in maps[name].items():
                if not isinstance(value, str) or not value:
                    problem_at(key, f"{name} entry {key!r} must be a non-empty string")
        if problems:
            raise CorpusError(problems)
        return cls(
            path,
            records,
            maps["decks"],
            maps["images"],
            before={k: dict(v) for k, v in records.items()},
            decks_before=dict(maps["decks"]),
            images_before=dict(maps["images"]),
        )

    def remember(self, table: str, key: str, value: str) -> None:
        """Record a deck name or image name (`table`: "decks" or "images")."""
        mapping = getattr(self, table)
        if mapping.get(key) != value:
            mapping[key] = value
            self.changed = True

    def added(self) -> list[str]:
        return [k for k in self.records if k not in self.before and not k.startswith("model:")]

    def updated(self) -> list[str]:
        return [
            k
            for k, r in self.records.items()
            if k in self.before and r["hash"] != self.before[k]["hash"] and not k.startswith("model:")
        ]

    def stamp(self, key: str, digest: str, now: int, **meta: Any) -> int:
        """The mtime for `key` whose content hashes to `digest`: kept if unchanged, else newer than before."""
        old = self.records.get(key)
        if old and old["hash"] == digest:
            return int(old["mtime"])
        mtime = max(now, int(old["mtime"]) + 1) if old else now
        self.records[key] = {**meta, "hash": digest, "mtime": mtime}
        self.changed = True
        return mtime

    def save(self) -> None:
        if self.changed:
            doc = {"version": 1, "records": self.records, "decks": self.decks, "images": self.images}
            write_text(self.path, _ledger_text(doc))
            self.changed = False


def _ledger_text(doc: dict[str, Any]) -> str:
    """The ledger as JSON with one line per record, deck and image: a note that changes changes one line
    of the diff, and each line is written by json's C encoder (an indented dump is pure Python). One
    encoder writes them all: `json.dumps` with options would make one per line."""
    line = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
    parts = []
    for name, value in sorted(doc.items()):
        if isinstance(value, dict) and value:
            rows = ",\n".join(f"  {line(key)}: {line(row)}" for key, row in sorted(value.items()))
            parts.append(f" {line(name)}: {{\n{rows}\n }}")
        else:
            parts.append(f" {line(name)}: {line(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"
