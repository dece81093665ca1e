"""Shared style, registry and drawing helpers for the corpus figures.

Every figure is a function registered with `@figure(name)` that returns a matplotlib `Figure`. The style is
print-first and grayscale-safe: dark lines on white, meaning carried by line style, markers, hatching and
direct labels rather than colour alone, DejaVu Sans (bundled with matplotlib) converted to paths.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

WIDTH, HEIGHT = 3.2, 2.0  # inches: about 8 cm wide, one column of a two-column A4 sheet

# Okabe-Ito colours, all dark enough for white paper; always paired with a line style or marker.
INK = "#000000"
BLUE = "#0072B2"
RED = "#D55E00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
GREY = "#777777"
LIGHT = "#DDDDDD"

RC = {
    "svg.fonttype": "path",
    "svg.hashsalt": "dlexport",
    "font.family": "DejaVu Sans",
    "font.size": 7,
    "mathtext.fontset": "dejavusans",
    "axes.titlesize": 7,
    "axes.labelsize": 7,
    "axes.linewidth": 0.6,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.facecolor": "white",
    "axes.titlepad": 3,
    "axes.labelpad": 2,
    "xtick.labelsize": 6,
    "ytick.labelsize": 6,
    "xtick.major.size": 2,
    "ytick.major.size": 2,
    "xtick.major.width": 0.5,
    "ytick.major.width": 0.5,
    "xtick.major.pad": 1.5,
    "ytick.major.pad": 1.5,
    "legend.fontsize": 6,
    "legend.frameon": False,
    "legend.handlelength": 2.2,
    "legend.borderaxespad": 0.2,
    "lines.linewidth": 1.2,
    "hatch.linewidth": 0.5,
    "hatch.color": INK,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "path.simplify": True,
    "path.simplify_threshold": 0.1,
}

FIGURES: dict[str, Callable[[], Figure]] = {}


def figure(name: str) -> Callable[[Callable[[], Figure]], Callable[[], Figure]]:
    """Register a figure function under the SVG name it is written to (content/images/<name>.svg)."""

    def register(fn: Callable[[], Figure]) -> Callable[[], Figure]:
        assert name not in FIGURES, f"duplicate figure name {name}"
        FIGURES[name] = fn
        return fn

    return register


def render(name: str, out_dir: Path) -> Path:
    """Draw one registered figure and write it as deterministic SVG."""
    path = Path(out_dir) / f"{name}.svg"
    with mpl.rc_context(RC):
        fig = FIGURES[name]()
        fig.savefig(
            path,
            format="svg",
            metadata={"Date": None, "Creator": None},
            bbox_inches="tight",
            pad_inches=0.03,
            facecolor="white",
        )
    return path


def new(figsize: tuple[float, float] = (WIDTH, HEIGHT), nrows: int = 1, ncols: int = 1, **kw):
    """A figure with a grid of axes (a single Axes when 1 x 1)."""
    fig = Figure(figsize=figsize)
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes


def diagram(figsize: tuple[float, float] = (WIDTH, HEIGHT), xlim=(0, 10), ylim=(0, 6)):
    """A figure with one frameless axes in data units, equal aspect, for block diagrams."""
    fig = Figure(figsize=figsize)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def box(ax, x, y, w, h, text="", *, fc="white", ec=INK, hatch=None, lw=0.8, size=6.5, rounded=True, **kw):
    """A labelled box with its lower-left corner at (x, y)."""
    style = "round,pad=0,rounding_size=0.12" if rounded else "square,pad=0"
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=style, fc=fc, ec=ec, lw=lw, hatch=hatch))
    if text:
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size, **kw)
    return (x + w / 2, y + h / 2)


def arrow(ax, start, end, *, lw=0.8, color=INK, style="-|>", ls="-", rad=0.0, shrink=0.0, mut=6):
    """An arrow from start to end, optionally curved (rad) and shortened at both ends (shrink, points)."""
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=mut,
            lw=lw,
            color=color,
            ls=ls,
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=shrink,
            shrinkB=shrink,
        )
    )


def line(ax, points, *, lw=0.8, color=INK, ls="-", zorder=2):
    xs, ys = zip(*points, strict=True)
    ax.plot(xs, ys, color=color, lw=lw, ls=ls, solid_capstyle="butt", zorder=zorder)


def circle_node(ax, x, y, r, text="", *, fc="white", ec=INK, lw=0.8, size=6.5, hatch=None, ls="-"):
    from matplotlib.patches import Circle

    ax.add_patch(Circle((x, y), r, fc=fc, ec=ec, lw=lw, hatch=hatch, ls=ls, zorder=3))
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=size, zorder=4)


def grid(
    ax, x0, y0, rows, cols, *, cell=1.0, values=None, fmt="{:g}", shade=None, size=6, lw=0.6, ec=INK, ls="-"
):
    """A rows x cols grid of square cells, row 0 at the top, lower-left corner at (x0, y0).

    `shade[(r, c)]` is a dict of Rectangle keyword arguments (fc, hatch) for filled cells. The grid lines are
    drawn as one path, which keeps the SVG small.
    """
    shade = shade or {}
    for (r, c), kw in shade.items():
        x, y = x0 + c * cell, y0 + (rows - 1 - r) * cell
        ax.add_patch(Rectangle((x, y), cell, cell, **({"fc": "white", "ec": "none", "lw": 0} | kw)))
    xs, ys = [], []
    for r in range(rows + 1):
        xs += [x0, x0 + cols * cell, np.nan]
        ys += [y0 + r * cell] * 2 + [np.nan]
    for c in range(cols + 1):
        xs += [x0 + c * cell] * 2 + [np.nan]
        ys += [y0, y0 + rows * cell, np.nan]
    ax.plot(xs, ys, color=ec, lw=lw, ls=ls, solid_capstyle="projecting")
    if values is None:
        return
    for r in range(rows):
        for c in range(cols):
            if values[r][c] is None:
                continue
            x, y = x0 + c * cell, y0 + (rows - 1 - r) * cell
            kw = shade.get((r, c), {})
            bbox = {"fc": kw.get("fc", "white"), "ec": "none", "pad": 0.4} if kw.get("hatch") else None
            dark = kw.get("fc") in ("#888888", "#555555")
            ax.text(
                x + cell / 2,
                y + cell / 2,
                fmt.format(values[r][c]),
                ha="center",
                va="center",
                fontsize=size,
                bbox=bbox,
                color="white" if dark else INK,
            )


def outline(ax, x0, y0, rows, cols, r, c, h, w, *, cell=1.0, lw=1.6, ls="-", color=INK, grid_rows=None):
    """Outline an h x w block of cells starting at cell (r, c) of a grid drawn with `grid`."""
    grid_rows = grid_rows or rows
    x = x0 + c * cell
    y = y0 + (grid_rows - r - h) * cell
    ax.add_patch(Rectangle((x, y), w * cell, h * cell, fc="none", ec=color, lw=lw, ls=ls))


def label_line(ax, x, y, text, *, ha="left", va="center", size=6.5, color=INK, **kw):
    """A direct label next to a curve."""
    ax.text(x, y, text, ha=ha, va=va, fontsize=size, color=color, **kw)


def tidy(ax, *, zero_x=False, zero_y=False):
    """Light reference lines through the origin."""
    if zero_x:
        ax.axvline(0, color=GREY, lw=0.4, zorder=0)
    if zero_y:
        ax.axhline(0, color=GREY, lw=0.4, zorder=0)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)
