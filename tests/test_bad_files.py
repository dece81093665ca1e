"""Damaged files of every kind (corpus, ledger, config) are reported as `path[:line:col]: message`,
exit 2, with no traceback and nothing written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run
from test_validation import GOOD, corpus


def check(result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output, result.output


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("t.yaml", b"topic: t\nentries:\n  - id: caf\xe9\n", "t.yaml:3:12: not UTF-8 text: byte 0xe9"),
        (
            "t.yaml",
            "topic: t\n".encode("utf-16"),
            "t.yaml:1:1: not UTF-8 text: byte 0xff (it looks like UTF-16)",
        ),
        ("topics.yaml", b"topics:\n  - id: t\n    title: \xff\n", "topics.yaml:3:12: not UTF-8 text"),
        ("sources.yaml", b"\xfe\xff\x00s", "sources.yaml:1:1: not UTF-8 text"),
    ],
)
def test_files_that_are_not_utf8(tmp_path, name, data, expected):
    root = corpus(tmp_path, GOOD)
    (root / name).write_bytes(data)
    check(run("validate", root), f"{root / expected.split(':', 1)[0]}:{expected.split(':', 1)[1]}")


def test_deep_nesting_is_refused_with_its_position(tmp_path):
    deep = "".join(f"{'  ' * i}- \n" for i in range(200)).replace("- \n", "-\n")
    root = corpus(tmp_path, GOOD)
    (root / "t.yaml").write_text("topic: t\nentries:\n" + deep)
    check(run("validate", root), "nested deeper than 64 levels")


def test_flow_nesting_is_refused(tmp_path):
    root = corpus(tmp_path, GOOD)
    (root / "t.yaml").write_text("topic: t\nentries: " + "[" * 1000 + "]" * 1000 + "\n")
    check(run("validate", root), f"{root / 't.yaml'}:2:")


def test_paths_that_are_not_files(tmp_path):
    root = corpus(tmp_path, GOOD)
    (root / "dir.yaml").mkdir()
    (root / "dangling.yaml").symlink_to(tmp_path / "nowhere")
    (root / "loop.yaml").symlink_to(root / "loop.yaml")
    check(
        run("validate", root),
        f"{root / 'dir.yaml'}: cannot read: not a regular file",
        f"{root / 'dangling.yaml'}: cannot read: a broken symbolic link",
        f"{root / 'loop.yaml'}: cannot read",
        "3 problem(s) found.",
    )


def test_huge_numbers_are_refused(tmp_path):
    root = corpus(tmp_path, GOOD + f"    sources: [s#{'9' * 5000}]\n")
    check(run("validate", root), f"{root / 't.yaml'}:7:15: source 's#999")
    check(run("list", "--content", root), "must be KEY or KEY#N")
    (root / "sources.yaml").write_text(f"sources:\n  - key: s\n    title: S\n    questions: {'9' * 40}\n")
    check(run("stats", "--content", root), "'questions' must be between 1 and 100000")


RECORD = {"hash": "h", "mtime": 1700000000, "id": "good", "kind": "basic", "topic": "t", "question": "Q?"}


@pytest.mark.parametrize(
    "records, expected",
    [
        ({"g": "x"}, "ledger record 'g': must be a mapping"),
        ({"g": 3}, "ledger record 'g': must be a mapping"),
        ({"g": {"hash": "h"}}, "ledger record 'g': 'mtime' must be a whole number"),
        ({"g": {**RECORD, "mtime": "5"}}, "'mtime' must be a whole number"),
        ({"g": {**RECORD, "mtime": 10**30}}, "'mtime' 1000000000000000000000000000000 is out of range"),
        ({"g": {**RECORD, "mtime": True}}, "'mtime' must be a whole number"),
        ({"g": {k: v for k, v in RECORD.items() if k != "question"}}, "'question' must be a string"),
        ({"g": {**RECORD, "kind": "other"}}, "'kind' must be basic or cloze"),
    ],
)
def test_damaged_ledger_records(tmp_path, records, expected):
    root = corpus(tmp_path, GOOD)
    (root / "anki-ledger.json").write_text(json.dumps({"version": 1, "records": records}, indent=1))
    result = run("build", "--format", "anki", "--content", root, "--out", tmp_path / "out")
    check(result, f"{root / 'anki-ledger.json'}:4:3: ", expected)
    assert not list((tmp_path / "out").rglob("*.apkg"))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[1, 2]", ":1:1: not a dlexport ledger: no 'records' mapping"),
        ('{"records": ', ":1:13: not a dlexport ledger: Expecting value"),
        ("\udcff", ":1:1: not UTF-8 text"),
    ],
)
def test_damaged_ledger_files(tmp_path, text, expected):
    root = corpus(tmp_path, GOOD)
    (root / "anki-ledger.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    check(run("build", "--format", "anki", "--content", root, "--out", tmp_path / "out"), expected)


def test_ledger_path_that_is_a_folder(tmp_path):
    root = corpus(tmp_path, GOOD)
    (root / "anki-ledger.json").mkdir()
    result = run("build", "--format", "anki", "--content", root, "--out", tmp_path / "out")
    check(result, f"{root / 'anki-ledger.json'}: cannot read: not a regular file")


@pytest.mark.parametrize(
    "body, expected",
    [
        ("  - id: a\n    question: What: no\n", "t.yaml:4:19: invalid YAML"),
        ("  - id: !!python/object/apply:os.system [ls]\n", "t.yaml:3:9: YAML tags are not allowed"),
        (
            "  - id: [a, b]\n    question: Q\n    answer: A\n    difficulty: basic\n",
            "t.yaml:3:9: 'id' must be a string",
        ),
    ],
)
def test_new_reports_a_broken_corpus_and_changes_nothing(tmp_path, body, expected):
    root = corpus(tmp_path, body)
    before = (root / "t.yaml").read_bytes()
    check(run("new", "t", "--content", root), f"{root / 't.yaml'}:{expected.split(':', 1)[1]}")
    assert (root / "t.yaml").read_bytes() == before


def test_new_on_non_utf8_and_non_mapping_topics(tmp_path):
    root = corpus(tmp_path, GOOD)
    (root / "t.yaml").write_bytes(b"topic: t\nentries: []\n# \xff\n")
    check(run("new", "t", "--content", root), "t.yaml:3:3: not UTF-8 text")
    (root / "t.yaml").write_text("topic: t\nentries: []\n")
    (root / "topics.yaml").write_text("- just\n- a list\n")
    check(run("new", "t", "--content", root), f"{root / 'topics.yaml'}:1:1: topics.yaml must be a mapping")


def test_new_appends_to_the_file_that_holds_the_topic(tmp_path):
    root = corpus(tmp_path, GOOD)
    (root / "t.yaml").rename(root / "other-name.yaml")
    result = run("new", "t", "--id", "fresh", "--content", root)
    assert result.exit_code == 0, result.output
    assert "id: fresh" in (root / "other-name.yaml").read_text()
    assert not (root / "t.yaml").exists()


@pytest.fixture
def in_tmp(tmp_path: Path):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(cwd)


@pytest.mark.parametrize(
    "config, expected",
    [
        (b'title = "x\xff"\n', "dlexport.toml:1:11: not UTF-8 text"),
        (b"title = \n", "dlexport.toml:1:9: invalid TOML"),
        (b'[pfd]\npaper = "a4"\n', "dlexport.toml: [pfd] is not a known exporter (known: anki, md, pdf)"),
        (b'[pdf]\npaper = "a5"\n', "option pdf.paper must be one of a4, letter"),
        (b"colour = 1\n", "unknown setting 'colour'"),
    ],
)
def test_bad_config_files(in_tmp, config, expected):
    (in_tmp / "dlexport.toml").write_bytes(config)
    root = corpus(in_tmp, GOOD)
    check(run("build", "--content", root, "--out", in_tmp / "out"), expected)
    assert not (in_tmp / "out").exists()


def test_unknown_pyproject_section(in_tmp):
    (in_tmp / "pyproject.toml").write_text(
        '[tool.dlexport]\ntitle = "x"\n\n[tool.dlexport.pfd]\npaper = "a4"\n'
    )
    check(run("validate", corpus(in_tmp, GOOD)), "[tool.dlexport.pfd] is not a known exporter")


def test_unknown_code_style_is_a_usage_error_listing_the_styles(mini, tmp_path):
    result = run(
        "build", "--format", "pdf", "--content", mini, "--out", tmp_path / "out", "-O", "pdf.code_style=nope"
    )
    check(result, "option pdf.code_style must be a Pygments style (", "monokai", "vs")


@pytest.mark.parametrize(
    "flags, env, expected",
    [
        (("-O", "anki.file=/tmp/elsewhere"), {}, "option anki.file must be a plain file name"),
        (("-O", "anki.ledger=../../ledger.json"), {}, "option anki.ledger must be a path inside the corpus"),
        (("-O", "nosuch.x=1"), {}, "no exporter named nosuch (known: anki, md, pdf)"),
        (("-O", "pdf.columns=2.0"), {}, "option pdf.columns must be one of 1, 2, 3"),
        ((), {"SOURCE_DATE_EPOCH": "abc"}, "SOURCE_DATE_EPOCH must be whole seconds"),
        ((), {"SOURCE_DATE_EPOCH": "-5"}, "SOURCE_DATE_EPOCH must be whole seconds"),
    ],
)
def test_bad_options_and_environment(mini, tmp_path, monkeypatch, flags, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run("build", "-f", "anki", "--content", mini, "--out", tmp_path / "out", *flags)
    check(result, expected)
    assert not (tmp_path / "out").exists() and not (tmp_path / "elsewhere.apkg").exists()


@pytest.mark.parametrize(
    "config, expected",
    [
        (b'formats = [["md"]]\n', "setting 'formats' must be a list of exporter names"),
        (b'templates = "nowhere"\n', "setting 'templates'"),
        (b"[pdf]\ncolumns = true\n", "option pdf.columns must be one of 1, 2, 3"),
    ],
)
def test_bad_config_values(in_tmp, config, expected):
    (in_tmp / "dlexport.toml").write_bytes(config)
    check(run("build", "--content", corpus(in_tmp, GOOD), "--out", in_tmp / "out"), expected)


def test_a_deeply_nested_ledger(tmp_path):
    root = corpus(tmp_path, GOOD)
    (root / "anki-ledger.json").write_text("[" * 100_000 + "]" * 100_000)
    result = run("build", "-f", "anki", "--content", root, "--out", tmp_path / "out")
    check(result, "not a dlexport ledger: nested too deeply")


@pytest.mark.parametrize("field", ["answer: A.", "question: Q?"])
def test_markdown_too_deep_for_a_handout_is_a_clean_error(tmp_path, field):
    name = field.split(":")[0]
    root = corpus(tmp_path, GOOD.replace(field, f"{name}: '{'*' * 400}x{'*' * 400}'"))
    result = run("build", "-f", "md", "--content", root, "--out", tmp_path / "out")
    assert result.exit_code == 1 and "entry 'good': Markdown nested too deeply" in result.output
    assert not list((tmp_path / "out").rglob("*.md"))


@pytest.mark.parametrize(
    "layout",
    [
        "entries: [{id: a, question: Q?, answer: A., difficulty: basic}]\n",
        "entries:\n- id: a\n  question: Q?\n  answer: A.\n  difficulty: basic\n",
    ],
)
def test_new_follows_the_files_layout_or_refuses(tmp_path, layout):
    root = corpus(tmp_path, "", header="topic: t\n" + layout)
    before = (root / "t.yaml").read_text()
    result = run("new", "t", "--content", root)
    if layout.startswith("entries: ["):  # a flow list cannot take a block item
        check(result, "cannot append an entry")
        assert (root / "t.yaml").read_text() == before
    else:
        assert result.exit_code == 0, result.output
        assert run("validate", root).exit_code == 0
