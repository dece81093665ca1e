"""The command line: a thin click layer over the library. DlexportErrors become clean messages and exit
codes here and nowhere else (0 ok, 1 build failure, 2 invalid input or usage)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
import typing
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from dlexport import __version__, registry
from dlexport.config import Settings, load_settings
from dlexport.corpus import load_corpus
from dlexport.errors import ConfigError, CorpusError, DlexportError, ExportError
from dlexport.model import DIFFICULTIES, ENTRY_SCHEMA, Corpus
from dlexport.select import Selection
from dlexport.stats import table


class Cli(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CorpusError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(f"{len(exc.problems)} problem(s) found.", err=True)
            sys.exit(exc.exit_code)
        except DlexportError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj


def content_option(f: Callable) -> Callable:
    return click.option(
        "--content",
        "content",
        type=click.Path(path_type=Path, file_okay=False),
        help="Corpus directory (default: from the config file, else ./content).",
    )(f)


def _corpus(ctx: click.Context, content: Path | None) -> Corpus:
    return load_corpus(content or _settings(ctx).content)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Settings file (default: ./dlexport.toml, else [tool.dlexport] in ./pyproject.toml).",
)
@click.version_option(__version__, prog_name="dlexport")
@click.pass_context
def cli(ctx: click.Context, config: Path | None) -> None:
    """Turn a YAML corpus of interview questions into Anki decks, PDF cheat sheets and Markdown handouts.

    \b
    Example:
      dlexport validate                 # check content/
      dlexport build                    # every format into out/
      dlexport build --format pdf --topic cnn --columns 3
    """
    try:
        ctx.obj = load_settings(config)
    except DlexportError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


@cli.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@content_option
@click.pass_context
def validate(ctx: click.Context, directory: Path | None, content: Path | None) -> None:
    """Check the corpus and report every problem as path:line:col: message.

    \b
    Example:
      dlexport validate content
    """
    corpus = _corpus(ctx, directory or content)
    n = sum(1 for e in corpus.entries() if not e.draft)
    drafts = sum(1 for e in corpus.entries() if e.draft)
    more = f" and {drafts} drafts" if drafts else ""
    click.echo(f"{corpus.root}: {n} entries{more} in {len(corpus.topics)} topics, no problems.")


class BuildCommand(click.Command):
    """`build`, with a flag for every option of every installed exporter (plugins included), added
    when the command is used, so that `dlexport --help` never imports the exporters."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        taken = frozenset(o.lstrip("-").replace("-", "_") for p in params for o in getattr(p, "opts", []))
        return [*params[:-1], *exporter_flags(taken), params[-1]]  # --help stays last


def exporter_flags(taken: frozenset[str] = frozenset()) -> list[click.Option]:
    """`--KEY` for each exporter option (`--FORMAT-KEY` where two exporters share a key); its value
    reaches the exporter as `FORMAT.KEY`."""
    fields = [
        (name, f, typing.get_type_hints(reg.exporter.Options)[f.name])
        for name, reg in registry.discover().items()
        if reg.exporter
        for f in dataclasses.fields(reg.exporter.Options)
    ]
    counts = Counter(f.name for _, f, _ in fields)
    flags = []
    for fmt, f, hint in fields:
        key = f.name if counts[f.name] == 1 and f.name not in taken else f"{fmt}_{f.name}"
        flag = "--" + key.replace("_", "-")
        about = f"{fmt}: {f.metadata.get('help', f.name.replace('_', ' '))}"
        dest = f"option__{fmt}__{f.name}"
        if hint is bool:
            flags.append(click.Option([f"{flag}/--no-{flag[2:]}", dest], default=None, help=about))
        elif typing.get_origin(hint) is typing.Literal:
            choices = click.Choice([str(c) for c in typing.get_args(hint)])
            flags.append(click.Option([flag, dest], type=choices, help=about))
        else:
            flags.append(click.Option([flag, dest], metavar={int: "N"}.get(hint, "TEXT"), help=about))
    return flags


@cli.command(cls=BuildCommand)
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    metavar="NAME",
    help="Exporter to run (repeatable; default: every available one). See `dlexport exporters`.",
)
@click.option(
    "--out", type=click.Path(path_type=Path, file_okay=False), help="Output directory (default: out)."
)
@click.option("--topic", "topics", multiple=True, help="Only these topics (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only entries with one of these tags (repeatable).")
@click.option(
    "--difficulty",
    "difficulties",
    multiple=True,
    type=click.Choice(DIFFICULTIES),
    help="Only these difficulties (repeatable).",
)
@click.option("--id", "ids", multiple=True, help="Only these entry ids (repeatable).")
@click.option("--include-drafts", is_flag=True, help="Also build entries with status: draft.")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: one per core; 1: serial)."
)
@click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder of templates overriding the built-in ones.",
)
@click.option(
    "--option",
    "-O",
    "raw_options",
    multiple=True,
    metavar="FORMAT.KEY=VALUE",
    help="Set any exporter option, e.g. -O pdf.columns=3.",
)
@content_option
@click.pass_context
def build(
    ctx: click.Context,
    formats: tuple[str, ...],
    out: Path | None,
    topics: tuple[str, ...],
    tags: tuple[str, ...],
    difficulties: tuple[str, ...],
    ids: tuple[str, ...],
    include_drafts: bool,
    jobs: int | None,
    templates: Path | None,
    raw_options: tuple[str, ...],
    content: Path | None,
    **flags: Any,
) -> None:
    """Build study material from the corpus into out/<format>/.

    \b
    Examples:
      dlexport build
      dlexport build --format anki --split
      dlexport build --format pdf --paper letter --columns 3 --difficulty basic
      dlexport build --format md --answers collapsed --topic cnn --topic sequence
    """
    from dlexport.pipeline import build as run_build

    options: dict[str, dict[str, Any]] = {}
    for dest, value in flags.items():
        if value is not None:
            _, fmt, key = dest.split("__")
            options.setdefault(fmt, {})[key] = value
    for raw in raw_options:
        m = re.fullmatch(r"([\w-]+)\.(\w+)=(.*)", raw)
        if not m:
            raise ConfigError(f"--option expects FORMAT.KEY=VALUE, not {raw!r}")
        options.setdefault(m[1], {})[m[2]] = m[3]
    selection = Selection(topics, tags, difficulties, ids, include_drafts)
    with _progress() as progress:
        written = run_build(
            _settings(ctx),
            selection,
            formats,
            options,
            out=out,
            templates=templates,
            content=content,
            warn=lambda message: click.echo(f"warning: {message}", err=True),
            progress=progress,
            jobs=jobs or 0,
        )
    for path in written:
        click.echo(f"wrote {path}")
    if not written:
        click.echo("nothing to do: every output is up to date")


@contextmanager
def _progress() -> Iterator[Callable[[str, int], Callable[[], None]]]:
    """A progress bar on a terminal; silence in CI and pipes."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda label, total: lambda: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:

        def start(label: str, total: int) -> Callable[[], None]:
            task = bar.add_task(label, total=total)
            return lambda: bar.advance(task)

        yield start


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README).")
@content_option
@click.pass_context
def list_(ctx: click.Context, as_json: bool, content: Path | None) -> None:
    """List every entry.

    \b
    Examples:
      dlexport list
      dlexport list --json | jq '.entries[] | select(.difficulty == "advanced") | .id'
    """
    corpus = _corpus(ctx, content)
    if as_json:
        click.echo(json.dumps(corpus_json(corpus), indent=2, ensure_ascii=False))
        return
    for entry in corpus.entries():
        mark = " (retired)" if entry.retired else " (draft)" if entry.draft else ""
        click.echo(f"{entry.number:>6}  {entry.id:<40} {entry.difficulty:<12} {entry.question}{mark}")


def corpus_json(corpus: Corpus) -> dict[str, Any]:
    """The documented, stable shape of `dlexport list --json` (version 1)."""
    return {
        "version": 1,
        "topics": [
            {
                "id": t.id,
                "number": t.number,
                "title": t.title,
                "summary": t.summary,
                "entries": len(t.entries),
            }
            for t in corpus.topics
        ],
        "sources": [{"key": s.key, "title": s.title, "questions": s.questions} for s in corpus.sources],
        "entries": [
            {
                "number": e.number,
                "topic": e.topic,
                # Every schema field, under its YAML name; lists as lists, absent values as null.
                **{
                    spec.name: list(v) if isinstance(v := getattr(e, spec.name), tuple) else v
                    for spec in ENTRY_SCHEMA
                },
                "file": str(e.path),
                "line": e.line,
            }
            for e in corpus.entries()
        ],
    }


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@content_option
@click.pass_context
def stats(ctx: click.Context, as_json: bool, content: Path | None) -> None:
    """Entries per topic and difficulty, and coverage of each seed question list.

    \b
    Example:
      dlexport stats
    """
    data = table(_corpus(ctx, content))
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"{'topic':<18}{'entries':>8}{'basic':>8}{'interm.':>9}{'advanced':>10}")
    for row in data["topics"]:
        click.echo(
            f"{row['topic']:<18}{row['entries']:>8}{row['basic']:>8}{row['intermediate']:>9}"
            f"{row['advanced']:>10}"
        )
    click.echo(f"{'total':<18}{data['entries']:>8}")
    click.echo(
        f"\nanswered {data['answered']}, unanswered {data['unanswered']}, with details "
        f"{data['with_details']}, with cloze {data['with_cloze']}, retired {data['retired']}, "
        f"drafts {data['drafts']}"
    )
    click.echo("\nseed coverage:")
    for src in data["sources"]:
        if src["questions"] is None:
            click.echo(f"  {src['key']:<8} {src['covered']} entries   {src['title']}")
        else:
            click.echo(f"  {src['key']:<8} {src['covered']}/{src['questions']}   {src['title']}")
            if src["missing"]:
                click.echo(f"           missing: {' '.join(src['missing'])}")
    click.echo(f"  {'all':<8} {data['seed_covered']}/{data['seed_questions']}")


@cli.command()
def exporters() -> None:
    """List installed exporters, and why any of them is unavailable.

    \b
    Example:
      dlexport exporters
    """
    for name, reg in registry.discover().items():
        if reg.exporter:
            click.echo(f"{name:<8} {reg.exporter.description}  [.{reg.exporter.suffix}]  from {reg.source}")
        else:
            click.echo(f"{name:<8} unavailable: {reg.problem}  from {reg.source}")


@cli.command()
@click.argument("topic")
@click.option("--id", "entry_id", help="Id for the new entry (default: derived from the topic).")
@content_option
@click.pass_context
def new(ctx: click.Context, topic: str, entry_id: str | None, content: Path | None) -> None:
    """Append a new entry skeleton to TOPIC's file, with a fresh unique id.

    \b
    Example:
      dlexport new cnn --id cnn-dilated-convolution
    """
    from dlexport.scaffold import new_entry

    path, line, eid = new_entry(content or _settings(ctx).content, topic, entry_id)
    click.echo(
        f"{path}:{line}: new entry '{eid}': fill in its question and answer, then run dlexport validate"
    )


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--source", "source_key", required=True, help="Source key the questions are numbered under.")
@click.option("--topic", help="Topic of the drafts (default: the one their closest entries belong to).")
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), help="Drafts file (default: new file)."
)
@click.option("--dry-run", is_flag=True, help="Report only; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="The report as JSON.")
@click.option(
    "--duplicate-score",
    type=click.FloatRange(0, 100),
    default=85.0,
    show_default=True,
    help="Similarity (0-100) at which a question is marked duplicate_of an entry.",
)
@click.option(
    "--review-score",
    type=click.FloatRange(0, 100),
    default=70.0,
    show_default=True,
    help="Similarity at which a question is reported as a possible duplicate.",
)
@content_option
@click.pass_context
def import_(
    ctx: click.Context,
    files: tuple[Path, ...],
    source_key: str,
    topic: str | None,
    out: Path | None,
    dry_run: bool,
    as_json: bool,
    duplicate_score: float,
    review_score: float,
    content: Path | None,
) -> None:
    """Read question lists (Markdown or text) into draft entries, marking likely duplicates.

    Drafts (`status: draft`) go to a new file in the corpus, never into an existing one; builds skip
    them unless --include-drafts. Imported text is sanitised like every answer.

    \b
    Example:
      dlexport import lists/interview.md --source iv --topic cnn --dry-run
    """
    from rich.console import Console

    from dlexport.importer import PLACEHOLDER_TOPIC, ImportOptions, default_out, import_lists
    from dlexport.importer.report import print_report
    from dlexport.ledger import Ledger

    corpus = _corpus(ctx, content)
    if topic is not None and topic not in (known := [t.id for t in corpus.topics]):
        raise ConfigError(f"unknown topic '{topic}' (known: {', '.join(known)})")
    ledger = Ledger.load(
        corpus.root / _settings(ctx).exporters.get("anki", {}).get("ledger", "anki-ledger.json")
    )
    options = ImportOptions(
        duplicate_score=duplicate_score,
        review_score=min(review_score, duplicate_score),
        reserved_ids=frozenset(str(r.get("id")) for r in ledger.records.values()),
    )
    result = import_lists(list(files), source_key, corpus, topic or PLACEHOLDER_TOPIC, options)
    result = result if topic else result.with_likely_topic(corpus)
    if result.topic not in {t.id for t in corpus.topics}:
        raise ConfigError("no imported question resembles an entry: name the drafts' topic with --topic")
    if as_json:
        click.echo(json.dumps(result.json(), indent=2, ensure_ascii=False))
    else:
        print_report(result, Console(stderr=False, soft_wrap=True))
    if not dry_run:
        path = result.write(out or default_out(corpus.root, source_key))
        click.echo(f"wrote {path}: {len(result.drafts)} drafts (status: draft)", err=as_json)


@cli.command("check-deck")
@click.argument("package", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--upgrade-from",
    "old",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Rehearse a learner's upgrade from this older package: import it, review, import PACKAGE.",
)
@click.option(
    "--render",
    is_flag=True,
    help="Also render every card in headless Chromium with Anki's MathJax, at phone and desktop width, "
    "light and night, and report what does not read well.",
)
def check_deck_command(package: Path, old: Path | None, render: bool) -> None:
    """Import PACKAGE into a throw-away collection with Anki's own backend and report what it holds.

    Exits 1 when Anki reports any problem.

    \b
    Example:
      dlexport check-deck out/anki/deep-learning.apkg --render
    """
    from dlexport.deckcheck import check_deck

    if old is not None:
        _check_upgrade(package, old)
        return
    report = check_deck(package)
    if render:
        from dlexport.deckcheck import render_check

        report.problems += render_check(package)
    click.echo(f"{package}: {report.notes} notes, {report.cards} cards")
    click.echo(f"  decks: {', '.join(report.decks) or 'none'}")
    click.echo(f"  note types: {', '.join(report.note_types) or 'none'}")
    for problem in report.problems:
        click.echo(f"  problem: {problem}", err=True)
    if report.problems:
        raise ExportError(f"{package}: Anki reported {len(report.problems)} problem(s)")


def _check_upgrade(new: Path, old: Path) -> None:
    from dlexport.upgradecheck import check_upgrade

    report = check_upgrade(new, old)
    click.echo(
        f"{old} -> {new}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.retired} retired (after {report.reviewed} reviews)"
    )
    for deck, cards in sorted(report.stranded.items()):
        click.echo(f"  stranded: {cards} card(s) stay in '{deck}', which {new.name} no longer has", err=True)
    for name in report.stale_media:
        click.echo(
            f"  stale image: {name} changed but its notes did not, so learners keep the old one", err=True
        )
    if report.lost_reviews:
        click.echo(f"  lost: {report.lost_reviews} review(s) or intervals", err=True)
    if not report.ok:
        raise ExportError(f"{new}: the upgrade from {old} would hurt learners (see above)")


def main() -> None:
    cli(prog_name="dlexport")
