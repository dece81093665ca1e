"""Printable PDF cheat sheets (WeasyPrint): the whole corpus, one sheet per topic, and a quiz."""

from __future__ import annotations

import io
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Literal

import weasyprint
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from dlexport.errors import ExportError
from dlexport.exporters.base import Exporter
from dlexport.markup import HtmlRenderer, plain_text
from dlexport.mathsvg import SvgMath
from dlexport.model import Corpus, Entry
from dlexport.output import write_bytes
from dlexport.templating import builtin_templates


@dataclass(frozen=True)
class PdfOptions:
    paper: Literal["a4", "letter"] = "a4"
    orientation: Literal["portrait", "landscape"] = "portrait"
    columns: Literal[1, 2, 3] = 2
    layout: Literal["all", "cheatsheet", "quiz", "handout"] = "all"  # all: cheat sheets and quiz
    code_style: str = "vs"  # a light, high-contrast Pygments style that prints well


class PdfExporter(Exporter):
    name = "pdf"
    suffix = "pdf"
    description = "Printable PDF cheat sheets, per-topic sheets and a quiz (WeasyPrint)"
    Options = PdfOptions

    def export(self, corpus: Corpus, dest: Path) -> list[Path]:
        corpus = corpus.active()
        opts: PdfOptions = self.options
        self.fetcher = LocalFetcher([corpus.root, builtin_templates(), *_font_dirs(),
                                     *([self.context.templates] if self.context.templates else [])])
        self.math = SvgMath(self.context.warn)
        self.renderer = HtmlRenderer(self.math, code_style=opts.code_style,
                                     image_url=lambda src: (corpus.root / src).resolve().as_uri())
        self.chapters = self._chapters(corpus, details=opts.layout == "handout")

        jobs: list[tuple[str, str, dict]] = []
        if opts.layout in ("all", "cheatsheet"):
            jobs.append(("cheatsheet.pdf", "pdf/sheet.html", {"chapters": self.chapters, "contents": True}))
            if len(self.chapters) > 1:
                jobs += [(f"{c['id']}.pdf", "pdf/sheet.html", {"chapters": [c], "contents": False})
                         for c in self.chapters]
        if opts.layout in ("all", "quiz"):
            jobs.append(("quiz.pdf", "pdf/quiz.html", {"chapters": self.chapters}))
        if opts.layout == "handout":
            jobs.append(("handout.pdf", "pdf/sheet.html", {"chapters": self.chapters, "contents": True}))

        advance = self.context.progress("pdf: documents", len(jobs))
        written = []
        for filename, template, values in jobs:
            layout = "handout" if filename == "handout.pdf" else template.removeprefix("pdf/").removesuffix(".html")
            page = self.render(template, layout=layout, options=opts, fonts=_fonts(), **values)
            written.append(write_bytes(dest / filename, self._pdf(page, corpus)))
            advance()
        return written

    def _chapters(self, corpus: Corpus, details: bool) -> list[dict]:
        advance = self.context.progress("pdf: entries", sum(1 for _ in corpus.entries()))
        chapters = []
        for n, topic in enumerate(corpus.topics, 1):
            entries = []
            for e in topic.entries:
                entries.append(self._entry(corpus, e, details))
                advance()
            chapters.append({"id": topic.id, "number": n, "title": topic.title, "summary": topic.summary,
                             "entries": entries})
        return chapters

    def _entry(self, corpus: Corpus, e: Entry, details: bool) -> dict:
        self.math.where = f"{e.path}:{e.line}: entry '{e.id}'"
        md = self.renderer.render
        answer = md(e.answer)
        return {
            "id": e.id,
            "number": corpus.number(e),
            "question": md(e.question).removeprefix("<p>").removesuffix("</p>"),
            "label": f"{corpus.number(e)} {plain_text(e.question)}",
            "answer": answer,
            "details": md(e.details) if details and e.details else "",
            "difficulty": e.difficulty,
            # Long answers may break across columns; short ones stay whole.
            "long": len(e.answer.split()) > 130 or "<pre" in answer or "<table" in answer,
        }

    def _pdf(self, page: str, corpus: Corpus) -> bytes:
        try:
            document = weasyprint.HTML(string=page, base_url=corpus.root.as_uri() + "/",
                                       url_fetcher=self.fetcher).render()
        except RefusedURL as exc:
            raise ExportError(f"{exc} (referenced from {_who_references(corpus, exc.url)})") from None
        out = io.BytesIO()
        document.write_pdf(out)
        return out.getvalue()


class RefusedURL(FatalURLFetchingError):
    def __init__(self, url: str):
        super().__init__(f"refused to fetch {url}: only files inside the corpus and template folders are allowed")
        self.url = url


class LocalFetcher(URLFetcher):
    """Fetch only data: URIs and regular files under the given folders; anything else stops the build."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.roots = [r.resolve() for r in roots]

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            from urllib.parse import unquote, urlparse

            path = Path(unquote(urlparse(url).path)).resolve()
            if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
                return super().fetch(url, headers)
        raise RefusedURL(url)


def _who_references(corpus: Corpus, url: str) -> str:
    name = url.rsplit("/", 1)[-1]
    for e in corpus.entries():
        if any(name and name in (text or "") for text in (e.answer, e.details, e.question)):
            return f"{e.path}:{e.line}: entry '{e.id}'"
    return "a template"


def _font_dirs() -> list[Path]:
    return [Path(str(files("font_source_sans_pro") / "files"))]


def _fonts() -> dict[str, str]:
    """File URLs of the fonts the sheets embed: installed with the package, never the machine's."""
    sans = _font_dirs()[0]
    own = builtin_templates() / "pdf" / "fonts"
    return {
        "regular": (sans / "SourceSansPro-Regular.ttf").as_uri(),
        "italic": (sans / "SourceSansPro-It.ttf").as_uri(),
        "semibold": (sans / "SourceSansPro-Semibold.ttf").as_uri(),
        "bold": (sans / "SourceSansPro-Bold.ttf").as_uri(),
        "mono": (own / "DejaVuSansMono.ttf").as_uri(),
        "mono_bold": (own / "DejaVuSansMono-Bold.ttf").as_uri(),
        "fallback": (own / "DejaVuSans.ttf").as_uri(),
    }
