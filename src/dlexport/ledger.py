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
    changed: bool = False

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
        except ValueError as exc:
            line, col = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
            raise CorpusError([Problem(path, line, col, f"not a dlexport ledger: {exc.args[0]}")]) from None
        records = doc.get("records") if isinstance(doc, dict) else None
        if not isinstance(records, dict):
            raise CorpusError([Problem(path, 1, 1, "not a dlexport ledger: no 'records' mapping")])
        for key, record in records.items():
            if problem := _record_problem(key, record):
                at = text.find(json.dumps(key, ensure_ascii=False))
                line = text.count("\n", 0, at) + 1 if at >= 0 else 1
                col = at - text.rfind("\n", 0, at) if at >= 0 else 1
                problems.append(Problem(path, line, col, f"ledger record {key!r}: {problem}"))
        if problems:
            raise CorpusError(problems)
        return cls(path, records)

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
            write_text(
                self.path,
                json.dumps(
                    {"version": 1, "records": self.records}, indent=1, sort_keys=True, ensure_ascii=False
                )
                + "\n",
            )
            self.changed = False
