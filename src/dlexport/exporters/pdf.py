"""Printable PDF cheat sheets (WeasyPrint): the whole corpus, one sheet per topic, and a quiz."""

from __future__ import annotations

import io
import logging
import os
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

import weasyprint
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from dlexport.errors import ConfigError, ExportError
from dlexport.exporters.base import Exporter
from dlexport.markup import HtmlRenderer, Policy
from dlexport.mathsvg import SvgMath, cache_file
from dlexport.model import Corpus, Entry
from dlexport.output import worker_pool, write_bytes
from dlexport.templating import builtin_templates
from dlexport.view import HtmlFlavour, build_view, where


@dataclass(frozen=True)
class PdfOptions:
    paper: Literal["a4", "letter"] = field(default="a4", metadata={"help": "paper size"})
    orientation: Literal["portrait", "landscape"] = field(
        default="portrait", metadata={"help": "page orientation"}
    )
    columns: Literal[1, 2, 3] = field(default=2, metadata={"help": "text columns"})
    layout: Literal["all", "cheatsheet", "quiz", "handout"] = field(
        default="all", metadata={"help": "only this layout (all: cheat sheets and quiz)"}
    )
    code_style: str = field(default="vs", metadata={"help": "Pygments style for code"})

    def __post_init__(self) -> None:
        from pygments.styles import get_all_styles

        if self.code_style not in (styles := sorted(get_all_styles())):
            raise ConfigError(f"option pdf.code_style must be a Pygments style ({', '.join(styles)})")


class PdfExporter(Exporter):
    name = "pdf"
    suffix = "pdf"
    description = "Printable PDF cheat sheets, per-topic sheets and a quiz (WeasyPrint)"
    Options = PdfOptions

    def export(self, corpus: Corpus, dest: Path) -> list[Path]:
        corpus = corpus.active()
        opts: PdfOptions = self.options
        roots = [corpus.root, builtin_templates(), *_font_dirs(), *filter(None, [self.context.templates])]
        details = opts.layout == "handout"
        for e in corpus.entries():
            self._check_glyphs(e, details)
        advance = self.context.progress("pdf: entries", sum(1 for _ in corpus.entries()))
        with SvgMath(self.context.warn, cache=cache_file()) as math:
            # Images stay relative to the corpus, the documents' base URL; math comes as SVG data URIs.
            renderer = HtmlRenderer(math, opts.code_style, Policy(image=lambda path: path, svg_data=True))
            chapters = build_view(corpus, HtmlFlavour(renderer), details=details, advance=advance)

        pages: dict[str, str] = {}
        whole = {"chapters": chapters, "contents": True, "layout": "cheatsheet"}
        if opts.layout in ("all", "cheatsheet"):
            pages["cheatsheet.pdf"] = self.render("pdf/sheet.html", **whole)
            if len(chapters) > 1:
                for c in chapters:
                    pages[f"{c.id}.pdf"] = self.render(
                        "pdf/sheet.html", chapters=[c], contents=False, layout="cheatsheet"
                    )
        if opts.layout in ("all", "quiz"):
            pages["quiz.pdf"] = self.render("pdf/quiz.html", chapters=chapters, layout="quiz")
        if details:
            pages["handout.pdf"] = self.render("pdf/sheet.html", **{**whole, "layout": "handout"})

        # WeasyPrint is single-threaded: lay out documents side by side, the largest first.
        advance = self.context.progress("pdf: documents", len(pages))
        base_url = corpus.root.as_uri() + "/"
        order = sorted(pages, key=lambda name: -len(pages[name]))
        results: dict[str, bytes] = {}
        jobs = [(name, pages[name], base_url, roots) for name in order]
        with worker_pool(min(len(order), os.cpu_count() or 1)) as pool:
            for future in as_completed([pool.submit(_lay_out, job) for job in jobs]):
                name, data, refused, warnings = future.result()
                for message in warnings:
                    self.context.warn(f"{name}: {message}")
                if refused:  # corpus images were checked, with their positions, when the corpus was loaded
                    raise ExportError(
                        f"{name}: refused to fetch {refused}: a template may only use files "
                        "inside the corpus, template and font folders"
                    )
                results[name] = data
                advance()
        return [write_bytes(dest / name, results[name]) for name in pages]

    def render(self, template: str, **values) -> str:
        return super().render(template, options=self.options, fonts=_fonts(), **values)

    def _check_glyphs(self, e: Entry, details: bool) -> None:
        """Warn, naming the entry, about characters the embedded fonts cannot draw (they print as boxes)."""
        text = " ".join(filter(None, (e.question, e.answer, e.details if details else None)))
        if missing := sorted({ch for ch in text if ch.isprintable() and not ch.isspace()} - _covered()):
            shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in missing[:8])
            self.context.warn(f"{where(e)}: the sheet fonts have no glyph for {shown}; they print as boxes")


def _lay_out(job: tuple[str, str, str, list[Path]]) -> tuple[str, bytes, str | None, list[str]]:
    name, page, base_url, roots = job
    return (name, *html_to_pdf(page, base_url, roots))


def html_to_pdf(page: str, base_url: str, roots: list[Path]) -> tuple[bytes, str | None, list[str]]:
    """Lay out and write one document (in a worker process): (pdf, refused URL or None, warnings)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        document = weasyprint.HTML(string=page, base_url=base_url, url_fetcher=LocalFetcher(roots)).render()
        out = io.BytesIO()
        document.write_pdf(out)
    except RefusedURL as exc:
        return b"", exc.url, []
    finally:
        logger.removeHandler(handler)
    noise = ("HarfBuzz", "fontTools")  # the slower subsetting fallback works; it is not the user's problem
    return (
        out.getvalue(),
        None,
        [r.getMessage() for r in records if not any(n in r.getMessage() for n in noise)],
    )


class RefusedURL(FatalURLFetchingError):
    def __init__(self, url: str):
        super().__init__(f"refused to fetch {url}")
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


def _font_dirs() -> list[Path]:
    return [Path(str(files("font_source_sans_pro") / "files")), Path(str(files("ziamath") / "fonts"))]


@cache
def _covered() -> frozenset[str]:
    """Every character the embedded text fonts can draw."""
    from fontTools.ttLib import TTFont

    chars: set[str] = set()
    for url in _fonts().values():
        with TTFont(Path(url.removeprefix("file://")), lazy=True) as font:
            chars |= {chr(code) for code in font.getBestCmap()}
    return frozenset(chars)


def _fonts() -> dict[str, str]:
    """File URLs of the fonts the sheets embed: installed with the package, never the machine's."""
    sans, math = _font_dirs()
    own = builtin_templates() / "pdf" / "fonts"
    return {
        "regular": (sans / "SourceSansPro-Regular.ttf").as_uri(),
        "italic": (sans / "SourceSansPro-It.ttf").as_uri(),
        "semibold": (sans / "SourceSansPro-Semibold.ttf").as_uri(),
        "bold": (sans / "SourceSansPro-Bold.ttf").as_uri(),
        "mono": (own / "DejaVuSansMono.ttf").as_uri(),
        "mono_bold": (own / "DejaVuSansMono-Bold.ttf").as_uri(),
        "fallback": (own / "DejaVuSans.ttf").as_uri(),
        "math": (math / "STIXTwoMath-Regular.ttf").as_uri(),
    }
