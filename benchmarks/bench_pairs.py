"""Repeat bench.py's load and Anki pairs, each pair side by side, and report the median ratio.

    python benchmarks/bench_pairs.py [--sizes 1000 10000] [--runs 3] [--memory-size 50000]

For each size and run, in fresh processes (wall time and peak memory from GNU time):
  validate, cold     `dlexport validate` with an empty cache      vs bare CSafeLoader load
  validate, warm     `dlexport validate` again (files kept)       vs bare CSafeLoader load
  anki               `dlexport build -f anki` into an empty folder, without a ledger, after the
                     validation above (as in bench.py)             vs bare YAML + genanki
  anki, cold         the same with an empty cache                  vs bare YAML + genanki
The dlexport under test is the one `import dlexport` finds (set PYTHONPATH to try a working tree).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import BARE_ANKI, BARE_LOAD, measure  # noqa: E402
from bench_pdf import synthetic_corpus  # noqa: E402


def pairs(size: int, runs: int, work: Path) -> dict[str, list[tuple[float, float, float]]]:
    """(ours, bare, our peak MB) per step, one tuple per run."""
    content = synthetic_corpus(work / f"corpus-{size}", size)
    py = sys.executable
    dlexport = [py, "-m", "dlexport"]
    results: dict[str, list[tuple[float, float, float]]] = {}

    def pair(step: str, ours: list[str], bare: list[str], env: dict[str, str]) -> None:
        ours_s, ours_mb = measure(ours, env)
        bare_s, _ = measure(bare, env)
        results.setdefault(step, []).append((ours_s, bare_s, ours_mb))

    for run in range(runs):
        cache = work / f"cache-{size}-{run}"
        env = {
            "XDG_CACHE_HOME": str(cache),
            "PATH": "/usr/bin:/bin",
            "CI": "1",
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        }
        validate = [*dlexport, "validate", str(content)]
        load = [py, "-c", BARE_LOAD, str(content)]
        pair("validate, cold", validate, load, env)
        pair("validate, warm", validate, load, env)
        anki = [*dlexport, "build", "--content", str(content), "-f", "anki", "--out"]
        genanki = [py, "-c", BARE_ANKI, str(content), str(work / "bare.apkg")]
        for step, fresh in (("anki", False), ("anki, cold", True)):
            if fresh:
                shutil.rmtree(cache, ignore_errors=True)
            (content / "anki-ledger.json").unlink(missing_ok=True)
            out = work / f"out-{size}-{run}-{step}"
            pair(step, [*anki, str(out)], genanki, env)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-size", type=int, default=0, help="one more run at this size")
    args = parser.parse_args()
    print(f"{'size':>7} {'step':<16} {'ours':>6} {'bare':>6} {'ratio':>6} {'ratios':<20} {'peak MB':>8}")
    with tempfile.TemporaryDirectory(prefix="dlexport-pairs-") as tmp:
        todo = [(size, args.runs) for size in args.sizes]
        if args.memory_size:
            todo.append((args.memory_size, 1))
        for size, runs in todo:
            for step, rows in pairs(size, runs, Path(tmp)).items():
                ratios = [ours / bare for ours, bare, _ in rows]
                ours = statistics.median(r[0] for r in rows)
                bare = statistics.median(r[1] for r in rows)
                peak = max(r[2] for r in rows)
                listed = " ".join(f"{r:.2f}" for r in ratios)
                print(
                    f"{size:>7} {step:<16} {ours:>6.2f} {bare:>6.2f} {statistics.median(ratios):>6.2f} "
                    f"{listed:<20} {peak:>8.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
