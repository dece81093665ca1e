"""Seeded synthetic corpora for the benchmarks: prose, inline and display math, code and tags."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = [
    "gradient", "loss", "layer", "weight", "bias", "network", "training", "batch", "feature", "model",
    "activation", "tensor", "convolution", "attention", "token", "embedding", "optimiser", "learning",
    "rate", "update", "output", "input", "hidden",
]  # fmt: skip
FORMULAS = [
    r"\sigma(x) = \frac{1}{1 + e^{-x}}",
    r"\hat{y} = \mathrm{softmax}(W h + b)",
    r"\lVert w \rVert_2^2",
    r"\frac{\partial L}{\partial w}",
    r"\sqrt{d_k}",
    r"x_i",
    r"\mathbb{E}[x]",
    r"O(n^2)",
]


TAGS = ["optimisation", "cnn", "rnn", "attention", "regularisation", "loss", "probability", "linear-algebra"]


def synthetic_corpus(folder: Path, n: int, topics: int = 10) -> Path:
    """`n` entries over `topics` topic files; the same bytes for the same `n`."""
    rng = random.Random(n)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topics.yaml").write_text(
        "topics:\n"
        + "".join(
            f"  - id: t{t}\n    title: Topic {t}\n    summary: Synthetic topic {t}.\n" for t in range(topics)
        )
    )
    for t in range(topics):
        lines = [f"topic: t{t}", "entries:"]
        for i in range(t, n, topics):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 110)))
            formula = rng.choice(FORMULAS) + f" + {i}"
            answer = f"{words.capitalize()} with ${formula}$ inline."
            if i % 5 == 0:
                answer += f"\n\n      $${rng.choice(FORMULAS)}$$"
            if i % 7 == 0:
                answer += "\n\n      ```python\n      def f(x):\n          return x * 2\n      ```"
            lines += [
                f"  - id: e{i}",
                f"    question: What is synthetic question {i}?",
                "    answer: |",
                f"      {answer}",
                "    difficulty: " + ("basic", "intermediate", "advanced")[i % 3],
                f"    tags: [{', '.join(sorted(rng.sample(TAGS, rng.randint(1, 3))))}]",
            ]
        (folder / f"t{t}.yaml").write_text("\n".join(lines) + "\n")
    return folder
