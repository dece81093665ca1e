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

from dlexport.errors import ConfigError
from dlexport.output import write_text


def content_hash(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Ledger:
    path: Path
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def load(cls, path: Path) -> Ledger:
        if not path.exists():
            return cls(path)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, dict(doc["records"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"{path}: not a dlexport ledger ({exc}); restore it from version control"
            ) from None

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
