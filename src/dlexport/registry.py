"""Exporters are found through the `dlexport.exporters` entry-point group (the built-ins too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dlexport.errors import ConfigError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from dlexport.exporters.base import Exporter

# importlib.metadata and the exporters (Jinja) load on first use: `validate` needs neither.

GROUP = "dlexport.exporters"


@dataclass(frozen=True)
class Registration:
    name: str
    source: str  # "distribution (module:Class)", to tell duplicates apart
    exporter: type[Exporter] | None  # None when it could not be loaded
    problem: str | None = None


def _source(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return f"{dist.name if dist else 'unknown'} ({ep.value})"


def names() -> set[str]:
    """The registered exporter names, without importing any exporter (cheap, for checking settings)."""
    from importlib.metadata import entry_points

    return {ep.name for ep in entry_points(group=GROUP)}


def discover() -> dict[str, Registration]:
    """Every registered exporter by name; a name registered twice is an error naming both."""
    from importlib.metadata import entry_points

    found: dict[str, Registration] = {}
    seen: set[tuple[str, str]] = set()
    for ep in sorted(entry_points(group=GROUP), key=lambda ep: ep.name):
        if (ep.name, ep.value) in seen:  # the same distribution seen twice on sys.path
            continue
        seen.add((ep.name, ep.value))
        if ep.name in found:
            raise ConfigError(
                f"exporter '{ep.name}' is registered twice: by {found[ep.name].source} and by {_source(ep)}"
            )
        found[ep.name] = _load(ep)
    return found


def _load(ep: EntryPoint) -> Registration:
    from dlexport.exporters.base import Exporter

    try:
        cls = ep.load()
    except Exception as exc:  # an optional dependency missing, a broken plugin: report, don't crash
        return Registration(ep.name, _source(ep), None, f"cannot be loaded: {type(exc).__name__}: {exc}")
    if not (isinstance(cls, type) and issubclass(cls, Exporter)):
        return Registration(ep.name, _source(ep), None, "is not a dlexport Exporter subclass")
    if cls.name != ep.name:
        return Registration(ep.name, _source(ep), None, f"its class says its name is '{cls.name}'")
    return Registration(ep.name, _source(ep), cls)


def get(name: str) -> type[Exporter]:
    registry = discover()
    if name not in registry:
        raise ConfigError(f"unknown format '{name}' (available: {', '.join(registry) or 'none'})")
    reg = registry[name]
    if reg.exporter is None:
        raise ConfigError(f"exporter '{name}' {reg.problem}")
    return reg.exporter
