"""One pipeline: numbers and deck names fixed at load, the same in every output and every selection;
a library `build()`; exporter options as command-line flags."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import DATA, edit, run
from pypdf import PdfReader
from test_cli import PLUGIN, install_plugin

import dlexport
from dlexport.config import Settings
from dlexport.select import Selection

Collection = pytest.importorskip("anki.collection").Collection

FULL = {"sigmoid-function": "1.1", "softmax-function": "1.2", "conv-output-size": "2.1"}
DECKS = {"basics": "Deep Learning::01 Basics", "convnets": "Deep Learning::02 Convolutional networks"}


def numbers_everywhere(content: Path, out: Path, *flags: str) -> dict[str, dict[str, str]]:
    """Each entry's number as every output shows it, and each Anki note's deck."""
    result = run("build", "--content", content, "--out", out, *flags)
    assert result.exit_code == 0, result.output
    seen: dict[str, dict[str, str]] = {}
    listing = json.loads(run("list", "--json", "--content", content).output)
    questions = {e["id"]: e["question"] for e in listing["entries"]}
    seen["list"] = {e["id"]: e["number"] for e in listing["entries"] if e["number"]}

    md = "\n".join(p.read_text() for p in (out / "md").glob("*.md"))
    seen["md"] = {
        i: m[1] for i, q in questions.items() if (m := re.search(rf"#+ (\d+\.\d+) {re.escape(q)}", md))
    }

    pdf = " ".join(
        " ".join(p.extract_text() for p in PdfReader(f).pages) for f in (out / "pdf").glob("*.pdf")
    )
    pdf = " ".join(pdf.split())
    seen["pdf"] = {
        i: m[1] for i, q in questions.items() if (m := re.search(rf"(\d+\.\d+) ?{re.escape(q)}", pdf))
    }

    col = Collection(str(out / "check.anki2"))
    try:
        from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

        col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(out / "anki" / "deep-learning.apkg"), options=ImportAnkiPackageOptions()
            )
        )
        seen["deck"] = {}
        for nid in col.find_notes('"note:dlexport Q&A"'):
            note = col.get_note(nid)
            seen["deck"][note["Id"]] = col.decks.name(note.cards()[0].did)
    finally:
        col.close()
    return seen


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What the full build of the small corpus numbers, in every output (made once for the module)."""
    content = tmp_path_factory.mktemp("full") / "content"
    shutil.copytree(DATA / "mini", content)
    return numbers_everywhere(content, content.parent / "out")


def test_the_full_build_numbers_every_output_alike(full):
    for output in ("list", "md", "pdf"):
        assert full[output] == FULL, output
    assert full["deck"] == {i: DECKS["convnets" if i.startswith("conv") else "basics"] for i in FULL}


@pytest.mark.parametrize(
    "flags",
    [
        ("--topic", "convnets"),
        ("--tag", "cnn"),
        ("--difficulty", "intermediate"),
        ("--id", "softmax-function", "--id", "conv-output-size"),
    ],
)
def test_a_filtered_build_numbers_and_names_decks_as_the_full_build(mini, tmp_path, flags):
    decks = {i: DECKS["convnets" if i.startswith("conv") else "basics"] for i in FULL}
    part = numbers_everywhere(mini, tmp_path / "part", *flags)
    assert part["md"] and part["pdf"]
    for output in ("md", "pdf"):
        assert part[output].items() <= FULL.items(), output
    assert part["deck"].items() <= decks.items()


def test_a_retired_entry_shifts_nobodys_number(mini, tmp_path):
    edit(mini / "basics.yaml", "    difficulty: basic\n", "    difficulty: basic\n    retired: true\n")
    seen = numbers_everywhere(mini, tmp_path / "out")
    expected = {"softmax-function": "1.1", "conv-output-size": "2.1"}
    assert seen["list"] == expected and seen["md"] == expected and seen["pdf"] == expected
    listing = json.loads(run("list", "--json", "--content", mini).output)
    assert {e["id"]: e["number"] for e in listing["entries"]}["sigmoid-function"] == ""


def test_full_then_filtered_import_leaves_no_stray_deck(mini, tmp_path):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(tmp_path / "learner.anki2"))
    try:
        for name, flags in (("full", ()), ("part", ("--topic", "convnets"))):
            result = run("build", "-f", "anki", "--content", mini, "--out", tmp_path / name, *flags)
            assert result.exit_code == 0, result.output
            package = tmp_path / name / "anki" / "deep-learning.apkg"
            col.import_anki_package(
                ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
            )
        names = {d.name for d in col.decks.all_names_and_ids()} - {"Default"}
        assert names == {"Deep Learning", *DECKS.values()}
        for name in DECKS.values():
            assert col.find_cards(f'"deck:{name}"'), f"{name} is empty"
    finally:
        col.close()


def test_the_library_build_runs_the_pipeline_and_returns_what_it_wrote(mini, tmp_path):
    written = dlexport.build(
        Settings(content=mini, out=tmp_path / "out"),
        Selection(topics=("basics",)),
        formats=("md", "anki"),
        options={"md": {"single": True}},
    )
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        "anki/CHANGES.md",  # a first build: every note is added
        "anki/deep-learning.apkg",
        "md/README.md",
    ]
    assert all(p.is_file() for p in written)


def test_the_formats_that_use_workers_start_first_and_only_the_workers_load_weasyprint(mini, tmp_path):
    """Until the workers have pages to lay out, the other formats' Python work would only slow the PDF's
    (one interpreter lock) while the workers wait; and WeasyPrint, slow to import, is the workers' alone."""
    script = """
import sys
from pathlib import Path
import dlexport
from dlexport.config import Settings
started = []
dlexport.build(Settings(content=Path(sys.argv[1]), out=Path(sys.argv[2])), jobs=2,
               progress=lambda label, total: started.append(label) or (lambda: None))
print(started, "weasyprint" in sys.modules)
"""
    done = subprocess.run(
        [sys.executable, "-c", script, mini, tmp_path / "out"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    started, loaded = done.stdout.rsplit(" ", 1)
    labels = [label.split(":")[0] for label in ast.literal_eval(started)]
    assert labels.index("pdf") < labels.index("anki") and labels.index("pdf") < labels.index("md"), labels
    assert loaded.strip() == "False"


def slow_pid(_: int) -> int:
    time.sleep(0.01)
    return os.getpid()


def test_the_build_s_pool_still_sends_mapped_work_in_chunks():
    """Formulas are typeset in chunks of 16, a task each: what tells when the workers have work passes
    `map` on to the pool's own, which chunks (the generic one sends every item as a task of its own)."""
    from dlexport.output import worker_pool
    from dlexport.pipeline import _Watched

    with worker_pool(2) as pool:
        watched = _Watched(pool)
        pids = list(watched.map(slow_pid, range(32), chunksize=16))
    assert watched.busy.is_set()
    assert len(set(pids[:16])) == 1 and len(set(pids[16:])) == 1, pids


def test_a_format_named_twice_is_built_once(mini, tmp_path):
    written = dlexport.build(Settings(content=mini, out=tmp_path / "out"), formats=("md", "pdf", "md"))
    assert len(written) == len(set(written))  # was: two threads writing the same handouts at once


def test_when_the_pdf_fails_first_the_other_formats_are_not_started(mini, tmp_path):
    templates = tmp_path / "templates"
    (templates / "pdf").mkdir(parents=True)
    (templates / "pdf" / "chapter.html").write_text("{% if %}")
    out = tmp_path / "out"
    result = run("build", "--content", mini, "--out", out, "--templates", templates, "--jobs", "2")
    assert result.exit_code == 1 and "template error" in result.output
    for thread in threading.enumerate():  # a format started all the same would still be running
        if thread.name.startswith("dlexport"):
            thread.join()
    assert not (out / "anki").exists() and not (out / "md").exists()


def test_exporter_options_are_flags_and_checked_before_anything_is_written(mini, tmp_path):
    help_text = run("build", "--help").output
    for flag in ("--paper [a4|letter]", "--columns [1|2|3]", "--split / --no-split", "--code-style TEXT"):
        assert flag in help_text
    result = run("build", "-f", "pdf", "--content", mini, "--out", tmp_path / "out", "--columns", "4")
    assert result.exit_code == 2 and not (tmp_path / "out").exists()


def test_a_plugin_option_becomes_a_flag(mini, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    plugin = (
        PLUGIN.replace(
            'description = "one entry id per line"',
            'description = "one entry id per line"\n    Options = IdsOptions',
        )
        .replace(
            "class IdsExporter",
            "from dataclasses import dataclass, field\n\n\n@dataclass(frozen=True)\nclass IdsOptions:\n"
            '    separator: str = field(default="newline", metadata={"help": "between ids"})\n\n\n'
            "class IdsExporter",
        )
        .replace('"\\n".join(', '(" " if self.options.separator == "space" else "\\n").join(')
    )
    install_plugin(site, "dlexport_spaced", "dlexport_spaced", "ids")  # a module name no other test imports
    (site / "dlexport_spaced.py").write_text(plugin)
    monkeypatch.syspath_prepend(str(site))
    assert "--separator TEXT ids: between ids" in " ".join(run("build", "--help").output.split())
    result = run("build", "-f", "ids", "--separator", "space", "--content", mini, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "ids" / "ids.txt").read_text().strip().count(" ") == 2


def test_an_unknown_key_in_a_known_section_is_refused(mini, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dlexport.toml").write_text('[pdf]\npapr = "a4"\n')
    result = run("build", "-f", "md", "--content", mini, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "dlexport.toml: exporter 'pdf' has no option 'papr'" in result.output
    assert "(options: code_style, columns, layout, orientation, paper)" in result.output
