"""Likely duplicates: each imported question against the corpus, then against the rest of the import.

Questions are compared by their content words (question words, articles and the like dropped, British
spellings folded) with a rapidfuzz scorer; scores run from 0 to 100. An entry whose `sources` already
name the imported question (re-importing a known list) is a duplicate whatever the wording.
The thresholds were chosen by measuring precision and recall on the seed lists: see
benchmarks/import_thresholds.py.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from dlexport.model import Entry

# Against the corpus: token_set_ratio forgives a list question that bundles more asks than the entry
# (or the reverse), and put the right entry first for 85% of the seed questions.
SCORER = fuzz.token_set_ratio
DUPLICATE_SCORE = 85.0  # mark the draft `duplicate_of` the best entry: precision 0.92, recall 0.61
REVIEW_SCORE = 70.0  # report the best entry as a possible duplicate: precision 0.87, recall 0.79
# Within an import both sides are raw list questions, and "What is LSTM?" is no duplicate of "How will
# you build an LSTM model in Keras?": the symmetric token_sort_ratio keeps such pairs apart.
IMPORT_SCORER = fuzz.token_sort_ratio
IMPORT_SCORE = 75.0  # precision 0.92 (recall 0.19: most repeats are caught against the corpus first)

_STOP = frozenset(
    "a an the of to in on for and or is are was were be been being what which how why when where who whom do "
    "does did can could should would will you your we our us it its this that these those there their them "
    "they with by as at from into about explain describe define give discuss list mention name state tell "
    "various main some any also between way ways".split()
)


def comparable(text: str) -> str:
    """The words that carry a question's meaning, in one spelling: what the scorer compares."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    words = [re.sub(r"(?<=[a-z]{3})is(ation|ations|e|es|ed|ing|er|ers)$", r"iz\1", w) for w in words]
    kept = [w for w in words if w not in _STOP]
    return " ".join(kept or words)


@dataclass(frozen=True)
class Match:
    id: str  # a corpus entry, or a draft of the same import
    score: float  # 0-100
    how: str  # "cites": the entry names this very question in `sources`; "text"; "import"


class CorpusIndex:
    """The corpus entries' questions, ready to compare, and which entry answers which seed question."""

    def __init__(self, entries: Iterable[Entry]):
        entries = list(entries)
        self.ids = [e.id for e in entries]
        self.texts = [comparable(e.question) for e in entries]
        self.citing: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(entries):
            for ref in e.sources:
                self.citing[ref].append(i)

    def best(self, question: str, ref: str | None = None) -> Match | None:
        """The most similar entry; an entry citing `ref` (e.g. "dl83#4") wins outright."""
        text = comparable(question)
        if ref and (citing := self.citing.get(ref)):
            i = max(citing, key=lambda k: SCORER(text, self.texts[k]))
            return Match(self.ids[i], round(SCORER(text, self.texts[i]), 1), "cites")
        found = process.extractOne(text, self.texts, scorer=SCORER)
        return Match(self.ids[found[2]], round(found[1], 1), "text") if found else None


class ImportIndex:
    """Questions already taken from this import, each with the id a duplicate of it should point to."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.ids: list[str] = []

    def best(self, question: str) -> Match | None:
        found = process.extractOne(comparable(question), self.texts, scorer=IMPORT_SCORER)
        return Match(self.ids[found[2]], round(found[1], 1), "import") if found else None

    def add(self, question: str, target_id: str) -> None:
        self.texts.append(comparable(question))
        self.ids.append(target_id)
