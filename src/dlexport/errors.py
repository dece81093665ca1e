"""The one error hierarchy. The CLI turns these into messages and exit codes; nothing else catches them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class DlexportError(Exception):
    """Base of every error dlexport reports to a user."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, at a place in a file."""

    path: Path
    line: int  # 1-based; 0 when the problem is with the file as a whole
    col: int  # 1-based
    message: str
    entry_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class CorpusError(DlexportError):
    """The corpus is invalid: carries every problem found, so one run reports them all."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line, p.col))
        super().__init__("\n".join(map(str, self.problems)))


class ConfigError(DlexportError):
    """Bad settings or command-line usage."""

    exit_code = 2


class ExportError(DlexportError):
    """An exporter could not produce its output."""

    exit_code = 1
