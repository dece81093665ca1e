"""Measure the duplicate thresholds of `dlexport import` on the seed lists against the shipped corpus.

    python benchmarks/import_thresholds.py [--seeds DIR] [--content DIR] [--scorers]

Every seed question `key#n` is imported as if its list were new (citations ignored: only the wording
counts). Its true matches are the corpus entries whose `sources` contain `key#n`.

Against the corpus, per threshold T (the draft is marked `duplicate_of` its best entry when the score >= T):
  precision   share of marked questions whose best entry is a true match
  recall      share of all seed questions marked with a true match
  new->dup    held out: the question's true entries removed from the corpus, so it is new; the share
              still marked as a duplicate of something else (false duplicates of genuinely new questions)
  balanced    (recall + 1 - new->dup) / 2: right decisions when half the imported questions are new

Within one import (each list against the lists imported before it, in README order), a question is a
true duplicate of an earlier one when some entry cites both:
  precision   share of marked pairs that share an entry
  recall      share of questions that have such an earlier partner and are marked with one
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dlexport.corpus import load_corpus  # noqa: E402
from dlexport.importer import dedupe  # noqa: E402
from dlexport.importer.damage import Vocabulary, check_numbering, repair, run_together  # noqa: E402
from dlexport.importer.parse import parse_list, read_list  # noqa: E402

SEEDS = {  # key: file, in the order of the seeds' README
    "dl41": "000_2d231d6a91618aaa.txt",
    "dl50": "001_f3fde470be0e7682.txt",
    "dl100": "002_99bbd0092cce3192.txt",
    "nn46": "003_5a5001ca7f676e37.txt",
    "dl83": "004_bddd461d5ee39213.txt",
}
THRESHOLDS = range(50, 101, 5)
SCORERS = {
    "token_set_ratio": fuzz.token_set_ratio,
    "token_sort_ratio": fuzz.token_sort_ratio,
    "token_ratio": fuzz.token_ratio,
    "WRatio": fuzz.WRatio,
    "ratio": fuzz.ratio,
    "partial_token_sort_ratio": fuzz.partial_token_sort_ratio,
}


def seed_questions(seeds: Path, vocab: Vocabulary) -> list[tuple[str, str]]:
    """[(key#n, question as the importer reads and repairs it)] for every seed list."""
    out = []
    for key, name in SEEDS.items():
        questions, _ = check_numbering(parse_list(read_list(seeds / name), vocab).questions)
        out += [(f"{key}#{q.number}", repair(q.text, run_together(q.text, vocab))) for q in questions]
    return out


def corpus_rows(questions, entries, truth, scorer) -> list[tuple[float, bool, float]]:
    """Per question: best score, whether the best entry is a true match, best score among false entries."""
    texts = [dedupe.comparable(e.question) for e in entries]
    rows = []
    for ref, text in questions:
        scores = [0.0] * len(entries)
        for _, value, i in process.extract(dedupe.comparable(text), texts, scorer=scorer, limit=None):
            scores[i] = value
        best = max(range(len(entries)), key=scores.__getitem__)
        false_best = max((s for i, s in enumerate(scores) if i not in truth[ref]), default=0.0)
        rows.append((scores[best], best in truth[ref], false_best))
    return rows


def corpus_table(rows) -> list[tuple[int, int, float, float, float]]:
    out = []
    for t in THRESHOLDS:
        marked = [ok for score, ok, _ in rows if score >= t]
        tp = sum(marked)
        out.append(
            (
                t,
                len(marked),
                tp / len(marked) if marked else 1.0,
                tp / len(rows),
                sum(f >= t for *_, f in rows) / len(rows),
            )
        )
    return out


def import_rows(questions, truth, scorer) -> list[tuple[float, bool, bool]]:
    """Per question of a later list: best score against earlier lists, right partner?, has a partner?"""
    rows = []
    for i, (ref, text) in enumerate(questions):
        key = ref.split("#")[0]
        earlier = [(r, dedupe.comparable(t)) for r, t in questions[:i] if r.split("#")[0] != key]
        if not earlier or list(SEEDS).index(key) == 0:
            continue
        found = process.extractOne(dedupe.comparable(text), [t for _, t in earlier], scorer=scorer)
        partner = earlier[found[2]][0]
        has = any(truth[ref] & truth[r] for r, _ in earlier)
        rows.append((found[1], bool(truth[ref] & truth[partner]), has))
    return rows


def import_table(rows) -> list[tuple[int, int, float, float]]:
    out = []
    positives = sum(has for *_, has in rows)
    for t in THRESHOLDS:
        marked = [ok for score, ok, _ in rows if score >= t]
        tp = sum(marked)
        out.append((t, len(marked), tp / len(marked) if marked else 1.0, tp / positives))
    return out


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--content", type=Path, default=ROOT / "content")
    ap.add_argument("--scorers", action="store_true", help="also compare rapidfuzz scorers")
    args = ap.parse_args()

    corpus = load_corpus(args.content)
    entries = list(corpus.active().entries())
    truth: dict[str, set[int]] = defaultdict(set)
    for i, e in enumerate(entries):
        for ref in e.sources:
            truth[ref].add(i)
    questions = seed_questions(args.seeds, Vocabulary.from_corpus(corpus))
    name = dedupe.SCORER.__name__
    print(f"{len(questions)} seed questions, {len(entries)} corpus entries; scorer {name} on comparable()")

    rows = corpus_rows(questions, entries, truth, dedupe.SCORER)
    print(
        f"\nAgainst the corpus (top-1 right for {sum(ok for _, ok, _ in rows) / len(rows):.1%} of questions)"
    )
    print(f"{'T':>4} {'marked':>7} {'precision':>10} {'recall':>7} {'F1':>6} {'new->dup':>9} {'balanced':>9}")
    for t, n, p, r, fp in corpus_table(rows):
        print(f"{t:>4} {n:>7} {p:>10.3f} {r:>7.3f} {f1(p, r):>6.3f} {fp:>9.3f} {(r + 1 - fp) / 2:>9.3f}")

    rows_i = import_rows(questions, truth, dedupe.IMPORT_SCORER)
    positives = sum(has for *_, has in rows_i)
    print(
        f"\nWithin one import, scorer {dedupe.IMPORT_SCORER.__name__} "
        f"({len(rows_i)} questions of later lists, {positives} with an earlier partner)"
    )
    print(f"{'T':>4} {'marked':>7} {'precision':>10} {'recall':>7} {'F1':>6}")
    for t, n, p, r in import_table(rows_i):
        print(f"{t:>4} {n:>7} {p:>10.3f} {r:>7.3f} {f1(p, r):>6.3f}")

    print(
        f"\nDefaults: duplicate {dedupe.DUPLICATE_SCORE:g}, review {dedupe.REVIEW_SCORE:g}, "
        f"import {dedupe.IMPORT_SCORE:g}"
    )
    if args.scorers:
        print("\nScorers compared (corpus: best F1; import: best precision with recall >= 0.1)")
        head = ("top-1", "F1", "at T", "new->dup", "import P", "R", "at T")
        print(
            f"{'scorer':<26} "
            + " ".join(f"{h:>{w}}" for h, w in zip(head, (6, 6, 5, 9, 9, 6, 5), strict=True))
        )
        for sname, scorer in SCORERS.items():
            rows = corpus_rows(questions, entries, truth, scorer)
            top1 = sum(ok for _, ok, _ in rows) / len(rows)
            best = max(corpus_table(rows), key=lambda row: f1(row[2], row[3]))
            usable = [row for row in import_table(import_rows(questions, truth, scorer)) if row[3] >= 0.1]
            imp = max(usable, key=lambda row: (row[2], row[3]))
            print(
                f"{sname:<26} {top1:>6.3f} {f1(best[2], best[3]):>6.3f} {best[0]:>5} {best[4]:>9.3f} "
                f"{imp[2]:>9.3f} {imp[3]:>6.3f} {imp[0]:>5}"
            )


if __name__ == "__main__":
    main()
