"""Markdown handouts for GitHub: a README with the contents, one file per topic (or one for all)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from dlexport.exporters.base import Exporter
from dlexport.markup import Settled, markdown_text, tidy_markdown
from dlexport.model import Corpus
from dlexport.output import write_bytes, write_text
from dlexport.store import Store, code_version
from dlexport.view import ChapterView, EntryView, MarkdownFlavour, build_view

_TEMPLATES = ("md/topic.md", "md/index.md", "macros.jinja")  # what a handout page is made from


@dataclass(frozen=True)
class MarkdownOptions:
    answers: Literal["open", "collapsed"] = field(default="open", metadata={"help": "show or fold answers"})
    single: bool = field(default=False, metadata={"help": "one file instead of one per topic"})


class MarkdownExporter(Exporter):
    name = "md"
    suffix = "md"
    description = "Markdown handouts for GitHub: a contents README and one file per topic"
    Options = MarkdownOptions

    def export(self, corpus: Corpus, dest: Path) -> list[Path]:
        corpus = corpus.active()
        opts: MarkdownOptions = self.options
        advance = self.context.progress("md: entries", sum(1 for _ in corpus.entries()))
        chapters = build_view(corpus, MarkdownFlavour(), advance=advance, processes=self.context.processes)
        shared = {"collapsed": opts.answers == "collapsed", "single": opts.single}
        total = sum(len(c.entries) for c in chapters)
        settled = self._builtin_templates()  # else every page is tidied whole

        def topic(c: ChapterView, standalone: bool) -> str:
            return self.render("md/topic.md", topic=c, standalone=standalone, **shared)

        def index(chapter_texts: list[str]) -> str:
            return self.render("md/index.md", topics=chapters, total=total, chapters=chapter_texts, **shared)

        if opts.single:
            parts = {f"DLEXPORTCHAPTER{i}X": topic(c, standalone=False) for i, c in enumerate(chapters)}
            readme = None
            if settled and all(_settled(c) for c in chapters):  # tidy the README around the chapters
                readme = _fill(tidy_markdown(index([*parts])), {k: _collapse(v) for k, v in parts.items()})
            readme = readme or tidy_markdown(index([part.strip() for part in parts.values()]))
            return [write_text(dest / "README.md", readme), *_copy_images(corpus, dest)]
        tidied = _Tidied()
        written = []
        for c in chapters:
            page = topic(c, standalone=True)
            page = _collapse(page) if settled and _settled(c) else tidied(page)
            written.append(write_text(dest / f"{c.id}.md", page))
        readme = tidied(index([]))
        tidied.prune()
        return [write_text(dest / "README.md", readme), *written, *_copy_images(corpus, dest)]

    def _builtin_templates(self) -> bool:
        """Whether the pages come from the built-in templates, whose output `_settled` vouches for."""
        user = self.context.templates
        return user is None or not any((user / name).exists() for name in _TEMPLATES)


class _Tidied(Store):
    """Pages tidied in earlier builds, by their text before the tidy: an edit tidies only its page."""

    def __init__(self) -> None:
        from importlib.metadata import version

        libraries = ("mdformat", "mdformat-gfm", "wcwidth", "markdown-it-py", "mdit-py-plugins", "nh3")
        super().__init__("md", "\0".join([code_version(), sys.version, *map(version, libraries)]), limit=200)

    def __call__(self, page: str) -> str:
        if (kept := self.get(page)) is not None:
            return kept.decode()
        tidy = tidy_markdown(page)
        self.put(page, tidy.encode())
        return tidy


# --- Pages that need no tidy -------------------------------------------------------------------
#
# `tidy_markdown` runs mdformat over a whole page, which costs more than rendering every fragment on
# it. The built-in topic template writes, around the values it is given, only Markdown that mdformat
# writes back as it is (apart from runs of blank lines), and its HTML is a fixed set of clean tags
# around checked ids. So a page needs no tidy when each value it places is also left as it is: every
# fragment `Settled` (plain paragraphs, math and code only, so no HTML and nothing that reaches past
# its own blocks), the question a plain heading, titles and the summary plain text. Any other page is
# tidied as a whole.


# Values the template writes as they are, which a tidy leaves alone: ids in anchors and links, tags in
# code spans, source keys in text (the loader allows no other ids or tags; an `_` in a source key
# beside punctuation would be escaped).
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_:.+-]*")
_SOURCE = re.compile(r"[a-z0-9][a-z0-9-]*(?:#\d+)?")


def _plain_label(text: str) -> bool:
    """Plain text that the `md` filter leaves as it is, so a tidy has no escape to remove."""
    return bool(text) and markdown_text(text) == text


def _settled_block(markdown: str) -> bool:
    return isinstance(markdown, Settled) and "\n\n\n" not in markdown  # blank lines in code stay


def _settled_entry(e: EntryView) -> bool:
    return (
        isinstance(e.question, Settled)
        and "\n" not in e.question
        and not e.question.endswith("#")  # a heading's last `#` is escaped
        and _settled_block(e.answer)
        and (not e.details or _settled_block(e.details))
        and _ID.fullmatch(e.id) is not None
        and all(_TAG.fullmatch(t) for t in e.tags)
        and all(_SOURCE.fullmatch(s) for s in e.sources)
        and all(_plain_label(r.title) and _ID.fullmatch(r.id) and _ID.fullmatch(r.topic) for r in e.related)
    )


def _settled(chapter: ChapterView) -> bool:
    """Whether the built-in template's page for `chapter` is already what `tidy_markdown` writes."""
    return (
        _ID.fullmatch(chapter.id) is not None
        and _plain_label(chapter.title)
        and _plain_label(chapter.summary)
        and all(_settled_entry(e) for e in chapter.entries)
    )


def _collapse(page: str) -> str:
    """A settled page as mdformat ends it: one blank line between blocks, one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", page).strip("\n") + "\n"


def _fill(page: str, parts: dict[str, str]) -> str | None:
    """`page` with each placeholder paragraph replaced by its settled part (a tidy of the whole would
    write the same: each part is whole blocks that reach no further), or None if one is not a line
    of its own exactly once."""
    lines = page.split("\n")
    if sorted(line for line in lines if line in parts) != sorted(parts):
        return None
    return "\n".join(parts[line].strip("\n") if line in parts else line for line in lines)


def _copy_images(corpus: Corpus, dest: Path) -> list[Path]:
    """Images go beside the handouts at their corpus-relative paths, so the Markdown's links still hold."""
    paths = sorted({path for e in corpus.entries() for path in e.images})
    return [write_bytes(dest / path, (corpus.root / path).read_bytes()) for path in paths]
