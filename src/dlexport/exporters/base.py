"""What every exporter is: a name, an output suffix, typed options, and one export(corpus, dest)."""

from __future__ import annotations

import dataclasses
import os
import time
import typing
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from jinja2 import Environment, TemplateError, TemplateSyntaxError

from dlexport.errors import ConfigError, ExportError
from dlexport.model import Corpus
from dlexport.templating import environment


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH when set: whole seconds from 1980 (zip's first date) to 2106 (Anki's last)."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return None
    if not value.isdigit() or not 315532800 <= int(value) < 2**32:
        raise ConfigError(f"SOURCE_DATE_EPOCH must be whole seconds between 315532800 (1980) and {2**32 - 1}")
    return int(value)


def build_time() -> int:
    """Now, or SOURCE_DATE_EPOCH when set, for reproducible builds."""
    epoch = source_date_epoch()
    return int(time.time()) if epoch is None else epoch


@dataclass(frozen=True)
class BuildContext:
    """What an exporter may use besides the corpus."""

    title: str = "Deep Learning Interview Questions"
    templates: Path | None = None  # the user's template folder, searched before the built-ins
    progress: Callable[[str, int], Callable[[], None]] = field(
        default=lambda label, total: lambda: None, compare=False
    )  # progress(label, total) -> advance()
    warn: Callable[[str], None] = field(default=lambda message: None, compare=False)
    # Worker processes the build's exporters share, for work that runs side by side; None: in this process.
    pool: Executor | None = field(default=None, compare=False)
    # Without a pool: how many processes an exporter may fork for work of its own. (With one, its workers
    # already have the CPUs, and the formats run in threads, which are best not forked beside.)
    processes: int = 1

    @property
    def env(self) -> Environment:
        return environment(self.templates)

    @property
    def date(self) -> str:
        return time.strftime("%Y-%m-%d", time.gmtime(build_time()))


@dataclass(frozen=True)
class NoOptions:
    pass


class Exporter(ABC):
    """Subclass, set `name`, `suffix` and `description`, declare `Options` (a frozen dataclass whose
    fields are the settings under [tool.dlexport.<name>]), implement `export`, and register the class
    in the `dlexport.exporters` entry-point group."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    description: ClassVar[str] = ""
    Options: ClassVar[type] = NoOptions
    uses_workers: ClassVar[bool] = False  # whether `export` hands work to `context.pool`
    worker_modules: ClassVar[tuple[str, ...]] = ()  # what the workers import as they start, for that work

    def __init__(self, context: BuildContext | None = None, options: Any = None):
        self.context = context or BuildContext()
        self.options = options if options is not None else self.Options()

    @classmethod
    def parse_options(cls, values: Mapping[str, Any]) -> Any:
        """Build this exporter's Options from settings and flags, checking names, types and choices."""
        hints = typing.get_type_hints(cls.Options)
        known = {f.name for f in dataclasses.fields(cls.Options)}
        parsed: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                choices = ", ".join(sorted(known)) or "none"
                raise ConfigError(f"exporter '{cls.name}' has no option '{key}' (options: {choices})")
            parsed[key] = _coerce(cls.name, key, value, hints[key])
        return cls.Options(**parsed)

    @abstractmethod
    def export(self, corpus: Corpus, dest: Path) -> list[Path]:
        """Write this format for `corpus` into the folder `dest`; return the files written."""

    def render(self, template: str, **values: Any) -> str:
        """Render a template through the shared loader; template mistakes become clean errors."""
        try:
            page = self.context.env.get_template(template)
            return page.render(title=self.context.title, date=self.context.date, **values)
        except TemplateSyntaxError as exc:
            raise ExportError(
                f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}"
            ) from None
        except TemplateError as exc:
            raise ExportError(f"template {template}: {exc}") from None


def _coerce(exporter: str, key: str, value: Any, hint: Any) -> Any:
    where = f"option {exporter}.{key}"
    if typing.get_origin(hint) is typing.Literal:
        choices = typing.get_args(hint)
        if isinstance(value, str) and all(isinstance(c, int) for c in choices) and value.isdigit():
            value = int(value)
        if isinstance(value, bool | float) or value not in choices:  # True == 1 and 2.0 == 2 in Python
            raise ConfigError(f"{where} must be one of {', '.join(map(str, choices))}, not {value!r}")
        return value
    if hint is bool and isinstance(value, str):
        if value.lower() not in ("true", "false", "yes", "no", "1", "0"):
            raise ConfigError(f"{where} must be true or false, not {value!r}")
        return value.lower() in ("true", "yes", "1")
    if hint is int and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"{where} must be a whole number, not {value!r}") from None
    if isinstance(hint, type) and not isinstance(value, hint):
        raise ConfigError(f"{where} must be {hint.__name__}, not {value!r}")
    return value
