"""Markdown handouts for GitHub: a README with the contents, one file per topic (or one for all)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dlexport.exporters.base import Exporter
from dlexport.markup import github_markdown, plain_text, tidy_markdown
from dlexport.model import Corpus, Entry, Topic
from dlexport.output import write_bytes, write_text


@dataclass(frozen=True)
class MarkdownOptions:
    answers: Literal["open", "collapsed"] = "open"
    single: bool = False


class MarkdownExporter(Exporter):
    name = "md"
    suffix = "md"
    description = "Markdown handouts for GitHub: a contents README and one file per topic"
    Options = MarkdownOptions

    def export(self, corpus: Corpus, dest: Path) -> list[Path]:
        corpus = corpus.active()
        opts: MarkdownOptions = self.options
        collapsed = opts.answers == "collapsed"
        topics = [self._topic(corpus, n, t) for n, t in enumerate(corpus.topics, 1)]
        total = sum(len(t["entries"]) for t in topics)
        if opts.single:
            chapters = [
                self.render("md/topic.md", topic=t, collapsed=collapsed, standalone=False).strip()
                for t in topics
            ]
            page = self.render(
                "md/index.md", topics=topics, total=total, collapsed=collapsed, chapters=chapters
            )
            return [write_text(dest / "README.md", tidy_markdown(page)), *_copy_images(corpus, dest)]
        written = []
        for t in topics:
            page = self.render("md/topic.md", topic=t, collapsed=collapsed, standalone=True)
            written.append(write_text(dest / t["file"], tidy_markdown(page)))
        index = self.render("md/index.md", topics=topics, total=total, collapsed=collapsed, chapters=[])
        return [write_text(dest / "README.md", tidy_markdown(index)), *written, *_copy_images(corpus, dest)]

    def _topic(self, corpus: Corpus, number: int, topic: Topic) -> dict:
        single = self.options.single
        file = "README.md" if single else f"{topic.id}.md"

        def href(other: Entry) -> str:
            return f"#{other.id}" if single or other.topic == topic.id else f"{other.topic}.md#{other.id}"

        entries = []
        for e in topic.entries:
            entries.append(
                {
                    "id": e.id,
                    "number": corpus.number(e),
                    "question": _one_line(github_markdown(e.question)),
                    "answer": github_markdown(e.answer),
                    "details": github_markdown(e.details) if e.details else None,
                    "difficulty": e.difficulty,
                    "tags": e.tags,
                    "sources": e.sources,
                    "related": [
                        f"[{corpus.number(r)} {plain_text(r.question)}]({href(r)})" for r in corpus.related(e)
                    ],
                }
            )
        return {
            "id": topic.id,
            "number": number,
            "title": topic.title,
            "summary": topic.summary,
            "file": file,
            "href": f"#{topic.id}-chapter" if single else file,
            "entries": entries,
        }


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _copy_images(corpus: Corpus, dest: Path) -> list[Path]:
    """Images go beside the handouts at their corpus-relative paths, so the Markdown's links still hold."""
    paths = sorted({path for e in corpus.entries() for path in e.images})
    return [write_bytes(dest / path, (corpus.root / path).read_bytes()) for path in paths]
