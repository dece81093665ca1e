"""Figures for the sequence chapter: an unrolled RNN, the LSTM cell and the GRU cell."""

from __future__ import annotations

import itertools

from figstyle import GREY, INK, arrow, box, circle_node, diagram, figure, line


def _op(ax, x, y, text, r=0.42):
    circle_node(ax, x, y, r, text, size=7)


def _dot(ax, x, y):
    ax.plot([x], [y], "o", ms=2.2, color=INK)


@figure("rnn-unrolled")
def rnn_unrolled():
    fig, ax = diagram(figsize=(3.2, 1.6), xlim=(-0.3, 16.3), ylim=(-0.4, 7.8))
    # folded
    box(ax, 0.6, 3.0, 1.8, 1.4, "$h$", size=8)
    arrow(ax, (1.5, 1.2), (1.5, 3.0))
    arrow(ax, (1.5, 4.4), (1.5, 6.2))
    ax.text(1.5, 0.8, "$x_t$", ha="center", va="top", fontsize=7)
    ax.text(1.5, 6.3, "$y_t$", ha="center", va="bottom", fontsize=7)
    line(ax, [(2.4, 3.7), (2.9, 3.7), (2.9, 5.0), (0.2, 5.0), (0.2, 3.7)])
    arrow(ax, (0.2, 3.7), (0.6, 3.7))
    ax.text(1.0, 5.1, "$W_{hh}$", ha="center", va="bottom", fontsize=5.5)
    ax.text(3.7, 3.7, "=", ha="center", va="center", fontsize=11)
    # unrolled
    xs = [5.4, 9.0, 12.6]
    labels = ["t-1", "t", "t+1"]
    arrow(ax, (4.3, 3.7), (xs[0], 3.7))
    ax.text(4.1, 4.0, "$h_{t-2}$", ha="center", va="bottom", fontsize=6)
    for x, lab in zip(xs, labels, strict=True):
        box(ax, x, 3.0, 1.8, 1.4, f"$h_{{{lab}}}$", size=7)
        arrow(ax, (x + 0.9, 1.2), (x + 0.9, 3.0))
        arrow(ax, (x + 0.9, 4.4), (x + 0.9, 6.2))
        ax.text(x + 0.9, 0.8, f"$x_{{{lab}}}$", ha="center", va="top", fontsize=7)
        ax.text(x + 0.9, 6.3, f"$y_{{{lab}}}$", ha="center", va="bottom", fontsize=7)
    for a, b in itertools.pairwise(xs):
        arrow(ax, (a + 1.8, 3.7), (b, 3.7))
        ax.text((a + 1.8 + b) / 2, 3.85, "$W_{hh}$", ha="center", va="bottom", fontsize=5.5)
    arrow(ax, (xs[-1] + 1.8, 3.7), (15.6, 3.7))
    ax.text(xs[0] + 1.05, 2.1, "$W_{xh}$", ha="left", fontsize=5.5)
    ax.text(xs[0] + 1.05, 5.1, "$W_{hy}$", ha="left", fontsize=5.5)
    ax.text(9.9, -0.35, "same weights at every step", ha="center", va="bottom", fontsize=6, color=GREY)
    return fig


@figure("lstm-cell")
def lstm_cell():
    fig, ax = diagram(figsize=(3.2, 2.1), xlim=(-0.6, 16.4), ylim=(-0.3, 10.6))
    top, bus, gy = 8.6, 2.0, 3.6
    # cell state line
    line(ax, [(0.6, top), (3.58, top)], lw=1.4)
    _op(ax, 4.0, top, "×")
    line(ax, [(4.42, top), (7.58, top)], lw=1.4)
    _op(ax, 8.0, top, "+")
    arrow(ax, (8.42, top), (15.2, top), lw=1.4)
    ax.text(0.5, top, "$c_{t-1}$", ha="right", va="center", fontsize=7)
    ax.text(15.3, top, "$c_t$", ha="left", va="center", fontsize=7)
    # input bus [h_{t-1}, x_t]
    ax.text(0.5, bus, "$h_{t-1}$", ha="right", va="center", fontsize=7)
    line(ax, [(0.6, bus), (10.5, bus)])
    line(ax, [(2.0, 0.4), (2.0, bus)])
    _dot(ax, 2.0, bus)
    ax.text(2.0, 0.3, "$x_t$", ha="center", va="top", fontsize=7)
    gates = [
        (4.0, r"$\sigma$", "$f_t$"),
        (6.2, r"$\sigma$", "$i_t$"),
        (8.0, "tanh", r"$\tilde c_t$"),
        (10.5, r"$\sigma$", "$o_t$"),
    ]
    for x, name, lab in gates:
        line(ax, [(x, bus), (x, gy)])
        _dot(ax, x, bus)
        box(ax, x - 0.65, gy, 1.3, 1.1, name, size=6.5, rounded=False)
        ax.text(x + 0.15, gy + 1.25, lab, ha="left", va="bottom", fontsize=6)
    # forget gate to the cell line
    arrow(ax, (4.0, gy + 1.1), (4.0, top - 0.42))
    # input gate times candidate
    _op(ax, 8.0, 6.4, "×")
    line(ax, [(6.2, gy + 1.1), (6.2, 6.4), (7.58, 6.4)])
    arrow(ax, (8.0, gy + 1.1), (8.0, 5.98))
    arrow(ax, (8.0, 6.82), (8.0, top - 0.42))
    # output: o_t * tanh(c_t)
    _op(ax, 12.6, 4.15, "×")
    line(ax, [(12.6, top), (12.6, 7.2)])
    _dot(ax, 12.6, top)
    box(ax, 11.95, 5.9, 1.3, 1.1, "tanh", size=6, rounded=True, fc="white")
    arrow(ax, (12.6, 5.9), (12.6, 4.57))
    arrow(ax, (11.15, 4.15), (12.18, 4.15))
    line(ax, [(12.6, 3.73), (12.6, bus - 0.9)])
    arrow(ax, (12.6, bus - 0.9), (15.2, bus - 0.9))
    ax.text(15.3, bus - 0.9, "$h_t$", ha="left", va="center", fontsize=7)
    ax.text(
        5.2, top + 0.5, "cell state: only × and + touch it", ha="left", va="bottom", fontsize=5.5, color=GREY
    )
    return fig


@figure("gru-cell")
def gru_cell():
    fig, ax = diagram(figsize=(3.2, 2.1), xlim=(-0.6, 16.4), ylim=(-0.3, 10.6))
    top, bus, xline, gy = 8.6, 2.6, 1.2, 3.6
    ax.text(0.5, top, "$h_{t-1}$", ha="right", va="center", fontsize=7)
    line(ax, [(0.6, top), (3.78, top)], lw=1.4)
    _op(ax, 4.2, top, "×")
    line(ax, [(4.62, top), (11.08, top)], lw=1.4)
    _op(ax, 11.5, top, "+")
    arrow(ax, (11.92, top), (15.2, top), lw=1.4)
    ax.text(15.3, top, "$h_t$", ha="left", va="center", fontsize=7)
    # bus [h_{t-1}, x_t] for the gates, x_t alone for the candidate
    line(ax, [(1.4, top), (1.4, bus), (6.4, bus)])
    _dot(ax, 1.4, top)
    line(ax, [(2.2, -0.1), (2.2, bus)])
    _dot(ax, 2.2, bus)
    _dot(ax, 2.2, xline)
    line(ax, [(2.2, xline), (11.5, xline), (11.5, gy)])
    ax.text(2.2, -0.2, "$x_t$", ha="center", va="top", fontsize=7)
    for x, lab in ((4.2, "$z_t$"), (6.4, "$r_t$")):
        line(ax, [(x, bus), (x, gy)])
        if x < 6.4:
            _dot(ax, x, bus)
        box(ax, x - 0.65, gy, 1.3, 1.1, r"$\sigma$", size=6.5, rounded=False)
        ax.text(x - 0.75, gy + 1.25, lab, ha="right", va="bottom", fontsize=6)
    # update gate: (1 - z) on the old state, z on the candidate
    box(ax, 3.6, 6.25, 1.2, 0.9, "1−", size=6, rounded=True)
    line(ax, [(4.2, gy + 1.1), (4.2, 6.25)])
    arrow(ax, (4.2, 7.15), (4.2, top - 0.42))
    _dot(ax, 4.2, 5.5)
    line(ax, [(4.2, 5.5), (11.08, 5.5)])
    # reset gate times h_{t-1}, into the candidate
    _op(ax, 8.4, 4.15, "×")
    arrow(ax, (7.05, 4.15), (7.98, 4.15))
    line(ax, [(8.4, top), (8.4, 4.57)])
    _dot(ax, 8.4, top)
    box(ax, 10.85, gy, 1.3, 1.1, "tanh", size=6, rounded=False)
    arrow(ax, (8.82, 4.15), (10.85, 4.15))
    ax.text(12.3, gy + 1.25, r"$\tilde h_t$", ha="left", va="bottom", fontsize=6)
    _op(ax, 11.5, 5.5, "×")
    arrow(ax, (11.5, gy + 1.1), (11.5, 5.08))
    arrow(ax, (11.5, 5.92), (11.5, top - 0.42))
    ax.text(
        13.0,
        3.0,
        r"$h_t = (1 - z_t) \odot h_{t-1}$" + "\n" + r"$\quad + z_t \odot \tilde h_t$",
        ha="left",
        va="center",
        fontsize=5.5,
    )
    return fig
