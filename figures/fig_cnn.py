"""Figures for the CNN chapter: convolution arithmetic, padding, receptive field, pooling, residual block,
U-Net, IoU."""

from __future__ import annotations

import numpy as np
from figstyle import BLUE, GREY, INK, arrow, box, diagram, figure, grid, line, outline
from matplotlib.patches import Rectangle

HATCH = {"fc": "#cccccc", "hatch": "////"}


def _correlate(x, k, stride=1):
    f = k.shape[0]
    n = (x.shape[0] - f) // stride + 1
    return np.array(
        [
            [np.sum(x[i * stride : i * stride + f, j * stride : j * stride + f] * k) for j in range(n)]
            for i in range(n)
        ]
    )


@figure("conv-sliding-window")
def conv_sliding_window():
    x = np.array([[1, 1, 1, 5, 5]] * 5)
    k = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    y = _correlate(x, k)
    fig, ax = diagram(figsize=(3.2, 1.55), xlim=(-0.2, 15.2), ylim=(-1.3, 6.0))
    win = {(r, c): HATCH for r in range(3) for c in range(1, 4)}
    grid(ax, 0, 0, 5, 5, values=x, shade=win)
    outline(ax, 0, 0, 5, 5, 0, 1, 3, 3)
    ax.text(2.5, 5.3, "input (vertical edge)", ha="center", fontsize=6.5)
    ax.text(6.0, 2.5, "∗", ha="center", va="center", fontsize=11)
    grid(ax, 7.0, 1.0, 3, 3, values=k)
    ax.text(8.5, 4.3, "kernel (Sobel)", ha="center", fontsize=6.5)
    ax.text(10.9, 2.5, "=", ha="center", va="center", fontsize=11)
    grid(ax, 11.8, 1.0, 3, 3, values=y, shade={(0, 1): HATCH})
    outline(ax, 11.8, 1.0, 3, 3, 0, 1, 1, 1)
    ax.text(13.3, 4.3, "feature map", ha="center", fontsize=6.5)
    ax.text(
        7.5,
        -0.25,
        r"hatched window: $-1{-}2{-}1$ times 1, $+1{+}2{+}1$ times 5 $= 16$",
        ha="center",
        va="top",
        fontsize=6,
    )
    return fig


@figure("conv-output-size")
def conv_output_size():
    n, p, _f, _s = 5, 1, 3, 2
    size = n + 2 * p
    fig, ax = diagram(figsize=(3.2, 1.75), xlim=(-0.3, 14.2), ylim=(-1.6, 7.9))
    vals = [
        [0 if (r in (0, size - 1) or c in (0, size - 1)) else None for c in range(size)] for r in range(size)
    ]
    window = {(r, c): HATCH for r in range(3) for c in range(3)}
    grid(ax, 0, 0, size, size, values=vals, shade=window, size=5, ec=GREY, ls=":")
    grid(ax, 1, 1, n, n)
    outline(ax, 0, 0, size, size, 0, 0, 3, 3, lw=1.6)
    outline(ax, 0, 0, size, size, 0, 2, 3, 3, lw=1.4, ls="--", color=BLUE)
    ax.text(3.5, 7.3, "5x5 input, padding 1 (dotted zeros)", ha="center", fontsize=6.2)
    ax.text(
        4.0,
        -0.3,
        "3x3 kernel, stride 2: the next\nwindow (dashed) starts 2 cells on",
        ha="center",
        va="top",
        fontsize=6,
    )
    out_shade = {(0, 0): HATCH, (0, 1): {"fc": "white", "ec": BLUE, "ls": "--", "lw": 1.2}}
    grid(ax, 10.2, 2.0, 3, 3, shade=out_shade)
    ax.text(11.7, 5.4, "3x3 output", ha="center", fontsize=6.5)
    ax.text(
        11.7,
        1.6,
        r"$\left\lfloor \frac{5 + 2 \cdot 1 - 3}{2} \right\rfloor + 1 = 3$",
        ha="center",
        va="top",
        fontsize=7,
    )
    arrow(ax, (7.4, 3.5), (9.9, 3.5), lw=0.8)
    return fig


@figure("padding-valid-vs-same")
def padding_valid_vs_same():
    fig, ax = diagram(figsize=(3.2, 1.8), xlim=(-0.3, 24.5), ylim=(-3.2, 10.4))
    # valid: 6x6 input, first window at the corner, 4x4 output
    grid(ax, 0, 2, 6, 6, shade={(r, c): HATCH for r in range(3) for c in range(3)})
    outline(ax, 0, 2, 6, 6, 0, 0, 3, 3)
    grid(ax, 7.3, 3, 4, 4, shade={(0, 0): HATCH})
    arrow(ax, (6.1, 5), (7.1, 5), lw=0.7)
    ax.text(5.5, 9.0, "valid ($p = 0$): 6x6 → 4x4", ha="center", fontsize=6.5)
    # same: padded to 8x8, first window covers the padding, 6x6 output
    x0 = 12.5
    grid(ax, x0, 1, 8, 8, shade={(r, c): HATCH for r in range(3) for c in range(3)}, ec=GREY, ls=":")
    grid(ax, x0 + 1, 2, 6, 6)
    outline(ax, x0, 1, 8, 8, 0, 0, 3, 3)
    grid(ax, x0 + 8.6, 3, 6, 6, cell=0.5, shade={(0, 0): {"fc": "#cccccc", "hatch": "////"}})
    arrow(ax, (x0 + 8.1, 5), (x0 + 8.55, 5), lw=0.7)
    ax.text(x0 + 5.5, 9.4, "same ($p = 1$): 6x6 → 6x6", ha="center", fontsize=6.5)
    ax.text(
        12,
        -0.2,
        "3x3 kernel, stride 1; dotted cells are zero padding.\n"
        "The corner pixel falls in 1 window (valid) but 4 windows (same).",
        ha="center",
        va="top",
        fontsize=6,
    )
    return fig


@figure("receptive-field")
def receptive_field():
    # 1-D view of conv 3 (stride 1) -> pool 2 (stride 2) -> conv 3 (stride 1), no padding.
    widths = [12, 10, 5, 3]
    names = ["input", "conv, size 3, stride 1", "pool, size 2, stride 2", "conv, size 3, stride 1"]
    rf = ["", "r = 3", "r = 4, jump 2", "r = 8"]
    used = [set(range(2, 10)), set(range(2, 8)), {1, 2, 3}, {1}]
    fig, ax = diagram(figsize=(3.2, 1.9), xlim=(-6.6, 14.6), ylim=(-0.4, 8.6))
    ys = [0, 2.4, 4.8, 7.2]
    centers = []
    for level, (w, y) in enumerate(zip(widths, ys, strict=True)):
        step = 12 / w
        cs = []
        for i in range(w):
            x = i * step + (step - 0.8) / 2
            on = i in used[level]
            ax.add_patch(
                Rectangle(
                    (x, y),
                    0.8,
                    0.8,
                    fc="#cccccc" if on else "white",
                    hatch="////" if on else None,
                    ec=INK,
                    lw=0.6,
                )
            )
            cs.append(x + 0.4)
        centers.append(cs)
        ax.text(-0.4, y + 0.4, names[level], ha="right", va="center", fontsize=6)
        if rf[level]:
            ax.text(12.2, y + 0.4, rf[level], ha="left", va="center", fontsize=6)
    links = [(lambda i: range(i, i + 3)), (lambda j: range(2 * j, 2 * j + 2)), (lambda k: range(k, k + 3))]
    for level in range(1, 4):
        for i in used[level]:
            for j in links[level - 1](i):
                line(
                    ax,
                    [(centers[level][i], ys[level]), (centers[level - 1][j], ys[level - 1] + 0.8)],
                    lw=0.5,
                    color=INK,
                )
    return fig


@figure("pooling-max-average")
def pooling_max_average():
    x = np.array([[1, 3, 2, 4], [5, 6, 1, 0], [7, 2, 9, 8], [1, 0, 3, 4]])
    styles = [
        {"fc": "white"},
        {"fc": "#cccccc", "hatch": "////"},
        {"fc": "#cccccc", "hatch": "\\\\\\\\"},
        {"fc": "#888888"},
    ]
    block = lambda r, c: styles[(r // 2) * 2 + c // 2]  # noqa: E731
    fig, ax = diagram(figsize=(3.2, 1.45), xlim=(-0.2, 15.4), ylim=(-1.4, 5.4))
    grid(ax, 0, 0, 4, 4, values=x, shade={(r, c): block(r, c) for r in range(4) for c in range(4)}, size=6.5)
    for r in (0, 2):
        for c in (0, 2):
            outline(ax, 0, 0, 4, 4, r, c, 2, 2, lw=1.4)
    ax.text(2, 4.4, "4x4 input", ha="center", fontsize=6.5)
    mx = x.reshape(2, 2, 2, 2).max(axis=(1, 3))
    av = x.reshape(2, 2, 2, 2).mean(axis=(1, 3))
    for x0, vals, title in ((6.3, mx, "max pool"), (11.3, av, "average pool")):
        shade = {(r, c): styles[r * 2 + c] for r in range(2) for c in range(2)}
        txt = [[f"{v:g}" for v in row] for row in vals]
        grid(ax, x0, 1, 2, 2, cell=1.5, values=txt, fmt="{}", shade=shade, size=6.5)
        ax.text(x0 + 1.5, 4.4, title, ha="center", fontsize=6.5)
    arrow(ax, (4.3, 2), (6.0, 2), lw=0.7)
    ax.text(7.7, -0.3, "2x2 windows, stride 2", ha="center", va="top", fontsize=6)
    return fig


@figure("residual-block")
def residual_block():
    fig, ax = diagram(figsize=(3.2, 1.6), xlim=(0, 16), ylim=(0, 8))
    y = 3.2
    ax.text(0.6, y + 0.6, r"$\mathbf{x}$", ha="center", va="center", fontsize=8)
    xs = [(1.8, "conv 3x3\nBN"), (5.0, "ReLU"), (7.6, "conv 3x3\nBN")]
    widths = [2.4, 1.8, 2.4]
    prev = 1.0
    for (x, name), w in zip(xs, widths, strict=True):
        box(ax, x, y - 0.1, w, 1.4, name, size=6)
        arrow(ax, (prev, y + 0.6), (x, y + 0.6))
        prev = x + w
    from matplotlib.patches import Circle

    ax.add_patch(Circle((11.4, y + 0.6), 0.5, fc="white", ec=INK, lw=0.8))
    ax.text(11.4, y + 0.6, "+", ha="center", va="center", fontsize=9)
    arrow(ax, (prev, y + 0.6), (10.9, y + 0.6))
    box(ax, 12.5, y - 0.1, 1.8, 1.4, "ReLU", size=6)
    arrow(ax, (11.9, y + 0.6), (12.5, y + 0.6))
    arrow(ax, (14.3, y + 0.6), (15.3, y + 0.6))
    ax.text(15.5, y + 0.6, r"$\mathbf{y}$", ha="left", va="center", fontsize=8)
    line(ax, [(1.2, y + 0.6), (1.2, y + 3.4), (11.4, y + 3.4)], lw=1.2)
    arrow(ax, (11.4, y + 3.4), (11.4, y + 1.1), lw=1.2)
    ax.text(
        6.3,
        y + 3.6,
        "identity shortcut (1x1 conv if the shape changes)",
        ha="center",
        va="bottom",
        fontsize=6,
    )
    ax.text(6.0, y - 0.5, r"residual branch $\mathcal{F}(\mathbf{x})$", ha="center", va="top", fontsize=6.5)
    ax.text(
        8.0,
        0.6,
        r"$\mathbf{y} = \mathrm{ReLU}(\mathbf{x} + \mathcal{F}(\mathbf{x}))$",
        ha="center",
        va="center",
        fontsize=7,
    )
    return fig


@figure("unet")
def unet():
    fig, ax = diagram(figsize=(3.2, 2.1), xlim=(0, 16), ylim=(-0.6, 10.2))
    levels = [(64, 572), (128, 284), (256, 140), (512, 68)]
    heights = [2.0, 1.6, 1.2, 0.9]
    ys = [8.0, 5.7, 3.4, 1.3]
    for i, ((ch, _), h, y) in enumerate(zip(levels, heights, ys, strict=True)):
        xl = 0.8 + i * 1.1
        xr = 15.2 - i * 1.1 - 0.9
        box(ax, xl, y - h / 2, 0.9, h, rounded=False)
        box(ax, xr, y - h / 2, 0.9, h, rounded=False, fc="#cccccc", hatch="////")
        ax.text(xl - 0.12, y, f"{ch}", ha="right", va="center", fontsize=5.5)
        ax.text(xr + 1.02, y, f"{ch}", ha="left", va="center", fontsize=5.5)
        arrow(ax, (xl + 1.0, y), (xr - 0.1, y), lw=0.8, ls="--", color=BLUE)
        if i < 3:
            arrow(
                ax,
                (xl + 0.45, y - h / 2 - 0.05),
                (xl + 1.1 + 0.45, ys[i + 1] + heights[i + 1] / 2 + 0.55),
                lw=0.9,
            )
            arrow(
                ax,
                (15.2 - (i + 1) * 1.1 - 0.45, ys[i + 1] + heights[i + 1] / 2 + 0.55),
                (xr + 0.45, y - h / 2 - 0.05),
                lw=0.9,
            )
    box(ax, 7.55, -0.2, 0.9, 0.8, rounded=False)
    ax.text(8.0, 0.75, "1024", ha="center", va="bottom", fontsize=5.5)
    arrow(ax, (0.8 + 3 * 1.1 + 0.45, ys[3] - heights[3] / 2 - 0.05), (7.5, 0.2), lw=0.9)
    arrow(ax, (8.5, 0.2), (15.2 - 3 * 1.1 - 0.45, ys[3] - heights[3] / 2 - 0.05), lw=0.9)
    ax.text(8.0, 9.5, "skip connections: copy and concatenate", ha="center", fontsize=6, color=BLUE)
    ax.text(2.2, 0.6, "encoder:\n2 convs, then\nmax pool (↓)", ha="center", va="center", fontsize=5.5)
    ax.text(13.8, 0.6, "decoder:\nup-conv (↑),\nconcat, 2 convs", ha="center", va="center", fontsize=5.5)
    return fig


@figure("iou")
def iou():
    fig, ax = diagram(figsize=(3.2, 1.6), xlim=(-0.5, 13.5), ylim=(-0.8, 6.6))
    ax.add_patch(Rectangle((0, 0), 4, 4, fc="white", ec=INK, lw=1.0))
    ax.add_patch(Rectangle((2, 2), 4, 4, fc="white", ec=INK, lw=1.0, ls="--"))
    ax.add_patch(Rectangle((2, 2), 2, 2, fc="#bbbbbb", ec=INK, lw=0.6, hatch="////"))
    ax.text(0.2, 0.3, "A (0,0,4,4)", fontsize=6, va="bottom")
    ax.text(5.8, 5.7, "B (2,2,6,6)", fontsize=6, ha="right", va="top")
    ax.text(7.2, 4.2, r"$\mathrm{IoU} = \frac{|A \cap B|}{|A \cup B|}$", fontsize=8, va="center")
    ax.text(
        7.2, 2.4, r"$= \frac{2 \times 2}{16 + 16 - 4} = \frac{4}{28} \approx 0.14$", fontsize=7.5, va="center"
    )
    ax.text(7.2, 0.8, "hatched: intersection", fontsize=6, va="center")
    return fig
