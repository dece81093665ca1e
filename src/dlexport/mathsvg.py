"""TeX to vector SVG with ziamath (pure Python, ships STIX Two Math), for outputs without MathJax.

Each formula becomes an <img> with an SVG data URI (inline SVGs would repeat glyph ids), sized in em
so it follows the surrounding text, and shifted down by its depth so it sits on the baseline.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from dlexport.mathtext import text_math
from dlexport.output import cache_dir, keep, kept

_SIZE = 10.0  # ziamath's drawing size; the image is scaled to the text through em units
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')


@lru_cache(maxsize=8192)
def svg_image(tex: str, display: bool) -> str:
    """An <img> for `tex`; raises whatever ziamath raises for TeX it cannot parse."""
    import ziamath  # slow to import: only builds with formulas to draw pay for it

    # Glyph outlines as plain paths rather than SVG 2 <symbol>/<use> pairs: the same picture, which
    # WeasyPrint draws in little more than half the time.
    ziamath.config.svg2 = False
    svg = ziamath.Latex(tex, inline=not display, size=_SIZE).svg()
    _, y, w, h = (float(v) for v in _VIEWBOX.search(svg).groups())
    depth = h + y  # the baseline is at y = 0
    data = base64.b64encode(svg.encode()).decode()
    alt = html.escape(tex)
    style = f"width:{w / _SIZE:.3f}em;height:{h / _SIZE:.3f}em;vertical-align:{-depth / _SIZE:.3f}em"
    img = f'<img class="math" alt="{alt}" style="{style}" src="data:image/svg+xml;base64,{data}">'
    return f'<div class="math-display">{img}</div>' if display else img


def cache_file() -> Path:
    """Typeset formulas are kept between builds: typesetting is most of dlexport's own time."""
    return cache_dir() / f"math-ziamath-{version('ziamath')}-svg1.json"


class SvgMath:
    """A math renderer for HtmlRenderer that never fails: bad TeX is shown as source and reported.
    Use it as a context manager to read and update the on-disk cache of typeset formulas."""

    key = "ziamath svg1"  # the kind of math it draws (a view cache tells renderers apart by it)

    def __init__(self, warn: Callable[[str], None], cache: Path | None = None):
        self.warn = warn
        self.cache_path = cache
        self.cache: dict[str, str] = {}
        self.added = False

    def __enter__(self) -> SvgMath:
        if self.cache_path and (data := kept(self.cache_path)):
            with contextlib.suppress(ValueError):  # a damaged cache is only a slower build
                cache = json.loads(data)
                if isinstance(cache, dict) and all(isinstance(v, str) for v in cache.values()):
                    self.cache = cache
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.cache_path and self.added and exc_info[0] is None:
            keep(self.cache_path, json.dumps(self.cache).encode())

    def typeset(self, formulas: Iterable[tuple[str, bool]], pool: Executor | None) -> None:
        """Typeset the formulas not cached yet side by side, before rendering asks for them one by one:
        on a cold cache, typesetting is most of a PDF build's own time."""
        todo = sorted(
            (tex, display)
            for tex, display in set(formulas)
            if f"{int(display)}{tex}" not in self.cache and (display or not text_math(tex))
        )
        if pool is None or len(todo) < 16:  # not worth the round trips
            return
        for (tex, display), img in zip(todo, pool.map(_typeset, todo, chunksize=16), strict=True):
            if img is not None:  # a formula that fails is reported when rendering asks for it
                self.cache[f"{int(display)}{tex}"] = img
                self.added = True

    def __call__(self, tex: str, display: bool, where: str = "") -> str:
        if not display and (simple := text_math(tex)):
            return simple
        key = f"{int(display)}{tex}"
        if key in self.cache:
            return self.cache[key]
        try:
            self.cache[key] = svg_image(tex, display)
            self.added = True
            return self.cache[key]
        except Exception as exc:  # ziamath raises many kinds; any of them means "cannot draw this"
            self.warn(f"{where}: cannot typeset formula {tex!r} ({type(exc).__name__}); shown as TeX")
            code = f'<code class="tex">{html.escape(tex)}</code>'
            return f'<div class="math-display">{code}</div>' if display else code


def _typeset(formula: tuple[str, bool]) -> str | None:
    try:
        return svg_image(*formula)
    except Exception:  # ziamath raises many kinds; the renderer reports them, with the entry's name
        return None
