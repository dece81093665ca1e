"""Figures for the regularisation chapter: fitting regimes, bias-variance, double descent, early stopping,
dropout, normalisation axes, L1 versus L2 geometry."""

from __future__ import annotations

import numpy as np
from figstyle import (
    BLUE,
    GREY,
    INK,
    LIGHT,
    RED,
    circle_node,
    diagram,
    figure,
    label_line,
    line,
    new,
    rng,
)
from matplotlib.patches import Circle, Polygon, Rectangle
from numpy.polynomial import Polynomial


def _truth(x):
    return np.sin(2 * np.pi * x)


@figure("underfitting-overfitting")
def underfitting_overfitting():
    r = rng(4)
    x = np.sort(r.uniform(0, 1, 12))
    y = _truth(x) + 0.25 * r.normal(size=x.size)
    xs = np.linspace(0, 1, 161)
    fig, axes = new(ncols=3, sharey=True)
    fig.subplots_adjust(wspace=0.06)
    for ax, deg, title in zip(
        axes, (1, 3, 9), ("degree 1: underfits", "degree 3: good fit", "degree 9: overfits"), strict=True
    ):
        fit = Polynomial.fit(x, y, deg)
        ax.plot(xs, _truth(xs), color=GREY, ls=":", lw=1.0)
        ax.plot(xs, np.clip(fit(xs), -3, 3), color=INK, lw=1.0)
        ax.plot(x, y, "o", ms=2.8, mfc="white", mec=INK, mew=0.7)
        ax.set_title(title, fontsize=6)
        ax.set_xticks([])
        ax.set_ylim(-1.9, 1.9)
        ax.set_xlim(-0.02, 1.02)
    axes[0].set_yticks([])
    axes[0].set_ylabel("$y$")
    label_line(axes[1], 0.5, -1.75, "dotted: true function", size=5.5, ha="center", va="bottom", color=GREY)
    return fig


@figure("bias-variance-tradeoff")
def bias_variance_tradeoff():
    # Schematic curves with the textbook shapes: bias falls and variance rises with complexity.
    c = np.linspace(0, 10, 101)
    bias2 = 0.55 * np.exp(-0.45 * c)
    var = 0.012 * np.exp(0.38 * c)
    noise = 0.08
    total = bias2 + var + noise
    fig, ax = new()
    ax.plot(c, bias2, color=BLUE, ls="--", label=r"bias$^2$")
    ax.plot(c, var, color=RED, ls=":", lw=1.5, label="variance")
    ax.plot(c, total, color=INK, label=r"expected test error = bias$^2$ + variance + $\sigma^2$")
    ax.axhline(noise, color=GREY, lw=0.6, ls="-.")
    label_line(ax, 0.2, noise + 0.008, r"noise $\sigma^2$ (irreducible)", va="bottom", size=6, color=GREY)
    best = c[np.argmin(total)]
    ax.axvline(best, color=GREY, lw=0.5)
    ax.plot(best, total.min(), "o", ms=3.5, color=INK)
    label_line(ax, 0.3, 0.79, "underfitting\n(high bias)", size=6, va="top")
    label_line(ax, 9.6, 0.79, "overfitting\n(high variance)", size=6, ha="right", va="top")
    ax.set_ylim(0, 0.8)
    ax.set_xlim(0, 10)
    ax.set_xticks([best], ["sweet spot"])
    ax.set_yticks([])
    ax.set_xlabel("model complexity (schematic)")
    ax.set_ylabel("error")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, columnspacing=0.8)
    return fig


@figure("double-descent")
def double_descent():
    # Schematic: classical U below the interpolation threshold, a peak at it, a second descent above it.
    c = np.linspace(0.05, 3.0, 300)
    thr = 1.0
    under = 0.35 + 0.5 * np.exp(-4 * c) + 0.02 / np.maximum(thr - c, 0.012) ** 1.2
    over = 0.18 + 0.2 * np.exp(-1.2 * (c - thr)) + 0.02 / np.maximum(c - thr, 0.012) ** 1.2
    test = np.where(c < thr, under, over)
    train = 0.55 * np.clip(1 - c / thr, 0, None) ** 1.5
    fig, ax = new()
    ax.plot(c, np.minimum(test, 1.45), color=INK, label="test error")
    ax.plot(c, train, color=BLUE, ls="--", label="training error")
    ax.axvline(thr, color=GREY, lw=0.6, ls=":")
    label_line(ax, thr + 0.04, 1.38, "interpolation\nthreshold", size=6, va="top")
    label_line(ax, 0.1, 1.0, "classical\nU-shape", size=6)
    label_line(ax, 2.95, 0.55, "modern regime:\nbigger is better", size=6, ha="right")
    ax.set_xlim(0, 3.0)
    ax.set_ylim(0, 1.45)
    ax.set_xticks([thr], ["params ≈ examples"])
    ax.set_yticks([])
    ax.set_xlabel("model size (schematic)")
    ax.set_ylabel("error")
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 1.02))
    return fig


@figure("early-stopping")
def early_stopping():
    r = rng(8)
    t = np.arange(0, 61)
    train = 0.08 + 0.9 * np.exp(-t / 12)
    val = 0.3 + 0.75 * np.exp(-t / 9) + 0.0045 * t + 0.012 * r.normal(size=t.size)
    val = np.round(val, 4)
    best = int(np.argmin(val))
    patience = 10
    stop = best + patience
    fig, ax = new()
    ax.axvspan(best, stop, fc=LIGHT, ec="none")
    ax.plot(t, train, color=INK, label="training loss")
    ax.plot(t, val, color=BLUE, ls="--", marker="o", ms=1.6, lw=0.9, label="validation loss")
    ax.plot(best, val[best], "o", ms=4.5, mfc="white", mec=INK, mew=1.0)
    ax.axvline(stop, color=INK, lw=0.7)
    ax.annotate(
        "best epoch: restore its weights",
        xy=(best, val[best]),
        xytext=(best - 25, -0.04),
        fontsize=6,
        arrowprops={"arrowstyle": "-", "lw": 0.5},
    )
    label_line(ax, (best + stop) / 2, 0.98, f"patience\n{patience} epochs", size=6, ha="center", va="top")
    label_line(ax, stop + 1, 0.8, "stop", size=6)
    ax.set_xlim(0, 60)
    ax.set_ylim(-0.06, 1.05)
    ax.set_yticks([])
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.12))
    return fig


def _net(ax, x0, layers, dropped, *, dx=1.3, dy=0.9, r=0.25, top=4.6):
    pos = []
    for i, n in enumerate(layers):
        y0 = top - (max(layers) - n) * dy / 2
        pos.append([(x0 + i * dx, y0 - j * dy) for j in range(n)])
    for i in range(len(layers) - 1):
        for a, pa in enumerate(pos[i]):
            for b, pb in enumerate(pos[i + 1]):
                if (i, a) in dropped or (i + 1, b) in dropped:
                    continue
                line(ax, [pa, pb], lw=0.5, color=INK)
    for i, layer in enumerate(pos):
        for j, (x, y) in enumerate(layer):
            if (i, j) in dropped:
                circle_node(ax, x, y, r, fc="white", ec=GREY, ls="--")
                line(ax, [(x - r * 0.7, y - r * 0.7), (x + r * 0.7, y + r * 0.7)], color=GREY, zorder=5)
                line(ax, [(x - r * 0.7, y + r * 0.7), (x + r * 0.7, y - r * 0.7)], color=GREY, zorder=5)
            else:
                circle_node(ax, x, y, r, fc="white")


@figure("dropout")
def dropout():
    fig, ax = diagram(xlim=(0, 10), ylim=(-0.1, 5.6))
    layers = (4, 5, 5, 2)
    _net(ax, 0.5, layers, set())
    _net(ax, 5.4, layers, {(0, 2), (1, 1), (1, 3), (2, 0), (2, 2), (2, 4)})
    ax.text(2.45, 5.3, "full network (evaluation)", ha="center", fontsize=6.5)
    ax.text(7.35, 5.3, "one training step with dropout", ha="center", fontsize=6.5)
    ax.text(
        7.35,
        0.0,
        "crossed units output 0 on this step;\na new random mask every step",
        ha="center",
        va="bottom",
        fontsize=6,
    )
    return fig


@figure("batch-vs-layer-norm")
def batch_vs_layer_norm():
    fig, ax = diagram(figsize=(3.2, 1.7), xlim=(0, 10.6), ylim=(-0.05, 5.5))
    rows, cols, cell = 5, 6, 0.7
    for k, (x0, title, shade) in enumerate(
        ((0.9, "batch norm", lambda r, c: c == 2), (6.0, "layer norm", lambda r, c: r == 1))
    ):
        for r in range(rows):
            for c in range(cols):
                on = shade(r, c)
                ax.add_patch(
                    Rectangle(
                        (x0 + c * cell, 4.2 - r * cell),
                        cell,
                        cell,
                        fc="#bbbbbb" if on else "white",
                        ec=INK,
                        lw=0.5,
                        hatch="////" if on else None,
                    )
                )
        ax.text(x0 + cols * cell / 2, 5.05, title, ha="center", fontsize=7, weight="bold")
        ax.text(
            x0 - 0.12,
            4.9 - rows * cell / 2,
            "examples in batch",
            rotation=90,
            ha="right",
            va="center",
            fontsize=6,
        )
        ax.text(x0 + cols * cell / 2, 1.3, "features (channels)", ha="center", va="top", fontsize=6)
        note = (
            "statistics per feature,\nacross the batch"
            if k == 0
            else "statistics per example,\nacross its features"
        )
        ax.text(x0 + cols * cell / 2, 0.75, note, ha="center", va="top", fontsize=6)
    return fig


@figure("l1-vs-l2-geometry")
def l1_vs_l2_geometry():
    fig, axes = new(ncols=2, figsize=(3.2, 1.9))
    fig.subplots_adjust(wspace=0.1)
    center = np.array([1.6, 0.7])
    xx, yy = np.meshgrid(np.linspace(-1.4, 3.4, 121), np.linspace(-1.9, 2.6, 121))
    q = 1.0 * (xx - center[0]) ** 2 + 0.6 * (xx - center[0]) * (yy - center[1]) + 1.6 * (yy - center[1]) ** 2

    def loss(w):
        d = w - center
        return d[0] ** 2 + 0.6 * d[0] * d[1] + 1.6 * d[1] ** 2

    # L2: minimise the quadratic on the unit circle; L1: on the unit diamond (a corner wins here).
    th = np.linspace(0, 2 * np.pi, 3601)
    circ = np.stack([np.cos(th), np.sin(th)], 1)
    w2 = circ[np.argmin([loss(w) for w in circ])]
    s = np.linspace(0, 1, 1001)
    edges = [
        np.stack([1 - s, s], 1),
        np.stack([-s, 1 - s], 1),
        np.stack([s - 1, -s], 1),
        np.stack([s, s - 1], 1),
    ]
    dia = np.concatenate(edges)
    w1 = dia[np.argmin([loss(w) for w in dia])]
    for ax, name, sol, patch in (
        (axes[0], "L1: diamond", w1, Polygon([(1, 0), (0, 1), (-1, 0), (0, -1)], closed=True)),
        (axes[1], "L2: circle", w2, Circle((0, 0), 1)),
    ):
        patch.set(fc="#dddddd", ec=INK, lw=0.8, hatch="////")
        ax.add_patch(patch)
        lv = loss(sol)
        ax.contour(xx, yy, q, levels=[lv * 0.25, lv, lv * 2.2], colors=[GREY, INK, GREY], linewidths=0.7)
        ax.plot(*center, "+", color=INK, ms=5)
        ax.plot(*sol, "o", ms=4, color=RED)
        ax.axhline(0, color=GREY, lw=0.4)
        ax.axvline(0, color=GREY, lw=0.4)
        ax.set_aspect("equal")
        ax.set_xlim(-1.4, 3.4)
        ax.set_ylim(-1.9, 2.6)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(name, fontsize=6.5)
        ax.set_xlabel("$w_1$", labelpad=1)
        for sp in ax.spines.values():
            sp.set_visible(False)
    label_line(
        axes[0], 1.0, -1.2, f"corner: $w_2 = {abs(w1[1]):.0f}$ (sparse)", size=6, ha="center", va="center"
    )
    label_line(axes[1], 1.0, -1.2, "both weights non-zero", size=6, ha="center", va="center")
    return fig
