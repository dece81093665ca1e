"""`dlexport new`: append an entry skeleton to a topic file, keeping the file's comments and layout."""

from __future__ import annotations

from pathlib import Path

import yaml

from dlexport.corpus import ID, TOPICS_FILE
from dlexport.errors import ConfigError


def _ids_in(content: Path) -> set[str]:
    ids: set[str] = set()
    for path in content.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(doc, dict) and isinstance(doc.get("entries"), list):
            ids |= {e.get("id") for e in doc["entries"] if isinstance(e, dict)}
    return ids


def new_entry(content: Path, topic: str, entry_id: str | None = None) -> tuple[Path, int, str]:
    """Append a skeleton entry for `topic`; returns (file, line of the entry, its id)."""
    topics_doc = (
        yaml.safe_load((content / TOPICS_FILE).read_text(encoding="utf-8"))
        if (content / TOPICS_FILE).is_file()
        else None
    )
    known = [t.get("id") for t in (topics_doc or {}).get("topics", []) if isinstance(t, dict)]
    if topic not in known:
        raise ConfigError(f"unknown topic '{topic}' (known: {', '.join(map(str, known)) or 'none'})")
    taken = _ids_in(content)
    if entry_id is None:
        n = 1
        while f"{topic}-new-{n}" in taken:
            n += 1
        entry_id = f"{topic}-new-{n}"
    if not ID.fullmatch(entry_id):
        raise ConfigError(f"id '{entry_id}' must be kebab-case (a-z, 0-9, single hyphens)")
    if entry_id in taken:
        raise ConfigError(f"id '{entry_id}' is already used")
    path = content / f"{topic}.yaml"
    text = path.read_text(encoding="utf-8") if path.exists() else f"topic: {topic}\nentries:\n"
    if not text.endswith("\n"):
        text += "\n"
    line = text.count("\n") + 1
    text += (
        f"  - id: {entry_id}\n"
        '    question: ""\n'
        "    answer: |\n"
        "      \n"
        "    difficulty: basic\n"
        f"    tags: [{topic}]\n"
        "    sources: []\n"
        "    related: []\n"
    )
    path.write_text(text, encoding="utf-8")
    return path, line, entry_id
