"""Project settings: `dlexport.toml`, or `[tool.dlexport]` in the corpus project's pyproject.toml.
Command-line flags override them."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlexport import registry
from dlexport.corpus import read_text
from dlexport.errors import ConfigError, CorpusError, Problem

_TOP_LEVEL = {"title", "content", "out", "formats", "templates"}


@dataclass(frozen=True)
class Settings:
    title: str = "Deep Learning Interview Questions"
    content: Path = Path("content")
    out: Path = Path("out")
    formats: tuple[str, ...] = ()  # empty: every available exporter
    templates: Path | None = None
    exporters: dict[str, dict[str, Any]] = field(default_factory=dict)  # [tool.dlexport.<name>] sections
    source: Path | None = None  # the file these came from


def find_config(cwd: Path) -> Path | None:
    if (cwd / "dlexport.toml").is_file():
        return cwd / "dlexport.toml"
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file() and "tool" in (doc := _read(pyproject)) and "dlexport" in doc["tool"]:
        return pyproject
    return None


def load_settings(path: Path | None = None, cwd: Path | None = None) -> Settings:
    """Read settings from `path`, or from the config file found in `cwd`; defaults if there is none."""
    cwd = cwd or Path.cwd()
    path = path or find_config(cwd)
    if path is None:
        return Settings()
    doc = _read(path)
    table = doc.get("tool", {}).get("dlexport", {}) if path.name == "pyproject.toml" else doc
    base = path.parent
    values: dict[str, Any] = {"source": path, "exporters": {}}
    where = f"{path}: [tool.dlexport" if path.name == "pyproject.toml" else f"{path}: ["
    known_formats = registry.names()
    for key, value in table.items():
        if isinstance(value, dict):
            if key not in known_formats:
                raise ConfigError(
                    f"{where}.{key}]".replace("[.", "[") + " is not a known exporter "
                    f"(known: {', '.join(sorted(known_formats)) or 'none'})"
                )
            values["exporters"][key] = value
        elif key not in _TOP_LEVEL:
            raise ConfigError(f"{path}: unknown setting '{key}' (known: {', '.join(sorted(_TOP_LEVEL))})")
        elif key in ("content", "out", "templates"):
            values[key] = base / _expect(path, key, value, str)
            if key == "templates" and not values[key].is_dir():
                raise ConfigError(f"{path}: setting 'templates': {values[key]} is not a folder")
        elif key == "formats":
            values[key] = tuple(_expect(path, key, value, list))
            if not all(isinstance(name, str) for name in values[key]):
                raise ConfigError(f"{path}: setting 'formats' must be a list of exporter names")
        else:
            values[key] = _expect(path, key, value, str)
    return Settings(**values)


def _read(path: Path) -> dict[str, Any]:
    problems: list[Problem] = []
    text = read_text(path, problems)
    if text is None:
        raise CorpusError(problems)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(m[1]), int(m[2])) if m else (1, 1)
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise CorpusError([Problem(path, line, col, f"invalid TOML: {message}")]) from None


def _expect(path: Path, key: str, value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise ConfigError(f"{path}: setting '{key}' must be a {kind.__name__}")
    return value
