"""The view stage: what templates and exporters receive, built once per build by shared code.

Chapters and entries come with their text already rendered for one output flavour (HTML with MathJax,
HTML with SVG math, GitHub Markdown); numbers and titles come from the corpus, where they were fixed at
load. Exporters only arrange these views into their format.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

from dlexport.errors import ExportError
from dlexport.markup import HtmlRenderer, Settled, figures, github_markdown, plain_text
from dlexport.model import Corpus, Entry
from dlexport.output import worker_pool, workers_for
from dlexport.store import Store, code_version


@dataclass(frozen=True)
class Link:
    """A related entry, as the linking entry shows it."""

    id: str
    number: str
    topic: str
    title: str  # the question as plain text
    question: str  # the question rendered, inline


@dataclass(frozen=True)
class EntryView:
    id: str
    number: str  # "" for a retired entry
    topic: str
    title: str  # the question as plain text (labels, bookmarks, link text)
    question: str  # rendered inline
    answer: str
    details: str  # "" when the entry has none or the view leaves them out
    cloze: str
    difficulty: str
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    related: tuple[Link, ...]
    figures: tuple[tuple[str, str], ...]  # (corpus-relative path, alt text) of the images in its details
    words: int  # of the answer's source text
    retired: bool


@dataclass(frozen=True)
class ChapterView:
    id: str
    number: int
    title: str
    summary: str
    entries: tuple[EntryView, ...]


class Flavour:
    """How one output shows corpus Markdown: a block fragment and a one-line fragment."""

    key: str | None = None  # what its renderings depend on, to keep them between builds; None: never kept
    # Whether its renderings depend on the fragment alone (no warnings, no files), so that workers forked
    # from the build may make them.
    parallel: bool = False
    # Whether a fragment's images and raw HTML make its rendering depend on files (images packed by the
    # hash of their bytes): such fragments are rendered in the build, every time.
    reads_files: bool = True

    def block(self, text: str, where: str) -> str:
        raise NotImplementedError

    def inline(self, text: str, where: str) -> str:
        raise NotImplementedError

    def stored(self, rendering: str) -> Any:
        """A rendering as JSON, to keep for the next build."""
        return rendering

    def restored(self, value: Any) -> str | None:
        """A rendering kept by an earlier build, or None for a value of another shape or text no output
        could hold (a lone surrogate): it is made again."""
        return value if isinstance(value, str) and _encodable(value) else None


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


class HtmlFlavour(Flavour):
    def __init__(self, renderer: HtmlRenderer, parallel: bool = False):
        self.renderer = renderer
        self.key = f"html {renderer.key}"
        self.parallel = parallel

    def block(self, text: str, where: str) -> str:
        return self.renderer.render(text, where)

    def inline(self, text: str, where: str) -> str:
        """Without the <p> around a one-paragraph rendering (questions, cloze text)."""
        html = self.renderer.render(text, where)
        m = re.fullmatch(r"<p>(.*)</p>", html, re.S)
        return m.group(1) if m and "<p>" not in m.group(1) else html


class MarkdownFlavour(Flavour):
    key = "markdown"
    parallel = True
    reads_files = False  # image paths are written as they are

    def block(self, text: str, where: str) -> str:
        return _github_markdown(text, where)

    def inline(self, text: str, where: str) -> str:
        markdown = _github_markdown(text, where)
        line = " ".join(markdown.split())
        return markdown if line == markdown else line  # a `Settled` mark holds only for the same text

    def stored(self, rendering: str) -> Any:
        # Kept with its `Settled` mark (JSON has no str subclass): a page of settled fragments needs no tidy.
        return [rendering] if isinstance(rendering, Settled) else rendering

    def restored(self, value: Any) -> str | None:
        if isinstance(value, list) and len(value) == 1:
            return None if (text := super().restored(value[0])) is None else Settled(text)
        return super().restored(value)


def _github_markdown(text: str, where: str) -> str:
    try:
        return github_markdown(text)
    except RecursionError:  # github_markdown refuses what mdformat could not recurse through
        raise ExportError(f"{where}: Markdown nested too deeply to write as a handout") from None


def where(entry: Entry) -> str:
    """How messages name an entry."""
    return f"{entry.path or Path('?')}:{entry.line}: entry '{entry.id}'"


def build_view(
    corpus: Corpus,
    flavour: Flavour,
    details: bool = True,
    advance: Callable[[], None] = lambda: None,
    processes: int = 1,
) -> tuple[ChapterView, ...]:
    """Chapters of `corpus` rendered in `flavour`; each fragment is rendered once, and not again in a
    later build when the flavour's renderings are kept. A large corpus in a flavour that allows it is
    rendered first in `processes` forked workers."""
    renderings = _Renderings(flavour)
    # Made ahead, the renderings moved the progress bar as they came back.
    ahead = flavour.parallel and processes > 1 and renderings.ahead(corpus, details, processes, advance)
    questions = {e.id: renderings.inline(e.question, where(e)) for e in corpus.entries()}
    titles = {e.id: plain_text(e.question) for e in corpus.entries()}  # related links show them again

    def entry(e: Entry) -> EntryView:
        at = where(e)
        view = EntryView(
            id=e.id,
            number=e.number,
            topic=e.topic,
            title=titles[e.id],
            question=questions[e.id],
            answer=renderings.block(e.answer, at),
            details=renderings.block(e.details, at) if details and e.details else "",
            cloze=renderings.inline(e.cloze, at) if e.cloze else "",
            difficulty=e.difficulty,
            tags=e.tags,
            sources=e.sources,
            related=tuple(
                Link(r.id, r.number, r.topic, titles[r.id], questions[r.id])
                for r in corpus.related(e)
                if not r.retired  # a retired entry keeps no number and is no longer a place to go
            ),
            figures=tuple(figures(e.details)) if e.details else (),
            words=len(e.answer.split()),
            retired=e.retired,
        )
        if not ahead:
            advance()
        return view

    chapters = tuple(
        ChapterView(t.id, t.number, t.title, t.summary, tuple(entry(e) for e in t.entries))
        for t in corpus.topics
    )
    renderings.save()
    return chapters


Kind = Literal["block", "inline"]
Fragment = tuple[Kind, str, str]  # how it is rendered, its text, where it is (for messages)


def _fragments(e: Entry, details: bool) -> Iterator[Fragment]:
    """Every fragment of an entry that `build_view` renders."""
    at = where(e)
    yield "inline", e.question, at
    yield "block", e.answer, at
    if details and e.details:
        yield "block", e.details, at
    if e.cloze:
        yield "inline", e.cloze, at


# Text a rendering worker needs to earn its fork: two workers on 1,000 synthetic answers (0.65 MB) about
# break even.
CHARS_PER_WORKER = 2**19


# What renderings are made with besides dlexport and Python (html.parser): a new version of one makes them
# all again.
_LIBRARIES = "markdown-it-py mdit-py-plugins mdformat mdformat-gfm wcwidth nh3 pygments ziamath".split()


class _Renderings:
    """A flavour's renderings by fragment: those kept from the last build (store.py, when the flavour
    has a key) and those made ahead in workers are looked up, the rest rendered as they are asked for.
    Fragments with images or raw HTML are always rendered here when the flavour reads files, and so are
    those with a formula that could not be typeset (its warning must repeat)."""

    def __init__(self, flavour: Flavour):
        from importlib.metadata import version

        self.flavour = flavour
        self.store: Store | None = None
        self.old: dict[str, str] = {}  # kept from the last build
        if flavour.key:
            salt = "\0".join([code_version(), sys.version, *map(version, _LIBRARIES)])
            self.store = Store("views", salt, limit=50)
            with contextlib.suppress(ValueError, RecursionError):  # a record of another shape: none
                kept = json.loads(self.store.get(flavour.key) or b"{}")
                restored = kept.items() if isinstance(kept, dict) else ()
                self.old = {
                    key: html for key, value in restored if (html := flavour.restored(value)) is not None
                }
        self.made: dict[str, str] = {}  # made ahead in workers
        self.shown: dict[str, str] = {}  # what this build showed, to keep for the next
        self.keys: dict[tuple[Kind, str], str | None] = {}

    def ahead(self, corpus: Corpus, details: bool, processes: int, advance: Callable[[], None]) -> bool:
        """Render in forked workers the fragments that are not kept, when there is text enough, advancing
        once per entry as they come back. Whether it did."""
        todo: list[dict[str, Fragment]] = []  # by entry: its fragments left to render, by key
        seen: set[str] = set()
        for e in corpus.entries():
            todo.append({})
            for fragment in _fragments(e, details):
                if (key := self._key(*fragment[:2])) and key not in self.old and key not in seen:
                    seen.add(key)
                    todo[-1][key] = fragment
        text = sum(len(text) for mine in todo for _, text, _ in mine.values())
        workers = workers_for(text, CHARS_PER_WORKER, processes)
        if workers == 1:
            return False
        for span, made in _render_forked(self.flavour, [list(mine.values()) for mine in todo], workers):
            self.made.update(zip([key for mine in todo[span] for key in mine], made, strict=True))
            for _ in todo[span]:
                advance()
        return True

    def block(self, text: str, where: str) -> str:
        return self._render("block", text, where)

    def inline(self, text: str, where: str) -> str:
        return self._render("inline", text, where)

    def _render(self, kind: Kind, text: str, where: str) -> str:
        if (key := self._key(kind, text)) is None:
            return _rendering(self.flavour, kind, text, where)
        if (html := self.old.get(key)) is None:
            html = self.made.get(key) or _rendering(self.flavour, kind, text, where)
            if 'class="tex"' in html:  # a formula shown as TeX: it was reported, and will be next time
                return html
        self.shown[key] = html
        return html

    def _key(self, kind: Kind, text: str) -> str | None:
        """A fragment's key among renderings, or None for one whose HTML depends on files too."""
        if (kind, text) not in self.keys:  # made once: `ahead` and the views ask for the same fragments
            file_bound = self.flavour.reads_files and ("<" in text or "![" in text)
            self.keys[kind, text] = (
                None if file_bound else kind[0] + hashlib.sha256(text.encode()).hexdigest()[:32]
            )
        return self.keys[kind, text]

    def save(self) -> None:
        if self.store and self.shown != self.old:  # only what this build showed: the rest is dropped
            kept = {key: self.flavour.stored(html) for key, html in self.shown.items()}
            self.store.put(str(self.flavour.key), json.dumps(kept, ensure_ascii=False).encode())
            self.store.prune()


def _rendering(flavour: Flavour, kind: Kind, text: str, where: str) -> str:
    return flavour.block(text, where) if kind == "block" else flavour.inline(text, where)


def _render_forked(
    flavour: Flavour, entries: list[list[Fragment]], processes: int
) -> Iterator[tuple[slice, list[str]]]:
    """The fragments of each span of `entries` rendered in `processes` workers forked for them, in order."""
    step = -(-len(entries) // (8 * processes))  # spans small enough to even out the workers' shares
    spans = [slice(start, start + step) for start in range(0, len(entries), step)]
    with worker_pool(processes, setup=partial(_receive, flavour, entries)) as pool:
        yield from zip(spans, pool.map(_render_span, spans), strict=True)


_received: tuple[Flavour, list[list[Fragment]]] | None = None  # in a worker: what it was forked to render


def _receive(flavour: Flavour, entries: list[list[Fragment]]) -> None:
    """In a worker, as it starts: keep what it renders. (Set in the build, the global would be shared
    by two builds in two threads.)"""
    global _received
    _received = flavour, entries


def _render_span(span: slice) -> list[str]:
    """In a worker: the renderings of the fragments of a span of the entries it received."""
    assert _received is not None
    flavour, entries = _received
    return [_rendering(flavour, *fragment) for mine in entries[span] for fragment in mine]
