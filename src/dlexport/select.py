"""Filters every exporter shares: topics, tags, difficulty, ids."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from dlexport.errors import ConfigError
from dlexport.model import Corpus


def select(
    corpus: Corpus,
    topics: Iterable[str] = (),
    tags: Iterable[str] = (),
    difficulties: Iterable[str] = (),
    ids: Iterable[str] = (),
) -> Corpus:
    """The entries matching every given filter (within a filter, any value matches)."""
    topics, tags, difficulties, ids = set(topics), set(tags), set(difficulties), set(ids)
    known_topics = {t.id for t in corpus.topics}
    if unknown := topics - known_topics:
        raise ConfigError(
            f"unknown topic {', '.join(sorted(unknown))} (known: {', '.join(t.id for t in corpus.topics)})"
        )
    known_ids = {e.id for e in corpus.entries()}
    if unknown := ids - known_ids:
        raise ConfigError(f"unknown entry id {', '.join(sorted(unknown))}")
    chosen = corpus.filter(
        lambda e: (
            (not topics or e.topic in topics)
            and (not tags or bool(tags & set(e.tags)))
            and (not difficulties or e.difficulty in difficulties)
            and (not ids or e.id in ids)
        )
    )
    if not any(True for _ in chosen.entries()):
        raise ConfigError("the selection matches no entries")
    return replace(chosen, selected=bool(topics or tags or difficulties or ids))
