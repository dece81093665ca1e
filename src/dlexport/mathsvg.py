"""TeX to vector SVG with ziamath (pure Python, ships STIX Two Math), for outputs without MathJax.

Each formula becomes an <img> with an SVG data URI (inline SVGs would repeat glyph ids), sized in em
so it follows the surrounding text, and shifted down by its depth so it sits on the baseline.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from functools import lru_cache

import ziamath

_SIZE = 10.0  # ziamath's drawing size; the image is scaled to the text through em units
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')


@lru_cache(maxsize=4096)
def svg_image(tex: str, display: bool) -> str:
    """An <img> for `tex`; raises whatever ziamath raises for TeX it cannot parse."""
    svg = ziamath.Latex(tex, inline=not display, size=_SIZE).svg()
    _, y, w, h = (float(v) for v in _VIEWBOX.search(svg).groups())
    depth = h + y  # the baseline is at y = 0
    data = base64.b64encode(svg.encode()).decode()
    alt = html.escape(tex)
    style = f"width:{w / _SIZE:.3f}em;height:{h / _SIZE:.3f}em;vertical-align:{-depth / _SIZE:.3f}em"
    img = f'<img class="math" alt="{alt}" style="{style}" src="data:image/svg+xml;base64,{data}">'
    return f'<div class="math-display">{img}</div>' if display else img


class SvgMath:
    """A math renderer for HtmlRenderer that never fails: bad TeX is shown as source and reported."""

    def __init__(self, warn: Callable[[str], None]):
        self.warn = warn
        self.where = "?"  # the entry being rendered, for messages

    def __call__(self, tex: str, display: bool) -> str:
        try:
            return svg_image(tex, display)
        except Exception as exc:  # ziamath raises many kinds; any of them means "cannot draw this"
            self.warn(f"{self.where}: cannot typeset formula {tex!r} ({type(exc).__name__}); shown as TeX")
            code = f'<code class="tex">{html.escape(tex)}</code>'
            return f'<div class="math-display">{code}</div>' if display else code
