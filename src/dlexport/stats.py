"""Numbers about a corpus: entries per topic and difficulty, and how much of each seed list it answers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from dlexport.model import DIFFICULTIES, Corpus


@dataclass(frozen=True)
class SourceCoverage:
    key: str
    title: str
    questions: int | None  # None for open-ended keys such as `extra`
    cited: int  # distinct questions answered (or, for open-ended keys, entries citing the key)
    missing: tuple[int, ...] = ()


def coverage(corpus: Corpus) -> list[SourceCoverage]:
    live = list(corpus.published().active().entries())
    out = []
    for src in corpus.sources:
        refs = [r for e in live for r in e.sources if r.split("#")[0] == src.key]
        if src.questions is None:
            out.append(
                SourceCoverage(src.key, src.title, None, len({e.id for e in live if src.key in e.sources}))
            )
            continue
        numbers = {int(r.split("#")[1]) for r in refs if "#" in r}
        missing = tuple(n for n in range(1, src.questions + 1) if n not in numbers)
        out.append(SourceCoverage(src.key, src.title, src.questions, len(numbers), missing))
    return out


def table(corpus: Corpus) -> dict:
    """Everything `dlexport stats` shows, as plain data (also its --json output)."""
    by_topic = []
    for topic in corpus.topics:
        counts = Counter(e.difficulty for e in topic.entries if not (e.retired or e.draft))
        by_topic.append(
            {
                "topic": topic.id,
                "title": topic.title,
                "entries": sum(counts.values()),
                **{d: counts[d] for d in DIFFICULTIES},
            }
        )
    live = list(corpus.published().active().entries())
    cov = coverage(corpus)
    numbered = [c for c in cov if c.questions is not None]
    return {
        "entries": len(live),
        "retired": sum(1 for e in corpus.entries() if e.retired),
        "drafts": sum(1 for e in corpus.entries() if e.draft),
        "with_details": sum(1 for e in live if e.details),
        "with_cloze": sum(1 for e in live if e.cloze),
        "answered": sum(1 for e in live if e.answer.strip()),
        "unanswered": sum(1 for e in live if not e.answer.strip()),
        "topics": by_topic,
        "sources": [
            {
                "key": c.key,
                "title": c.title,
                "questions": c.questions,
                "covered": c.cited,
                "missing": [f"{c.key}#{n}" for n in c.missing],
            }
            for c in cov
        ],
        "seed_questions": sum(c.questions or 0 for c in numbered),
        "seed_covered": sum(c.cited for c in numbered),
    }
