"""`make bench`: dlexport against the bare libraries on seeded synthetic corpora, side by side in one run.

    python benchmarks/bench.py [--sizes 1000 10000 50000] [--pdf-sizes 1000] [--pdf-once-sizes]
                               [--runs 3] [--out DIR]

For each size it times, each step in a fresh process as a first build (no outputs, no ledger, empty
caches unless said), the median of --runs runs side by side with its baseline (wall time; peak memory,
workers included, the largest of the runs):
  load + validate   `dlexport validate`            vs a bare `yaml.load(..., CSafeLoader)` of the same files
                                                   and the floor: that, with markdown-it parsing each
                                                   Markdown field, the files spread over every CPU
  ..., warm         the same with the validation cache of the run before
  anki              `dlexport build -f anki`        vs a bare YAML + genanki script writing the same notes
                                                   and the floor: that, with the question and answer
                                                   rendered (markdown-it, Pygments, nh3) on every CPU
  ..., warm         the same with the validation and rendering caches of the run before
  md                `dlexport build -f md`
  ..., warm         the same with the validation, rendering and page caches of the run before
  pdf               `dlexport build -f pdf --layout cheatsheet` once with a cold math cache, then with
                    typeset math cached on 2 workers and on 1, the last vs bare WeasyPrint writing the same
                    HTML parts one after the other (--pdf-sizes only: 50,000 entries take an hour for all
                    three; --pdf-once-sizes lays them out once, cold, on 2 workers; 50,000 take 20 minutes)
and prints the ratios, then writes the table as JSON under benchmarks/results/. A floor is the least the
libraries themselves take for the Markdown work a step cannot skip, on this machine: dlexport's own cost
is its time over the floor.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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

# The note type and deck both Anki baselines write their notes to.
DECK = """
model = genanki.Model(1607392319, "Simple", fields=[{"name": "Question"}, {"name": "Answer"}],
    templates=[{"name": "Card 1", "qfmt": "{{Question}}", "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}"}])
deck = genanki.Deck(2059400110, "Bench")
"""

BARE_ANKI = (
    """
import sys, yaml, genanki
from pathlib import Path
"""
    + DECK
    + """for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    if not isinstance(doc, dict) or "entries" not in doc:
        continue
    for e in doc["entries"]:
        deck.add_note(genanki.Note(model=model, fields=[e["question"], e["answer"]],
                                   guid=genanki.guid_for("bench", e["id"])))
genanki.Package(deck).write_to_file(sys.argv[2])
"""
)

# The parser dlexport configures (CommonMark, raw HTML, tables, strikethrough, dollar math), with `options`.
MARKDOWN_IT = """
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
md = MarkdownIt("commonmark", {"html": True, **options}).enable(["table", "strikethrough"])
md.use(dollarmath_plugin)
"""

# The floors: the same bare scripts plus the Markdown work the step cannot skip, in a pool of forked
# workers, a topic file at a time (as dlexport spreads its own work).
FLOOR_LOAD = (
    """
import os, sys, yaml
from multiprocessing import get_context
from pathlib import Path
options = {}
"""
    + MARKDOWN_IT
    + """def check(path):
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    for e in doc.get("entries", []) if isinstance(doc, dict) else []:
        for name in ("question", "answer", "details", "cloze"):
            if name in e:
                md.parse(e[name])
with get_context("fork").Pool(len(os.sched_getaffinity(0))) as pool:
    pool.map(check, sorted(Path(sys.argv[1]).glob("*.yaml")), chunksize=1)
"""
)

FLOOR_ANKI = (
    """
import os, sys, yaml, genanki, nh3
from multiprocessing import get_context
from pathlib import Path
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
formatter = HtmlFormatter(noclasses=True)
def code(text, language, attrs):
    return highlight(text, get_lexer_by_name(language or "text"), formatter)
options = {"highlight": code}
"""
    + MARKDOWN_IT
    + """def rendered(path):
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    entries = doc.get("entries", []) if isinstance(doc, dict) else []
    return [(e["id"], *(nh3.clean(md.render(e[name])) for name in ("question", "answer"))) for e in entries]
"""
    + DECK
    + """with get_context("fork").Pool(len(os.sched_getaffinity(0))) as pool:
    for notes in pool.imap(rendered, sorted(Path(sys.argv[1]).glob("*.yaml"))):
        for entry_id, question, answer in notes:
            guid = genanki.guid_for("bench", entry_id)
            deck.add_note(genanki.Note(model=model, fields=[question, answer], guid=guid))
genanki.Package(deck).write_to_file(sys.argv[2])
"""
)

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
from dlexport.mathsvg import SvgMath, math_folder
corpus = load_corpus(Path(sys.argv[1])).active()
exporter = PdfExporter(options=PdfOptions(layout="cheatsheet"))
with SvgMath(print, math_folder(corpus.root)) as math:  # its formula files outlive this script
    parts, _ = exporter.plan(exporter.chapters(corpus, math))
for name, page in parts.items():
    (Path(sys.argv[2]) / f"{name}.html").write_text(page, encoding="utf-8")
"""


def measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one command in a fresh process: the larger of GNU time's
    figure (its largest process) and the sum over the process tree, workers included, sampled every
    20 ms (pages the workers share with the build are counted in each)."""
    done = threading.Event()
    peak = [0]

    def sample(pid: int) -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_kb(pid))

    with tempfile.NamedTemporaryFile("r") as stats:
        started = time.perf_counter()
        proc = subprocess.Popen(
            ["/usr/bin/time", "-o", stats.name, "-f", "%M", *command], stdout=subprocess.DEVNULL, env=env
        )
        sampler = threading.Thread(target=sample, args=(proc.pid,))
        sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        if returncode:
            raise subprocess.CalledProcessError(returncode, command)
        return wall, max(peak[0], int(stats.read().split()[-1])) / 1024


def _tree_kb(pid: int) -> int:
    """Resident kB of a process and all its descendants, read from /proc."""
    total, todo = 0, [pid]
    while todo:
        process = todo.pop()
        with contextlib.suppress(OSError, ValueError):
            status = Path(f"/proc/{process}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0]) if "VmRSS:" in status else 0
            for task in Path(f"/proc/{process}/task").iterdir():
                todo += map(int, (task / "children").read_text().split())
    return total


def bench(size: int, pdf_steps: str, work: Path, runs: int) -> list[dict]:
    content = synthetic_corpus(work / f"corpus-{size}", size)
    py, dlexport = sys.executable, str(Path(sys.executable).parent / "dlexport")
    cache = work / "cache" / "dlexport"
    env = {"XDG_CACHE_HOME": str(cache.parent), "PATH": "/usr/bin:/bin", "CI": "1"}
    out = work / f"out-{size}"
    rows = []

    def afresh(keep: tuple[str, ...]) -> None:
        """Each run a first build: no outputs, no Anki ledger, no cache but those matching `keep`."""
        shutil.rmtree(out, ignore_errors=True)
        (content / "anki-ledger.json").unlink(missing_ok=True)
        for kept in cache.glob("*") if cache.is_dir() else []:
            if not any(fnmatch.fnmatch(kept.name, pattern) for pattern in keep):
                shutil.rmtree(kept) if kept.is_dir() else kept.unlink()

    def row(
        step: str,
        ours: list[str],
        bare: list[str] | None,
        keep: tuple[str, ...] = (),
        n: int = runs,
        floor: list[str] | None = None,
    ) -> None:
        """The median of `n` runs of ours, the bare baseline and the floor, side by side; the largest peak."""
        timed: dict[str, list[tuple[float, float]]] = {"": [], "bare_": [], "floor_": []}
        for _ in range(n):
            for prefix, command in (("", ours), ("bare_", bare), ("floor_", floor)):
                if command:
                    afresh(keep)
                    timed[prefix].append(measure(command, env))
        result: dict = {"size": size, "step": step}
        for prefix, runs_of in timed.items():
            if runs_of:
                result[f"{prefix}seconds"] = round(statistics.median(s for s, _ in runs_of), 2)
                result[f"{prefix}peak_mb"] = round(max(mb for _, mb in runs_of))
        seconds = statistics.median(s for s, _ in timed[""])
        for prefix in ("bare_", "floor_"):
            if timed[prefix]:
                name = "ratio" if prefix == "bare_" else "floor_ratio"
                result[name] = round(seconds / statistics.median(s for s, _ in timed[prefix]), 2)
        rows.append(result)
        print(json.dumps(result), flush=True)

    bare_load = [py, "-c", BARE_LOAD, str(content)]
    floor_load = [py, "-c", FLOOR_LOAD, str(content)]
    row("load + validate", [dlexport, "validate", str(content)], bare_load, floor=floor_load)
    row("load + validate, warm", [dlexport, "validate", str(content)], bare_load, keep=("checked",))
    build = [dlexport, "build", "--content", str(content), "--out", str(out)]
    bare_anki = [py, "-c", BARE_ANKI, str(content), str(work / "bare.apkg")]
    floor_anki = [py, "-c", FLOOR_ANKI, str(content), str(work / "floor.apkg")]
    row("anki", [*build, "-f", "anki"], bare_anki, floor=floor_anki)
    row("anki, warm", [*build, "-f", "anki"], bare_anki, keep=("checked", "views"))
    row("md", [*build, "-f", "md"], None)
    row("md, warm", [*build, "-f", "md"], None, keep=("checked", "views", "md"))
    if pdf_steps:
        pdf = [*build, "-f", "pdf", "--layout", "cheatsheet"]
        row("pdf (cold math)", pdf, None, n=1)
    if pdf_steps == "all":
        parts = work / f"parts-{size}"
        parts.mkdir()
        subprocess.run([py, "-c", DUMP_PDF, str(content), str(parts)], check=True, env=env)
        bare_pdf = [py, "-c", BARE_PDF, str(parts), content.as_uri() + "/"]
        row("pdf, 2 jobs", [*pdf, "--jobs", "2"], None, keep=("math-*",), n=1)
        row("pdf, 1 job", [*pdf, "--jobs", "1"], bare_pdf, keep=("math-*",), n=1)
    return rows


def _cpu_model() -> str:
    """The processor's name, as Linux gives it ("" elsewhere)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--pdf-sizes", type=int, nargs="*", default=[1000])
    parser.add_argument(
        "--pdf-once-sizes", type=int, nargs="*", default=[], help="sizes laid out once only, cold"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each step but the PDF (median)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="dlexport-bench-") as tmp:
        for size in args.sizes:
            steps = "all" if size in args.pdf_sizes else "once" if size in args.pdf_once_sizes else ""
            rows += bench(size, steps, Path(tmp), args.runs)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    machine = {
        "cpu": _cpu_model(),
        "cpus": __import__("os").cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    (args.out / f"bench-{stamp}.json").write_text(
        json.dumps({"machine": machine, "rows": rows}, indent=1) + "\n"
    )
    print(
        f"\n{'size':>7} {'step':<22} {'seconds':>8} {'bare':>8} {'ratio':>6} {'floor':>8} {'ratio':>6}"
        f" {'peak MB':>8}"
    )
    for r in rows:
        print(
            f"{r['size']:>7} {r['step']:<22} {r['seconds']:>8} {r.get('bare_seconds', ''):>8} "
            f"{r.get('ratio', ''):>6} {r.get('floor_seconds', ''):>8} {r.get('floor_ratio', ''):>6}"
            f" {r['peak_mb']:>8}"
        )


if __name__ == "__main__":
    main()
