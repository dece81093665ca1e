"""`dlexport check-deck`: import a package into a throw-away collection with Anki's own backend."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from dlexport.errors import ConfigError


@dataclass
class DeckReport:
    notes: int = 0
    cards: int = 0
    decks: list[str] = field(default_factory=list)
    note_types: list[str] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


def check_deck(package: Path) -> DeckReport:
    """Import `package` into a fresh collection and report what Anki made of it."""
    try:
        from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
    except ImportError:
        raise ConfigError("check-deck needs the Anki backend: pip install 'dlexport[check]'") from None
    if not package.is_file():
        raise ConfigError(f"{package}: no such file")
    report = DeckReport()
    with tempfile.TemporaryDirectory(prefix="dlexport-check-") as tmp:
        col = Collection(str(Path(tmp) / "collection.anki2"))
        try:
            try:
                log = col.import_anki_package(
                    ImportAnkiPackageRequest(
                        package_path=str(package.resolve()),
                        options=ImportAnkiPackageOptions(with_scheduling=False, merge_notetypes=True),
                    )
                ).log
            except Exception as exc:  # the backend's own words are the useful message
                report.problems.append(f"import failed: {exc}")
                return report
            report.new, report.updated = len(log.new), len(log.updated)
            for label in (
                "duplicate",
                "conflicting",
                "first_field_match",
                "missing_notetype",
                "missing_deck",
                "empty_first_field",
            ):
                if n := len(getattr(log, label)):
                    report.problems.append(f"{n} note(s) {label.replace('_', ' ')}")
            report.notes = col.note_count()
            report.cards = col.card_count()
            report.decks = sorted(d.name for d in col.decks.all_names_and_ids() if d.name != "Default")
            used = {col.get_note(nid).mid for nid in col.find_notes("")}
            report.note_types = sorted(m.name for m in col.models.all_names_and_ids() if m.id in used)
            empty = [nid for nid in col.find_notes("") if not col.get_note(nid).cards()]
            if empty:
                report.problems.append(f"{len(empty)} note(s) produce no cards")
        finally:
            col.close()
    return report
