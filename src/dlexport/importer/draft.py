"""Draft entries as corpus YAML text, and writing it without ever replacing a file.

The text is assembled by hand so that it reads like the corpus (block answers, flow lists, a comment
per entry saying where it came from and what to check); every scalar goes through `yaml.safe_dump`,
and the result is parsed back before it is returned, so quoting can never change a value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dlexport.errors import ConfigError, ExportError
from dlexport.output import write_text

_ID_STOP = frozenset(
    "a an the of to in on for and or is are was were be what which how why when where who do does did can "
    "could should would will you your it its this that these those with by as at from into about explain "
    "describe define give discuss list mention name state tell various some any between".split()
)
MAX_ID_LENGTH = 48


def make_id(question: str, taken: set[str]) -> str:
    """A kebab-case id from the question's first content words, unique against `taken` (then added to it)."""
    ascii_text = unicodedata.normalize("NFKD", question).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_text) if w not in _ID_STOP]
    base = ""
    for word in words[:6]:
        if len(base) + len(word) + 1 > MAX_ID_LENGTH:
            break
        base = f"{base}-{word}" if base else word
    base = base or "imported-question"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


@dataclass(frozen=True)
class DraftEntry:
    """One entry as it will be written; `notes` become comments above it."""

    id: str
    question: str
    answer: str
    source: str  # "dl83#4"
    difficulty: str = "intermediate"
    duplicate_of: str | None = None
    incomplete: bool = False
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """What the YAML must load as (also the check that it does)."""
        d: dict[str, Any] = {
            "id": self.id,
            "status": "draft",
            "question": self.question,
            "answer": self.answer,
            "difficulty": self.difficulty,
            "sources": [self.source],
        }
        if self.duplicate_of:
            d["duplicate_of"] = self.duplicate_of
        if self.incomplete:
            d["incomplete"] = True
        return d


def _scalar(value: str) -> str:
    """One YAML scalar on one line, quoted only when it must be."""
    out = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_style=None)
    out = out.removesuffix("\n...\n").removesuffix("\n")
    if "\n" in out:  # a value PyYAML would fold over lines: force the escaped form
        out = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_style='"').rstrip("\n")
    return out


def _block(value: str, indent: str) -> str:
    """A value as a literal block indented under its key, or a quoted scalar if it cannot be one."""
    out = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_style="|")
    header, _, body = out.partition("\n")
    if header not in ("|", "|-"):
        return _scalar(value)
    lines = body.rstrip("\n").split("\n")
    return header + "\n" + "\n".join(indent + line[2:] if line else "" for line in lines)


def _comment(text: str) -> str:
    """Text safe inside a comment: one line, no control characters (its indentation kept)."""
    return re.sub(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+", " ", text).rstrip()


def render(entries: Iterable[DraftEntry], topic: str, header: Iterable[str] = ()) -> str:
    """The YAML text of a topic file holding `entries`; checked by loading it back."""
    entries = list(entries)
    out = [f"# {_comment(line)}" if line else "#" for line in header]
    out += [f"topic: {_scalar(topic)}", "entries:" if entries else "entries: []"]
    for e in entries:
        out.append("")
        out += [f"  # {_comment(note)}" for note in e.notes]
        out.append(f"  - id: {_scalar(e.id)}")
        out.append("    status: draft")
        out.append(f"    question: {_scalar(e.question)}")
        if not e.answer:
            out.append("    answer: |-  # draft: no answer in the list; write one")
        else:  # a literal block, as every corpus answer is
            out.append(f"    answer: {_block(e.answer, '      ')}")
        out.append(f"    difficulty: {_scalar(e.difficulty)}")
        out.append(f"    sources: [{_scalar(e.source)}]")
        if e.duplicate_of:
            out.append(f"    duplicate_of: {_scalar(e.duplicate_of)}")
        if e.incomplete:
            out.append("    incomplete: true")
    text = "\n".join(out) + "\n"
    expected = {"topic": topic, "entries": [e.as_dict() for e in entries]}
    if yaml.safe_load(text) != expected:  # a quoting slip must never change what gets imported
        raise ExportError("internal error: the draft YAML does not read back as written")
    return text


def write_new(path: Path, text: str) -> Path:
    """Write `text` to `path`, which must not exist yet (claimed first, so no race can overwrite it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8"):
            pass
    except FileExistsError:
        raise ConfigError(
            f"{path} already exists: import never overwrites a file (choose another --out)"
        ) from None
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror}") from None
    try:
        return write_text(path, text)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def free_path(folder: Path, stem: str) -> Path:
    """`folder/stem.yaml`, or `stem-2.yaml`, ...: the first name not taken."""
    path, n = folder / f"{stem}.yaml", 2
    while path.exists():
        path, n = folder / f"{stem}-{n}.yaml", n + 1
    return path
