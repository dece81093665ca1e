"""Time the PDF exporter against bare WeasyPrint rendering the same final HTML.

    python benchmarks/bench_pdf.py [--sizes 1000 5000] [--skip-shipped]

For each corpus (the shipped one, then synthetic ones of N entries) it measures dlexport's own work
(load + validate, Markdown, math typesetting with a cold cache, templates) and WeasyPrint's layout and
PDF writing of the resulting cheat sheet, and prints the overhead ratio and pages per second.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

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


def synthetic_corpus(folder: Path, n: int, topics: int = 10) -> Path:
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
            ]
        (folder / f"t{t}.yaml").write_text("\n".join(lines) + "\n")
    return folder


def measure(content: Path, label: str) -> None:
    import weasyprint

    from dlexport.corpus import load_corpus
    from dlexport.exporters.base import BuildContext
    from dlexport.exporters.pdf import PdfExporter, PdfOptions, _font_dirs
    from dlexport.exporters.pdflayout import LocalFetcher
    from dlexport.markup import HtmlRenderer, Policy
    from dlexport.mathsvg import SvgMath, svg_image
    from dlexport.templating import builtin_templates
    from dlexport.view import HtmlFlavour, build_view

    svg_image.cache_clear()
    t0 = time.perf_counter()
    corpus = load_corpus(content).active()
    t1 = time.perf_counter()
    exporter = PdfExporter(BuildContext(), PdfOptions(layout="cheatsheet"))
    math = SvgMath(lambda message: None)  # no disk cache: a cold build
    flavour = HtmlFlavour(HtmlRenderer(math, "vs", Policy(image=lambda path: path, svg_data=True)))
    chapters = build_view(corpus, flavour, details=False)
    t2 = time.perf_counter()
    page = exporter.render("pdf/sheet.html", chapters=chapters, contents=True, layout="cheatsheet")
    t3 = time.perf_counter()
    fetcher = LocalFetcher([corpus.root, builtin_templates(), *_font_dirs()])
    document = weasyprint.HTML(string=page, base_url=corpus.root.as_uri() + "/", url_fetcher=fetcher).render()
    t4 = time.perf_counter()
    document.write_pdf(os.devnull)
    t5 = time.perf_counter()
    build_view(corpus, flavour, details=False)  # again, with every formula cached (a rebuild)
    warm = time.perf_counter() - t5

    own, bare = (t1 - t0) + (t2 - t1) + (t3 - t2), t5 - t3
    entries = sum(1 for _ in corpus.entries())
    print(f"{label}: {entries} entries, {len(document.pages)} pages")
    print(
        f"  dlexport: load {t1 - t0:.2f}s, markdown+math {t2 - t1:.2f}s, "
        f"templates {t3 - t2:.2f}s = {own:.2f}s"
    )
    print(
        f"  weasyprint: layout {t4 - t3:.2f}s, write {t5 - t4:.2f}s = {bare:.2f}s "
        f"({len(document.pages) / bare:.1f} pages/s)"
    )
    print(f"  overhead: {own / bare:.1%} of WeasyPrint time; one cheat sheet in {own + bare:.1f}s")
    rebuild = (t1 - t0) + warm + (t3 - t2)
    print(f"  rebuild with cached math: overhead {rebuild:.2f}s = {rebuild / bare:.1%} of WeasyPrint time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--skip-shipped", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if not args.skip_shipped:
        measure(ROOT / "content", "shipped corpus")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            measure(synthetic_corpus(Path(tmp) / f"c{n}", n), f"synthetic {n}")


if __name__ == "__main__":
    main()
