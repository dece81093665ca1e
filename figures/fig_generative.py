"""Figures for the generative chapter: autoencoder, VAE reparameterisation, diffusion forward process, GAN
loop, t-SNE versus PCA, triplet loss."""

from __future__ import annotations

import numpy as np
from figstyle import (
    BLUE,
    GREY,
    INK,
    RED,
    arrow,
    box,
    circle_node,
    diagram,
    figure,
    label_line,
    line,
    new,
    rng,
)
from matplotlib.patches import Circle, Polygon


def _trapezoid(ax, x0, x1, h0, h1, yc, text, fc="#dddddd"):
    ax.add_patch(
        Polygon(
            [(x0, yc - h0 / 2), (x1, yc - h1 / 2), (x1, yc + h1 / 2), (x0, yc + h0 / 2)],
            closed=True,
            fc=fc,
            ec=INK,
            lw=0.8,
        )
    )
    ax.text((x0 + x1) / 2, yc, text, ha="center", va="center", fontsize=6.5)


@figure("autoencoder")
def autoencoder():
    fig, ax = diagram(figsize=(3.2, 1.5), xlim=(-0.2, 16.2), ylim=(-1.4, 6.2))
    yc = 2.6
    box(ax, 0.0, yc - 2.2, 1.2, 4.4, "$\\mathbf{x}$", size=8, rounded=False)
    _trapezoid(ax, 1.8, 5.6, 4.4, 1.4, yc, "encoder")
    box(ax, 6.0, yc - 0.7, 1.4, 1.4, "$\\mathbf{z}$", size=8, rounded=False, fc="#999999")
    _trapezoid(ax, 7.8, 11.6, 1.4, 4.4, yc, "decoder")
    box(ax, 12.2, yc - 2.2, 1.2, 4.4, "$\\hat{\\mathbf{x}}$", size=8, rounded=False)
    for a, b in ((1.2, 1.8), (5.6, 6.0), (7.4, 7.8), (11.6, 12.2)):
        arrow(ax, (a, yc), (b, yc))
    ax.text(6.7, 4.9, "bottleneck\n(code)", ha="center", va="bottom", fontsize=6)
    ax.text(
        6.7,
        -0.3,
        r"train: minimise $\|\mathbf{x} - \hat{\mathbf{x}}\|^2$ (reconstruction)",
        ha="center",
        va="top",
        fontsize=6,
    )
    ax.text(14.9, yc, "input\n≈ output", ha="center", va="center", fontsize=6, color=GREY)
    return fig


@figure("vae-reparameterization")
def vae_reparameterization():
    fig, ax = diagram(figsize=(3.2, 1.7), xlim=(-0.3, 17.3), ylim=(-1.2, 7.6))
    y = 3.4
    box(ax, 0.0, y - 0.6, 1.0, 1.2, "$\\mathbf{x}$", size=7.5, rounded=False)
    _trapezoid(ax, 1.5, 4.3, 3.0, 1.6, y, "encoder")
    arrow(ax, (1.0, y), (1.5, y))
    box(ax, 5.2, y + 0.3, 1.4, 1.1, r"$\boldsymbol{\mu}$", size=7, rounded=False)
    box(ax, 5.2, y - 1.4, 1.4, 1.1, r"$\boldsymbol{\sigma}$", size=7, rounded=False)
    arrow(ax, (4.3, y + 0.4), (5.2, y + 0.85))
    arrow(ax, (4.3, y - 0.4), (5.2, y - 0.85))
    circle_node(
        ax, 8.3, 0.9, 0.85, r"$\boldsymbol{\varepsilon}$", size=7, ls="--", hatch="////", fc="#dddddd"
    )
    ax.text(9.3, 0.9, r"$\sim \mathcal{N}(\mathbf{0}, \mathbf{I})$", va="center", fontsize=6)
    box(
        ax,
        7.6,
        y - 0.7,
        3.6,
        1.4,
        r"$\mathbf{z} = \boldsymbol{\mu} + \boldsymbol{\sigma} \odot "
        r"\boldsymbol{\varepsilon}$",
        size=6.5,
        rounded=True,
    )
    arrow(ax, (6.6, y + 0.85), (7.6, y + 0.3))
    arrow(ax, (6.6, y - 0.85), (7.6, y - 0.3))
    arrow(ax, (8.3, 1.75), (8.3, y - 0.7), ls="--")
    _trapezoid(ax, 12.0, 14.8, 1.6, 3.0, y, "decoder")
    arrow(ax, (11.2, y), (12.0, y))
    box(ax, 15.3, y - 0.6, 1.0, 1.2, r"$\hat{\mathbf{x}}$", size=7.5, rounded=False)
    arrow(ax, (14.8, y), (15.3, y))
    # gradient path
    line(ax, [(15.8, y + 0.9), (15.8, 6.4), (0.5, 6.4)], color=RED, ls="--", lw=0.8)
    arrow(ax, (0.5, 6.4), (0.5, y + 0.7), color=RED, ls="--", lw=0.8)
    ax.text(
        8.0,
        6.55,
        r"gradients flow through $\boldsymbol{\mu}$ and $\boldsymbol{\sigma}$; the noise is"
        " an input",
        ha="center",
        va="bottom",
        fontsize=5.8,
        color=RED,
    )
    ax.text(1.0, 0.6, "loss = reconstruction\n+ KL(q(z|x) || N(0, I))", va="center", fontsize=5.5)
    return fig


@figure("diffusion-forward-process")
def diffusion_forward_process():
    betas = np.linspace(1e-4, 0.02, 1000)
    abar = np.cumprod(1 - betas)
    means, sd, weights = np.array([-1.5, 1.0]), 0.25, np.array([0.4, 0.6])
    x = np.linspace(-3.5, 3.5, 101)
    fig, axes = new(ncols=4, sharey=True, figsize=(3.2, 1.45))
    fig.subplots_adjust(wspace=0.08)
    for ax, t in zip(axes, (0, 100, 300, 1000), strict=True):
        a = 1.0 if t == 0 else abar[t - 1]
        var = a * sd**2 + (1 - a)
        dens = sum(
            w * np.exp(-((x - np.sqrt(a) * m) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)
            for w, m in zip(weights, means, strict=True)
        )
        ax.fill_between(x, dens, fc="#cccccc", ec=INK, lw=0.8)
        if t == 1000:
            ax.plot(x, np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi), color=BLUE, ls="--", lw=0.9)
        abar_text = rf"$\bar\alpha_t = {a:.2f}$" if a > 0.005 else r"$\bar\alpha_t \approx 0$"
        ax.set_title(f"$t = {t}$\n" + abar_text if t else "$t = 0$ (data)\n", fontsize=6)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlim(-3.5, 3.5)
        ax.set_ylim(0, 1.0)
    axes[0].set_ylabel(r"density of $x_t$")
    axes[3].text(0, 0.55, "dashed:\nN(0, 1)", ha="center", fontsize=5.5, color=BLUE)
    fig.text(
        0.5,
        -0.04,
        r"$q(x_t \mid x_0) = \mathcal{N}(\sqrt{\bar\alpha_t}\,x_0,\ (1 - \bar\alpha_t))$,"
        r" linear $\beta$ from $10^{-4}$ to $0.02$, $T = 1000$",
        ha="center",
        va="top",
        fontsize=5.8,
    )
    return fig


@figure("gan-training-loop")
def gan_training_loop():
    fig, ax = diagram(figsize=(3.2, 1.75), xlim=(-0.3, 17.0), ylim=(-0.6, 8.6))
    box(ax, 0.0, 5.6, 2.6, 1.3, "noise $\\mathbf{z}$", size=6)
    box(ax, 3.6, 5.4, 2.8, 1.7, "generator\n$G$", fc="#dddddd", size=6.5)
    box(ax, 7.4, 5.6, 2.8, 1.3, r"fake $G(\mathbf{z})$", size=6)
    box(ax, 0.0, 1.4, 2.6, 1.3, "data set", size=6)
    box(ax, 7.4, 1.4, 2.8, 1.3, r"real $\mathbf{x}$", size=6)
    box(ax, 11.1, 3.2, 3.4, 1.7, "discrimi-\nnator $D$", fc="#dddddd", size=6.5)
    arrow(ax, (2.6, 6.25), (3.6, 6.25))
    arrow(ax, (6.4, 6.25), (7.4, 6.25))
    arrow(ax, (2.6, 2.05), (7.4, 2.05))
    arrow(ax, (10.2, 6.25), (11.1, 4.5))
    arrow(ax, (10.2, 2.05), (11.1, 3.6))
    arrow(ax, (14.5, 4.05), (15.0, 4.05))
    ax.text(15.1, 4.05, "P(real)", va="center", fontsize=6)
    ax.text(12.7, 1.9, "D: tell real from fake\n(maximise)", ha="center", va="top", fontsize=5.5)
    line(ax, [(12.7, 4.9), (12.7, 8.0), (5.0, 8.0)], color=RED, ls="--", lw=0.8)
    arrow(ax, (5.0, 8.0), (5.0, 7.1), color=RED, ls="--", lw=0.8)
    ax.text(
        8.9, 8.1, "G: fool D (gradients pass through D)", ha="center", va="bottom", fontsize=5.5, color=RED
    )
    ax.text(
        6.5,
        -0.5,
        "alternate: one step on D, one step on G",
        ha="center",
        va="bottom",
        fontsize=5.8,
        color=GREY,
    )
    return fig


def _tsne(x, perplexity=20.0, iters=400, seed=0):
    """Exact t-SNE in numpy (small n): Gaussian affinities by binary search, Student-t in 2-D."""
    n = x.shape[0]
    d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    p = np.zeros((n, n))
    target = np.log(perplexity)
    for i in range(n):
        lo, hi, beta = 0.0, np.inf, 1.0
        di = np.delete(d2[i], i)
        for _ in range(60):
            w = np.exp(-(di - di.min()) * beta)
            s = w.sum()
            h = np.log(s) + beta * np.sum((di - di.min()) * w) / s
            if h > target:
                lo, beta = beta, beta * 2 if hi == np.inf else (beta + hi) / 2
            else:
                hi, beta = beta, (beta + lo) / 2
        p[i, np.arange(n) != i] = w / s
    p = (p + p.T) / (2 * n)
    p = np.maximum(np.round(p, 12), 1e-12)
    r = rng(seed)
    y = r.normal(scale=1e-2, size=(n, 2))
    vel = np.zeros_like(y)
    for it in range(iters):
        pe = p * (4.0 if it < 100 else 1.0)
        num = 1 / (1 + ((y[:, None, :] - y[None, :, :]) ** 2).sum(-1))
        np.fill_diagonal(num, 0)
        q = np.maximum(num / num.sum(), 1e-12)
        g = 4 * (((pe - q) * num)[:, :, None] * (y[:, None, :] - y[None, :, :])).sum(1)
        vel = (0.5 if it < 100 else 0.8) * vel - 100.0 * g
        y = y + vel
        y = y - y.mean(0)
    return y


@figure("tsne-vs-pca")
def tsne_vs_pca():
    r = rng(21)
    k, per, dim = 4, 30, 10
    centers = np.zeros((k, dim))
    for j in range(k):
        centers[j, 2 + 2 * j : 4 + 2 * j] = 4.0  # clusters differ only in low-variance directions
    x = np.concatenate(
        [centers[j] + r.normal(size=(per, dim)) * np.r_[3.0, 3.0, np.ones(dim - 2)] for j in range(k)]
    )
    labels = np.repeat(np.arange(k), per)
    xc = x - x.mean(0)
    _, _, vt = np.linalg.svd(xc, full_matrices=False)
    pca = np.round(xc @ vt[:2].T, 3)
    tsne = np.round(_tsne(x), 3)
    fig, axes = new(ncols=2)
    fig.subplots_adjust(wspace=0.15)
    marks = (("o", INK, "white"), ("s", BLUE, BLUE), ("^", RED, "white"), ("D", GREY, GREY))
    for ax, emb, title in (
        (axes[0], pca, "PCA (linear, keeps variance)"),
        (axes[1], tsne, "t-SNE (keeps neighbours)"),
    ):
        for j, (mk, ec, fc) in enumerate(marks):
            pts = emb[labels == j]
            ax.plot(pts[:, 0], pts[:, 1], mk, ms=2.4, mec=ec, mfc=fc, mew=0.6, ls="none")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=6.2)
    fig.text(
        0.5,
        0.0,
        "4 clusters in 10-D that differ only in low-variance directions",
        ha="center",
        va="top",
        fontsize=5.8,
    )
    return fig


@figure("triplet-loss")
def triplet_loss():
    fig, axes = new(ncols=2, figsize=(3.2, 1.6))
    fig.subplots_adjust(wspace=0.1)
    before = {"anchor": (0, 0), "positive": (1.9, 0.9), "negative": (0.9, -0.8)}
    after = {"anchor": (0, 0), "positive": (0.8, 0.4), "negative": (2.2, -1.3)}
    style = {"anchor": ("o", INK, "white"), "positive": ("s", BLUE, BLUE), "negative": ("^", RED, RED)}
    for ax, pts, title in ((axes[0], before, "before training"), (axes[1], after, "after training")):
        ax.add_patch(Circle((0, 0), np.hypot(*pts["positive"]), fc="none", ec=GREY, ls=":", lw=0.7))
        for name, (px, py) in pts.items():
            mk, ec, fc = style[name]
            ax.plot(px, py, mk, ms=5, mec=ec, mfc=fc, mew=0.8)
            if name == "anchor":
                label_line(ax, px, py - 0.3, name, size=6, ha="center", va="top")
            else:
                label_line(ax, px + 0.2, py + 0.05, name, size=6)
            if name != "anchor":
                ax.plot([0, px], [0, py], color=ec, lw=0.7, ls="-" if name == "positive" else "--")
        ax.set_xlim(-0.9, 3.6)
        ax.set_ylim(-2.0, 2.0)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=6.2)
    label_line(axes[1], -0.8, -1.85, r"$d(a, n) \geq d(a, p) + \alpha$", size=6, va="bottom")
    label_line(axes[0], -0.8, -1.85, r"$d(a, n) < d(a, p)$: loss $> 0$", size=6, va="bottom")
    return fig
