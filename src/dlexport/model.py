"""The corpus as frozen dataclasses. No I/O here: loading lives in corpus.py, output in exporters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

DIFFICULTIES = ("basic", "intermediate", "advanced")


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    question: str
    answer: str
    difficulty: str
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    details: str | None = None
    cloze: str | None = None
    retired: bool = False
    images: tuple[str, ...] = ()  # corpus-relative paths of the images its fields show (found at load)
    # Where the entry was defined: error messages point there.
    path: Path | None = field(default=None, compare=False)
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    summary: str = ""
    entries: tuple[Entry, ...] = ()
    path: Path | None = field(default=None, compare=False)  # the file holding its entries, if any


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    questions: int | None = None  # None: an open-ended key such as `extra`


@dataclass(frozen=True)
class Corpus:
    topics: tuple[Topic, ...]
    sources: tuple[Source, ...] = ()
    root: Path = Path(".")
    selected: bool = False  # True when filters narrowed it: absent entries are not "removed"

    def entries(self) -> Iterator[Entry]:
        """Every entry, in topic order, then file order."""
        for topic in self.topics:
            yield from topic.entries

    @cached_property
    def _index(self) -> dict[str, tuple[Entry, str]]:
        """Each id's entry and number: exporters look both up for every entry and every related link."""
        return {
            e.id: (e, f"{ti}.{ei}")
            for ti, topic in enumerate(self.topics, 1)
            for ei, e in enumerate(topic.entries, 1)
        }

    def entry(self, entry_id: str) -> Entry:
        return self._index[entry_id][0]

    def related(self, entry: Entry) -> list[Entry]:
        """The entries `entry` links to that are in this corpus (a selection may leave some out)."""
        return [self._index[r][0] for r in entry.related if r in self._index]

    def topic(self, topic_id: str) -> Topic:
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(topic_id)

    def number(self, entry: Entry) -> str:
        """The entry's label `chapter.n` (1-based), as printed in every output."""
        return self._index[entry.id][1]

    def active(self) -> Corpus:
        """The corpus without retired entries (what readers of sheets and handouts see)."""
        return self.filter(lambda e: not e.retired)

    def filter(self, keep) -> Corpus:
        topics = tuple(replace(t, entries=tuple(e for e in t.entries if keep(e))) for t in self.topics)
        return replace(self, topics=tuple(t for t in topics if t.entries))
