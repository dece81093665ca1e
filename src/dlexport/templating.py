"""The one Jinja2 environment factory: a user's templates first, then the packaged defaults.

`{% extends "default:pdf/cheatsheet.html" %}` reaches the built-in version of a file that the user's
folder overrides. HTML and XML templates autoescape; Markdown templates do not.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)


def builtin_templates() -> Path:
    """The packaged templates; in a source checkout, the repository's templates/ folder."""
    packaged = Path(str(files("dlexport") / "templates"))
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


@cache
def environment(user_dir: Path | None = None) -> Environment:
    builtin = FileSystemLoader(builtin_templates())
    loaders = [FileSystemLoader(user_dir)] if user_dir else []
    from dlexport.markup import markdown_text

    env = Environment(
        loader=ChoiceLoader([*loaders, PrefixLoader({"default": builtin}, delimiter=":"), builtin]),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "htm", "xml", "svg"], default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_text  # plain text into Markdown templates, as text
    return env
