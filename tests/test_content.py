"""The shipped corpus: valid, covering every seed question, in its own words, code that parses."""

from __future__ import annotations

import ast
import re
from functools import cache

import pytest
from conftest import ROOT
from seedlists import SEEDS_DIR, seed_ngrams, seed_questions, shared_runs

from dlexport.corpus import load_corpus
from dlexport.model import Corpus

pytestmark = pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="the seed lists live in ../shared/seeds")


@cache
def corpus() -> Corpus:
    return load_corpus(ROOT / "content")


def texts(e):
    return [
        (name, value)
        for name, value in (("answer", e.answer), ("details", e.details), ("cloze", e.cloze))
        if value
    ]


def test_every_seed_question_is_answered_by_an_entry_naming_it():
    seeds = seed_questions()
    assert len(seeds) == 320  # the README of the seed lists says so; the parser must agree
    cited = {s for e in corpus().active().entries() for s in e.sources}
    assert sorted(set(seeds) - cited) == []


def test_sources_yaml_matches_the_seed_files():
    counts = {}
    for key in seed_questions():
        name = key.split("#")[0]
        counts[name] = counts.get(name, 0) + 1
    declared = {s.key: s.questions for s in corpus().sources if s.questions}
    assert declared == counts


def test_at_least_forty_entries_beyond_the_seeds():
    assert sum(1 for e in corpus().active().entries() if "extra" in e.sources) >= 40


def test_no_answer_shares_an_eight_word_run_with_the_seeds():
    ngrams = seed_ngrams(8)
    offenders = [
        f"{e.id}.{name}: {run!r}"
        for e in corpus().entries()
        for name, text in texts(e)
        for run in shared_runs(text, ngrams)
    ]
    assert offenders == []


def test_every_python_block_parses():
    blocks = 0
    for e in corpus().entries():
        for name, text in texts(e):
            for m in re.finditer(r"```(?:python|py)\n(.*?)```", text, re.S):
                blocks += 1
                try:
                    ast.parse(m.group(1))
                except SyntaxError as exc:
                    pytest.fail(f"{e.id}.{name}: {exc}")
    assert blocks > 20


def test_no_placeholders_anywhere_in_content():
    for path in (ROOT / "content").glob("*.yaml"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            assert not re.search(r"\b(TODO|TBD|FIXME|XXX|lorem ipsum)\b", line, re.I), (
                f"{path.name}:{n}: {line}"
            )


def test_entries_are_substantial():
    for e in corpus().entries():
        assert e.question.strip() and e.answer.strip(), e.id
        assert 25 <= len(e.answer.split()) <= 220, f"{e.id}: {len(e.answer.split())} words"


def test_every_topic_has_entries_and_ids_are_unique():
    ids = [e.id for e in corpus().entries()]
    assert len(ids) == len(set(ids))
    assert all(t.entries for t in corpus().topics)


def test_python_snippets_define_every_name(tmp_path):
    """Code a reader copies must run as written: no name used without being defined (ruff F821)."""
    import subprocess
    import sys
    from pathlib import Path

    count = 0
    for e in corpus().entries():
        for name, text in texts(e):
            for i, m in enumerate(re.finditer(r"```python\n(.*?)```", text, re.S)):
                (tmp_path / f"{e.id}__{name}__{i}.py").write_text(m.group(1))
                count += 1
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run(
        [
            ruff,
            "check",
            "--select",
            "F821",
            "--output-format",
            "concise",
            "--no-cache",
            "--isolated",
            tmp_path,
        ],
        capture_output=True,
        text=True,
    )
    offenders = sorted(
        {
            Path(line.split(":")[0]).name.split("__")[0]
            for line in result.stdout.splitlines()
            if "F821" in line
        }
    )
    assert count > 100 and offenders == [], offenders
