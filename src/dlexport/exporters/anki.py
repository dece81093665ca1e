"""Anki decks: one deck with a subdeck per topic, notes that update in place on every re-import."""

from __future__ import annotations

import hashlib
import html
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import genanki

from dlexport.exporters.apkg import PackagedNote, stable_id, write_apkg
from dlexport.exporters.base import Exporter, build_time
from dlexport.ledger import Ledger, content_hash
from dlexport.markup import HtmlRenderer, Policy, mathjax
from dlexport.model import Corpus, Entry
from dlexport.output import atomic_target

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
    deck: str = "Deep Learning"
    file: str = "deep-learning"
    split: bool = False
    ledger: str = "anki-ledger.json"  # relative to the corpus directory


class AnkiExporter(Exporter):
    name = "anki"
    suffix = "apkg"
    description = "Anki deck (.apkg), a subdeck per topic; re-imports update notes in place"
    Options = AnkiOptions

    def export(self, corpus: Corpus, dest: Path) -> list[Path]:
        opts: AnkiOptions = self.options
        self.corpus = corpus
        self.media = {
            t.id: {media_name(corpus.root / path): corpus.root / path for e in t.entries for path in e.images}
            for t in corpus.topics
        }  # per topic, for --split
        self.renderer = HtmlRenderer(
            mathjax, policy=Policy(image=lambda path: media_name(corpus.root / path))
        )
        self.ledger = Ledger.load(corpus.root / opts.ledger)
        self.now = build_time()
        self.basic, self.cloze = self._model("Q&A", BASIC_FIELDS), self._model("Cloze", CLOZE_FIELDS)
        # Anki sorts decks by name: the chapter number keeps topics.yaml's order.
        decks = {
            t.id: genanki.Deck(stable_id("deck", opts.deck, t.id), f"{opts.deck}::{n:02d} {t.title}")
            for n, t in enumerate(corpus.topics, 1)
        }
        advance = self.context.progress("anki: notes", sum(1 for _ in corpus.entries()))
        notes: dict[str, list[PackagedNote]] = {tid: [] for tid in decks}
        for entry in corpus.entries():
            notes[entry.topic] += self._notes(entry, decks[entry.topic].deck_id)
            advance()
        if not corpus.selected:
            for topic, note in self._ghosts(corpus, decks):
                notes[topic].append(note)

        root = genanki.Deck(stable_id("deck", opts.deck), opts.deck)
        written = [self._write(dest / f"{opts.file}.apkg", [root, *decks.values()], notes, list(self.media))]
        if opts.split:
            for topic in corpus.topics:
                written.append(
                    self._write(
                        dest / f"{opts.file}-{topic.id}.apkg",
                        [decks[topic.id]],
                        {topic.id: notes[topic.id]},
                        [topic.id],
                    )
                )
        self.ledger.save()
        return written

    # --- note types ------------------------------------------------------------------------------

    def _model(self, kind: str, fields: tuple[str, ...]) -> genanki.Model:
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
        model.mtime = self.ledger.stamp(f"model:{kind}", content_hash(fields, front, back, css), self.now)
        return model

    def _template(self, name: str) -> str:
        """Anki's own {{Field}} templates, taken verbatim (user overrides included), not run through Jinja."""
        env = self.context.env
        return env.loader.get_source(env, name)[0]

    # --- notes -----------------------------------------------------------------------------------

    def _notes(self, entry: Entry, deck_id: int) -> list[PackagedNote]:
        md = self.renderer.render
        topic = self.corpus.topic(entry.topic).title
        tags = ["dlexport", f"topic::{entry.topic}", f"difficulty::{entry.difficulty}", *entry.tags]
        notice = RETIRED_NOTICE if entry.retired else ""
        if entry.retired:
            tags.append(RETIRED_TAG)
        fields = [
            entry.id,
            notice + _unwrap(md(entry.question)),
            md(entry.answer),
            md(entry.details) if entry.details else "",
            html.escape(topic),
            entry.difficulty,
            html.escape(", ".join(entry.sources)),
            self._related(entry),
        ]
        source = {"id": entry.id, "topic": entry.topic, "question": entry.question}
        out = [self._packaged(self.basic, "basic", fields, tags, deck_id, source)]
        if entry.cloze:
            cloze = [
                entry.id,
                notice + _unwrap(md(entry.cloze)),
                _unwrap(md(entry.question)),
                html.escape(topic),
                entry.difficulty,
            ]
            out.append(self._packaged(self.cloze, "cloze", cloze, tags, deck_id, source))
        return out

    def _packaged(
        self, model: genanki.Model, kind: str, fields: list[str], tags: list[str], deck_id: int, source: dict
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
        meta = {**source, "kind": kind}
        mtime = self.ledger.stamp(guid, content_hash(fields, tags, deck_id), self.now, **meta)
        return PackagedNote(note, deck_id, mtime)

    def _ghosts(self, corpus: Corpus, decks: dict[str, genanki.Deck]):
        """Notes sent before whose entry (or cloze) is gone: re-sent as retired, as imports never delete."""
        present = {(e.id, "basic") for e in corpus.entries()} | {
            (e.id, "cloze") for e in corpus.entries() if e.cloze
        }
        for guid, rec in sorted(self.ledger.records.items()):
            if guid.startswith("model:") or (rec["id"], rec["kind"]) in present:
                continue
            topic = rec["topic"] if rec["topic"] in decks else next(iter(decks))
            tags = ["dlexport", f"topic::{rec['topic']}", RETIRED_TAG]
            question = html.escape(rec["question"])
            if rec["kind"] == "basic":
                model, fields = self.basic, [rec["id"], RETIRED_NOTICE + question, RETIRED_NOTICE, *[""] * 5]
            else:
                model, fields = self.cloze, [rec["id"], RETIRED_NOTICE + "{{c1::retired}}", question, "", ""]
            source = {"id": rec["id"], "topic": rec["topic"], "question": rec["question"]}
            yield topic, self._packaged(model, rec["kind"], fields, tags, decks[topic].deck_id, source)

    def _related(self, entry: Entry) -> str:
        items = [
            f"<li><b>{self.corpus.number(other)}</b> {_unwrap(self.renderer.render(other.question))}</li>"
            for other in self.corpus.related(entry)
        ]
        return f"<ul>{''.join(items)}</ul>" if items else ""

    # --- output ----------------------------------------------------------------------------------

    def _write(
        self, path: Path, decks: list[genanki.Deck], notes: dict[str, list[PackagedNote]], topics: list[str]
    ) -> Path:
        items = [n for group in notes.values() for n in group]
        used = {n.note.model for n in items} or {self.basic}
        models = {m: m.mtime for m in (self.basic, self.cloze) if m in used}
        with atomic_target(path) as tmp:
            media = {name: file for t in topics for name, file in self.media[t].items()}
            write_apkg(tmp, decks, models, items, media, _zip_date())
        return path


def media_name(path: Path) -> str:
    """An image's flat, Anki-safe name in the package, with a hash of its bytes: an edited image gets a
    new name, so the notes that show it change and Anki imports the new file."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "-", path.name)
    return f"dlexport-{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}-{stem}"


def _zip_date() -> tuple[int, ...]:
    """Zip entry dates: SOURCE_DATE_EPOCH when set, else the zip format's epoch, never "now"."""
    epoch = max(int(os.environ.get("SOURCE_DATE_EPOCH", 0)), 315532800)  # zip cannot date before 1980
    return time.gmtime(epoch)[:6]


def _unwrap(fragment: str) -> str:
    """Drop the <p> around a one-paragraph rendering (questions, cloze text)."""
    m = re.fullmatch(r"<p>(.*)</p>", fragment, re.S)
    return m.group(1) if m and "<p>" not in m.group(1) else fragment
