"""`dlexport check-deck NEW --upgrade-from OLD`: a learner's upgrade, rehearsed with Anki's own backend.

OLD is imported into a throw-away collection and some of its cards are reviewed, as a learner would; then
NEW is imported over it. The report says what the upgrade does to that learner: notes added, updated,
unchanged and retired, cards left in decks NEW no longer has (stranded), images whose bytes changed
while their notes did not (the learner would keep the old picture), and review history lost.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from dlexport.errors import ConfigError

RETIRED_TAG = "dlexport::retired"


@dataclass
class UpgradeReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    reviewed: int = 0
    stranded: dict[str, int] = field(default_factory=dict)  # deck name -> cards left in it
    stale_media: list[str] = field(default_factory=list)
    lost_reviews: int = 0

    @property
    def ok(self) -> bool:
        return not (self.stranded or self.stale_media or self.lost_reviews)


def _import(col, package: Path):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    if not zipfile.is_zipfile(package):
        raise ConfigError(f"{package}: not an Anki package")
    request = ImportAnkiPackageRequest(
        package_path=str(package.resolve()),
        options=ImportAnkiPackageOptions(with_scheduling=False, merge_notetypes=True),
    )
    return col.import_anki_package(request).log


def _package_decks(package: Path, tmp: Path) -> set[str]:
    from anki.collection import Collection

    col = Collection(str(tmp / "decks.anki2"))
    try:
        _import(col, package)
        return {d.name for d in col.decks.all_names_and_ids()} - {"Default"}
    finally:
        col.close()


def check_upgrade(new: Path, old: Path, reviews: int = 20) -> UpgradeReport:
    """Import `old`, review up to `reviews` cards, import `new`, and report what the learner went through."""
    try:
        from anki.collection import Collection
        from anki.scheduler.v3 import CardAnswer
    except ImportError:
        raise ConfigError("check-deck needs the Anki backend: pip install 'dlexport[check]'") from None
    for package in (new, old):
        if not package.is_file():
            raise ConfigError(f"{package}: no such file")
    report = UpgradeReport()
    with tempfile.TemporaryDirectory(prefix="dlexport-upgrade-") as tmp:
        new_decks = _package_decks(new, Path(tmp))
        col = Collection(str(Path(tmp) / "learner.anki2"))
        try:
            _import(col, old)
            retired_before = set(col.find_notes(f"tag:{RETIRED_TAG}"))
            tops = [d for d in col.decks.all_names_and_ids() if "::" not in d.name and d.name != "Default"]
            if tops:
                col.decks.select(tops[0].id)  # study the package's deck, subdecks included
            for _ in range(reviews):  # a learner's first session: answer "good" to what is due
                queued = col.sched.get_queued_cards(fetch_limit=1)
                if not queued.cards:
                    break
                card = col.get_card(queued.cards[0].card.id)
                card.start_timer()
                answer = col.sched.build_answer(
                    card=card, states=queued.cards[0].states, rating=CardAnswer.GOOD
                )
                col.sched.answer_card(answer)
                report.reviewed += 1
            history = col.db.scalar("select count() from revlog")
            intervals = dict(col.db.all("select id, ivl from cards where reps > 0"))
            media_before = {p.name: p.read_bytes() for p in Path(col.media.dir()).iterdir()}

            log = _import(col, new)
            report.added, report.updated = len(log.new), len(log.updated)
            report.unchanged = len(log.duplicate)
            report.retired = len(set(col.find_notes(f"tag:{RETIRED_TAG}")) - retired_before)

            for deck in col.decks.all_names_and_ids():
                cards = len(col.decks.cids(deck.id, children=False))
                if cards and deck.name not in new_decks:
                    report.stranded[deck.name] = cards
            with zipfile.ZipFile(new) as package:
                names = json.loads(package.read("media") or b"{}")
                for index, name in names.items():
                    if name in media_before and package.read(index) != media_before[name]:
                        report.stale_media.append(name)
            after = dict(col.db.all("select id, ivl from cards where reps > 0"))
            lost_cards = [cid for cid, ivl in intervals.items() if after.get(cid) != ivl]
            report.lost_reviews = history - col.db.scalar("select count() from revlog") + len(lost_cards)
        finally:
            col.close()
    return report
