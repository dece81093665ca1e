"""`make bench`: dlexport against the bare libraries on seeded synthetic corpora, side by side in one run.

    python benchmarks/bench.py [--sizes 1000 10000 50000] [--pdf-sizes 1000] [--out benchmarks/results]

For each size it times, each step in a fresh process (wall time and peak memory from GNU time):
  load + validate   `dlexport validate`            vs a bare `yaml.load(..., CSafeLoader)` of the same files
  anki              `dlexport build -f anki`        vs a bare YAML + genanki script writing the same notes
  md                `dlexport build -f md`
  pdf               `dlexport build -f pdf --layout cheatsheet` with a cold math cache, then with typeset
                    math cached and `--jobs 1`, vs bare WeasyPrint writing the same HTML parts, one after
                    the other (sizes in --pdf-sizes: layout is slow, so 50,000 entries are not laid out)
and prints the ratios, then writes the table as JSON under benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import synthetic_corpus  # noqa: E402

BARE_LOAD = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
"""

BARE_ANKI = """
import sys, yaml, genanki
from pathlib import Path
model = genanki.Model(1607392319, "Simple", fields=[{"name": "Question"}, {"name": "Answer"}],
    templates=[{"name": "Card 1", "qfmt": "{{Question}}", "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}"}])
deck = genanki.Deck(2059400110, "Bench")
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    if not isinstance(doc, dict) or "entries" not in doc:
        continue
    for e in doc["entries"]:
        deck.add_note(genanki.Note(model=model, fields=[e["question"], e["answer"]],
                                   guid=genanki.guid_for("bench", e["id"])))
genanki.Package(deck).write_to_file(sys.argv[2])
"""


BARE_PDF = """
import sys, weasyprint
from pathlib import Path
for page in sorted(Path(sys.argv[1]).glob("*.html")):
    html = weasyprint.HTML(string=page.read_text(encoding="utf-8"), base_url=sys.argv[2])
    html.write_pdf(page.with_suffix(".pdf"))
"""

# The HTML parts the PDF exporter lays out for a corpus, written to a folder (run with the bench's cache).
DUMP_PDF = """
import sys
from pathlib import Path
from dlexport.corpus import load_corpus
from dlexport.exporters.pdf import PdfExporter, PdfOptions
corpus = load_corpus(Path(sys.argv[1])).active()
exporter = PdfExporter(options=PdfOptions(layout="cheatsheet"))
parts, _ = exporter.plan(exporter.chapters(corpus))
for name, page in parts.items():
    (Path(sys.argv[2]) / f"{name}.html").write_text(page, encoding="utf-8")
"""


def measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one command in a fresh process."""
    with tempfile.NamedTemporaryFile("r") as stats:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-o", stats.name, "-f", "%M", *command],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        wall = time.perf_counter() - started
        return wall, int(stats.read().split()[-1]) / 1024


def bench(size: int, with_pdf: bool, work: Path) -> list[dict]:
    content = synthetic_corpus(work / f"corpus-{size}", size)
    py, dlexport = sys.executable, str(Path(sys.executable).parent / "dlexport")
    env = {"XDG_CACHE_HOME": str(work / "cache"), "PATH": "/usr/bin:/bin", "CI": "1"}
    rows = []

    def row(step: str, ours: list[str], bare: list[str] | None) -> None:
        ours_s, ours_mb = measure(ours, env)
        result = {"size": size, "step": step, "seconds": round(ours_s, 2), "peak_mb": round(ours_mb)}
        if bare:
            bare_s, bare_mb = measure(bare, env)
            result |= {"bare_seconds": round(bare_s, 2), "bare_peak_mb": round(bare_mb)}
            result["ratio"] = round(ours_s / bare_s, 2)
        rows.append(result)
        print(json.dumps(result), flush=True)

    out = work / f"out-{size}"
    row("load + validate", [dlexport, "validate", str(content)], [py, "-c", BARE_LOAD, str(content)])
    bare_apkg = str(work / "bare.apkg")
    build = [dlexport, "build", "--content", str(content), "--out", str(out)]
    row("anki", [*build, "-f", "anki"], [py, "-c", BARE_ANKI, str(content), bare_apkg])
    row("md", [*build, "-f", "md"], None)
    if with_pdf:
        pdf = [*build, "-f", "pdf", "--layout", "cheatsheet"]

        def afresh() -> None:  # lay out everything again; typeset math stays cached after the first run
            (out / ".dlexport-build.json").unlink(missing_ok=True)
            for layout in (work / "cache" / "dlexport" / "pdf").glob("*.pdf"):
                layout.unlink()

        afresh()
        row("pdf (cold math)", pdf, None)
        parts = work / f"parts-{size}"
        parts.mkdir()
        subprocess.run([py, "-c", DUMP_PDF, str(content), str(parts)], check=True, env=env)
        afresh()
        row("pdf, 2 jobs", [*pdf, "--jobs", "2"], None)
        afresh()
        row("pdf, 1 job", [*pdf, "--jobs", "1"], [py, "-c", BARE_PDF, str(parts), content.as_uri() + "/"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--pdf-sizes", type=int, nargs="*", default=[1000])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="dlexport-bench-") as tmp:
        for size in args.sizes:
            rows += bench(size, size in args.pdf_sizes, Path(tmp))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    machine = {
        "cpus": __import__("os").cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    (args.out / f"bench-{stamp}.json").write_text(
        json.dumps({"machine": machine, "rows": rows}, indent=1) + "\n"
    )
    print(f"\n{'size':>7} {'step':<18} {'seconds':>8} {'bare':>8} {'ratio':>6} {'peak MB':>8}")
    for r in rows:
        print(
            f"{r['size']:>7} {r['step']:<18} {r['seconds']:>8} {r.get('bare_seconds', ''):>8} "
            f"{r.get('ratio', ''):>6} {r['peak_mb']:>8}"
        )


if __name__ == "__main__":
    main()
