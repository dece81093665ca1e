"""The import report: a rich table for people, a JSON document for scripts (the same facts in both)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from dlexport.importer import Draft, FileReport, ImportResult
    from dlexport.importer.dedupe import Match

JSON_VERSION = 1
COLUMNS = ("found", "answered", "duplicates", "incomplete", "suspicious")


def _match(d: Draft, m: Match) -> dict[str, Any]:
    return {"number": d.question.number, "line": d.question.line, "id": m.id, "score": m.score, "how": m.how}


def _draft(d: Draft) -> dict[str, Any]:
    return {
        "id": d.id,
        "source": d.source,
        "file": str(d.path),
        "line": d.question.line,
        "question": d.question.text,
        "answered": bool(d.question.answer),
        "duplicate_of": d.duplicate.id if d.duplicate else None,
        "incomplete": d.incomplete,
        "suggestion": d.suggestion,
    }


def file_json(f: FileReport) -> dict[str, Any]:
    n = f.numbering
    return {
        "path": str(f.path),
        "title": f.title,
        "questions": f.found,
        "answered": f.answered,
        "duplicates": f.duplicates,
        "incomplete": f.incomplete,
        "suspicious": f.suspicious,
        "duplicate_of": [_match(d, d.duplicate) for d in f.drafts if d.duplicate],
        "possible_duplicates": [_match(d, d.possible) for d in f.drafts if d.possible],
        "incomplete_questions": [d.question.number for d in f.drafts if d.incomplete],
        "run_together": [
            {"number": d.question.number, "line": d.question.line, "word": w.word, "suggestion": w.suggestion}
            for d in f.drafts
            for w in d.run_together
        ],
        "gaps": list(n.gaps),
        "restarts": list(n.restarts),
        "repeats": [
            {"first": list(r.first), "again": list(r.again), "questions": r.questions} for r in n.repeats
        ],
    }


def report_json(result: ImportResult) -> dict[str, Any]:
    """A stable shape for scripts (`version` changes if it ever does)."""
    return {
        "version": JSON_VERSION,
        "source": result.source_key,
        "topic": result.topic,
        "files": [file_json(f) for f in result.files],
        "drafts": [_draft(d) for d in result.drafts],
        "notes": list(result.notes),
    }


def report_table(result: ImportResult) -> Table:
    """Per file: questions found, answered, duplicates, incomplete, suspicious."""
    table = Table(title=f"Import into source '{result.source_key}'", title_justify="left")
    table.add_column("File")
    for name in ("Questions", "Answered", "Duplicates", "Incomplete", "Suspicious"):
        table.add_column(name, justify="right")
    for f in result.files:
        table.add_row(escape(f.path.name), *(str(getattr(f, c)) for c in COLUMNS))
    if len(result.files) > 1:
        table.add_row("[b]all[/b]", *(str(sum(getattr(f, c) for f in result.files)) for c in COLUMNS))
    return table


def findings(result: ImportResult) -> list[str]:
    """One line per finding, `file:line: ...`, in file order; then what must change elsewhere."""
    out: list[str] = []
    for f in result.files:
        name, n = f.path.name, f.numbering
        for r in n.repeats:
            out.append(
                f"{name}:{r.again[0]}: lines {r.again[0]}-{r.again[1]} repeat the list at lines "
                f"{r.first[0]}-{r.first[1]} ({r.questions} questions): imported once, complete copies kept"
            )
        if n.gaps:
            out.append(f"{name}: numbering skips {', '.join(map(str, n.gaps))}")
        out += [f"{name}:{line}: numbering starts again" for line in n.restarts]
        for d in f.drafts:
            where, q = f"{name}:{d.question.line}: question {d.question.number}", d.question
            if m := d.duplicate:
                out.append(f"{where} duplicates {m.id} (score {m.score:g}, {m.how})")
            elif m := d.possible:
                out.append(f"{where} may duplicate {m.id} (score {m.score:g})")
            if d.incomplete:
                out.append(f"{where} is cut off: {q.text or '(no text)'}")
            for w in d.run_together:
                hint = f" (suggested: '{w.suggestion}')" if w.suggestion else ""
                out.append(f"{where}: '{w.word}' looks run together{hint}")
    return out + list(result.notes)


def print_report(result: ImportResult, console: Console, details: bool = True) -> None:
    """The table, then (with `details`) every finding."""
    console.print(report_table(result))
    if details:
        for line in findings(result):
            console.print(escape(line), highlight=False, soft_wrap=True)
