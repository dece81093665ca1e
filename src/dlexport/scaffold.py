"""`dlexport new`: append an entry skeleton to a topic's file, keeping the file's comments and layout."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from dlexport.corpus import ID, load_corpus
from dlexport.errors import ConfigError
from dlexport.model import DIFFICULTIES, ENTRY_SCHEMA
from dlexport.output import write_text


def new_entry(content: Path, topic: str, entry_id: str | None = None) -> tuple[Path, int, str]:
    """Append a skeleton entry for `topic` to the file that holds it (or a new `<topic>.yaml`).

    The corpus is read with the loader, so a broken corpus is reported with positions and left alone;
    returns (file, line of the entry, its id)."""
    corpus = load_corpus(content)
    known = [t.id for t in corpus.topics]
    if topic not in known:
        raise ConfigError(f"unknown topic '{topic}' (known: {', '.join(known) or 'none'})")
    taken = {e.id for e in corpus.entries()}
    if entry_id is None:
        n = 1
        while f"{topic}-new-{n}" in taken:
            n += 1
        entry_id = f"{topic}-new-{n}"
    if not ID.fullmatch(entry_id):
        raise ConfigError(f"id '{entry_id}' must be kebab-case (a-z, 0-9, single hyphens)")
    if entry_id in taken:
        raise ConfigError(f"id '{entry_id}' is already used")
    path = corpus.topic(topic).path or Path(content) / f"{topic}.yaml"
    path = path.resolve()  # a symlinked topic file stays a symlink: its target is written
    text = path.read_text(encoding="utf-8") if path.exists() else f"topic: {topic}\nentries:\n"
    if not text.endswith("\n"):
        text += "\n"
    line = text.count("\n") + 1
    # Follow the file's own layout: the dash of its entries may stand at any indentation.
    indent = m[1] if (m := re.search(r"^( *)- id:", text, re.M)) else "  "
    # The schema's required keys and its lists, in schema order, each with a comment saying what it holds.
    values = {
        "id": entry_id,
        "question": "'TODO: the question?'",
        "answer": f"|\n{indent}    TODO: the answer.",
    }
    values |= {"difficulty": DIFFICULTIES[0], "tags": f"[{topic}]"}
    for spec in ENTRY_SCHEMA:
        if spec.required or spec.kind is list:
            value = values.get(spec.name, "[]")
            text += f"{indent}{'-' if spec.name == 'id' else ' '} {spec.name}: {value}"
            text += f"  # {spec.doc}\n" if "\n" not in value else "\n"
    try:  # the file's end must be its block list of entries, or the skeleton would land elsewhere
        appended = yaml.safe_load(text)["entries"][-1]["id"] == entry_id
    except (yaml.YAMLError, TypeError, KeyError, IndexError):
        appended = False
    if not appended:
        raise ConfigError(
            f"{path}: cannot append an entry: the file does not end with a block list of entries "
            "(add the entry by hand)"
        )
    write_text(path, text)
    return path, line, entry_id
