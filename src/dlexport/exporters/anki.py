"""Anki decks: one deck with a subdeck per topic, notes that update in place on every re-import."""

from __future__ import annotations

import hashlib
import html
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import genanki

from dlexport.errors import ConfigError
from dlexport.exporters.apkg import PackagedNote, stable_id, write_apkg
from dlexport.exporters.base import Exporter, build_time, source_date_epoch
from dlexport.ledger import Ledger, content_hash
from dlexport.markup import HtmlRenderer, Policy, corpus_images, markdown_text, mathjax
from dlexport.model import Corpus
from dlexport.output import atomic_target, write_text
from dlexport.view import ChapterView, EntryView, HtmlFlavour, build_view

# The field lists are a compatibility promise: changing them would fork every learner's note type.
BASIC_FIELDS = ("Id", "Question", "Answer", "Details", "Topic", "Difficulty", "Sources", "Related")
CLOZE_FIELDS = ("Id", "Text", "Extra", "Topic", "Difficulty")
RETIRED_TAG = "dlexport::retired"
RETIRED_NOTICE = (
    '<div class="dlx-retired">Retired: this card is no longer in the corpus. '
    "Find such cards with <code>tag:dlexport::retired</code> and delete them.</div>"
)


@dataclass(frozen=True)
class AnkiOptions:
    deck: str = field(default="Deep Learning", metadata={"help": "name of the top deck"})
    file: str = field(default="deep-learning", metadata={"help": "package file name, without .apkg"})
    split: bool = field(default=False, metadata={"help": "also write one .apkg per topic"})
    ledger: str = field(
        default="anki-ledger.json", metadata={"help": "note ledger, relative to the corpus folder"}
    )
    rename_decks: bool = field(
        default=False, metadata={"help": "give retitled topics' decks their new names (learners must rename)"}
    )

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", self.file):
            raise ConfigError(
                f"option anki.file must be a plain file name (letters, digits, . _ -), not {self.file!r}"
            )
        ledger = Path(self.ledger)
        if ledger.is_absolute() or ".." in ledger.parts or not ledger.name:
            raise ConfigError(
                f"option anki.ledger must be a path inside the corpus folder, not {self.ledger!r}"
            )
        if not self.deck.strip() or "::" in self.deck:
            raise ConfigError(f"option anki.deck must be one deck name without '::', not {self.deck!r}")


class AnkiExporter(Exporter):
    name = "anki"
    suffix = "apkg"
    description = "Anki deck (.apkg), a subdeck per topic; re-imports update notes in place"
    Options = AnkiOptions

    def export(self, corpus: Corpus, dest: Path) -> list[Path]:
        opts: AnkiOptions = self.options
        ledger = Ledger.load(corpus.root / opts.ledger)
        now = build_time()
        kinds = NoteTypes(
            self._model("Q&A", BASIC_FIELDS, ledger, now), self._model("Cloze", CLOZE_FIELDS, ledger, now)
        )
        images = sorted({path for e in corpus.entries() for path in e.images})
        packed = {path: media_name(corpus.root / path) for path in images}
        known = corpus_images(corpus.root, images)
        renderer = HtmlRenderer(mathjax, policy=Policy(image=lambda path: packed.get(known(path) or "")))
        advance = self.context.progress("anki: notes", sum(1 for _ in corpus.entries()))
        # MathJax math is text: a fragment's HTML depends on the fragment alone, so workers may make it.
        flavour = HtmlFlavour(renderer, parallel=True)
        chapters = build_view(corpus, flavour, advance=advance, processes=self.context.processes)
        names, renamed = self._deck_names(chapters, ledger)
        decks = {c.id: genanki.Deck(stable_id("deck", opts.deck, c.id), names[c.id]) for c in chapters}
        notes = {
            c.id: [
                note
                for e in c.entries
                for note in _notes(e, c.title, decks[c.id].deck_id, kinds, ledger, now)
            ]
            for c in chapters
        }
        if not corpus.selected:
            for topic, note in _ghosts(corpus, decks, kinds, ledger, now):
                notes[topic].append(note)
        media = {
            t.id: {packed[path]: corpus.root / path for e in t.entries for path in e.images}
            for t in corpus.topics
        }
        for path in images:
            ledger.remember("images", path, packed[path])

        root = genanki.Deck(stable_id("deck", opts.deck), opts.deck)
        packages = [(f"{opts.file}.apkg", [root, *decks.values()], list(decks))]
        if opts.split:
            packages += [(f"{opts.file}-{tid}.apkg", [decks[tid]], [tid]) for tid in decks]
        written = [
            _write(dest / name, package_decks, {t: notes[t] for t in topics}, kinds, media, topics)
            for name, package_decks, topics in packages
        ]
        if (
            ledger.changed
        ):  # release notes for this change; a rebuild of unchanged content keeps the last ones
            retired = {n.note.guid for group in notes.values() for n in group if RETIRED_TAG in n.note.tags}
            written.append(
                write_text(dest / "CHANGES.md", release_notes(opts.deck, ledger, retired, renamed))
            )
        ledger.save()
        return written

    def _deck_names(self, chapters: tuple[ChapterView, ...], ledger: Ledger) -> tuple[dict[str, str], list]:
        """Each topic's deck name, as first published (kept in the ledger): Anki matches decks by name and
        never moves cards, so a renamed deck would strand every card in the old one. A new topic gets the
        next free number; a retitled topic keeps its name unless `rename_decks` is set."""
        opts: AnkiOptions = self.options
        numbers = [int(m[1]) for name in ledger.decks.values() if (m := re.search(r"::(\d+) ", name))]
        next_number = max(numbers, default=0) + 1
        names: dict[str, str] = {}
        renamed: list[tuple[str, str]] = []
        for c in chapters:
            published = ledger.decks.get(c.id)
            if published is None:
                number = c.number if not ledger.decks else next_number
                next_number = max(next_number, number) + 1
                names[c.id] = f"{opts.deck}::{number:02d} {c.title}"
            elif (m := re.fullmatch(r"(.*::\d+) (.*)", published)) and m[2] != c.title:
                wanted = f"{m[1]} {c.title}"
                if opts.rename_decks:
                    names[c.id] = wanted
                    renamed.append((published, wanted))
                    self.context.warn(
                        f"deck '{published}' is renamed '{wanted}': learners must rename it in Anki to "
                        "exactly that before importing, or its cards stay in the old deck (see CHANGES.md)"
                    )
                else:
                    names[c.id] = published
                    self.context.warn(
                        f"topic '{c.id}' is now titled '{c.title}'; its deck keeps the published name "
                        f"'{published}' (build with --rename-decks to rename it)"
                    )
            else:
                names[c.id] = published
            ledger.remember("decks", c.id, names[c.id])
        return names, renamed

    def _model(self, kind: str, fields: tuple[str, ...], ledger: Ledger, now: int) -> genanki.Model:
        slug = kind.lower().replace("&", "")
        front, back, css = (
            self._template(f"anki/{name}")
            for name in (f"{slug}-front.html", f"{slug}-back.html", "style.css")
        )
        model = genanki.Model(
            stable_id("model", kind),
            f"dlexport {kind}",
            fields=[{"name": f, "id": stable_id("field", kind, f)} for f in fields],
            templates=[
                {
                    "name": "Card 1" if kind != "Cloze" else "Cloze",
                    "qfmt": front,
                    "afmt": back,
                    "id": stable_id("template", kind),
                }
            ],
            css=css,
            model_type=genanki.Model.CLOZE if kind == "Cloze" else genanki.Model.FRONT_BACK,
            sort_field_index=1,
        )
        model.mtime = ledger.stamp(f"model:{kind}", content_hash(fields, front, back, css), now)
        return model

    def _template(self, name: str) -> str:
        """Anki's own {{Field}} templates, taken verbatim (user overrides included), not run through Jinja."""
        env = self.context.env
        return env.loader.get_source(env, name)[0]


@dataclass(frozen=True)
class NoteTypes:
    basic: genanki.Model
    cloze: genanki.Model


def _notes(
    e: EntryView, topic: str, deck_id: int, kinds: NoteTypes, ledger: Ledger, now: int
) -> list[PackagedNote]:
    tags = ["dlexport", f"topic::{e.topic}", f"difficulty::{e.difficulty}", *e.tags]
    notice = RETIRED_NOTICE if e.retired else ""
    if e.retired:
        tags.append(RETIRED_TAG)
    related = "".join(f"<li><b>{r.number}</b> {r.question}</li>" for r in e.related)
    fields = [
        e.id,
        notice + e.question,
        e.answer,
        e.details,
        html.escape(topic),
        e.difficulty,
        html.escape(", ".join(e.sources)),
        f"<ul>{related}</ul>" if related else "",
    ]
    source = {"id": e.id, "topic": e.topic, "question": e.title}
    out = [_packaged(kinds.basic, "basic", fields, tags, deck_id, source, ledger, now)]
    if e.cloze:
        cloze = [e.id, notice + e.cloze, e.question, html.escape(topic), e.difficulty]
        out.append(_packaged(kinds.cloze, "cloze", cloze, tags, deck_id, source, ledger, now))
    return out


def _packaged(
    model: genanki.Model,
    kind: str,
    fields: list[str],
    tags: list[str],
    deck_id: int,
    source: dict,
    ledger: Ledger,
    now: int,
) -> PackagedNote:
    """One note, its mtime from the ledger. `source` (id, topic, question) is what the ledger keeps,
    so the note can still be retired after its entry is gone."""
    entry_id = source["id"]
    guid = (
        genanki.guid_for("dlexport", entry_id)
        if kind == "basic"
        else genanki.guid_for("dlexport", entry_id, kind)
    )
    note = genanki.Note(model=model, fields=fields, tags=tags, guid=guid)
    mtime = ledger.stamp(guid, content_hash(fields, tags, deck_id), now, **source, kind=kind)
    return PackagedNote(note, deck_id, mtime)


def _ghosts(corpus: Corpus, decks: dict[str, genanki.Deck], kinds: NoteTypes, ledger: Ledger, now: int):
    """Notes sent before whose entry (or cloze) is gone: re-sent as retired, as imports never delete."""
    present = {(e.id, "basic") for e in corpus.entries()} | {
        (e.id, "cloze") for e in corpus.entries() if e.cloze
    }
    for guid, rec in sorted(ledger.records.items()):
        if guid.startswith("model:") or (rec["id"], rec["kind"]) in present:
            continue
        topic = rec["topic"] if rec["topic"] in decks else next(iter(decks))
        tags = ["dlexport", f"topic::{rec['topic']}", RETIRED_TAG]
        question = html.escape(rec["question"])
        if rec["kind"] == "basic":
            model, fields = kinds.basic, [rec["id"], RETIRED_NOTICE + question, RETIRED_NOTICE, *[""] * 5]
        else:
            model, fields = kinds.cloze, [rec["id"], RETIRED_NOTICE + "{{c1::retired}}", question, "", ""]
        source = {"id": rec["id"], "topic": rec["topic"], "question": rec["question"]}
        yield topic, _packaged(model, rec["kind"], fields, tags, decks[topic].deck_id, source, ledger, now)


def _write(
    path: Path,
    decks: list[genanki.Deck],
    notes: dict[str, list[PackagedNote]],
    kinds: NoteTypes,
    media: dict[str, dict[str, Path]],
    topics: list[str],
) -> Path:
    items = [n for group in notes.values() for n in group]
    used = {n.note.model for n in items} or {kinds.basic}
    models = {m: m.mtime for m in (kinds.basic, kinds.cloze) if m in used}
    with atomic_target(path) as tmp:
        files = {name: file for t in topics for name, file in media.get(t, {}).items()}
        write_apkg(tmp, decks, models, items, files, _zip_date())
    return path


def release_notes(deck: str, ledger: Ledger, retired: set[str], renamed: list[tuple[str, str]]) -> str:
    """What changed for learners since the ledger was last saved: the text of a deck release."""

    def line(guid: str) -> str:
        rec = ledger.records[guid]
        return (
            f"- {markdown_text(rec['question'])} (`{rec['id']}`{', cloze' if rec['kind'] == 'cloze' else ''})"
        )

    added, updated = ledger.added(), ledger.updated()
    sections = {
        "Added": [line(g) for g in added],
        "Updated": [line(g) for g in updated if g not in retired],
        "Retired (tagged `dlexport::retired`: delete them when you like)": [
            line(g) for g in updated if g in retired
        ],
        "Images changed": [
            f"- `{path}`"
            for path, name in sorted(ledger.images.items())
            if ledger.images_before.get(path, name) != name
        ],
    }
    out = [f"# {deck}: changes in this release", ""]
    counts = [f"{len(items)} {title.split(' (')[0].lower()}" for title, items in sections.items() if items]
    out += [
        f"{', '.join(counts) or 'No note changes'}{'; ' if renamed else ''}"
        f"{f'{len(renamed)} deck(s) renamed' if renamed else ''}.",
        "",
    ]
    if renamed:
        out += [
            "## Before you import",
            "",
            "Rename these decks in Anki first (Browse, right-click the deck, Rename), to exactly the",
            "new name, so that every card stays in one deck:",
            "",
            *[f"- {markdown_text(old)} → {markdown_text(new)}" for old, new in renamed],
            "",
        ]
    for title, items in sections.items():
        if items:
            out += [f"## {title}", "", *items, ""]
    return "\n".join(out)  # every text in it is escaped with markdown_text


def media_name(path: Path) -> str:
    """An image's flat, Anki-safe name in the package, with a hash of its bytes: an edited image gets a
    new name, so the notes that show it change and Anki imports the new file."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "-", path.name)
    return f"dlexport-{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}-{stem}"


def _zip_date() -> tuple[int, ...]:
    """Zip entry dates: SOURCE_DATE_EPOCH when set, else the zip format's epoch, never "now"."""
    return time.gmtime(source_date_epoch() or 315532800)[:6]  # zip cannot date before 1980
