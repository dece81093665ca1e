"""Figures for smaller chapters: reinforcement learning, hyperparameter search, LoRA, message passing."""

from __future__ import annotations

import numpy as np
from figstyle import BLUE, GREY, INK, arrow, box, circle_node, diagram, figure, line, new, rng
from matplotlib.patches import Rectangle


@figure("rl-agent-environment-loop")
def rl_agent_environment_loop():
    fig, ax = diagram(figsize=(3.2, 1.45), xlim=(-0.5, 16.5), ylim=(-0.3, 7.2))
    box(ax, 5.0, 4.6, 6.0, 2.0, "agent\npolicy $\\pi(a \\mid s)$", fc="#dddddd", size=6.5)
    box(ax, 5.0, 0.2, 6.0, 2.0, "environment", size=6.5)
    line(ax, [(11.0, 5.6), (14.0, 5.6), (14.0, 1.2)])
    arrow(ax, (14.0, 1.2), (11.0, 1.2))
    ax.text(14.2, 3.4, "action $a_t$", va="center", fontsize=6.5)
    line(ax, [(5.0, 1.5), (1.2, 1.5), (1.2, 5.9)])
    arrow(ax, (1.2, 5.9), (5.0, 5.9))
    line(ax, [(5.0, 0.8), (0.3, 0.8), (0.3, 5.2)], ls="--")
    arrow(ax, (0.3, 5.2), (5.0, 5.2), ls="--")
    ax.text(1.4, 3.4, "state $s_{t+1}$", va="center", fontsize=6.5)
    ax.text(-0.4, 3.4, "reward $r_{t+1}$", va="center", ha="right", fontsize=6.5, rotation=90)
    return fig


@figure("grid-vs-random-search")
def grid_vs_random_search():
    fig, axes = new(ncols=2, figsize=(3.2, 1.8))
    fig.subplots_adjust(wspace=0.2)
    g = np.array([1 / 6, 1 / 2, 5 / 6])
    grid_pts = np.array([(a, b) for a in g for b in g])
    rand_pts = np.round(rng(2).uniform(0.03, 0.97, size=(9, 2)), 4)
    t = np.linspace(0, 1, 201)
    score = np.exp(-((t - 0.62) ** 2) / 0.02)
    for ax, pts, title in (
        (axes[0], grid_pts, "grid: 3 distinct values"),
        (axes[1], rand_pts, "random: 9 distinct values"),
    ):
        ax.plot(pts[:, 0], pts[:, 1], "o", ms=3.5, mfc=INK, mec=INK)
        ax.plot(t, -0.22 + 0.18 * score, color=BLUE, lw=1.0)
        for px in pts[:, 0]:
            ax.plot([px, px], [-0.22, -0.04], color=GREY, lw=0.5, ls=":")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.25, 1.02)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=6.2)
        ax.set_xlabel("important hyperparameter", fontsize=6)
    axes[0].set_ylabel("unimportant one", fontsize=6)
    return fig


@figure("lora")
def lora():
    fig, ax = diagram(figsize=(3.2, 1.6), xlim=(-0.5, 17.0), ylim=(-1.3, 7.6))
    ax.add_patch(Rectangle((0.5, 0.5), 5.5, 5.5, fc="#cccccc", ec=INK, lw=0.8, hatch="////"))
    ax.text(
        3.25,
        3.25,
        "$W_0$\nfrozen\n$d \\times k$",
        ha="center",
        va="center",
        fontsize=7,
        bbox={"fc": "#cccccc", "ec": "none", "pad": 0.5},
    )
    ax.text(7.0, 3.25, "+", ha="center", va="center", fontsize=12)
    ax.add_patch(Rectangle((8.0, 0.5), 1.0, 5.5, fc="white", ec=INK, lw=0.8))
    ax.text(8.5, 6.3, "$B$", ha="center", va="bottom", fontsize=7)
    ax.text(8.5, -0.1, "$d \\times r$", ha="center", va="top", fontsize=6)
    ax.add_patch(Rectangle((9.5, 5.0), 5.5, 1.0, fc="white", ec=INK, lw=0.8))
    ax.text(12.25, 6.3, "$A$", ha="center", va="bottom", fontsize=7)
    ax.text(12.25, 4.6, "$r \\times k$", ha="center", va="top", fontsize=6)
    ax.text(12.25, 2.6, "trained, rank $r \\ll d$\n$B$ starts at 0", ha="center", va="center", fontsize=6)
    ax.text(
        8.0,
        -1.2,
        r"$h = W_0 x + \frac{\alpha}{r} B A x$; trainable: $r(d + k)$ instead of $dk$",
        ha="center",
        va="bottom",
        fontsize=6.5,
    )
    return fig


@figure("message-passing")
def message_passing():
    fig, ax = diagram(figsize=(3.2, 1.6), xlim=(-0.5, 16.5), ylim=(-0.8, 7.4))
    pos = {
        "v": (4.0, 3.4),
        "a": (1.0, 5.8),
        "b": (1.0, 1.0),
        "c": (7.2, 5.6),
        "d": (7.6, 1.2),
        "e": (10.3, 6.4),
    }
    edges = [("v", "a"), ("v", "b"), ("v", "c"), ("v", "d"), ("c", "e"), ("a", "b")]
    for u, w in edges:
        (x0, y0), (x1, y1) = pos[u], pos[w]
        if "v" in (u, w):
            o = pos[w] if u == "v" else pos[u]
            arrow(ax, o, pos["v"], lw=1.1, color=BLUE, shrink=9)
        else:
            line(ax, [(x0, y0), (x1, y1)], lw=0.8, color=GREY)
    for name, (x, y) in pos.items():
        fc = "#999999" if name == "v" else "white"
        circle_node(ax, x, y, 0.65, f"${name}$" if name != "v" else "$v$", fc=fc, size=7)
    ax.text(4.0, 2.2, "target", ha="center", va="top", fontsize=6)
    ax.text(10.3, 5.5, "2 hops away:\nreached by\nlayer 2", ha="center", va="top", fontsize=5.5, color=GREY)
    ax.text(
        11.8,
        2.6,
        r"$\mathbf{h}_v' = \gamma\left(\mathbf{h}_v, "
        r"\bigoplus_{u \in \mathcal{N}(v)} \psi(\mathbf{h}_v, \mathbf{h}_u)\right)$",
        ha="center",
        va="center",
        fontsize=6.5,
    )
    ax.text(11.8, 1.0, "aggregate: sum, mean or max", ha="center", va="center", fontsize=5.5)
    return fig
