"""The view stage: what templates and exporters receive, built once per build by shared code.

Chapters and entries come with their text already rendered for one output flavour (HTML with MathJax,
HTML with SVG math, GitHub Markdown); numbers and titles come from the corpus, where they were fixed at
load. Exporters only arrange these views into their format.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dlexport.errors import ExportError
from dlexport.markup import HtmlRenderer, figures, github_markdown, plain_text
from dlexport.model import Corpus, Entry
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

    def block(self, text: str, where: str) -> str:
        raise NotImplementedError

    def inline(self, text: str, where: str) -> str:
        raise NotImplementedError


class HtmlFlavour(Flavour):
    def __init__(self, renderer: HtmlRenderer):
        self.renderer = renderer
        self.key = f"html {renderer.key}"

    def block(self, text: str, where: str) -> str:
        return self.renderer.render(text, where)

    def inline(self, text: str, where: str) -> str:
        """Without the <p> around a one-paragraph rendering (questions, cloze text)."""
        html = self.renderer.render(text, where)
        m = re.fullmatch(r"<p>(.*)</p>", html, re.S)
        return m.group(1) if m and "<p>" not in m.group(1) else html


class MarkdownFlavour(Flavour):
    def block(self, text: str, where: str) -> str:
        try:
            return github_markdown(text)
        except RecursionError:  # mdformat recurses once per nested emphasis or list level
            raise ExportError(f"{where}: Markdown nested too deeply to write as a handout") from None

    def inline(self, text: str, where: str) -> str:
        markdown = github_markdown(text)
        line = " ".join(markdown.split())
        return markdown if line == markdown else line  # a `Settled` mark holds only for the same text


def where(entry: Entry) -> str:
    """How messages name an entry."""
    return f"{entry.path or Path('?')}:{entry.line}: entry '{entry.id}'"


def build_view(
    corpus: Corpus,
    flavour: Flavour,
    details: bool = True,
    advance: Callable[[], None] = lambda: None,
) -> tuple[ChapterView, ...]:
    """Chapters of `corpus` rendered in `flavour`; each fragment is rendered once, and not again in a
    later build when the flavour's renderings are kept."""
    flavour = _Kept(flavour) if flavour.key else flavour
    questions = {e.id: flavour.inline(e.question, where(e)) for e in corpus.entries()}
    titles = {e.id: plain_text(e.question) for e in corpus.entries()}  # related links show them again

    def entry(e: Entry) -> EntryView:
        at = where(e)
        view = EntryView(
            id=e.id,
            number=e.number,
            topic=e.topic,
            title=titles[e.id],
            question=questions[e.id],
            answer=flavour.block(e.answer, at),
            details=flavour.block(e.details, at) if details and e.details else "",
            cloze=flavour.inline(e.cloze, at) if e.cloze else "",
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
        advance()
        return view

    chapters = tuple(
        ChapterView(t.id, t.number, t.title, t.summary, tuple(entry(e) for e in t.entries))
        for t in corpus.topics
    )
    if isinstance(flavour, _Kept):
        flavour.save()
    return chapters


class _Kept(Flavour):
    """A flavour's renderings kept between builds (store.py), by fragment: an edit renders again only
    the fragments it changed. Fragments with images or raw HTML are always rendered (their HTML depends
    on files), and so are those with a formula that could not be typeset (its warning must repeat)."""

    def __init__(self, flavour: Flavour):
        from importlib.metadata import version

        libraries = ("markdown-it-py", "mdit-py-plugins", "nh3", "pygments", "ziamath")
        self.flavour, self.key = flavour, flavour.key
        self.store = Store("views", "\0".join([code_version(), *map(version, libraries)]), limit=50)
        try:
            self.old: dict[str, str] = json.loads(self.store.get(str(self.key)) or b"{}")
        except ValueError:
            self.old = {}
        self.new: dict[str, str] = {}

    def block(self, text: str, where: str) -> str:
        return self._render("b", text, where)

    def inline(self, text: str, where: str) -> str:
        return self._render("i", text, where)

    def _render(self, kind: str, text: str, where: str) -> str:
        render = self.flavour.block if kind == "b" else self.flavour.inline
        if "<" in text or "![" in text:
            return render(text, where)
        key = kind + hashlib.sha256(text.encode()).hexdigest()[:32]
        if (html := self.old.get(key)) is None:
            html = render(text, where)
            if 'class="tex"' in html:  # a formula shown as TeX: it was reported, and will be next time
                return html
        self.new[key] = html
        return html

    def save(self) -> None:
        if self.new != self.old:  # only what this build showed: the rest is dropped
            self.store.put(str(self.key), json.dumps(self.new, ensure_ascii=False).encode())
            self.store.prune()
