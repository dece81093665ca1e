"""`dlexport import`: question lists in Markdown or plain text become draft corpus entries and a report.

    result = import_lists([Path("list.md")], "dl83", corpus, topic="imported")
    print_report(result, console)          # or json.dumps(result.json())
    result.write(Path("content/drafts-dl83.yaml"))

Nothing is written until `write`, and it never replaces a file. Every question becomes a draft
(`status: draft`); one that repeats a corpus entry, or an earlier question of the same import, gets
`duplicate_of: <id>` instead of standing as a new question, and one that was cut off gets `incomplete`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dlexport.corpus import ID, SOURCE_REF
from dlexport.errors import ConfigError, CorpusError, Problem
from dlexport.importer.damage import Numbering, RunTogether, Vocabulary, check_numbering, repair, run_together
from dlexport.importer.dedupe import (
    DUPLICATE_SCORE,
    IMPORT_SCORE,
    REVIEW_SCORE,
    CorpusIndex,
    ImportIndex,
    Match,
)
from dlexport.importer.draft import DraftEntry, free_path, make_id, render, write_new
from dlexport.importer.parse import MAX_BYTES, ImportedQuestion, TooManyQuestions, parse_list, read_list
from dlexport.model import DIFFICULTIES, Corpus

__all__ = [
    "PLACEHOLDER_TOPIC",
    "Draft",
    "FileReport",
    "ImportOptions",
    "ImportResult",
    "ImportedQuestion",
    "Match",
    "default_out",
    "import_lists",
]

PLACEHOLDER_TOPIC = "imported"  # the topic drafts get when the caller names none
MAX_QUESTIONS = 2000
CITED_SCORE = 60.0  # below this median, cited matches suggest the key names another list


@dataclass(frozen=True)
class ImportOptions:
    duplicate_score: float = DUPLICATE_SCORE  # at or above: the draft is `duplicate_of` the corpus entry
    review_score: float = (
        REVIEW_SCORE  # at or above (below duplicate_score): reported as a possible duplicate
    )
    import_score: float = IMPORT_SCORE  # at or above: duplicate of an earlier question of the same import
    use_citations: bool = True  # an entry whose `sources` name KEY#N is that question's duplicate
    max_bytes: int = MAX_BYTES  # larger files are refused
    max_questions: int = MAX_QUESTIONS  # more in one import is refused (comparing them all is quadratic)
    difficulty: str = "intermediate"
    reserved_ids: frozenset[str] = frozenset()  # ids that must not be reused (e.g. the Anki ledger's)


@dataclass(frozen=True)
class Draft:
    """One imported question on its way to becoming an entry."""

    id: str
    question: ImportedQuestion
    path: Path
    source: str  # "dl83#4"
    duplicate: Match | None = None  # likely duplicate: written as `duplicate_of`
    possible: Match | None = None  # similar, below the duplicate threshold: reported only
    run_together: tuple[RunTogether, ...] = ()

    @property
    def incomplete(self) -> bool:
        return self.question.incomplete

    @property
    def suggestion(self) -> str | None:
        """The question with fused words split, when that changes it."""
        fixed = repair(self.question.text, self.run_together)
        return fixed if fixed != self.question.text else None


@dataclass(frozen=True)
class FileReport:
    path: Path
    title: str | None
    drafts: tuple[Draft, ...]
    numbering: Numbering = field(default_factory=Numbering)

    @property
    def found(self) -> int:
        return len(self.drafts)

    @property
    def answered(self) -> int:
        return sum(bool(d.question.answer) for d in self.drafts)

    @property
    def duplicates(self) -> int:
        return sum(d.duplicate is not None for d in self.drafts)

    @property
    def incomplete(self) -> int:
        return sum(d.incomplete for d in self.drafts)

    @property
    def suspicious(self) -> int:
        """Findings to look at: questions with fused words, gaps, restarts, repeated lists."""
        n = self.numbering
        return sum(bool(d.run_together) for d in self.drafts) + len(n.gaps) + len(n.restarts) + len(n.repeats)


@dataclass(frozen=True)
class ImportResult:
    source_key: str
    topic: str
    files: tuple[FileReport, ...]
    difficulty: str = "intermediate"
    notes: tuple[str, ...] = ()  # things to fix before the drafts load (e.g. an undeclared source key)

    @property
    def drafts(self) -> list[Draft]:
        return [d for f in self.files for d in f.drafts]

    def suggested_source(self) -> dict[str, Any]:
        """The sources.yaml entry this import needs if its key is new."""
        title = next((f.title for f in self.files if f.title), None) or self.files[0].path.stem
        return {
            "key": self.source_key,
            "title": title,
            "questions": max(d.question.number for d in self.drafts),
        }

    def entries(self) -> list[DraftEntry]:
        return [_entry(d, self.difficulty) for d in self.drafts]

    def yaml(self) -> str:
        """The drafts as one corpus topic file."""
        src = self.suggested_source()
        names = ", ".join(f.path.name for f in self.files)
        header = [
            f"Drafts made by `dlexport import` from {names} (source {self.source_key}).",
            "Each entry is `status: draft`: check the question, write or check the answer, set the topic",
            "and difficulty, then remove the status line. An entry with `duplicate_of` repeats that entry:",
            "merge what it adds, then delete it. `incomplete` marks a question the list cut off.",
            "If the source key is new, declare it in sources.yaml:",
            f"  - key: {src['key']}",
            f"    title: {src['title']}",
            f"    questions: {src['questions']}",
        ]
        return render(self.entries(), self.topic, header)

    def with_likely_topic(self, corpus: Corpus) -> ImportResult:
        """The drafts filed under the topic that most of their closest corpus entries belong to."""
        votes = Counter(
            corpus.entry(m.id).topic
            for d in self.drafts
            if (m := d.duplicate or d.possible)
            and m.how != "import"
            and m.id in {e.id for e in corpus.entries()}
        )
        return replace(self, topic=votes.most_common(1)[0][0]) if votes else self

    def write(self, path: Path) -> Path:
        """Write the drafts to `path`, which must not exist."""
        return write_new(path, self.yaml())

    def json(self) -> dict[str, Any]:
        from dlexport.importer.report import report_json

        return report_json(self)


def _entry(d: Draft, difficulty: str) -> DraftEntry:
    q = d.question
    notes = [
        f"{d.path.name}:{q.line}, question {q.number}"
        + (" (numbered by position)" if "unnumbered" in q.flags else "")
    ]
    if d.duplicate:
        notes.append(f"likely duplicate of {d.duplicate.id} (score {d.duplicate.score:g}, {d.duplicate.how})")
    elif d.possible:
        notes.append(f"possible duplicate of {d.possible.id} (score {d.possible.score:g})")
    if d.incomplete:
        notes.append("the list cut this question off: complete it from the source")
    if d.suggestion:
        notes.append(f"words run together; suggested: {d.suggestion}")
    text = q.text or f"Question {q.number} (its text is missing in the list)"
    return DraftEntry(
        d.id,
        text,
        q.answer,
        d.source,
        difficulty,
        d.duplicate.id if d.duplicate else None,
        d.incomplete,
        tuple(notes),
    )


def default_out(content: Path, source_key: str) -> Path:
    """Where drafts go when the caller names no file: a new file in the corpus folder."""
    return free_path(content, f"drafts-{source_key}")


def import_lists(
    paths: Sequence[Path],
    source_key: str,
    corpus: Corpus | None = None,
    topic: str = PLACEHOLDER_TOPIC,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Read question lists and make draft entries; writes nothing.

    Raises ConfigError for bad arguments or unusable files (missing, empty, too large) and CorpusError
    with `path:line:col` problems for files that are not text (binary, invalid UTF-8), all files at once.
    """
    options = options or ImportOptions()
    if not SOURCE_REF.fullmatch(source_key) or "#" in source_key:
        raise ConfigError(f"source key '{source_key}' must be lower-case letters, digits, '-' or '_'")
    if not ID.fullmatch(topic):
        raise ConfigError(f"topic '{topic}' must be kebab-case (a-z, 0-9, single hyphens)")
    if options.difficulty not in DIFFICULTIES:
        raise ConfigError(f"difficulty must be one of {', '.join(DIFFICULTIES)}")
    if not paths:
        raise ConfigError("no question lists to import")

    texts: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            texts.append((Path(path), read_list(Path(path), options.max_bytes)))
        except CorpusError as exc:
            problems += exc.problems
    if problems:
        raise CorpusError(problems)

    vocab = Vocabulary.from_corpus(corpus)
    index = CorpusIndex(corpus.active().entries() if corpus else ())
    seen = ImportIndex()
    taken = {e.id for e in corpus.entries()} if corpus else set()
    taken |= set(options.reserved_ids)
    lists, room = [], options.max_questions
    for path, text in texts:
        try:
            parsed = parse_list(text, vocab, room)
        except TooManyQuestions:
            raise ConfigError(
                f"{path}: more than {options.max_questions} questions in one import; split the list"
            ) from None
        room -= len(parsed.questions)
        if not parsed.questions:
            raise ConfigError(
                f"{path}: no questions found (expected numbered questions, `## Question N`, headings that "
                "ask, Q:/A: pairs, a table with a Question column, or <details><summary>)"
            )
        lists.append((path, parsed.title, *check_numbering(parsed.questions)))
    files = []
    for path, title, questions, numbering in lists:
        drafts = [_draft(q, path, source_key, vocab, index, seen, taken, options) for q in questions]
        files.append(FileReport(path, title, tuple(drafts), numbering))
    result = ImportResult(source_key, topic, tuple(files), options.difficulty)
    return ImportResult(source_key, topic, tuple(files), options.difficulty, tuple(_notes(result, corpus)))


def _draft(
    q: ImportedQuestion,
    path: Path,
    key: str,
    vocab: Vocabulary,
    index: CorpusIndex,
    seen: ImportIndex,
    taken: set[str],
    options: ImportOptions,
) -> Draft:
    fused = tuple(run_together(q.text, vocab))
    text = repair(q.text, fused)  # compare and name what the list meant, not how it was mangled
    ref = f"{key}#{q.number}"
    best = index.best(text, ref if options.use_citations else None) if q.text else None
    duplicate = best if best and (best.how == "cites" or best.score >= options.duplicate_score) else None
    possible = best if best and not duplicate and best.score >= options.review_score else None
    if (
        duplicate is None
        and q.text
        and (earlier := seen.best(text))
        and earlier.score >= options.import_score
    ):
        duplicate = earlier
    draft_id = make_id(text or f"{key} {q.number}", taken)
    if q.text:
        seen.add(text, duplicate.id if duplicate else draft_id)
    return Draft(draft_id, q, path, ref, duplicate, possible, fused)


def _notes(result: ImportResult, corpus: Corpus | None) -> Iterable[str]:
    """What must change elsewhere before the drafts load: the source key, colliding numbers."""
    key = result.source_key
    declared = {s.key: s for s in corpus.sources} if corpus else {}
    top = max(d.question.number for d in result.drafts)
    if key not in declared:
        yield f"source key '{key}' is not in sources.yaml: add it (see the top of the draft file)"
    elif declared[key].questions is None:
        yield f"source '{key}' has no numbered questions in sources.yaml: give it `questions: {top}`"
    elif declared[key].questions < top:
        yield f"sources.yaml gives '{key}' {declared[key].questions} questions; this import goes up to {top}"
    cited = [d.duplicate.score for d in result.drafts if d.duplicate and d.duplicate.how == "cites"]
    if len(cited) >= 3 and (typical := statistics.median(cited)) < CITED_SCORE:
        # on the seed lists the right key gives medians of 81-100; a wrong one, 38-40
        yield (
            f"the questions numbered as '{key}' read unlike the entries citing those numbers (median score "
            f"{typical:g}): is this the list '{key}' stands for? If not, import it under a new key"
        )
    counts = Counter(d.source for d in result.drafts)
    if clashes := sorted((r for r, n in counts.items() if n > 1), key=lambda r: int(r.split("#")[1])):
        shown = ", ".join(clashes[:5]) + (", ..." if len(clashes) > 5 else "")
        yield (
            f"{len(clashes)} question numbers are used twice under '{key}' ({shown}): "
            "import such files with separate keys"
        )
