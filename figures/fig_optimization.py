"""Figures for the optimisation chapter: optimiser paths, learning rates, schedules, landscapes, gradients."""

from __future__ import annotations

import numpy as np
from figstyle import BLUE, GREEN, GREY, INK, LIGHT, RED, arrow, figure, label_line, new, rng


def _contours(ax, f, xlim, ylim, levels):
    x = np.linspace(*xlim, 121)
    y = np.linspace(*ylim, 121)
    xx, yy = np.meshgrid(x, y)
    ax.contour(xx, yy, f(xx, yy), levels=levels, colors=LIGHT, linewidths=0.6)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xticks([])
    ax.set_yticks([])


def _ravine(a=1.0, b=16.0):
    f = lambda x, y: 0.5 * (a * x**2 + b * y**2)  # noqa: E731
    grad = lambda p: np.array([a * p[0], b * p[1]])  # noqa: E731
    return f, grad


def _run(grad, start, steps, method, lr, mu=0.9, betas=(0.9, 0.999)):
    p = np.array(start, float)
    v = np.zeros(2)
    m = np.zeros(2)
    s = np.zeros(2)
    path = [p.copy()]
    for t in range(1, steps + 1):
        g = grad(p)
        if method == "gd":
            p = p - lr * g
        elif method == "momentum":
            v = mu * v + g
            p = p - lr * v
        elif method == "adam":
            m = betas[0] * m + (1 - betas[0]) * g
            s = betas[1] * s + (1 - betas[1]) * g**2
            mh = m / (1 - betas[0] ** t)
            sh = s / (1 - betas[1] ** t)
            p = p - lr * mh / (np.sqrt(sh) + 1e-8)
        path.append(p.copy())
    return np.array(path)


@figure("momentum-vs-gd-ravine")
def momentum_vs_gd_ravine():
    f, grad = _ravine()
    start = (-4.5, 1.0)
    fig, ax = new()
    _contours(ax, f, (-5, 1), (-1.4, 1.4), [0.5, 2, 4.5, 8, 12.5])
    gd = _run(grad, start, 25, "gd", 0.115)
    mom = _run(grad, start, 25, "momentum", 0.03, mu=0.7)
    ax.plot(gd[:, 0], gd[:, 1], color=INK, ls="-", lw=0.8, marker="o", ms=2.2, label=r"GD, $\eta = 0.115$")
    ax.plot(
        mom[:, 0], mom[:, 1], color=BLUE, ls="--", lw=1.0, marker="s", ms=2.2, label=r"momentum $\mu = 0.7$"
    )
    ax.plot([0], [0], "*", ms=6, color=INK)
    ax.set_title("25 steps on an elongated bowl (condition number 16)")
    ax.legend(loc="lower left", ncols=2)
    return fig


@figure("optimizer-paths")
def optimizer_paths():
    f = lambda x, y: 0.5 * (0.3 * x**2 + 8 * y**2)  # noqa: E731
    grad = lambda p: np.array([0.3 * p[0], 8 * p[1]])  # noqa: E731
    start = (-4.0, 1.2)
    fig, ax = new()
    _contours(ax, f, (-4.6, 1.0), (-1.5, 1.5), [0.25, 1, 2.25, 4, 6.25])
    runs = (
        ("SGD", _run(grad, start, 40, "gd", 0.2), INK, "-", "o"),
        ("momentum", _run(grad, start, 40, "momentum", 0.04, mu=0.85), BLUE, "--", "s"),
        ("Adam", _run(grad, start, 40, "adam", 0.2), RED, ":", "^"),
    )
    for name, path, c, ls, mk in runs:
        ax.plot(path[:, 0], path[:, 1], color=c, ls=ls, lw=1.0, marker=mk, ms=2.2, label=name, markevery=2)
    ax.plot([0], [0], "*", ms=6, color=INK)
    ax.set_title("40 steps from the same start")
    ax.legend(loc="lower left", ncols=3)
    return fig


@figure("batch-vs-sgd-paths")
def batch_vs_sgd_paths():
    r = rng(3)
    n = 400
    x1 = r.normal(size=n)
    x2 = 0.6 * x1 + 0.5 * r.normal(size=n)
    X = np.stack([x1, x2], 1)
    w_true = np.array([1.0, -0.5])
    y = X @ w_true + 0.5 * r.normal(size=n)

    def loss(w1, w2):
        res = y[None, None, :] - (w1[..., None] * x1 + w2[..., None] * x2)
        return 0.5 * np.mean(res**2, axis=-1)

    def path(batch, steps=80, lr=0.3, seed=7):
        rr = rng(seed)
        w = np.array([-2.0, 2.0])
        out = [w.copy()]
        for _ in range(steps):
            idx = np.arange(n) if batch == n else rr.choice(n, batch, replace=False)
            g = -X[idx].T @ (y[idx] - X[idx] @ w) / len(idx)
            w = w - lr * g
            out.append(w.copy())
        return np.round(np.array(out), 4)

    fig, ax = new()
    w1, w2 = np.meshgrid(np.linspace(-2.4, 2.4, 81), np.linspace(-2.4, 2.4, 81))
    ax.contour(w1, w2, loss(w1, w2), levels=[0.2, 0.5, 1, 2, 3.5], colors=LIGHT, linewidths=0.6)
    for batch, c, ls, lw, name in (
        (1, RED, ":", 0.9, "SGD, $B = 1$"),
        (16, BLUE, "--", 0.9, "mini-batch, $B = 16$"),
        (n, INK, "-", 1.3, f"batch GD, $B = N = {n}$"),
    ):
        p = path(batch)
        ax.plot(p[:, 0], p[:, 1], color=c, ls=ls, lw=lw, label=name)
    ax.plot(*w_true, "*", ms=6, color=INK)
    ax.set_xlim(-2.4, 2.4)
    ax.set_ylim(-2.4, 2.4)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title("80 steps, same learning rate", loc="left")
    return fig


@figure("learning-rate-regimes")
def learning_rate_regimes():
    lam = 1.0
    fig, axes = new(ncols=3, sharey=True)
    fig.subplots_adjust(wspace=0.08)
    w = np.linspace(-2.2, 2.2, 89)
    cases = (
        (0.15, 8, r"too low, $\eta = 0.15/\lambda$"),
        (0.8, 5, r"good, $\eta = 0.8/\lambda$"),
        (2.1, 5, r"too high, $\eta = 2.1/\lambda$"),
    )
    for ax, (eta, steps, title) in zip(axes, cases, strict=True):
        ax.plot(w, 0.5 * lam * w**2, color=GREY, lw=0.8)
        ws = [1.5]
        for _ in range(steps):
            ws.append((1 - eta * lam) * ws[-1])
        ws = np.array(ws)
        ls = 0.5 * lam * ws**2
        ax.plot(ws, ls, color=INK, lw=0.8, marker="o", ms=2.5)
        ax.plot(ws[0], ls[0], "o", ms=3.5, mfc="white", mec=INK)
        ax.set_title(title, fontsize=6)
        ax.set_xlim(-2.4, 2.4)
        ax.set_ylim(-0.1, 2.6)
        ax.set_xticks([])
        ax.set_xlabel("$w$")
    axes[0].set_ylabel(r"$L(w) = \frac{\lambda}{2} w^2$")
    axes[0].set_yticks([])
    return fig


@figure("learning-rate-schedules")
def learning_rate_schedules():
    epochs = np.linspace(0, 90, 361)
    step = 0.1 ** np.floor(epochs / 30)
    expo = 0.96**epochs
    cosine = 0.5 * (1 + np.cos(np.pi * epochs / 90))
    t = epochs / 90
    up = t < 0.3
    one = np.where(
        up,
        1 / 25 + (1 - 1 / 25) * 0.5 * (1 - np.cos(np.pi * t / 0.3)),
        0.5 * (1 + np.cos(np.pi * (t - 0.3) / 0.7)),
    )
    fig, ax = new()
    ax.plot(epochs, step, color=INK, label=r"step: $\times 0.1$ every 30 epochs")
    ax.plot(epochs, expo, color=GREEN, ls=":", lw=1.4, label=r"exponential: $\gamma = 0.96$")
    ax.plot(epochs, cosine, color=BLUE, ls="--", label="cosine annealing")
    ax.plot(epochs, one, color=RED, ls="-.", label="one-cycle")
    ax.set_xlim(0, 90)
    ax.set_ylim(0, 1.08)
    ax.set_xticks([0, 30, 60, 90])
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"$\eta / \eta_{\max}$")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, columnspacing=1.0)
    return fig


@figure("warmup-cosine-schedule")
def warmup_cosine_schedule():
    total, warm, floor = 100.0, 5.0, 0.1
    t = np.concatenate([[0, warm], np.linspace(warm, total, 120)])
    eta = np.where(
        t <= warm,
        t / warm,
        floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * (t - warm) / (total - warm))),
    )
    fig, ax = new()
    ax.plot(t, eta, color=INK)
    ax.axhline(floor, color=GREY, lw=0.5, ls=":")
    ax.axvline(warm, color=GREY, lw=0.5, ls=":")
    label_line(ax, warm + 1.5, 1.03, r"peak $\eta_{\max}$ at $t = T_w$", va="bottom")
    label_line(ax, 14, floor + 0.03, r"floor $\eta_{\min} = 0.1\,\eta_{\max}$", va="bottom")
    label_line(ax, 62, 0.75, "cosine decay", size=6)
    ax.annotate(
        "linear\nwarmup",
        xy=(2.5, 0.5),
        xytext=(12, 0.3),
        fontsize=6,
        arrowprops={"arrowstyle": "-", "lw": 0.5},
    )
    ax.set_xlim(0, total)
    ax.set_ylim(0, 1.15)
    ax.set_xticks([0, warm, 50, 100], ["0", "$T_w$", "", "$T$"])
    ax.set_yticks([0, 0.5, 1])
    ax.set_xlabel("training step (warmup 5% of $T$)")
    ax.set_ylabel(r"$\eta_t / \eta_{\max}$")
    return fig


@figure("local-global-minima")
def local_global_minima():
    x = np.linspace(-3, 3.2, 249)
    y = 0.12 * x**4 - 0.1 * x**3 - 0.85 * x**2 + 0.5 * x + 2.2 + 0.25 * np.sin(3 * x)
    fig, ax = new()
    ax.plot(x, y, color=INK)
    i_loc = np.argmin(np.where(x > 0.8, y, np.inf))
    i_glob = np.argmin(y)
    for i, text, dx in ((i_glob, "global minimum", 0), (i_loc, "local minimum", 0)):
        ax.plot(x[i], y[i], "o", ms=3.5, color=INK)
        ax.annotate(
            text,
            xy=(x[i], y[i]),
            xytext=(x[i] + dx, y[i] - 0.55),
            ha="center",
            fontsize=6.5,
            arrowprops={"arrowstyle": "-", "lw": 0.5},
        )
    ax.set_xlim(-3, 3.2)
    ax.set_ylim(y.min() - 0.8, y.max() + 0.1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(r"parameter $\theta$")
    ax.set_ylabel(r"loss $L(\theta)$")
    return fig


@figure("saddle-point")
def saddle_point():
    f = lambda x, y: x**2 - y**2  # noqa: E731
    fig, ax = new(figsize=(3.2, 2.2))
    x = np.linspace(-1.6, 1.6, 121)
    xx, yy = np.meshgrid(x, x)
    cs = ax.contour(xx, yy, f(xx, yy), levels=[-2, -1, -0.3, 0.3, 1, 2], colors=GREY, linewidths=0.6)
    cs.set_linestyles(["--", "--", "--", "-", "-", "-"])
    p = np.array([1.5, 0.003])
    path = [p.copy()]
    for _ in range(30):
        p = p - 0.12 * np.array([2 * p[0], -2 * p[1]])
        path.append(p.copy())
    path = np.array(path)
    path = path[np.abs(path[:, 1]) < 1.6]
    ax.plot(path[:, 0], path[:, 1], color=INK, lw=0.9, marker="o", ms=2.2)
    ax.plot([0], [0], "x", ms=5, color=INK, mew=1.2)
    label_line(ax, -0.1, -0.2, "saddle", size=6.5, ha="right")
    label_line(ax, 0.6, -0.12, "loss rises along $x$", size=6, va="top")
    label_line(
        ax, 0.06, -1.45, "loss falls along $y$", size=6, bbox={"fc": "white", "ec": "none", "pad": 0.5}
    )
    label_line(ax, 0.55, 0.55, "GD stalls near\nthe saddle, then\nescapes along $y$", size=6, ha="left")
    ax.set_aspect("equal")
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.6, 1.6)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(r"$f(x, y) = x^2 - y^2$ (solid: $f > 0$, dashed: $f < 0$)")
    return fig


@figure("vanishing-gradients-by-layer")
def vanishing_gradients_by_layer():
    depth, width, batch = 20, 64, 128
    fig, ax = new()
    cases = (
        ("sigmoid, Xavier", lambda z: 1 / (1 + np.exp(-z)), "sigmoid", 1.0, RED, ":", "^"),
        ("tanh, Xavier", np.tanh, "tanh", 1.0, BLUE, "--", "s"),
        ("ReLU, He", lambda z: np.maximum(z, 0), "relu", 2.0, INK, "-", "o"),
    )
    for name, act, kind, gain, c, ls, mk in cases:
        r = rng(11)
        h = r.normal(size=(batch, width))
        zs, ws = [], []
        for _ in range(depth):
            w = r.normal(scale=np.sqrt(gain / width), size=(width, width))
            z = h @ w
            zs.append(z)
            ws.append(w)
            h = act(z)
        g = r.normal(size=(batch, width))  # upstream gradient at the output
        norms = []
        for z, w in zip(reversed(zs), reversed(ws), strict=True):
            if kind == "sigmoid":
                s = 1 / (1 + np.exp(-z))
                d = s * (1 - s)
            elif kind == "tanh":
                d = 1 - np.tanh(z) ** 2
            else:
                d = (z > 0).astype(float)
            gz = g * d
            norms.append(np.linalg.norm(w.T @ gz.T) / np.sqrt(batch))  # gradient of the layer's weights
            g = gz @ w.T
        norms = np.array(norms[::-1])
        norms = np.array([float(f"{v:.4g}") for v in norms / norms[-1]])
        ax.semilogy(np.arange(1, depth + 1), norms, color=c, ls=ls, marker=mk, ms=2.5, label=name)
    ax.set_ylim(1e-13, 10)
    ax.set_yticks([1e-12, 1e-9, 1e-6, 1e-3, 1])
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel("weight-gradient norm\n(relative to last layer)")
    ax.set_xlim(0.5, depth + 0.5)
    ax.set_xticks([1, 5, 10, 15, 20])
    ax.legend(loc="lower right")
    return fig


@figure("gradient-clipping")
def gradient_clipping():
    fig, ax = new(figsize=(3.2, 2.3))
    from matplotlib.patches import Circle, Rectangle

    ax.add_patch(Rectangle((-1, -1), 2, 2, fc="none", ec=GREY, lw=0.7, ls="--"))
    ax.add_patch(Circle((0, 0), 1, fc="none", ec=GREY, lw=0.7))
    arrow(ax, (0, 0), (3, 4), lw=1.0, mut=7)
    arrow(ax, (0, 0), (0.6, 0.8), lw=1.6, color=BLUE, mut=7)
    arrow(ax, (0, 0), (1, 1), lw=1.2, color=RED, ls="--", mut=7)
    label_line(ax, 2.2, 3.6, r"$g = (3, 4)$, $\|g\| = 5$", ha="right")
    label_line(
        ax,
        -0.15,
        1.15,
        "by norm, $c = 1$:\n$(0.6, 0.8)$, same direction",
        ha="right",
        va="bottom",
        size=6,
        color=BLUE,
    )
    label_line(ax, 1.1, 0.75, "by value, $c = 1$:\n$(1, 1)$, direction turns", size=6, color=RED, va="top")
    label_line(
        ax, -1.0, -1.2, "square: $|g_i| \\leq 1$   circle: $\\|g\\| \\leq 1$", size=6, va="top", color=GREY
    )
    ax.set_aspect("equal")
    ax.set_xlim(-3.2, 4.0)
    ax.set_ylim(-1.8, 4.2)
    ax.set_xticks([-1, 0, 1, 2, 3])
    ax.set_yticks([-1, 0, 1, 2, 3, 4])
    ax.spines["left"].set_position("zero")
    ax.spines["bottom"].set_position("zero")
    ax.spines["left"].set_color(GREY)
    ax.spines["bottom"].set_color(GREY)
    return fig


@figure("sharp-vs-flat-minima")
def sharp_vs_flat_minima():
    x = np.linspace(-3, 3, 241)

    def train(x):
        return 1.0 - 0.95 * np.exp(-((x + 1.6) ** 2) / 0.06) - 0.9 * np.exp(-((x - 1.3) ** 2) / 0.8)

    shift = 0.22
    fig, ax = new()
    ax.plot(x, train(x), color=INK, label="training loss")
    ax.plot(x, train(x - shift), color=BLUE, ls="--", label="test loss (shifted)")
    for xm, name, xt in ((-1.6, "sharp minimum:\nlarge gap", -1.05), (1.3, "flat minimum:\nsmall gap", 1.3)):
        ax.plot([xm, xm], [train(xm), train(xm - shift)], color=RED, lw=1.6)
        ax.text(
            xt, 0.55 if xm < 0 else 1.04, name, ha="left" if xm < 0 else "center", va="bottom", fontsize=6
        )
    ax.set_xlim(-3, 3)
    ax.set_ylim(0, 1.32)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(r"parameter $\theta$")
    ax.set_ylabel("loss")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2)
    return fig
