"""A reproducible .apkg writer on top of genanki's database code.

genanki's own Package.write_to_file stamps every note with one timestamp, zips with "now" dates and
leaves its temporary database behind. Here each note carries its own mtime, ids come from a fixed
counter, and the zip has fixed dates, so the same input always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from dlexport.errors import ExportError

_FIRST_ROW_ID = 1_500_000_000_000  # note and card ids are counted from here, in build order


def stable_id(*parts: str) -> int:
    """A deterministic id in genanki's recommended range [2^30, 2^31) (never Python's salted hash())."""
    digest = hashlib.sha256(":".join(parts).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


@dataclass(frozen=True)
class PackagedNote:
    note: genanki.Note
    deck_id: int
    mtime: int


def write_apkg(
    target: Path,
    decks: list[genanki.Deck],
    models: dict[genanki.Model, int],
    notes: list[PackagedNote],
    media: dict[str, Path],
    zip_time: tuple[int, ...],
) -> None:
    """Write the package to `target`. `models` maps each note type to its mtime; `media` maps the file
    name inside Anki to the file on disk."""
    try:
        with tempfile.TemporaryDirectory(prefix="dlexport-apkg-") as tmp:
            db_path = Path(tmp) / "collection.anki2"
            conn = sqlite3.connect(db_path)
            try:
                cursor = conn.cursor()
                cursor.executescript(APKG_SCHEMA)
                cursor.executescript(APKG_COL)
                (decks_json,) = cursor.execute("SELECT decks FROM col").fetchone()
                all_decks = json.loads(decks_json)
                all_decks.update({str(d.deck_id): d.to_json() for d in decks})
                home = decks[0].deck_id
                all_models = {str(m.model_id): m.to_json(mtime, home) for m, mtime in models.items()}
                cursor.execute(
                    "UPDATE col SET decks = ?, models = ?", (json.dumps(all_decks), json.dumps(all_models))
                )
                ids = itertools.count(_FIRST_ROW_ID)
                for item in notes:
                    item.note.write_to_db(cursor, item.mtime, item.deck_id, ids)
                conn.commit()
            finally:
                conn.close()
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
                names = sorted(media)

                def add(name: str, data: bytes) -> None:
                    info = zipfile.ZipInfo(name, date_time=zip_time)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    zf.writestr(info, data)

                add("collection.anki2", db_path.read_bytes())
                add("media", json.dumps({str(i): name for i, name in enumerate(names)}).encode())
                for i, name in enumerate(names):
                    add(str(i), media[name].read_bytes())
    except (sqlite3.Error, OSError) as exc:  # a full disk shows up in sqlite as "disk I/O error"
        raise ExportError(f"cannot write {target}: {getattr(exc, 'strerror', None) or exc}") from None
