"""Generate every corpus figure as deterministic SVG into content/images/.

Usage: python figures/make_figures.py [OUT_DIR] [NAME ...]

Each chapter module registers its figures with `figstyle.figure`; data are generated from fixed seeds, nothing
is downloaded, and two runs give byte-identical files (fixed hash salt, no dates, text as paths).
"""

from __future__ import annotations

import itertools
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import fig_activations  # noqa: E402, F401  (modules register their figures on import)
import fig_cnn  # noqa: E402, F401
import fig_evaluation  # noqa: E402, F401
import fig_foundations  # noqa: E402, F401
import fig_generative  # noqa: E402, F401
import fig_optimization  # noqa: E402, F401
import fig_other  # noqa: E402, F401
import fig_regularization  # noqa: E402, F401
import fig_sequence  # noqa: E402, F401
import fig_transformers  # noqa: E402, F401
from figstyle import FIGURES, render  # noqa: E402

from dlexport.output import cpus  # noqa: E402

DEFAULT_OUT = HERE.parent / "content" / "images"


def names() -> list[str]:
    return sorted(FIGURES)


def generate(out_dir: Path = DEFAULT_OUT, only: list[str] | None = None) -> list[Path]:
    """Write the figures (all, or those named in `only`) into out_dir and return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    unknown = sorted(set(only or []) - set(FIGURES))
    if unknown:
        raise SystemExit(f"unknown figure(s): {', '.join(unknown)}")
    todo = only or names()
    # Each figure on its own, side by side: matplotlib is single-threaded.
    # Forked, so that the workers have the figures this process registered (spawned ones would not).
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(min(len(todo), cpus()), mp_context=fork) as pool:
        return list(pool.map(render, todo, itertools.repeat(out_dir)))


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    for path in generate(out, argv[1:] or None):
        print(f"{path}  {path.stat().st_size / 1024:.1f} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
