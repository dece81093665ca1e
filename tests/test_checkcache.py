"""Topic files checked before are taken from the cache only when nothing they depend on has changed,
and a damaged or stale record is never used."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from conftest import edit

from dlexport import checkcache
from dlexport import corpus as corpus_module
from dlexport.corpus import load_corpus
from dlexport.errors import CorpusError
from dlexport.output import worker_pool


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of its own for each test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "dlexport" / "checked"


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the topic files that were checked, not taken from the cache."""
    names: list[str] = []
    real = corpus_module._load_topic_file

    def spy(f, *args):
        names.append(f.path.name)
        return real(f, *args)

    monkeypatch.setattr(corpus_module, "_load_topic_file", spy)
    return names


def everything(corpus) -> list[tuple]:
    """Every field of every entry, where it was defined included (entries compare without it)."""
    return [(t.id, t.number, t.path, [dataclasses.astuple(e) for e in t.entries]) for t in corpus.topics]


def test_a_second_load_checks_nothing_again_and_gives_the_same_corpus(mini, cache, checked):
    first = load_corpus(mini)
    assert sorted(checked) == ["basics.yaml", "convnets.yaml"] and len(list(cache.iterdir())) == 2
    checked.clear()
    second = load_corpus(mini)
    assert checked == []
    assert everything(second) == everything(first)


def test_an_edited_file_is_checked_again(mini, cache, checked):
    load_corpus(mini)
    checked.clear()
    edit(mini / "basics.yaml", "at most $1/4$", "at most $1/4")
    with pytest.raises(CorpusError, match="unbalanced math"):
        load_corpus(mini)
    assert checked == ["basics.yaml"]


def test_files_with_problems_are_not_kept(mini, cache, checked):
    edit(mini / "basics.yaml", "sources: [seed#1]", "sources: [seed#9]")
    for _ in range(2):
        with pytest.raises(CorpusError, match="seed has questions 1 to 4"):
            load_corpus(mini)
    assert checked.count("basics.yaml") == 2


def test_a_change_in_what_a_file_may_cite_checks_it_again(mini, cache, checked):
    load_corpus(mini)
    edit(mini / "sources.yaml", "questions: 4", "questions: 3")
    with pytest.raises(CorpusError, match="'seed#4': seed has questions 1 to 3"):
        load_corpus(mini)


def test_images_are_looked_up_again(mini, cache):
    load_corpus(mini)
    (mini / "images" / "filter.png").unlink()
    with pytest.raises(CorpusError, match=r"image 'images/filter\.png' does not exist"):
        load_corpus(mini)
    (mini / "images" / "filter.png").mkdir()
    with pytest.raises(CorpusError, match=r"image 'images/filter\.png' does not exist"):
        load_corpus(mini)


def test_checks_across_files_are_made_on_every_load(mini, cache):
    load_corpus(mini)
    text = (mini / "convnets.yaml").read_text().replace("topic: convnets", "topic: basics")
    (mini / "more.yaml").write_text(text.replace("id: conv-output-size", "id: sigmoid-function"))
    with pytest.raises(CorpusError) as error:
        load_corpus(mini)
    assert "duplicate id 'sigmoid-function'" in str(error.value)
    assert "topic 'basics' already has a file: basics.yaml" in str(error.value)


def test_a_copy_elsewhere_has_its_own_paths(mini, cache, tmp_path):
    load_corpus(mini)
    copy = tmp_path / "copy"
    os.rename(mini, copy)
    moved = load_corpus(copy)
    assert {e.path.parent for e in moved.entries()} == {copy}


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-10],  # cut short
        lambda data: data.replace(b"$", b"%", 1),  # one changed character, the hash left as it was
        lambda data: b"0" * 64 + data[64:],  # a wrong hash
        lambda data: b"",
        lambda data: b"\xff\xfe garbage",
        lambda data: data.split(b"\n", 1)[1],  # no hash line
    ],
)
def test_a_damaged_record_is_ignored_and_replaced(mini, cache, checked, damage):
    first = load_corpus(mini)
    for record in cache.iterdir():
        record.write_bytes(damage(record.read_bytes()))
    checked.clear()
    again = load_corpus(mini)
    assert sorted(checked) == ["basics.yaml", "convnets.yaml"]
    assert everything(again) == everything(first)
    checked.clear()
    load_corpus(mini)
    assert checked == []  # the records were written again


def test_a_record_of_another_shape_is_ignored(mini, cache, checked):
    """A record whose hash is right but whose content does not fit (another format) is not used."""
    import hashlib

    load_corpus(mini)
    for record in cache.iterdir():
        body = record.read_bytes().split(b"\n", 1)[1].replace(b'"entries": [[', b'"entries": [[1, ', 1)
        record.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    checked.clear()
    load_corpus(mini)
    assert "basics.yaml" in checked


def test_an_unwritable_cache_only_costs_time(mini, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where the folder should be
    assert load_corpus(mini).topics
    assert load_corpus(mini).topics


def test_files_checked_in_parallel_give_what_serial_checking_gives(mini, cache, monkeypatch):
    serial = load_corpus(mini)
    for record in cache.iterdir():
        record.unlink()
    monkeypatch.setattr(corpus_module, "BYTES_PER_WORKER", 1)
    monkeypatch.setattr(corpus_module, "cpus", lambda: 2)
    pools = []

    def pool(workers):
        pools.append(workers)
        return worker_pool(workers)

    monkeypatch.setattr(corpus_module, "worker_pool", pool)
    assert everything(load_corpus(mini)) == everything(serial)
    assert pools == [2]
    assert len(list(cache.iterdir())) == 2  # the workers kept their results
    edit(mini / "convnets.yaml", "sources: [seed#3, seed#4]", "sources: [seed#3, seed#5]")
    edit(mini / "basics.yaml", "at most $1/4$", "at most $1/4")
    with pytest.raises(CorpusError) as error:
        load_corpus(mini)
    assert [p.message for p in error.value.problems] == [
        "unbalanced math: '$' opened here is never closed",
        "'seed#5': seed has questions 1 to 4",
    ]


def test_reordered_topics_renumber_kept_entries(mini, cache):
    assert [e.number for e in load_corpus(mini).entries()][-1] == "2.1"
    topics = (mini / "topics.yaml").read_text().split("  - id: ")
    (mini / "topics.yaml").write_text("  - id: ".join([topics[0], topics[2], topics[1]]))
    reordered = load_corpus(mini)
    assert [(t.id, t.number) for t in reordered.topics] == [("convnets", 1), ("basics", 2)]
    assert reordered.topics[0].entries[0].number == "1.1"
    assert reordered.topics[1].entries[0].number == "2.1"


def test_the_cache_keeps_this_corpus_and_the_most_recent_others(mini, cache):
    load_corpus(mini)
    old = "0" * 32 + ".json"
    cache.joinpath(old).write_text("an old record")
    ours = sorted(p.name for p in cache.iterdir() if p.name != old)  # a record's own name may start "0"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checkcache, "MAX_RECORDS", 2)
        edit(mini / "basics.yaml", "at most $1/4$", "at most $1/5$")  # something to check again
        load_corpus(mini)
    assert sorted(p.name for p in cache.iterdir()) == ours


def test_other_code_or_libraries_check_everything_again(mini, cache, checked, monkeypatch):
    load_corpus(mini)
    monkeypatch.setattr(checkcache, "_code", lambda: "another version")
    checked.clear()
    load_corpus(mini)
    assert sorted(checked) == ["basics.yaml", "convnets.yaml"]
