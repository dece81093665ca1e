"""Where a PDF build's layout time goes: the parts the PDF exporter lays out for a corpus, laid out one
after another in this process, with the time spent drawing SVG (formulas, figures) counted apart.

    python benchmarks/layout_profile.py [CONTENT]     (default: the shipped corpus)

Prints CPU seconds: the whole layout, drawing the formulas, drawing the figures, and how many of each were
drawn (a formula shown twice, or in the sheet and the answer key, is drawn twice).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import weasyprint
from weasyprint.images import SVGImage

from dlexport.corpus import load_corpus
from dlexport.exporters.pdf import PdfExporter
from dlexport.mathsvg import SvgMath, math_folder

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    content = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "content"
    corpus = load_corpus(content).published().active()
    exporter = PdfExporter()
    with SvgMath(print, math_folder(corpus.root)) as math:
        parts, _ = exporter.plan(exporter.chapters(corpus, math))
        formulas = math.folder.as_uri()
        seconds: Counter[str] = Counter()
        drawn: Counter[str] = Counter()
        draw = SVGImage.draw

        def timed(image: SVGImage, *args: object) -> None:
            kind = "formulas" if image._base_url.startswith(formulas) else "figures"
            start = time.process_time()
            draw(image, *args)
            seconds[kind] += time.process_time() - start
            drawn[kind] += 1

        SVGImage.draw = timed  # type: ignore[method-assign]
        start = time.process_time()
        with tempfile.TemporaryDirectory() as tmp:
            for name, page in parts.items():
                document = weasyprint.HTML(string=page, base_url=corpus.root.as_uri() + "/")
                document.write_pdf(Path(tmp) / f"{name}.pdf")
        total = time.process_time() - start
    print(f"{len(parts)} parts laid out in {total:.1f} s of CPU")
    for kind in ("formulas", "figures"):
        share = seconds[kind] / total if total else 0
        print(f"  drawing {drawn[kind]} {kind}: {seconds[kind]:.1f} s ({share:.0%})")


if __name__ == "__main__":
    main()
