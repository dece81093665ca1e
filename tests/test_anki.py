"""The Anki exporter, checked with Anki's own backend (the `anki` package): no fakes."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from conftest import edit, run

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection


def build(content: Path, out: Path, *extra: str) -> Path:
    result = run("build", "--format", "anki", "--content", content, "--out", out, *extra)
    assert result.exit_code == 0, result.output
    return out / "anki" / "deep-learning.apkg"


def import_into(col, package: Path):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(
        package_path=str(package),
        options=ImportAnkiPackageOptions(with_scheduling=True, merge_notetypes=True),
    )
    return col.import_anki_package(request).log


@pytest.fixture
def col(tmp_path: Path):
    collection = Collection(str(tmp_path / "learner.anki2"))
    yield collection
    collection.close()


def note_by_id(col, entry_id: str, notetype: str = "dlexport Q&A"):
    ids = col.find_notes(f'"note:{notetype}" "Id:{entry_id}"')
    assert len(ids) == 1, ids
    return col.get_note(ids[0])


def test_import_gives_one_note_per_entry_with_subdecks_tags_and_fields(mini, tmp_path, col):
    log = import_into(col, build(mini, tmp_path / "out"))
    assert len(log.new) == 4 and not log.updated and not log.duplicate and not log.conflicting
    assert len(col.find_notes('"note:dlexport Q&A"')) == 3
    assert len(col.find_notes('"note:dlexport Cloze"')) == 1
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {"Deep Learning", "Deep Learning::01 Basics", "Deep Learning::02 Convolutional networks"} <= names

    note = note_by_id(col, "sigmoid-function")
    assert set(note.tags) >= {"dlexport", "topic::basics", "difficulty::basic", "activations", "sigmoid"}
    assert note["Topic"] == "Basics" and note["Difficulty"] == "basic" and note["Sources"] == "seed#1"
    assert "What does softmax compute?" in note["Related"]
    card = note.cards()[0]
    assert col.decks.name(card.did) == "Deep Learning::01 Basics"
    question, answer = card.question(), card.answer()
    assert "What is the sigmoid function?" in question
    assert r"\(\sigma'(x) = \sigma(x)\,(1 - \sigma(x))\)" in answer
    assert r"\[\frac{1}{1 + e^{-x}}\]" not in answer  # display math keeps its left-hand side
    assert r"\[\sigma(x) = \frac{1}{1 + e^{-x}}\]" in answer
    assert "<table>" in answer and "style=" in answer  # highlighted code, inline-styled

    cloze = col.get_note(col.find_notes('"note:dlexport Cloze"')[0])
    cloze_card = cloze.cards()[0]
    assert "[...]" in cloze_card.question() and "zero to one" in cloze_card.answer()


def test_image_is_packed_as_media_and_shows_on_the_card(mini, tmp_path, col):
    package = build(mini, tmp_path / "out")
    with zipfile.ZipFile(package) as zf:
        media = zf.read("media").decode()
    assert "filter.png" in media and "/" not in media.replace('"', "")
    import_into(col, package)
    answer = note_by_id(col, "conv-output-size").cards()[0].answer()
    name = next(n for n in Path(col.media.dir()).iterdir() if n.name.endswith("filter.png")).name
    assert f'src="{name}"' in answer


def test_edit_updates_exactly_one_note_and_keeps_review_history(mini, tmp_path, col):
    import_into(col, build(mini, tmp_path / "out"))
    card = note_by_id(col, "softmax-function").cards()[0]
    card.start_timer()
    col.sched.answerCard(card, 3)
    reviews_before = col.db.scalar("select count() from revlog where cid = ?", card.id)
    assert reviews_before == 1
    due_before = col.get_card(card.id).due

    edit(
        mini / "basics.yaml",
        "The outputs are positive and sum to one.",
        "The outputs are positive, sum to one, and keep the ranking of the logits.",
    )
    log = import_into(col, build(mini, tmp_path / "out"))

    # Anki logs the unchanged notes it skipped as "duplicate": the same GUID, nothing newer.
    assert len(log.updated) == 1 and not log.new and len(log.duplicate) == 3 and not log.conflicting
    assert log.updated[0].fields[0] == "softmax-function"
    assert "keep the ranking" in note_by_id(col, "softmax-function")["Answer"]
    assert col.db.scalar("select count() from revlog where cid = ?", card.id) == 1
    assert col.get_card(card.id).due == due_before
    assert col.note_count() == 4


def test_unchanged_rebuild_is_byte_identical_and_an_edit_is_not(mini, tmp_path):
    first = build(mini, tmp_path / "a").read_bytes()
    assert build(mini, tmp_path / "b").read_bytes() == first
    edit(mini / "convnets.yaml", "gives 32", "gives 32 (a 'same' convolution)")
    assert build(mini, tmp_path / "c").read_bytes() != first


def test_source_date_epoch_sets_zip_dates(mini, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with zipfile.ZipFile(build(mini, tmp_path / "out")) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_retired_and_removed_entries_reach_the_learner_tagged(mini, tmp_path, col):
    import_into(col, build(mini, tmp_path / "out"))
    edit(
        mini / "basics.yaml",
        "    difficulty: intermediate\n",
        "    difficulty: intermediate\n    retired: true\n",
    )
    conv = (mini / "convnets.yaml").read_text()
    (mini / "convnets.yaml").write_text(conv[: conv.index("  - id: conv-output-size")] + "  []\n")
    (mini / "convnets.yaml").write_text("topic: convnets\nentries: []\n")
    log = import_into(col, build(mini, tmp_path / "out"))
    # softmax and conv-output-size retired; sigmoid-function no longer links to the retired softmax
    assert len(log.updated) == 3 and not log.new
    assert "softmax" not in note_by_id(col, "sigmoid-function")["Related"].lower()
    retired = set(col.find_notes("tag:dlexport::retired"))
    assert retired == {note_by_id(col, "softmax-function").id, note_by_id(col, "conv-output-size").id}
    assert "Retired" in note_by_id(col, "conv-output-size").cards()[0].question()


def test_filtered_build_does_not_retire_entries_outside_the_selection(mini, tmp_path, col):
    import_into(col, build(mini, tmp_path / "out"))
    log = import_into(col, build(mini, tmp_path / "out", "--topic", "basics"))
    assert not log.updated and not col.find_notes("tag:dlexport::retired")


def test_deck_and_model_ids_are_a_stable_promise(mini, tmp_path, col):
    import_into(col, build(mini, tmp_path / "out"))
    models = {m.name: m.id for m in col.models.all_names_and_ids() if m.name.startswith("dlexport")}
    assert models == {"dlexport Q&A": 1351522562, "dlexport Cloze": 1322096842}
    # Anki matches decks by name and gives them ids of its own; the package's ids are still fixed.
    with zipfile.ZipFile(tmp_path / "out" / "anki" / "deep-learning.apkg") as zf:
        (tmp_path / "c.anki2").write_bytes(zf.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as db:
        decks = {
            d["name"]: d["id"] for d in json.loads(db.execute("select decks from col").fetchone()[0]).values()
        }
    assert decks["Deep Learning::01 Basics"] == 1402574788
    fields = col.models.get(models["dlexport Q&A"])["flds"]
    assert [f["name"] for f in fields] == [
        "Id",
        "Question",
        "Answer",
        "Details",
        "Topic",
        "Difficulty",
        "Sources",
        "Related",
    ]


def test_split_writes_one_package_per_topic(mini, tmp_path):
    result = run("build", "--format", "anki", "--split", "--content", mini, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "anki"
    names = sorted(p.name for p in folder.glob("*.apkg"))
    assert names == ["deep-learning-basics.apkg", "deep-learning-convnets.apkg", "deep-learning.apkg"]
    # Each topic's package carries only the images its own cards use.
    for name, has_image in (("deep-learning-basics.apkg", False), ("deep-learning-convnets.apkg", True)):
        with zipfile.ZipFile(folder / name) as zf:
            assert ("filter.png" in zf.read("media").decode()) is has_image


def test_check_deck_reports_notes_and_fails_on_a_broken_package(mini, tmp_path):
    package = build(mini, tmp_path / "out")
    ok = run("check-deck", package)
    assert ok.exit_code == 0 and "4 notes, 4 cards" in ok.output and "dlexport Q&A" in ok.output
    broken = tmp_path / "broken.apkg"
    broken.write_bytes(b"not a zip")
    bad = run("check-deck", broken)
    assert bad.exit_code == 1 and "import failed" in bad.output


def test_rebuilds_after_removing_an_entry_stay_byte_identical(mini, tmp_path):
    build(mini, tmp_path / "a")
    (mini / "convnets.yaml").write_text("topic: convnets\nentries: []\n")
    first = build(mini, tmp_path / "b").read_bytes()
    assert build(mini, tmp_path / "c").read_bytes() == first
    assert build(mini, tmp_path / "d").read_bytes() == first
