"""Printable PDF cheat sheets (WeasyPrint): the whole corpus, one sheet per topic, and a quiz."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from dlexport.errors import ConfigError, ExportError
from dlexport.exporters.base import Exporter
from dlexport.markup import HtmlRenderer, Policy, corpus_images, formulas
from dlexport.mathsvg import SvgMath, math_folder
from dlexport.model import Corpus, Entry
from dlexport.output import atomic_target
from dlexport.store import Store
from dlexport.templating import builtin_templates
from dlexport.view import ChapterView, EntryView, HtmlFlavour, build_view, where


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
    uses_workers = True
    worker_modules = ("dlexport.exporters.pdflayout",)  # WeasyPrint: half a second to import

    def export(self, corpus: Corpus, dest: Path) -> list[Path]:
        corpus = corpus.active()
        # The formulas' files are read while laying out: the math folder stays open until then.
        with SvgMath(self.context.warn, math_folder(corpus.root)) as math:
            chapters = self.chapters(corpus, math)
            # A document is assembled from parts laid out once each: a chapter's part is both its own sheet
            # and a chapter of the whole. The fronts (cover, contents) and the page numbers are laid out last.
            roots = [corpus.root, builtin_templates(), *_font_dirs(), math.folder]
            layouts = _Layouts(corpus.root.as_uri() + "/", [*roots, *filter(None, [self.context.templates])])
            parts, books = self.plan(chapters)
            laid_out = self._lay_out_all(parts, layouts, "pdf: chapters")
            del parts  # the chapters' HTML, as large as the corpus: only their layouts are needed now
            return self.assemble(books, chapters, laid_out, layouts, dest)

    def assemble(
        self,
        books: list[Book],
        chapters: list[ChapterView],
        laid_out: dict[str, bytes],
        layouts: _Layouts,
        dest: Path,
    ) -> list[Path]:
        """Write each book from its laid-out parts, with its front and its page numbers."""
        from dlexport.exporters.pdfbook import assemble, join, page_count  # pikepdf loads only for PDF builds

        pages = {name: page_count(data) for name, data in laid_out.items()}
        fronts = self._lay_out_fronts(books, chapters, pages, layouts)
        laid_out |= fronts
        pages |= {name: page_count(front) for name, front in fronts.items()}
        totals = [sum(pages[part] for part in book.parts) for book in books]
        folios = [
            f"{self.context.date}  ·  page {n} of {total}" for total in totals for n in range(1, total + 1)
        ]
        sheets = {
            f"folios {n}": self.render("pdf/folios.html", folios=folios[i : i + FOLIOS], layout="folios")
            for n, i in enumerate(range(0, len(folios), FOLIOS))
        }
        numbered = self._lay_out_all(sheets, layouts, "")
        stamps = join([numbered[sheet] for sheet in sheets])
        layouts.prune()
        for book, first in zip(books, itertools.accumulate(totals, initial=0), strict=False):
            with atomic_target(dest / book.name) as path:
                assemble([laid_out[part] for part in book.parts], stamps, first, path)
        return [dest / book.name for book in books]

    def chapters(self, corpus: Corpus, math: SvgMath) -> list[ChapterView]:
        """The corpus as the sheets show it: answers (and details in a handout) in HTML, math as SVG files."""
        details = self.options.layout == "handout"
        for e in corpus.entries():
            self._check_glyphs(e, details)
        advance = self.context.progress("pdf: entries", sum(1 for _ in corpus.entries()))
        # Images stay relative to the corpus, the documents' base URL; formulas are files of `math`.
        known = corpus_images(corpus.root, {path for e in corpus.entries() for path in e.images})
        policy = Policy(image=known, math=math.folder.as_uri() + "/")
        renderer = HtmlRenderer(math, self.options.code_style, policy)
        # Every text the view renders, the cloze's too (no sheet shows it, but its rendering names its file).
        rendered = (
            t
            for e in corpus.entries()
            for t in (e.question, e.answer, e.details if details else None, e.cloze)
        )
        math.typeset(
            (f for text in rendered if text and "$" in text for f in formulas(text)), self.context.pool
        )
        return build_view(corpus, HtmlFlavour(renderer), details=details, advance=advance)

    def plan(self, chapters: list[ChapterView]) -> tuple[dict[str, str], list[Book]]:
        """The parts to lay out (name: HTML) and the documents made of them."""
        layout = self.options.layout
        parts: dict[str, str] = {}

        def part(name: str, template: str, chapter: ChapterView, **values: object) -> list[str]:
            """The parts that show `chapter` with `template`: `name`, then `name 2`… for a long one."""
            names = []
            for n, entries in enumerate(_sections(chapter)):
                names.append(f"{name} {n + 1}" if n else name)
                parts[names[-1]] = self.render(
                    template, chapter=chapter, entries=entries, continued=n > 0, **values
                )
            return names

        books: list[Book] = []
        if layout in ("all", "cheatsheet", "handout"):
            kind = "handout" if layout == "handout" else "cheatsheet"
            body = [part(f"{kind}-{c.id}", "pdf/chapter.html", c, layout=kind) for c in chapters]
            books.append(Book(f"{kind}.pdf", f"{kind} front", body))
            if kind == "cheatsheet" and len(chapters) > 1:
                books += [Book(f"{c.id}.pdf", None, [names]) for c, names in zip(chapters, body, strict=True)]
        if layout in ("all", "quiz"):
            questions = [part(f"quiz-{c.id}", "pdf/quiz.html", c, layout="quiz") for c in chapters]
            key = [
                part(f"key-{c.id}", "pdf/key.html", c, first=not n, layout="quiz")
                for n, c in enumerate(chapters)
            ]
            books.append(Book("quiz.pdf", "quiz front", questions + key))
        return parts, books

    def _lay_out_fronts(
        self, books: list[Book], chapters: list[ChapterView], pages: dict[str, int], layouts: _Layouts
    ) -> dict[str, bytes]:
        """The books' fronts, side by side. A front's contents give page numbers that count its own pages:
        one, unless laid out longer, when it is laid out again knowing its length."""
        from dlexport.exporters.pdfbook import page_count

        own = {book.front: 1 for book in books if book.front}
        fronts: dict[str, bytes] = {}
        for attempt in range(3):  # a front's length hardly depends on the numbers it prints: one round
            todo = {
                b.front: self._front(b, chapters, pages, own[b.front])
                for b in books
                if b.front and b.front not in fronts
            }
            for name, front in self._lay_out_all(todo, layouts, "pdf: contents").items():
                if (count := page_count(front)) == own[name] or attempt == 2:
                    fronts[name] = front
                own[name] = count
        return fronts

    def _front(self, book: Book, chapters: list[ChapterView], pages: dict[str, int], own: int) -> str:
        """The cover and contents of `book`, which take `own` pages, each section with its first page."""
        starts = list(
            itertools.accumulate((sum(pages[p] for p in parts) for parts in book.body), initial=1 + own)
        )
        sections = [
            {"number": c.number, "title": c.title, "count": len(c.entries), "page": page}
            for c, page in zip(chapters, starts, strict=False)
        ]
        if len(book.body) > len(chapters):  # the quiz's answer key
            sections.append({"number": "", "title": "Answer key", "count": 0, "page": starts[len(chapters)]})
        return self.render(
            "pdf/front.html",
            chapters=chapters,
            sections=sections,
            questions=sum(len(c.entries) for c in chapters),
            layout=book.front.removesuffix(" front"),
        )

    def _lay_out_all(self, documents: dict[str, str], cache: _Layouts, label: str) -> dict[str, bytes]:
        """Lay out documents (name: HTML), taking each from the layout cache when it holds it."""
        results = {name: data for name, page in documents.items() if (data := cache.get(page))}
        todo = sorted((n for n in documents if n not in results), key=lambda name: -len(documents[name]))
        advance = self.context.progress(label, len(todo)) if label and todo else lambda: None
        jobs = [(name, documents[name], cache.base_url, cache.roots) for name in todo]
        for layout in self._lay_out(jobs):
            results[layout.name] = layout.pdf
            cache.put_layout(documents[layout.name], layout)
            advance()
        return results

    def _lay_out(self, jobs: list[tuple[str, str, str, list[Path]]]) -> Iterator[Layout]:
        """WeasyPrint is single-threaded: documents are laid out side by side, the largest first."""
        if not jobs:
            return

        def check(layout: Layout) -> Layout:
            for message in layout.warnings:
                self.context.warn(f"{layout.name}: {message}")
            if layout.refused:  # corpus images were checked, with their positions, when the corpus was loaded
                raise ExportError(
                    f"{layout.name}: refused to fetch {layout.refused}: a template may only use files "
                    "inside the corpus, template and font folders"
                )
            return layout

        if (pool := self.context.pool) is None:
            for job in jobs:
                yield check(lay_out(job))
            return
        for future in as_completed([pool.submit(lay_out, job) for job in jobs]):
            yield check(future.result())

    def render(self, template: str, **values) -> str:
        return super().render(template, options=self.options, fonts=_fonts(), **values)

    def _check_glyphs(self, e: Entry, details: bool) -> None:
        """Warn, naming the entry, about characters the embedded fonts cannot draw (they print as boxes)."""
        text = " ".join(filter(None, (e.question, e.answer, e.details if details else None)))
        if missing := sorted({ch for ch in text if ch.isprintable() and not ch.isspace()} - _covered()):
            shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in missing[:8])
            self.context.warn(f"{where(e)}: the sheet fonts have no glyph for {shown}; they print as boxes")


@dataclass(frozen=True)
class Layout:
    """One document laid out (in a worker process): plain data, which the build's process unpickles
    without loading WeasyPrint."""

    name: str
    pdf: bytes
    refused: str | None  # the URL it was refused, if any
    warnings: list[str]
    files: list[str]  # the files it read (images, fonts): what, besides its HTML, it is made from


def lay_out(job: tuple[str, str, str, list[Path]]) -> Layout:
    """Lay out one document. WeasyPrint loads only where there is layout to do: in the workers, when the
    build has some (it takes the build's own process half a second that the workers wait for)."""
    from dlexport.exporters.pdflayout import lay_out

    return lay_out(job)


@dataclass(frozen=True)
class Book:
    """One printed document: its front (cover and contents, laid out last) if any, then its chapters, each
    laid out in one part or, if long, a few. Parts are named `<layout>-<topic id>[ <n>]`, fronts
    `<layout> front`: no topic id can name a front or another chapter's part."""

    name: str
    front: str | None
    body: list[list[str]]

    @property
    def parts(self) -> list[str]:
        return [*filter(None, [self.front]), *itertools.chain.from_iterable(self.body)]


# Page numbers laid out in one document: a few documents for a book of a few hundred pages, laid out side
# by side. A fixed number, not one per worker: the chunks (and so the bytes) are the same on every machine.
FOLIOS = 100

# WeasyPrint holds a whole document's layout in memory, about 0.3 MB an entry: a chapter longer than this
# is laid out in sections of this many entries, each starting a page, so that memory stays bounded.
SECTION_ENTRIES = 400


def _sections(chapter: ChapterView) -> list[tuple[EntryView, ...]]:
    n = SECTION_ENTRIES
    return [chapter.entries[i : i + n] for i in range(0, len(chapter.entries), n)] or [chapter.entries]


class _Layouts(Store):
    """Layouts kept by what they are made from: the HTML, the files it read (images, fonts: checked by
    their bytes, which can change under the same name), the folders it may read and the library versions.
    An edit re-lays-out only the parts it changes."""

    def __init__(self, base_url: str, roots: list[Path]):
        from importlib.metadata import version

        self.base_url, self.roots = base_url, roots
        self._digests: dict[str, str] = {}  # file: digest of its bytes, read once a build
        super().__init__(
            "pdf", "\0".join([base_url, *map(str, roots), version("weasyprint"), version("pydyf")])
        )

    def get(self, page: str) -> bytes | None:
        if (kept := super().get(page)) is None:
            return None
        files, _, pdf = kept.partition(b"\n")
        try:
            fresh = all(self._digest(path) == digest for path, digest in json.loads(files))
        except (ValueError, TypeError):
            return None
        return pdf if fresh else None

    def put_layout(self, page: str, layout: Layout) -> None:
        files = json.dumps([[path, self._digest(path)] for path in layout.files])
        self.put(page, files.encode() + b"\n" + layout.pdf)

    def _digest(self, path: str) -> str:
        if path not in self._digests:
            try:
                self._digests[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                self._digests[path] = ""  # unreadable: no layout made while it could be read matches
        return self._digests[path]


@cache
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
