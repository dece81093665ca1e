"""Markdown handouts for GitHub: a README with the contents, one file per topic (or one for all)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from dlexport.exporters.base import Exporter
from dlexport.markup import tidy_markdown
from dlexport.model import Corpus
from dlexport.output import write_bytes, write_text
from dlexport.view import MarkdownFlavour, build_view


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
        chapters = build_view(corpus, MarkdownFlavour(), advance=advance)
        shared = {"collapsed": opts.answers == "collapsed", "single": opts.single}
        total = sum(len(c.entries) for c in chapters)
        if opts.single:
            parts = [
                self.render("md/topic.md", topic=c, standalone=False, **shared).strip() for c in chapters
            ]
            page = self.render("md/index.md", topics=chapters, total=total, chapters=parts, **shared)
            return [write_text(dest / "README.md", tidy_markdown(page)), *_copy_images(corpus, dest)]
        written = [
            write_text(
                dest / f"{c.id}.md",
                tidy_markdown(self.render("md/topic.md", topic=c, standalone=True, **shared)),
            )
            for c in chapters
        ]
        index = self.render("md/index.md", topics=chapters, total=total, chapters=[], **shared)
        return [write_text(dest / "README.md", tidy_markdown(index)), *written, *_copy_images(corpus, dest)]


def _copy_images(corpus: Corpus, dest: Path) -> list[Path]:
    """Images go beside the handouts at their corpus-relative paths, so the Markdown's links still hold."""
    paths = sorted({path for e in corpus.entries() for path in e.images})
    return [write_bytes(dest / path, (corpus.root / path).read_bytes()) for path in paths]
