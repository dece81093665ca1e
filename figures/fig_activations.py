"""Figures for the activations chapter: activation functions, their derivatives, softmax temperature."""

from __future__ import annotations

import math

import numpy as np
from figstyle import BLUE, GREEN, GREY, INK, RED, figure, label_line, new, tidy

_erf = np.vectorize(math.erf)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def gelu(z):
    return z * 0.5 * (1 + _erf(z / math.sqrt(2)))


def gelu_prime(z):
    return 0.5 * (1 + _erf(z / math.sqrt(2))) + z * np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)


@figure("sigmoid-and-derivative")
def sigmoid_and_derivative():
    z = np.linspace(-6, 6, 121)
    s = sigmoid(z)
    fig, ax = new()
    tidy(ax, zero_x=True)
    ax.plot(z, s, color=INK)
    ax.plot(z, s * (1 - s), color=BLUE, ls="--")
    ax.axhline(1, color=GREY, lw=0.5, ls=":")
    ax.plot([0], [0.25], "o", ms=3, color=BLUE)
    label_line(ax, 1.6, 0.62, r"$\sigma(z) = 1/(1+e^{-z})$")
    label_line(ax, 0.4, 0.31, r"$\sigma'(z) = \sigma(1-\sigma)$, max 0.25", color=BLUE)
    label_line(ax, -5.8, 0.08, "saturated:\nslope near 0", va="bottom", size=6)
    ax.set_xlim(-6, 6)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("$z$")
    return fig


@figure("tanh-and-derivative")
def tanh_and_derivative():
    z = np.linspace(-4, 4, 121)
    t = np.tanh(z)
    fig, ax = new()
    tidy(ax, zero_x=True, zero_y=True)
    ax.plot(z, t, color=INK)
    ax.plot(z, 1 - t**2, color=BLUE, ls="--")
    s = sigmoid(z)
    ax.plot(z, s * (1 - s), color=GREY, ls=":")
    label_line(ax, 1.5, 0.62, r"$\tanh z$")
    label_line(ax, -3.9, 0.62, r"$\tanh' z = 1 - \tanh^2 z$", color=BLUE)
    label_line(ax, 1.6, 0.3, r"$\sigma'(z)$, max 0.25", color=GREY, size=6)
    ax.set_xlim(-4, 4)
    ax.set_ylim(-1.08, 1.15)
    ax.set_yticks([-1, -0.5, 0, 0.5, 1])
    ax.set_xlabel("$z$")
    return fig


@figure("relu-vs-leaky-relu")
def relu_vs_leaky_relu():
    z = np.array([-3.0, 0.0, 3.0])
    alpha = 0.1
    fig, (ax, bx) = new(ncols=2)
    fig.subplots_adjust(wspace=0.35)
    for a in (ax, bx):
        tidy(a, zero_x=True, zero_y=True)
        a.set_xlim(-3, 3)
        a.set_xlabel("$z$")
    ax.plot(z, np.maximum(z, 0), color=INK, label="ReLU")
    ax.plot(z, np.maximum(alpha * z, z), color=BLUE, ls="--", label=r"leaky, $\alpha = 0.1$")
    ax.set_ylim(-0.6, 3)
    ax.set_title(r"$\phi(z)$")
    ax.legend(loc="upper left")
    bx.plot([-3, 0, 0, 3], [0, 0, 1, 1], color=INK)
    bx.plot([-3, 0, 0, 3], [alpha, alpha, 1, 1], color=BLUE, ls="--")
    bx.set_ylim(-0.1, 1.25)
    bx.set_title(r"$\phi'(z)$")
    label_line(bx, -2.9, 0.36, "ReLU: no\ngradient,\ncan die", size=6, va="bottom")
    label_line(bx, -2.9, 0.14, r"leaky: $\alpha$", size=6, color=BLUE, va="bottom")
    return fig


@figure("gelu-silu-relu")
def gelu_silu_relu():
    z = np.linspace(-4, 2.5, 131)
    fig, ax = new()
    tidy(ax, zero_x=True, zero_y=True)
    ax.plot(z, np.maximum(z, 0), color=GREY, lw=1.0, label="ReLU")
    ax.plot(z, gelu(z), color=INK, label=r"GELU $z\,\Phi(z)$")
    ax.plot(z, z * sigmoid(z), color=BLUE, ls="--", label=r"SiLU $z\,\sigma(z)$")
    zm = z[np.argmin(gelu(z))]
    ax.plot([zm], [gelu(zm)], "o", ms=3, color=INK)
    ax.annotate(
        "GELU min\n" + r"$\approx -0.17$ at $z \approx -0.75$",
        xy=(zm, gelu(zm)),
        xytext=(-3.9, 0.55),
        fontsize=6,
        arrowprops={"arrowstyle": "-", "lw": 0.5, "color": INK},
    )
    ax.set_xlim(-4, 2.5)
    ax.set_ylim(-0.45, 2.5)
    ax.set_xlabel("$z$")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, 1.02))
    return fig


@figure("step-vs-sigmoid")
def step_vs_sigmoid():
    z = np.linspace(-5, 5, 201)
    fig, ax = new()
    tidy(ax, zero_x=True)
    ax.plot([-5, 0, 0, 5], [0, 0, 1, 1], color=INK, lw=1.4, label="step")
    for k, ls, c in ((1, ":", GREY), (3, "-.", GREEN), (10, "--", BLUE)):
        ax.plot(z, sigmoid(k * z), color=c, ls=ls, label=rf"$\sigma({k}z)$" if k > 1 else r"$\sigma(z)$")
    ax.set_xlim(-5, 5)
    ax.set_ylim(-0.03, 1.05)
    ax.set_xlabel("$z$")
    ax.legend(loc="upper left")
    label_line(ax, 0.4, 0.15, r"as $k \to \infty$, $\sigma(kz)$" + "\napproaches the step", size=6)
    return fig


@figure("activation-derivatives")
def activation_derivatives():
    z = np.linspace(-4, 4, 161)
    s = sigmoid(z)
    fig, ax = new()
    tidy(ax, zero_x=True, zero_y=True)
    ax.plot(z, s * (1 - s), color=RED, ls=":", lw=1.4, label="sigmoid")
    ax.plot(z, 1 - np.tanh(z) ** 2, color=BLUE, ls="--", label="tanh")
    ax.plot([-4, 0, 0, 4], [0, 0, 1, 1], color=INK, label="ReLU")
    ax.plot(z, gelu_prime(z), color=GREEN, ls="-.", label="GELU")
    ax.set_xlim(-4, 4)
    ax.set_ylim(-0.15, 1.2)
    ax.set_xlabel("$z$")
    ax.set_ylabel(r"derivative $\phi'(z)$")
    ax.legend(loc="upper left", ncols=2, columnspacing=0.8)
    return fig


@figure("softmax-temperature")
def softmax_temperature():
    logits = np.array([2.0, 1.0, 0.1])
    fig, ax = new()
    width = 0.26
    styles = ((0.5, "white", "////"), (1.0, "#555555", None), (2.0, "white", "-----"))
    for i, (t, fc, hatch) in enumerate(styles):
        e = np.exp(logits / t - np.max(logits / t))
        p = e / e.sum()
        x = np.arange(3) + (i - 1) * width
        ax.bar(x, p, width, fc=fc, ec=INK, lw=0.6, hatch=hatch, label=f"$T = {t:g}$")
        for xi, pi in zip(x, p, strict=True):
            ax.text(xi, pi + 0.015, f"{pi:.2f}", ha="center", va="bottom", fontsize=5)
    ax.set_xticks(range(3), [f"$z = {v:g}$" for v in logits])
    ax.set_ylabel(r"softmax$(\mathbf{z}/T)_i$")
    ax.set_ylim(0, 1.0)
    ax.legend(loc="upper right")
    return fig
