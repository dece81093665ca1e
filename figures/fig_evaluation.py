"""Figures for the evaluation chapter: ROC and PR curves, calibration, k-fold, confusion matrix, losses."""

from __future__ import annotations

import math

import numpy as np
from figstyle import BLUE, GREEN, GREY, INK, RED, diagram, figure, label_line, new
from matplotlib.patches import Rectangle

_Phi = np.vectorize(lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2))))


def _binormal(d, thresholds):
    """TPR and FPR when negatives score N(0, 1) and positives N(d, 1)."""
    return 1 - _Phi(thresholds - d), 1 - _Phi(thresholds)


@figure("roc-curves")
def roc_curves():
    t = np.linspace(-4, 7, 221)
    fig, ax = new(figsize=(2.4, 2.2))
    ax.plot([0, 1], [0, 1], color=GREY, ls=":", lw=1.0)
    for d, c, ls in ((2.0, INK, "-"), (1.0, BLUE, "--")):
        tpr, fpr = _binormal(d, t)
        auc = _Phi(d / math.sqrt(2))
        ax.plot(fpr, tpr, color=c, ls=ls, label=f"AUC = {auc:.2f}")
    tpr, fpr = _binormal(2.0, np.array([1.0]))
    ax.plot(fpr, tpr, "o", ms=3.5, mfc="white", mec=INK)
    ax.annotate(
        "one threshold",
        xy=(fpr[0], tpr[0]),
        xytext=(0.3, 0.6),
        fontsize=6,
        arrowprops={"arrowstyle": "-", "lw": 0.5},
    )
    label_line(ax, 0.55, 0.45, "random:\nAUC = 0.5", size=6, color=GREY, rotation=0)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate (recall)")
    ax.legend(loc="lower right")
    return fig


@figure("pr-curves-imbalance")
def pr_curves_imbalance():
    t = np.linspace(-4, 7, 221)
    tpr, fpr = _binormal(2.0, t)
    fig, ax = new(figsize=(2.6, 2.1))
    for prev, c, ls in ((0.5, INK, "-"), (0.01, BLUE, "--")):
        prec = tpr * prev / (tpr * prev + fpr * (1 - prev))
        ax.plot(tpr, prec, color=c, ls=ls, label=f"{prev:.0%} positives")
        ax.axhline(prev, color=c, lw=0.5, ls=":")
    label_line(
        ax,
        0.98,
        0.52,
        "dotted: random baseline\n= share of positives",
        size=6,
        ha="right",
        va="bottom",
        color=GREY,
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("same classifier (ROC AUC 0.92)", fontsize=6.5)
    ax.legend(loc="center left", bbox_to_anchor=(0.3, 0.76))
    return fig


@figure("reliability-diagram")
def reliability_diagram():
    conf = np.arange(0.05, 1.0, 0.1)
    acc = np.round(0.8 * conf, 3)  # an overconfident model: accuracy lags confidence
    fig, ax = new(figsize=(2.5, 2.2))
    ax.bar(conf, acc, width=0.1, fc="#bbbbbb", ec=INK, lw=0.6, label="accuracy in bin")
    gap = conf - acc
    ax.bar(
        conf,
        np.where(gap > 0, gap, 0),
        bottom=acc,
        width=0.1,
        fc="white",
        ec=RED,
        lw=0.6,
        hatch="////",
        label="gap (overconfident)",
    )
    ax.plot([0, 1], [0, 1], color=INK, ls="--", lw=0.9, label="perfect calibration")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("confidence (bin average)")
    ax.set_ylabel("accuracy")
    ax.legend(loc="upper left")
    return fig


@figure("k-fold-cross-validation")
def k_fold_cross_validation():
    k = 5
    fig, ax = diagram(figsize=(3.2, 1.6), xlim=(-1.9, 11.4), ylim=(-1.3, 5.4))
    for i in range(k):
        y = k - 1 - i
        for j in range(k):
            val = i == j
            ax.add_patch(
                Rectangle(
                    (j * 1.6, y), 1.6, 0.75, fc="#555555" if val else "white", ec=INK, lw=0.6, hatch=None
                )
            )
        ax.text(-0.2, y + 0.37, f"split {i + 1}", ha="right", va="center", fontsize=6)
        ax.text(8.2, y + 0.37, f"score $s_{i + 1}$", ha="left", va="center", fontsize=6)
    ax.add_patch(Rectangle((0, -1.15), 0.7, 0.45, fc="white", ec=INK, lw=0.6))
    ax.text(0.85, -0.92, "train", va="center", fontsize=6)
    ax.add_patch(Rectangle((2.6, -1.15), 0.7, 0.45, fc="#555555", ec=INK, lw=0.6))
    ax.text(3.45, -0.92, "validate", va="center", fontsize=6)
    ax.text(5.6, -0.92, r"report mean $\pm$ spread of $s_1 \dots s_5$", va="center", fontsize=6)
    ax.text(4.0, 5.05, "the data, cut into 5 folds", ha="center", fontsize=6.5)
    return fig


@figure("confusion-matrix")
def confusion_matrix():
    fig, ax = diagram(figsize=(3.2, 1.75), xlim=(-3.2, 10.6), ylim=(-1.2, 6.3))
    cells = {
        (0, 0): ("TP = 72", "#bbbbbb", "////"),
        (0, 1): ("FN = 28", "white", None),
        (1, 0): ("FP = 18", "white", None),
        (1, 1): ("TN = 882", "#bbbbbb", "////"),
    }
    for (r, c), (text, fc, hatch) in cells.items():
        x, y = c * 3.0, (1 - r) * 2.0
        ax.add_patch(Rectangle((x, y), 3.0, 2.0, fc=fc, ec=INK, lw=0.7, hatch=hatch))
        ax.text(
            x + 1.5,
            y + 1.0,
            text,
            ha="center",
            va="center",
            fontsize=7,
            bbox={"fc": fc, "ec": "none", "pad": 0.5},
        )
    ax.text(1.5, 4.2, "spam", ha="center", va="bottom", fontsize=6.5)
    ax.text(4.5, 4.2, "not spam", ha="center", va="bottom", fontsize=6.5)
    ax.text(3.0, 4.9, "predicted", ha="center", va="bottom", fontsize=6.5, weight="bold")
    ax.text(-0.2, 3.0, "spam", ha="right", va="center", fontsize=6.5)
    ax.text(-0.2, 1.0, "not spam", ha="right", va="center", fontsize=6.5)
    ax.text(-2.6, 2.0, "actual", ha="center", va="center", fontsize=6.5, weight="bold", rotation=90)
    ax.text(6.4, 3.0, "recall = 72 / (72 + 28)\n= 0.72  (along the row)", va="center", fontsize=6)
    ax.text(0.0, -0.3, "precision = 72 / (72 + 18) = 0.80  (down the column)", va="top", fontsize=6)
    ax.text(6.4, 1.0, "accuracy = (72 + 882)\n/ 1000 = 0.954", va="center", fontsize=6)
    return fig


@figure("binary-cross-entropy")
def binary_cross_entropy():
    p = np.linspace(0.005, 0.995, 199)
    fig, ax = new()
    ax.plot(p, -np.log(p), color=INK, label=r"$y = 1$: $-\log p$")
    ax.plot(p, -np.log(1 - p), color=BLUE, ls="--", label=r"$y = 0$: $-\log(1 - p)$")
    for pv in (0.9, 0.1):
        ax.plot(pv, -np.log(pv), "o", ms=3, color=INK)
    label_line(ax, 0.9, -np.log(0.9) + 0.25, "0.105", size=6, ha="center", va="bottom")
    label_line(ax, 0.13, -np.log(0.1), "2.303", size=6, va="center")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 5)
    ax.set_xlabel(r"predicted probability $p = \sigma(z)$ of class 1")
    ax.set_ylabel("loss")
    ax.legend(loc="upper center")
    return fig


@figure("focal-loss")
def focal_loss():
    pt = np.linspace(0.01, 1, 199)
    fig, ax = new()
    styles = (
        (0, INK, "-"),
        (0.5, GREY, "-."),
        (1, GREEN, ":"),
        (2, BLUE, "--"),
        (5, RED, (0, (4, 1, 1, 1, 1, 1))),
    )
    for g, c, ls in styles:
        lw = 1.4 if g == 2 else 1.0
        name = rf"$\gamma = {g:g}$" + (" (cross-entropy)" if g == 0 else "")
        ax.plot(pt, (1 - pt) ** g * -np.log(pt), color=c, ls=ls, lw=lw, label=name)
    ax.axvspan(0.6, 1.0, fc="#eeeeee", ec="none", zorder=0)
    label_line(ax, 0.8, 1.5, "well-classified\nexamples", size=6, ha="center")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 3.5)
    ax.set_xlabel(r"probability of the true class $p_t$")
    ax.set_ylabel(r"loss $-(1 - p_t)^\gamma \log p_t$")
    ax.legend(loc="upper right", bbox_to_anchor=(0.98, 1.0), fontsize=5.5)
    return fig


@figure("regression-losses")
def regression_losses():
    r = np.linspace(-3, 3, 241)
    delta = 1.0
    huber = np.where(np.abs(r) <= delta, 0.5 * r**2, delta * (np.abs(r) - 0.5 * delta))
    fig, ax = new()
    ax.plot(r, r**2, color=INK, label=r"MSE $r^2$")
    ax.plot(r, np.abs(r), color=BLUE, ls="--", label=r"MAE $|r|$")
    ax.plot(r, huber, color=RED, ls=":", lw=1.5, label=r"Huber, $\delta = 1$")
    ax.axvspan(-delta, delta, fc="#eeeeee", ec="none", zorder=0)
    label_line(ax, 0, 3.6, "quadratic\nzone of Huber", size=6, ha="center")
    ax.set_xlim(-3, 3)
    ax.set_ylim(0, 4.2)
    ax.set_xlabel(r"residual $r = y - \hat y$")
    ax.set_ylabel("loss")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.8), ncols=1)
    return fig
