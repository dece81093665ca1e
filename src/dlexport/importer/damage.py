"""The damage real question lists carry, found and (where it is safe) undone.

Lists copied from web pages lose their formatting: bold words fuse with their neighbours ("anartificial
neural network"), questions stop where a bold phrase was dropped ("What is a"), the same list is
pasted twice, numbers skip or restart. Nothing here guesses silently: each finding is reported, and
repairs are only offered when the corpus's own vocabulary supports them.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from dlexport.markup import prose

if TYPE_CHECKING:
    from dlexport.importer.parse import ImportedQuestion
    from dlexport.model import Corpus

# Known even without a corpus: the words a lost bold run most often fuses with a term.
_FUNCTION_WORDS = frozenset(
    "a an the of in on to for and or is are be by as at it its what how why do does with from".split()
)
# A question ending on one of these words was cut off ("What is the difference between").
_DANGLING = _FUNCTION_WORDS | frozenset(
    "was were which when where who whom whose like between than versus vs into about using use mean "
    "explain describe define compare their your this these those such via per".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
CODE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[`~]*[ \t]*$|`+[^`\n]*`+", re.M | re.S)  # fences, spans
_COMPOUND = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")


@dataclass(frozen=True)
class Vocabulary:
    """Word counts from the corpus: which spellings are real words, and how common each is."""

    counts: Counter[str]
    compounds: frozenset[str] = frozenset()  # "trade-off" as "tradeoff": a spelling, not a fusion

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Vocabulary:
        counts: Counter[str] = Counter()
        compounds: set[str] = set()
        for text in texts:
            counts.update(w.lower() for w in _WORD.findall(text))
            compounds.update(m.replace("-", "").lower() for m in _COMPOUND.findall(text))
        return cls(counts, frozenset(compounds))

    @classmethod
    @lru_cache(maxsize=1)  # lists imported one after another against one corpus: its words counted once
    def from_corpus(cls, corpus: Corpus | None) -> Vocabulary:
        if corpus is None:
            return cls(Counter())
        return cls.from_texts(
            _prose(part) for e in corpus.entries() for part in (e.question, e.answer, e.details or "")
        )

    def count(self, word: str) -> int:
        """How often `word` (or its singular/plural) occurs; function words always count."""
        w = word.lower()
        n = self.counts.get(w, 0) or self.counts.get(w + "s", 0)
        if not n and w.endswith("s") and len(w) > 4:
            n = self.counts.get(w[:-1], 0) or (self.counts.get(w[:-2], 0) if w.endswith("es") else 0)
        return n or (1 if w in _FUNCTION_WORDS else 0)

    @cached_property
    def total(self) -> int:
        return sum(self.counts.values()) + len(_FUNCTION_WORDS)

    def known(self, word: str) -> bool:
        return self.count(word) > 0

    def split(self, word: str) -> list[str] | None:
        """`word` as two or more known words (cheapest by word frequency), or None."""
        w = word.lower()
        if len(w) > 60:
            return None
        total = self.total
        best: list[tuple[float, list[str]] | None] = [None] * (len(w) + 1)
        best[0] = (0.0, [])
        for end in range(1, len(w) + 1):
            for start in range(max(0, end - 30), end):
                if best[start] is None:
                    continue
                piece = w[start:end]
                n = self.count(piece)
                # short pieces must be common words or acronyms: "can", "SGD" yes; "cap", "var" no
                short = len(piece) < 4 and n < 20 and not word[start:end].isupper()
                if not n or (piece not in _FUNCTION_WORDS and (short or len(piece) < 3 or n < 2)):
                    continue
                cost = best[start][0] + 1.0 + math.log(total / n)
                if best[end] is None or cost < best[end][0]:
                    best[end] = (cost, [*best[start][1], piece])
        found = best[len(w)]
        if found is None or len(found[1]) < 2:
            return None
        out, pos = [], 0
        for piece in found[1]:  # back to the original letter case
            out.append(word[pos : pos + len(piece)])
            pos += len(piece)
        return out


def _prose(markdown: str) -> str:
    """Markdown without math and code: `Var` in a formula or `np` in code is no English word."""
    return prose(CODE.sub(" ", markdown))


@dataclass(frozen=True)
class RunTogether:
    """Words that formatting loss fused together, and the repaired spelling when one is known."""

    word: str
    suggestion: str | None


_GLUED_PUNCT = re.compile(r"\S*\w[)\],;:?!](?=[^\W\d_])\S*")
_CAMEL = re.compile(r"([a-z]+)([A-Z][a-z]{2,}\w*)")
# "TensorFlow", "ConvNets": names, not fusions (but "ExplainRecurrent" starts with the question's verb).
_NAME = re.compile(r"(?:[A-Z][a-z]+){2,}")
_VERBS = frozenset(
    "what how why when which explain describe define compare discuss give list name state".split()
)


def run_together(text: str, vocab: Vocabulary) -> list[RunTogether]:
    """Suspicious fused words in `text`, each with a suggested spelling if the vocabulary has one."""
    found: list[RunTogether] = []
    for m in _GLUED_PUNCT.finditer(text):
        if "://" in m.group() or re.search(r"\w\.\w", m.group()):
            continue  # URLs and dotted names ("model.fit")
        fixed = re.sub(r"(?<=\w)([)\],;:?!])(?=[^\W\d_])", r"\1 ", m.group())
        found.append(RunTogether(m.group(), fixed))
    for m in _WORD.finditer(text):
        word = m.group()
        if len(word) < 5 or vocab.known(word) or word.lower() in vocab.compounds:
            continue
        if _NAME.fullmatch(word) and re.match(r"[A-Z][a-z]+", word).group().lower() not in _VERBS:
            continue
        parts = vocab.split(word)
        if parts is None and (camel := _CAMEL.fullmatch(word)) and camel[1].lower() in _FUNCTION_WORDS:
            parts = [camel[1], camel[2]]
        if parts is not None:
            found.append(RunTogether(word, " ".join(parts)))
    return found


def repair(text: str, words: Sequence[RunTogether]) -> str:
    """`text` with every suggested spelling applied."""
    for w in words:
        if w.suggestion:
            text = re.sub(rf"(?<!\w){re.escape(w.word)}(?!\w)", lambda _m, s=w.suggestion: s, text)
    return text


def incomplete(text: str) -> bool:
    """True when a question was visibly cut off: empty, open bracket, trailing colon or dangling word."""
    t = text.strip()
    if not t:
        return True
    if t.count("(") > t.count(")") or t.count("[") > t.count("]"):
        return True
    if t[-1] in ":,;-–(/&":
        return True
    if t[-1] in "?.!)\"'”’`":
        return False
    words = _WORD.findall(t)
    return not words or words[-1].lower() in _DANGLING


# --- Numbering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Repeat:
    """A run of questions that repeats an earlier run of the same file (imported once)."""

    first: tuple[int, int]  # lines of the first copy
    again: tuple[int, int]  # lines of the repeat
    questions: int


@dataclass(frozen=True)
class Numbering:
    gaps: tuple[int, ...] = ()  # numbers missing inside a run
    restarts: tuple[int, ...] = ()  # lines where the numbering starts again (not a repeat)
    repeats: tuple[Repeat, ...] = ()


def _runs(questions: Sequence[ImportedQuestion]) -> list[list[ImportedQuestion]]:
    runs: list[list[ImportedQuestion]] = []
    for q in questions:
        numbered = "unnumbered" not in q.flags
        if not runs or (numbered and runs[-1] and q.number <= runs[-1][-1].number):
            runs.append([])
        runs[-1].append(q)
    return runs


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _same_question(a: ImportedQuestion, b: ImportedQuestion) -> bool:
    x, y = _key(a.text), _key(b.text)
    return not x or not y or x.startswith(y) or y.startswith(x) or fuzz.ratio(x, y) >= 90


def _is_repeat(first: list[ImportedQuestion], again: list[ImportedQuestion]) -> bool:
    by_number = {q.number: q for q in first}
    shared = [(by_number[q.number], q) for q in again if q.number in by_number]
    if len(shared) < max(2, len(again) // 2):
        return False
    return sum(_same_question(a, b) for a, b in shared) >= 0.8 * len(shared)


def _better(a: ImportedQuestion, b: ImportedQuestion) -> ImportedQuestion:
    """The copy to keep: a complete question over a cut one; a copy that adds to the other's text."""
    if a.incomplete != b.incomplete:
        keep = b if a.incomplete else a
    elif _key(b.text).startswith(_key(a.text)) and len(b.text) > len(a.text):
        keep = b
    else:
        keep = a
    other = b if keep is a else a
    return keep if keep.answer or not other.answer else replace(keep, answer=other.answer)


def check_numbering(questions: Sequence[ImportedQuestion]) -> tuple[list[ImportedQuestion], Numbering]:
    """Merge repeated copies of the list, then report numbering gaps and restarts."""
    kept: list[list[ImportedQuestion]] = []
    repeats: list[Repeat] = []
    restarts: list[int] = []
    for run in _runs(questions):
        target = next((k for k in kept if _is_repeat(k, run)), None)
        if target is None:
            if kept:
                restarts.append(run[0].line)
            kept.append(run)
            continue
        repeats.append(Repeat((target[0].line, target[-1].line), (run[0].line, run[-1].line), len(run)))
        merged = {q.number: q for q in target}
        for q in run:
            merged[q.number] = _better(merged[q.number], q) if q.number in merged else q
        target[:] = sorted(merged.values(), key=lambda q: q.number)
    gaps: list[int] = []
    for run in kept:
        numbers = [q.number for q in run if "unnumbered" not in q.flags]
        for prev, nxt in itertools.pairwise(numbers):
            gaps.extend(range(prev + 1, nxt))
    return [q for run in kept for q in run], Numbering(tuple(gaps), tuple(restarts), tuple(repeats))
