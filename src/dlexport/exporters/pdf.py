"""Printable PDF cheat sheets (WeasyPrint): the whole corpus, one sheet per topic, and a quiz."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from dlexport.errors import ConfigError, ExportError
from dlexport.exporters.base import Exporter
from dlexport.markup import HtmlRenderer, Policy, corpus_images
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
            known = corpus_images(corpus.root, {path for e in corpus.entries() for path in e.images})
            renderer = HtmlRenderer(math, opts.code_style, Policy(image=known, svg_data=True))
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

        # Layouts are kept by what they are made from: an edit re-lays-out only the documents it changes.
        base_url = corpus.root.as_uri() + "/"
        cache = layout_cache()
        keys = {name: _layout_key(page, base_url, roots) for name, page in pages.items()}
        results = {name: cached for name in pages if (cached := _cached(cache / f"{keys[name]}.pdf"))}
        todo = sorted((n for n in pages if n not in results), key=lambda name: -len(pages[name]))
        advance = self.context.progress("pdf: documents", len(todo))
        for name, data in self._lay_out([(name, pages[name], base_url, roots) for name in todo]):
            results[name] = data
            with contextlib.suppress(OSError):  # a read-only cache only costs time
                write_bytes(cache / f"{keys[name]}.pdf", data)
            advance()
        _prune(cache, keep=set(keys.values()))
        return [write_bytes(dest / name, results[name]) for name in pages]

    def _lay_out(self, jobs: list[tuple[str, str, str, list[Path]]]) -> Iterator[tuple[str, bytes]]:
        """WeasyPrint is single-threaded: documents are laid out side by side, the largest first."""
        if not jobs:
            return
        from dlexport.exporters.pdflayout import lay_out  # WeasyPrint loads only when there is layout to do

        def check(name: str, data: bytes, refused: str | None, warnings: list[str]) -> tuple[str, bytes]:
            for message in warnings:
                self.context.warn(f"{name}: {message}")
            if refused:  # corpus images were checked, with their positions, when the corpus was loaded
                raise ExportError(
                    f"{name}: refused to fetch {refused}: a template may only use files "
                    "inside the corpus, template and font folders"
                )
            return name, data

        workers = min(len(jobs), self.context.jobs or os.cpu_count() or 1)
        if workers == 1:
            for job in jobs:
                yield check(*lay_out(job))
            return
        with worker_pool(workers) as pool:
            for future in as_completed([pool.submit(lay_out, job) for job in jobs]):
                yield check(*future.result())

    def render(self, template: str, **values) -> str:
        return super().render(template, options=self.options, fonts=_fonts(), **values)

    def _check_glyphs(self, e: Entry, details: bool) -> None:
        """Warn, naming the entry, about characters the embedded fonts cannot draw (they print as boxes)."""
        text = " ".join(filter(None, (e.question, e.answer, e.details if details else None)))
        if missing := sorted({ch for ch in text if ch.isprintable() and not ch.isspace()} - _covered()):
            shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in missing[:8])
            self.context.warn(f"{where(e)}: the sheet fonts have no glyph for {shown}; they print as boxes")


def layout_cache() -> Path:
    return cache_file().parent / "pdf"


def _layout_key(page: str, base_url: str, roots: list[Path]) -> str:
    from importlib.metadata import version

    parts = [page, base_url, *map(str, roots), version("weasyprint"), version("pydyf")]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _cached(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return (
        data if data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF") else None
    )  # never trust a torn file


def _prune(cache: Path, keep: set[str], limit: int = 200) -> None:
    """Keep this build's layouts and the most recent others, up to `limit` files."""
    with contextlib.suppress(OSError):
        others = sorted(
            (p for p in cache.glob("*.pdf") if p.stem not in keep), key=lambda p: p.stat().st_mtime
        )
        for path in others[: max(0, len(others) + len(keep) - limit)]:
            path.unlink()


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
