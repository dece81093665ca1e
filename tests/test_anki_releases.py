"""Decks as learners live with them over several releases, checked with Anki's own backend: deck names
that never move, images that update, release notes, and the upgrade rehearsal of check-deck."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import edit, run

Collection = pytest.importorskip("anki.collection").Collection


def build(content: Path, out: Path, *flags: str):
    result = run("build", "-f", "anki", "--content", content, "--out", out, *flags)
    assert result.exit_code == 0, result.output
    return out / "anki" / "deep-learning.apkg", result.output


def import_into(col, package: Path):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


@pytest.fixture
def col(tmp_path: Path):
    collection = Collection(str(tmp_path / "learner.anki2"))
    yield collection
    collection.close()


def decks_with_cards(col) -> dict[str, int]:
    out = {}
    for deck in col.decks.all_names_and_ids():
        if cards := col.decks.cids(deck.id, children=False):
            out[deck.name] = len(cards)
    return out


def test_reordering_and_inserting_topics_never_moves_a_deck(mini, tmp_path, col):
    import_into(col, build(mini, tmp_path / "v1")[0])
    before = decks_with_cards(col)
    assert before == {"Deep Learning::01 Basics": 3, "Deep Learning::02 Convolutional networks": 1}

    (mini / "topics.yaml").write_text(
        "topics:\n  - id: intro\n    title: Introduction\n"
        "  - id: convnets\n    title: Convolutional networks\n  - id: basics\n    title: Basics\n"
    )
    (mini / "intro.yaml").write_text(
        "topic: intro\nentries:\n  - id: what-is-dl\n    question: What is deep learning?\n"
        "    answer: Learning with many layers.\n    difficulty: basic\n"
    )
    log = import_into(col, build(mini, tmp_path / "v2")[0])
    assert len(log.new) == 1
    after = decks_with_cards(col)
    assert after == {**before, "Deep Learning::03 Introduction": 1}  # the new topic gets the next number
    topic_of = {"01 Basics": "basics", "02 Convolutional networks": "convnets", "03 Introduction": "intro"}
    for cid in col.find_cards("tag:dlexport"):
        card = col.get_card(cid)
        deck = col.decks.name(card.did).split("::")[1]
        assert f"topic::{topic_of[deck]}" in card.note().tags


def test_a_retitled_topic_keeps_its_deck_unless_renamed_and_then_says_what_to_do(mini, tmp_path, col):
    import_into(col, build(mini, tmp_path / "v1")[0])
    edit(mini / "topics.yaml", "title: Basics", "title: Fundamentals")
    package, output = build(mini, tmp_path / "v2")
    assert "its deck keeps the published name 'Deep Learning::01 Basics'" in output
    import_into(col, package)
    assert "Deep Learning::01 Fundamentals" not in decks_with_cards(col)

    package, output = build(mini, tmp_path / "v3", "--rename-decks")
    assert "learners must rename it in Anki" in output
    notes = (tmp_path / "v3" / "anki" / "CHANGES.md").read_text()
    assert "## Before you import" in notes
    assert "- Deep Learning::01 Basics → Deep Learning::01 Fundamentals" in notes
    # The learner does what the notes say: rename, then import. Every card stays in one deck.
    deck = col.decks.by_name("Deep Learning::01 Basics")
    deck["name"] = "Deep Learning::01 Fundamentals"
    col.decks.save(deck)
    import_into(col, package)
    assert decks_with_cards(col) == {
        "Deep Learning::01 Fundamentals": 3,
        "Deep Learning::02 Convolutional networks": 1,
    }


def test_an_image_edited_in_place_reaches_the_learner(mini, tmp_path, col):
    import_into(col, build(mini, tmp_path / "v1")[0])
    (mini / "images" / "filter.png").write_bytes((mini / "images" / "filter.png").read_bytes() + b"edited")
    package, _ = build(mini, tmp_path / "v2")
    log = import_into(col, package)
    assert len(log.updated) == 1
    media = Path(col.media.dir())
    assert any(p.read_bytes().endswith(b"edited") for p in media.iterdir())
    notes = (tmp_path / "v2" / "anki" / "CHANGES.md").read_text()
    assert "## Images changed" in notes and "`images/filter.png`" in notes


def test_release_notes_list_added_updated_and_retired_notes(mini, tmp_path):
    build(mini, tmp_path / "v1")
    edit(mini / "basics.yaml", "squashes", "maps")
    edit(
        mini / "basics.yaml",
        "    difficulty: intermediate\n",
        "    difficulty: intermediate\n    retired: true\n",
    )
    build(mini, tmp_path / "v2")
    notes = (tmp_path / "v2" / "anki" / "CHANGES.md").read_text()
    assert "## Updated\n\n- What is the sigmoid function? (`sigmoid-function`)" in notes
    assert "What does softmax compute? (`softmax-function`)" in notes.split("## Retired")[1]
    before = (tmp_path / "v2" / "anki" / "CHANGES.md").read_bytes()
    build(mini, tmp_path / "v2")  # nothing changed: the release notes stay
    assert (tmp_path / "v2" / "anki" / "CHANGES.md").read_bytes() == before


def test_an_edited_note_changes_one_line_of_the_ledger(mini, tmp_path):
    build(mini, tmp_path / "v1")
    before = (mini / "anki-ledger.json").read_text().splitlines()
    edit(mini / "basics.yaml", "squashes", "maps")
    build(mini, tmp_path / "v2")
    after = (mini / "anki-ledger.json").read_text().splitlines()
    assert len(after) == len(before)
    (changed,) = [line for line in after if line not in before]
    assert '"id": "sigmoid-function"' in changed and '"kind": "basic"' in changed


def test_check_deck_rehearses_an_upgrade(mini, tmp_path):
    old, _ = build(mini, tmp_path / "v1")
    edit(mini / "basics.yaml", "squashes", "maps")
    new, _ = build(mini, tmp_path / "v2")
    clean = run("check-deck", new, "--upgrade-from", old)
    assert clean.exit_code == 0, clean.output
    assert "0 added, 1 updated, 3 unchanged, 0 retired" in clean.output and "reviews)" in clean.output

    # Built without the ledger, a retitled topic renames its deck: the learner's cards would be stranded.
    (mini / "anki-ledger.json").unlink()
    edit(mini / "topics.yaml", "title: Basics", "title: Fundamentals")
    stranding, _ = build(mini, tmp_path / "v3")
    result = run("check-deck", stranding, "--upgrade-from", old)
    assert result.exit_code == 1
    assert "stranded: 3 card(s) stay in 'Deep Learning::01 Basics'" in result.output


def test_check_deck_upgrade_refuses_what_is_not_a_package(tmp_path):
    (tmp_path / "x.apkg").write_text("not a zip")
    result = run("check-deck", tmp_path / "x.apkg", "--upgrade-from", tmp_path / "x.apkg")
    assert result.exit_code == 2 and "not an Anki package" in result.output
