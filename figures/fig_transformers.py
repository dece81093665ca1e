"""Figures for the transformers chapter: attention weights, the encoder layer, norm placement, positional
encodings and attention masks."""

from __future__ import annotations

import itertools

import numpy as np
from figstyle import BLUE, GREY, INK, RED, arrow, box, circle_node, diagram, figure, grid, line, new


@figure("attention-heatmap")
def attention_heatmap():
    tokens = ["the", "animal", "didn't", "cross", "the", "street", "because", "it", "was", "tired"]
    n = len(tokens)
    logits = np.full((n, n), -1.0)
    for i in range(n):
        logits[i, i] = 1.5
        if i > 0:
            logits[i, i - 1] = 0.8
    logits[1, 0] = 1.5
    logits[3, 1] = 1.8
    logits[3, 5] = 1.6
    logits[5, 4] = 1.6
    logits[7, 1] = 3.2  # "it" attends to "animal"
    logits[7, 9] = 1.4
    logits[9, 1] = 1.6
    logits[9, 7] = 1.8
    w = np.exp(logits)
    w = np.round(w / w.sum(axis=1, keepdims=True), 3)
    fig, ax = new(figsize=(2.9, 2.6))
    mesh = ax.pcolormesh(w, cmap="Greys", vmin=0, vmax=0.7, edgecolors="white", linewidth=0.3)
    ax.set_xlim(0, n)
    ax.set_ylim(n, 0)
    ax.set_xticks(np.arange(n) + 0.5, tokens, rotation=60, ha="right", rotation_mode="anchor", fontsize=6)
    ax.set_yticks(np.arange(n) + 0.5, tokens, fontsize=6)
    ax.tick_params(length=0)
    ax.set_aspect("equal")
    for s in ax.spines.values():
        s.set_visible(False)
    ax.add_patch(
        __import__("matplotlib.patches", fromlist=["Rectangle"]).Rectangle(
            (1, 7), 1, 1, fc="none", ec=RED, lw=1.2
        )
    )
    ax.text(
        2.2,
        7.5,
        f"{w[7, 1]:.2f}",
        va="center",
        fontsize=6,
        color=RED,
        bbox={"fc": "white", "ec": "none", "pad": 0.4},
    )
    ax.set_xlabel("key (attended to)", labelpad=1)
    ax.set_ylabel("query", labelpad=1)
    cb = fig.colorbar(mesh, ax=ax, fraction=0.045, pad=0.03, ticks=[0, 0.2, 0.4, 0.6])
    cb.ax.tick_params(labelsize=5.5, length=1.5)
    cb.outline.set_linewidth(0.4)
    cb.set_label("weight (rows sum to 1)", fontsize=6)
    return fig


def _sublayer_row(ax, y, names, *, x0=0.3, w=2.3, gap=0.55, h=1.3):
    xs = []
    x = x0
    for i, (name, fc, hatch) in enumerate(names):
        if name == "+":
            circle_node(ax, x + 0.45, y + h / 2, 0.45, "+", size=8)
            xs.append((x, x + 0.9))
            x += 0.9 + gap
        else:
            box(ax, x, y, w, h, name, fc=fc, hatch=hatch, size=6)
            xs.append((x, x + w))
            x += w + gap
        if i:
            arrow(ax, (xs[i - 1][1], y + h / 2), (xs[i][0], y + h / 2))
    return xs


@figure("transformer-encoder-layer")
def transformer_encoder_layer():
    fig, ax = diagram(figsize=(3.2, 1.25), xlim=(-0.2, 17.4), ylim=(0.2, 6.6))
    y = 1.6
    items = [
        ("embed +\nposition", "white", None),
        ("multi-head\nattention", "#dddddd", None),
        ("+", 0, 0),
        ("Layer-\nNorm", "white", None),
        ("feed-\nforward", "#dddddd", None),
        ("+", 0, 0),
        ("Layer-\nNorm", "white", None),
    ]
    widths = [2.4, 2.8, 0, 1.9, 2.4, 0, 1.9]
    x = 0.0
    spans = []
    for (name, fc, hatch), w in zip(items, widths, strict=True):
        if name == "+":
            circle_node(ax, x + 0.45, y + 0.65, 0.45, "+", size=8)
            spans.append((x, x + 0.9))
            x += 1.4
        else:
            box(ax, x, y, w, 1.3, name, fc=fc, hatch=hatch, size=5.8)
            spans.append((x, x + w))
            x += w + 0.5
    for a, b in itertools.pairwise(spans):
        arrow(ax, (a[1], y + 0.65), (b[0], y + 0.65))
    arrow(ax, (spans[-1][1], y + 0.65), (spans[-1][1] + 0.6, y + 0.65))
    for start, plus in ((spans[0][1] + 0.25, spans[2]), (spans[3][1] + 0.25, spans[5])):
        line(ax, [(start, y + 0.65), (start, y + 2.4), (plus[0] + 0.45, y + 2.4)], lw=0.9)
        arrow(ax, (plus[0] + 0.45, y + 2.4), (plus[0] + 0.45, y + 1.1), lw=0.9)
    ax.text((spans[1][0] + spans[3][1]) / 2, y + 2.6, "residual", ha="center", va="bottom", fontsize=5.5)
    ax.text((spans[4][0] + spans[6][1]) / 2, y + 2.6, "residual", ha="center", va="bottom", fontsize=5.5)
    x0, x1 = spans[1][0] - 0.2, spans[6][1] + 0.2
    line(ax, [(x0, y - 0.35), (x0, y - 0.6), (x1, y - 0.6), (x1, y - 0.35)], lw=0.6, color=GREY)
    ax.text(
        (x0 + x1) / 2,
        y - 0.75,
        "one encoder layer (post-norm, as in 2017), repeated N = 6 times",
        ha="center",
        va="top",
        fontsize=5.8,
    )
    return fig


@figure("pre-vs-post-norm")
def pre_vs_post_norm():
    fig, ax = diagram(figsize=(3.2, 1.7), xlim=(-2.6, 14.2), ylim=(-0.5, 8.6))

    def row(y, order, label):
        ax.text(-0.5, y + 0.6, label, ha="right", va="center", fontsize=6.5, weight="bold")
        x = 0.0
        spans = []
        for name in order:
            if name == "+":
                circle_node(ax, x + 0.4, y + 0.6, 0.4, "+", size=7)
                spans.append((x, x + 0.8))
                x += 1.5
            else:
                w = 2.6 if name != "LN" else 1.3
                box(ax, x, y, w, 1.2, name, fc="#dddddd" if name != "LN" else "white", size=6)
                spans.append((x, x + w))
                x += w + 0.7
        arrow(ax, (-0.3, y + 0.6), (spans[0][0], y + 0.6))
        for a, b in itertools.pairwise(spans):
            arrow(ax, (a[1], y + 0.6), (b[0], y + 0.6))
        arrow(ax, (spans[-1][1], y + 0.6), (spans[-1][1] + 0.7, y + 0.6))
        plus = spans[order.index("+")]
        start = -0.15
        line(ax, [(start, y + 0.6), (start, y + 2.0), (plus[0] + 0.4, y + 2.0)], lw=0.9)
        arrow(ax, (plus[0] + 0.4, y + 2.0), (plus[0] + 0.4, y + 1.0), lw=0.9)
        return spans

    row(5.3, ["sublayer", "+", "LN"], "post-norm")
    ax.text(6.3, 7.55, "LN sits on the residual path", fontsize=5.5, color=GREY)
    row(1.2, ["LN", "sublayer", "+"], "pre-norm")
    ax.text(6.3, 3.45, "clean identity path from input to output", fontsize=5.5, color=GREY)
    ax.text(
        6.0,
        -0.4,
        "sublayer = attention or feed-forward; LN = LayerNorm (or RMSNorm)",
        ha="center",
        va="bottom",
        fontsize=5.5,
    )
    return fig


@figure("sinusoidal-positional-encoding")
def sinusoidal_positional_encoding():
    d = 64
    p = np.linspace(0, 50, 401)
    fig, ax = new()
    styles = ((0, INK, "-"), (8, BLUE, "--"), (16, RED, ":"))
    for i2, c, ls in styles:
        omega = 10000 ** (-i2 / d)
        ax.plot(
            p,
            np.sin(omega * p),
            color=c,
            ls=ls,
            lw=1.0,
            label=rf"$2i = {i2}$: period {2 * np.pi / omega:.0f}",
        )
    ax.set_xlim(0, 50)
    ax.set_ylim(-1.1, 1.75)
    ax.set_yticks([-1, 0, 1])
    ax.set_xlabel("position $p$")
    ax.set_ylabel(r"$PE_{(p, 2i)} = \sin(p / 10000^{2i/d})$")
    ax.legend(loc="upper center", ncols=3, columnspacing=0.8, fontsize=5.5, handlelength=1.8)
    ax.set_title(f"$d = {d}$: each pair of dimensions is a wave of its own frequency", fontsize=6)
    return fig


@figure("attention-masks")
def attention_masks():
    n = 5
    fig, ax = diagram(figsize=(3.2, 1.45), xlim=(-0.8, 19.6), ylim=(-1.9, 6.6))
    allowed = {
        "bidirectional\n(encoder, BERT)": lambda q, k: True,
        "causal\n(decoder, GPT)": lambda q, k: k <= q,
        "prefix LM\n(prefix of 2 tokens)": lambda q, k: k <= q or k < 2,
    }
    for idx, (name, ok) in enumerate(allowed.items()):
        x0 = idx * 6.8
        shade = {
            (q, k): ({"fc": "#555555"} if ok(q, k) else {"fc": "white"}) for q in range(n) for k in range(n)
        }
        grid(ax, x0, 0, n, n, shade=shade)
        ax.text(x0 + n / 2, 5.2, name, ha="center", va="bottom", fontsize=6)
    ax.text(
        9.3,
        -0.4,
        "rows: query positions, columns: key positions; dark = may attend, white = masked",
        ha="center",
        va="top",
        fontsize=5.5,
    )
    return fig
