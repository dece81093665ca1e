"""The corpus as frozen dataclasses, and the one declaration of an entry's fields. No I/O here: loading
lives in corpus.py, output in exporters.

Identity is fixed at load, over the whole corpus: a topic's chapter number is its place in topics.yaml,
an entry's number `chapter.n` counts the published entries of its topic in file order. Retired entries
and drafts get no number, and they shift nobody's. Filters never renumber: a selection keeps the numbers
(and so the deck names) of the full corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

DIFFICULTIES = ("basic", "intermediate", "advanced")
STATUSES = ("draft",)


@dataclass(frozen=True)
class FieldSpec:
    """One key of an entry in the corpus YAML."""

    name: str
    kind: type  # str, list or bool
    required: bool = False
    markdown: bool = False  # Markdown with math: checked, rendered
    doc: str = ""


ENTRY_SCHEMA: tuple[FieldSpec, ...] = (
    FieldSpec("id", str, True, doc="kebab-case, unique in the corpus, never reused: the Anki identity"),
    FieldSpec("question", str, True, True, "the card front and the sheet heading"),
    FieldSpec("answer", str, True, True, "the card back and the cheat-sheet text"),
    FieldSpec("details", str, False, True, "deeper explanation, worked examples, code, figures"),
    FieldSpec("difficulty", str, True, doc=" | ".join(DIFFICULTIES)),
    FieldSpec("tags", list, doc="words without spaces"),
    FieldSpec("sources", list, doc="seed questions answered, KEY#N (keys in sources.yaml)"),
    FieldSpec("related", list, doc="ids of related entries"),
    FieldSpec("cloze", str, False, True, "Anki cloze text with {{c1::...}} deletions"),
    FieldSpec("retired", bool, doc="kept for learners' decks, left out of sheets and handouts"),
    FieldSpec("status", str, doc="draft: imported, not reviewed; skipped by builds"),
    FieldSpec("duplicate_of", str, doc="a draft that likely repeats this entry id"),
    FieldSpec("incomplete", bool, doc="a draft whose question the source list cut off"),
)
MARKDOWN_FIELDS = tuple(spec.name for spec in ENTRY_SCHEMA if spec.markdown)


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
    status: str | None = None
    duplicate_of: str | None = None
    incomplete: bool = False
    number: str = ""  # `chapter.n`, fixed at load; "" for retired entries and drafts
    images: tuple[str, ...] = ()  # corpus-relative paths of the images its fields show (found at load)
    # Where the entry was defined: error messages point there.
    path: Path | None = field(default=None, compare=False)
    line: int = field(default=0, compare=False)

    @property
    def draft(self) -> bool:
        return self.status == "draft"


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    summary: str = ""
    entries: tuple[Entry, ...] = ()
    path: Path | None = field(default=None, compare=False)  # the file holding its entries, if any
    number: int = 0  # its place in topics.yaml, from 1


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
    def _by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries()}

    def entry(self, entry_id: str) -> Entry:
        return self._by_id[entry_id]

    def related(self, entry: Entry) -> list[Entry]:
        """The entries `entry` links to that are in this corpus (a selection may leave some out)."""
        return [self._by_id[r] for r in entry.related if r in self._by_id]

    def topic(self, topic_id: str) -> Topic:
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(topic_id)

    def active(self) -> Corpus:
        """The published entries: no retired ones (what readers of sheets and handouts see)."""
        return self.filter(lambda e: not e.retired)

    def published(self) -> Corpus:
        """Without drafts: what every build starts from unless drafts are asked for."""
        return self.filter(lambda e: not e.draft)

    def filter(self, keep: Callable[[Entry], bool]) -> Corpus:
        """The entries `keep` accepts, with their numbers unchanged; topics left empty are dropped."""
        topics = tuple(replace(t, entries=tuple(e for e in t.entries if keep(e))) for t in self.topics)
        return replace(self, topics=tuple(t for t in topics if t.entries))


def numbered(topics: list[Topic]) -> tuple[Topic, ...]:
    """Topics and entries with their numbers, from topics.yaml order and file order (see module doc)."""
    out = []
    for n, topic in enumerate(topics, 1):
        entries, count = [], 0
        for e in topic.entries:
            if not (e.retired or e.draft):
                count += 1
            number = "" if e.retired or e.draft else f"{n}.{count}"
            entries.append(e if e.number == number else replace(e, number=number))
        out.append(replace(topic, number=n, entries=tuple(entries)))
    return tuple(out)
