"""The whole pipeline in one function: load → validate → select → render → write."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dlexport import registry
from dlexport.buildcache import BuildRecord, files_digest, inputs_key
from dlexport.config import Settings
from dlexport.corpus import load_corpus
from dlexport.errors import ConfigError
from dlexport.exporters.base import BuildContext, Exporter
from dlexport.output import exclusive
from dlexport.select import Selection, select
from dlexport.templating import builtin_templates


def exporters_for(settings: Settings, formats: tuple[str, ...] = ()) -> list[type[Exporter]]:
    """The exporter classes a build runs: the given formats, else the configured ones, else all."""
    available = registry.discover()
    names = formats or settings.formats or tuple(n for n, r in available.items() if r.exporter)
    return [registry.get(name) for name in names]


def check_settings(settings: Settings) -> None:
    """Every exporter section of the settings file, whether or not this build runs that exporter."""
    for name, values in settings.exporters.items():
        try:
            registry.get(name).parse_options(values)
        except ConfigError as exc:
            raise ConfigError(f"{settings.source}: {exc}" if settings.source else str(exc)) from None


def build(
    settings: Settings,
    selection: Selection | None = None,
    formats: tuple[str, ...] = (),
    options: Mapping[str, Mapping[str, Any]] = {},
    out: Path | None = None,
    templates: Path | None = None,
    content: Path | None = None,
    warn: Callable[[str], None] = lambda message: None,
    progress: Callable[[str, int], Callable[[], None]] = lambda label, total: lambda: None,
    jobs: int = 0,
) -> list[Path]:
    """Build `formats` (default: the configured or all available ones) and return the files written.

    `options` maps a format to option values (from flags), which override the settings file's."""
    check_settings(settings)
    if unknown := set(options) - registry.names():
        raise ConfigError(
            f"no exporter named {', '.join(sorted(unknown))} (known: {', '.join(sorted(registry.names()))})"
        )
    for name, values in options.items():  # flags for formats this build does not run are checked too
        registry.get(name).parse_options({**settings.exporters.get(name, {}), **values})
    context = BuildContext(settings.title, templates or settings.templates, progress, warn, jobs)
    exporters = [  # options are checked before anything is read or written
        cls(context, cls.parse_options({**settings.exporters.get(cls.name, {}), **options.get(cls.name, {})}))
        for cls in exporters_for(settings, formats)
    ]
    content = content or settings.content
    selection = selection or Selection()
    folders = [content, builtin_templates(), *filter(None, [context.templates])]

    def key(exporter: Exporter, files: str) -> str:
        return inputs_key(files, [exporter.name, repr(exporter.options), selection, settings.title])

    out = out or settings.out
    written: list[Path] = []
    with exclusive(out):
        record = BuildRecord.load(out)
        before = files_digest(folders)
        todo = [x for x in exporters if not record.fresh(x.name, key(x, before))]
        if todo:  # nothing is read, rendered or written for outputs that are up to date
            corpus = select(load_corpus(content), selection)
            for exporter in todo:
                files = exporter.export(corpus, out / exporter.name)
                written += files
                record.record(exporter.name, "", files)
            after = files_digest(folders)  # keyed after the build: the Anki ledger is an input it updates
            for exporter in todo:
                record.outputs[exporter.name]["key"] = key(exporter, after)
            record.save()
    return written
