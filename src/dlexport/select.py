"""Filters every exporter shares: topics, tags, difficulty, ids, and whether drafts are in."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dlexport.errors import ConfigError
from dlexport.model import Corpus


@dataclass(frozen=True)
class Selection:
    """What a build takes from the corpus. Within one filter any value matches; all filters must."""

    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    difficulties: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    include_drafts: bool = False

    @property
    def narrows(self) -> bool:
        return bool(self.topics or self.tags or self.difficulties or self.ids)


def select(corpus: Corpus, selection: Selection = Selection()) -> Corpus:
    """The chosen entries, with the numbers they have in the whole corpus."""
    topics, tags, difficulties, ids = map(
        set, (selection.topics, selection.tags, selection.difficulties, selection.ids)
    )
    if unknown := topics - {t.id for t in corpus.topics}:
        raise ConfigError(
            f"unknown topic {', '.join(sorted(unknown))} (known: {', '.join(t.id for t in corpus.topics)})"
        )
    if unknown := ids - {e.id for e in corpus.entries()}:
        raise ConfigError(f"unknown entry id {', '.join(sorted(unknown))}")
    chosen = (corpus if selection.include_drafts else corpus.published()).filter(
        lambda e: (
            (not topics or e.topic in topics)
            and (not tags or bool(tags & set(e.tags)))
            and (not difficulties or e.difficulty in difficulties)
            and (not ids or e.id in ids)
        )
    )
    if not any(True for _ in chosen.entries()):
        raise ConfigError("the selection matches no entries")
    return replace(chosen, selected=selection.narrows)
