"""TeX to vector SVG with ziamath (pure Python, ships STIX Two Math), for outputs without MathJax.

Each formula is drawn once, into a file of its own in a folder kept between builds, and shown as an
<img> of that file: sized in em so it follows the surrounding text, and shifted down by its depth so it
sits on the baseline. A file rather than a data URI keeps a document's HTML small (a formula's drawing is
kilobytes of paths) and lets WeasyPrint read a formula shown twice once. Each file ends with a hash of
its drawing: one torn or damaged is drawn again, never shown.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from pathlib import Path

from dlexport.mathtext import text_math
from dlexport.output import cache_dir, remove_stale_temporaries, write_bytes

_SIZE = 10.0  # ziamath's drawing size; the image is scaled to the text through em units
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')
_SEAL = re.compile(rb"<!-- sha256 ([0-9a-f]{64}) -->\n\Z")
FILE_NAME = re.compile(r"[0-9a-f]{64}\.svg")  # what a formula's file is called, and nothing else is


def draw(tex: str, display: bool) -> str:
    """The SVG of `tex`; raises whatever ziamath raises for TeX it cannot parse."""
    import ziamath  # slow to import: only builds with formulas to draw pay for it

    # Glyph outlines as plain paths rather than SVG 2 <symbol>/<use> pairs: the same picture, which
    # WeasyPrint draws in little more than half the time.
    ziamath.config.svg2 = False
    return ziamath.Latex(tex, inline=not display, size=_SIZE).svg()


SHIPPED = ".dlexport-math"  # a corpus's own folder of drawn formulas, when it has one
_LARGEST = 2**22  # bytes: no formula's drawing comes near it


def math_folder(corpus: Path) -> Path:
    """Where a corpus's formulas are drawn and kept between builds (typesetting is most of dlexport's own
    time): its own `.dlexport-math/` when it has one (a folder, not a link: a corpus does not choose
    where a build writes), which it ships so that a fresh machine typesets nothing; else the cache.
    A corpus's own drawings serve that corpus only: they never enter the cache other corpora read."""
    shipped = corpus / SHIPPED
    if shipped.is_dir() and not shipped.is_symlink():
        return shipped
    from importlib.metadata import version  # here: slow to import, and validation never needs it

    return cache_dir() / f"math-ziamath-{version('ziamath')}-svg1"


def file_name(tex: str, display: bool) -> str:
    return hashlib.sha256(f"{int(display)}{tex}".encode()).hexdigest() + ".svg"


def sealed(svg: str) -> bytes:
    """The file's bytes: the drawing, then a comment with its hash (SVG readers skip comments)."""
    data = svg.encode()
    return data + b"<!-- sha256 " + hashlib.sha256(data).hexdigest().encode() + b" -->\n"


def unsealed(path: Path) -> str | None:
    """The drawing in `path`, or None unless it is a regular file (not a link, a pipe or a device) of a
    sane size holding a sealed, intact drawing with a view box."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _LARGEST:
            return None
        data = f.read()
    seal = _SEAL.search(data)
    drawing = data[: seal.start()] if seal else b""
    if not seal or hashlib.sha256(drawing).hexdigest().encode() != seal[1]:
        return None
    svg = drawing.decode(errors="replace")
    return svg if _VIEWBOX.search(svg) else None


class SvgMath:
    """A math renderer for HtmlRenderer that never fails: bad TeX is shown as source and reported.
    Use it as a context manager: it draws into `folder`, or into a folder of its own for the build when
    that one cannot be written (a read-only home), which it removes on exit."""

    def __init__(self, warn: Callable[[str], None], folder: Path | None = None):
        self.warn = warn
        self.folder = folder
        self._html: dict[tuple[str, bool], str] = {}  # formulas whose file is in place
        self._scratch: tempfile.TemporaryDirectory | None = None

    @property
    def key(self) -> str:
        """The kind of math it draws, and where (a view cache tells renderers apart by it)."""
        return f"ziamath svg1 {self.folder}"

    def __enter__(self) -> SvgMath:
        if self.folder is None or not _writable(self.folder):
            self._scratch = tempfile.TemporaryDirectory(prefix="dlexport-math-")
            self.folder = Path(self._scratch.name)
        remove_stale_temporaries(self.folder, older_than=3600)  # a killed build's; other builds' are fresh
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._scratch:
            self._scratch.cleanup()

    def typeset(self, formulas: Iterable[tuple[str, bool]], pool: Executor | None) -> None:
        """Make sure every formula has its file, drawing the missing ones side by side: on a cold cache,
        typesetting is most of a PDF build's own time. Run before rendering, which may take fragments
        from a cache of renderings and so never ask for their formulas."""
        todo = sorted(f for f in set(formulas) if (f[1] or not text_math(f[0])) and not self._found(*f))
        drawn = pool.map(_draw, todo, chunksize=16) if pool and len(todo) >= 16 else map(_draw, todo)
        for (tex, display), svg in zip(todo, drawn, strict=True):
            if svg is not None:  # a formula that fails is reported when rendering asks for it
                self._keep(tex, display, svg)

    def __call__(self, tex: str, display: bool, where: str = "") -> str:
        if not display and (simple := text_math(tex)):
            return simple
        if found := self._found(tex, display):
            return found
        try:
            return self._keep(tex, display, draw(tex, display))
        except Exception as exc:  # ziamath raises many kinds; any of them means "cannot draw this"
            self.warn(f"{where}: cannot typeset formula {tex!r} ({type(exc).__name__}); shown as TeX")
            code = f'<code class="tex">{html.escape(tex)}</code>'
            return f'<div class="math-display">{code}</div>' if display else code

    def _found(self, tex: str, display: bool) -> str | None:
        if (tex, display) not in self._html and (svg := unsealed(self._path(tex, display))):
            self._html[tex, display] = self._img(tex, display, svg)
        return self._html.get((tex, display))

    def _keep(self, tex: str, display: bool, svg: str) -> str:
        write_bytes(self._path(tex, display), sealed(svg))
        self._html[tex, display] = self._img(tex, display, svg)
        return self._html[tex, display]

    def _path(self, tex: str, display: bool) -> Path:
        assert self.folder, "SvgMath draws inside its context"
        return self.folder / file_name(tex, display)

    def _img(self, tex: str, display: bool, svg: str) -> str:
        _, y, w, h = (float(v) for v in _VIEWBOX.search(svg).groups())
        depth = h + y  # the baseline is at y = 0
        style = f"width:{w / _SIZE:.3f}em;height:{h / _SIZE:.3f}em;vertical-align:{-depth / _SIZE:.3f}em"
        src = self._path(tex, display).as_uri()
        img = f'<img class="math" alt="{html.escape(tex)}" style="{style}" src="{src}">'
        return f'<div class="math-display">{img}</div>' if display else img


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".", suffix=".tmp"):
            return True
    except OSError:
        return False


def _draw(formula: tuple[str, bool]) -> str | None:
    with contextlib.suppress(Exception):  # ziamath raises many kinds: rendering reports them, by entry
        return draw(*formula)
    return None
