"""The whole pipeline in one function: load → validate → select → render → write."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from dlexport import registry
from dlexport.buildcache import BuildRecord, files_digest, inputs_key
from dlexport.config import Settings
from dlexport.corpus import load_corpus
from dlexport.errors import ConfigError
from dlexport.exporters.base import BuildContext, Exporter
from dlexport.model import Corpus
from dlexport.output import cpus, exclusive, worker_pool
from dlexport.select import Selection, select
from dlexport.templating import builtin_templates


def exporters_for(settings: Settings, formats: tuple[str, ...] = ()) -> list[type[Exporter]]:
    """The exporter classes a build runs: the given formats, else the configured ones, else all."""
    available = registry.discover()
    names = formats or settings.formats or tuple(n for n, r in available.items() if r.exporter)
    return [registry.get(name) for name in dict.fromkeys(names)]  # a format named twice is built once


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
    chosen = [  # options are checked before anything is read or written
        (cls, cls.parse_options({**settings.exporters.get(cls.name, {}), **options.get(cls.name, {})}))
        for cls in exporters_for(settings, formats)
    ]
    content = content or settings.content
    templates = templates or settings.templates
    selection = selection or Selection()
    folders = [content, builtin_templates(), *filter(None, [templates])]

    def key(cls: type[Exporter], options: Any, files: str) -> str:
        return inputs_key(files, [cls.name, repr(options), selection, settings.title])

    out = out or settings.out
    written: list[Path] = []
    with exclusive(out):
        record = BuildRecord.load(out)
        before = files_digest(folders)
        todo = [(cls, opts) for cls, opts in chosen if not record.fresh(cls.name, key(cls, opts, before))]
        if todo:  # nothing is read, rendered or written for outputs that are up to date
            # Workers only for formats that use them: forking costs time and memory for nothing otherwise.
            # They are forked before the corpus is read, so that none of them holds a copy of it.
            processes = jobs or cpus()
            workers = processes if any(cls.uses_workers for cls, _ in todo) else 1
            preload = tuple(dict.fromkeys(m for cls, _ in todo for m in cls.worker_modules))
            with worker_pool(workers, preload) if workers > 1 else nullcontext() as pool:
                corpus = select(load_corpus(content), selection)
                pool = pool and _Watched(pool)
                processes = 1 if pool else processes  # with a pool, its workers have the CPUs already
                context = BuildContext(settings.title, templates, progress, warn, pool, processes)
                exporters = [cls(context, opts) for cls, opts in todo]
                for exporter, files in zip(exporters, _export(exporters, corpus, out), strict=True):
                    written += files
                    record.record(exporter.name, "", files)
            after = files_digest(folders)  # keyed after the build: the Anki ledger is an input it updates
            for cls, opts in todo:
                record.outputs[cls.name]["key"] = key(cls, opts, after)
            record.save()
    return written


def _export(exporters: list[Exporter], corpus: Corpus, out: Path) -> list[list[Path]]:
    """Each format in a thread of its own when the build has workers: one format's Python work then runs
    while the workers lay out another's pages. The formats that hand work to the workers start first, and
    the others once the workers have work: before that, theirs would only slow the first ones down (the
    threads share one interpreter lock) while the workers wait. Each writes only its own folder."""
    pool = exporters[0].context.pool
    if len(exporters) == 1 or not isinstance(pool, _Watched):
        return [x.export(corpus, out / x.name) for x in exporters]
    threads = ThreadPoolExecutor(len(exporters), thread_name_prefix="dlexport")
    try:
        futures: dict[Exporter, Future[list[Path]]] = {}
        for x in sorted(exporters, key=lambda x: not x.uses_workers):
            if not x.uses_workers:
                pool.busy.wait()
                if any(f.done() and f.exception() for f in futures.values()):
                    break  # the build has failed: its error is raised below
            futures[x] = threads.submit(x.export, corpus, out / x.name)
            futures[x].add_done_callback(lambda _: pool.busy.set())  # it failed, or needed none
        results = {x: future.result() for x, future in futures.items()}  # raises the first failure
        return [results[x] for x in exporters]
    finally:  # on an error or an interrupt, do not wait here: the workers are stopped next
        threads.shutdown(wait=False, cancel_futures=True)


class _Watched(Executor):
    """The build's worker pool, telling when it is first handed work."""

    def __init__(self, pool: Executor):
        self.pool, self.busy = pool, threading.Event()

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.busy.set()
        return self.pool.submit(fn, *args, **kwargs)

    def map(self, fn, *iterables, timeout=None, chunksize=1):  # type: ignore[no-untyped-def]
        self.busy.set()  # the pool's own map: it sends the work in chunks (Executor.map would not)
        return self.pool.map(fn, *iterables, timeout=timeout, chunksize=chunksize)
