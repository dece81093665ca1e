"""Figures for the foundations chapter: the artificial neuron, XOR, depth versus width, universal
approximation."""

from __future__ import annotations

import numpy as np
from figstyle import BLUE, GREY, INK, RED, arrow, box, circle_node, diagram, figure, label_line, new


@figure("artificial-neuron")
def artificial_neuron():
    fig, ax = diagram(figsize=(3.2, 1.5), xlim=(-0.4, 16.4), ylim=(-0.6, 7.2))
    ys = [5.6, 3.4, 1.2]
    for i, y in enumerate(ys, 1):
        circle_node(ax, 1.0, y, 0.6, f"$x_{i}$", size=7)
        arrow(ax, (1.6, y), (6.3, 3.4 + (y - 3.4) * 0.25))
        ax.text(3.6, 3.4 + (y - 3.4) * 0.62 + 0.25, f"$w_{i}$", ha="center", va="bottom", fontsize=6.5)
    circle_node(ax, 7.2, 3.4, 0.95, r"$\Sigma$", size=9)
    ax.text(7.2, 5.0, "$+\\,b$", ha="center", va="bottom", fontsize=7)
    arrow(ax, (7.2, 4.95), (7.2, 4.4))
    arrow(ax, (8.15, 3.4), (9.6, 3.4))
    box(ax, 9.6, 2.5, 2.2, 1.8, r"$\phi$", size=9)
    arrow(ax, (11.8, 3.4), (13.3, 3.4))
    ax.text(13.4, 3.4, "$a = \\phi(z)$", va="center", fontsize=7)
    ax.text(8.85, 3.6, "$z$", ha="center", va="bottom", fontsize=7)
    ax.text(
        8.0,
        -0.5,
        r"$z = \mathbf{w}^\top \mathbf{x} + b = \sum_i w_i x_i + b$",
        ha="center",
        va="bottom",
        fontsize=7,
    )
    return fig


@figure("xor-not-linearly-separable")
def xor_not_linearly_separable():
    fig, axes = new(ncols=2, figsize=(3.2, 1.65))
    fig.subplots_adjust(wspace=0.25)
    pts = [(0, 0), (0, 1), (1, 0), (1, 1)]
    cases = (("AND: one line separates", [0, 0, 0, 1]), ("XOR: no single line works", [0, 1, 1, 0]))
    for ax, (title, ys) in zip(axes, cases, strict=True):
        for (x1, x2), y in zip(pts, ys, strict=True):
            if y:
                ax.plot(x1, x2, "o", ms=6, mfc=INK, mec=INK)
            else:
                ax.plot(x1, x2, "s", ms=6, mfc="white", mec=INK, mew=1.0)
        ax.set_xlim(-0.35, 1.35)
        ax.set_ylim(-0.35, 1.35)
        ax.set_aspect("equal")
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.set_xlabel("$x_1$", labelpad=0)
        ax.set_ylabel("$x_2$", labelpad=0)
        ax.set_title(title, fontsize=6.2)
    t = np.array([-0.35, 1.35])
    axes[0].plot(t, 1.5 - t, color=BLUE, ls="--", lw=1.0)
    for c in (0.5, 1.5):
        axes[1].plot(t, c - t, color=GREY, ls=":", lw=0.9)
    axes[1].text(
        0.5,
        0.5,
        "two lines\n(a hidden\nlayer) needed",
        ha="center",
        va="center",
        fontsize=5.5,
        color=GREY,
        bbox={"fc": "white", "ec": "none", "pad": 0.5},
    )
    label_line(axes[0], 1.32, -0.3, "● = 1   □ = 0", size=5.5, ha="right", va="bottom")
    return fig


@figure("depth-sawtooth")
def depth_sawtooth():
    x = np.linspace(0, 1, 1025)

    def tent(v):
        return 2 * np.maximum(v, 0) - 4 * np.maximum(v - 0.5, 0)

    fig, ax = new()
    y = x.copy()
    styles = ((1, GREY, ":", 1.0), (2, BLUE, "--", 1.0), (3, INK, "-", 1.0))
    for k, c, ls, lw in styles:
        y = tent(y)
        ax.plot(x, y + (3 - k) * 1.2, color=c, ls=ls, lw=lw)
        ax.text(
            1.02,
            (3 - k) * 1.2 + 0.5,
            f"{k} layer{'s' if k > 1 else ''}:\n{2**k} pieces",
            va="center",
            fontsize=6,
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.05, 3.5)
    ax.set_yticks([])
    ax.set_xticks([0, 0.5, 1])
    ax.set_xlabel("$x$")
    ax.set_title(
        r"tent map $t(x) = 2\,\mathrm{ReLU}(x) - 4\,\mathrm{ReLU}(x - \frac{1}{2})$ composed $k$ times",
        fontsize=6,
    )
    for sp in ("left",):
        ax.spines[sp].set_visible(False)
    return fig


@figure("universal-approximation-relu")
def universal_approximation_relu():
    x = np.linspace(0, 1, 401)

    def f(v):
        return np.sin(2 * np.pi * v) + 0.5 * v

    fig, ax = new()
    ax.plot(x, f(x), color=GREY, lw=2.2, label="target $f$")
    for n, c, ls in ((4, RED, ":"), (10, INK, "--")):
        knots = np.linspace(0, 1, n + 1)
        vals = f(knots)
        slopes = np.diff(vals) / np.diff(knots)
        # piecewise-linear interpolant written as a sum of n shifted ReLUs plus a constant
        y = vals[0] + slopes[0] * np.maximum(x - knots[0], 0)
        for i in range(1, n):
            y = y + (slopes[i] - slopes[i - 1]) * np.maximum(x - knots[i], 0)
        ax.plot(x, y, color=c, ls=ls, lw=1.1, label=f"{n} ReLU units")
        ax.plot(knots, vals, "o", ms=2.2, color=c)
    ax.set_xlim(0, 1)
    ax.set_xlabel("$x$")
    ax.set_yticks([])
    ax.legend(loc="upper right")
    return fig
