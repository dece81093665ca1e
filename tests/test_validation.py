"""Every class of bad input is reported as path:line:col: message, exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run

TOPICS = "topics:\n  - id: t\n    title: T\n"
SOURCES = "sources:\n  - key: s\n    title: S\n    questions: 3\n  - key: extra\n    title: E\n"
GOOD = """\
  - id: good
    question: Q?
    answer: A.
    difficulty: basic
"""


def corpus(tmp_path: Path, body: str, topics: str = TOPICS, header: str = "topic: t\nentries:\n") -> Path:
    root = tmp_path / "c"
    root.mkdir(exist_ok=True)
    (root / "topics.yaml").write_text(topics)
    (root / "sources.yaml").write_text(SOURCES)
    (root / "t.yaml").write_text(header + body)
    return root


CASES = {
    "malformed yaml": (
        GOOD.replace("question: Q?", "question: What: is it?"),
        "t.yaml:4:19: invalid YAML: mapping values are not allowed",
    ),
    "unknown key": (GOOD + "    colour: red\n", "t.yaml:7:5: unknown key 'colour'"),
    "missing key": (
        "  - id: a\n    question: Q?\n    difficulty: basic\n",
        "t.yaml:3:5: missing required key 'answer'",
    ),
    "wrong type": (GOOD + "    tags: cnn\n", "t.yaml:7:11: 'tags' must be a list"),
    "duplicate id": (GOOD + GOOD, "t.yaml:7:9: duplicate id 'good' (first defined at"),
    "id not kebab-case": (
        GOOD.replace("id: good", "id: Bad_Id"),
        "t.yaml:3:9: id 'Bad_Id' must be kebab-case",
    ),
    "dangling related": (GOOD + "    related: [nope]\n", "t.yaml:7:15: related id 'nope' does not exist"),
    "unknown source key": (GOOD + "    sources: [zz#1]\n", "t.yaml:7:15: unknown source key 'zz'"),
    "source number out of range": (
        GOOD + "    sources: [s#9]\n",
        "t.yaml:7:15: 's#9': s has questions 1 to 3",
    ),
    "duplicate mapping key": (
        GOOD + "    question: Again?\n",
        "t.yaml:7:5: duplicate key 'question' (first defined at line 4)",
    ),
    "anchor": (GOOD.replace("answer: A.", "answer: &x A."), "t.yaml:5:13: YAML anchors are not allowed (&x)"),
    "alias": (GOOD + "    details: *x\n", "t.yaml:7:14: YAML aliases are not allowed (*x)"),
    "python tag": (
        GOOD + "    details: !!python/object/apply:os.system [touch pwned]\n",
        "t.yaml:7:14: YAML tags are not allowed (tag:yaml.org,2002:python/object/apply:os.system)",
    ),
    "tag with spaces": (
        GOOD + '    tags: [ok, "two words"]\n',
        "t.yaml:7:16: tag 'two words' must have no spaces",
    ),
    "unbalanced math": (
        GOOD.replace("answer: A.", "answer: |\n      First line.\n      Cost is $O(n^2) here."),
        "t.yaml:7:15: unbalanced math: '$' opened here is never closed",
    ),
    "empty answer": (GOOD.replace("answer: A.", 'answer: "  "'), "t.yaml:5:13: 'answer' must not be empty"),
    "cloze without deletion": (GOOD + "    cloze: No deletion here.\n", "t.yaml:7:12: cloze has no deletion"),
    "brace ends cloze early": (
        GOOD + "    cloze: 'It is {{c1::f{x}}} indeed.'\n",
        "t.yaml:7:19: a '}}' inside this cloze deletion ends it early",
    ),
    "remote image": (
        GOOD.replace("answer: A.", 'answer: "See ![x](http://example.com/x.png)"'),
        "t.yaml:5:23: image 'http://example.com/x.png' must be a file inside the corpus directory",
    ),
    "image leaving the corpus": (
        GOOD.replace("answer: A.", 'answer: "![x](../../x.png)"'),
        "t.yaml:5:19: image '../../x.png' leaves the corpus directory",
    ),
    "missing image": (
        GOOD.replace("answer: A.", 'answer: "![x](images/none.png)"'),
        "t.yaml:5:19: image 'images/none.png' does not exist",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_problem_is_reported_with_its_position(tmp_path, case):
    body, expected = CASES[case]
    root = corpus(tmp_path, body)
    result = run("validate", root)
    assert result.exit_code == 2
    assert f"{root / expected.split(':', 1)[0]}:{expected.split(':', 1)[1]}" in result.output, result.output
    assert "Traceback" not in result.output
    assert "1 problem(s) found." in result.output  # one cause, one message


def test_unknown_topic_is_reported(tmp_path):
    root = corpus(tmp_path, GOOD, header="topic: nope\nentries:\n")
    result = run("validate", root)
    assert result.exit_code == 2 and f"{root / 't.yaml'}:1:8: unknown topic 'nope'" in result.output


@pytest.mark.parametrize("tid", ["quiz", "cheatsheet", "handout", "readme"])
def test_a_topic_may_not_take_the_name_of_a_whole_corpus_document(tmp_path, tid):
    """Its own quiz.pdf (or README.md) would overwrite the document of all topics."""
    root = corpus(
        tmp_path, GOOD, topics=TOPICS.replace("id: t", f"id: {tid}"), header=f"topic: {tid}\nentries:\n"
    )
    result = run("build", "--content", root, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert f"{root / 'topics.yaml'}:2:9: topic id '{tid}' is reserved" in result.output
    assert not (tmp_path / "out").exists()


def test_every_problem_is_reported_in_one_run(tmp_path):
    body = "".join(
        CASES[c][0].replace("id: good", f"id: good-{i}")
        for i, c in enumerate(["unknown key", "wrong type", "tag with spaces", "empty answer"])
    )
    result = run("validate", corpus(tmp_path, body))
    assert result.exit_code == 2 and "4 problem(s) found." in result.output


def test_python_tags_are_never_executed(tmp_path):
    root = corpus(tmp_path, CASES["python tag"][0].replace("touch pwned", f"touch {tmp_path / 'pwned'}"))
    assert run("validate", root).exit_code == 2
    assert not (tmp_path / "pwned").exists()


def test_a_real_process_exits_2_without_a_traceback(tmp_path):
    root = corpus(tmp_path, CASES["duplicate id"][0])
    proc = subprocess.run(
        [sys.executable, "-m", "dlexport", "validate", str(root)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "duplicate id 'good'" in proc.stderr and "Traceback" not in proc.stderr


def test_a_good_corpus_validates(tmp_path):
    result = run("validate", corpus(tmp_path, GOOD))
    assert result.exit_code == 0 and "1 entries in 1 topics, no problems" in result.output


def test_bad_input_leaves_nothing_in_out(tmp_path):
    root = corpus(tmp_path, CASES["unknown key"][0])
    result = run("build", "--content", root, "--out", tmp_path / "out")
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
