"""Atomic output, template overrides and the error paths around writing."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
from conftest import run

from dlexport.errors import ExportError
from dlexport.output import atomic_target, worker_pool, write_text


def test_a_failed_write_leaves_neither_file_nor_temp(tmp_path):
    target = tmp_path / "out" / "sheet.pdf"
    with pytest.raises(RuntimeError), atomic_target(target) as tmp:
        tmp.write_bytes(b"half a pdf")
        raise RuntimeError("renderer crashed")
    assert not target.exists() and list(target.parent.iterdir()) == []


def test_a_successful_write_replaces_the_old_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    write_text(target, "new")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_an_unwritable_destination_is_a_clean_error(tmp_path, mini):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "md").write_text("a file where a folder should be")
    with pytest.raises(ExportError, match="cannot write"):
        write_text(tmp_path / "out" / "md" / "x.md", "x")
    result = run("build", "--format", "md", "--content", mini, "--out", tmp_path / "out")
    assert result.exit_code == 1 and "cannot write" in result.output and "Traceback" not in result.output


def test_a_user_template_overrides_and_extends_the_builtin(tmp_path, mini):
    md = tmp_path / "templates" / "md"
    md.mkdir(parents=True)
    (md / "index.md").write_text('{% extends "default:md/index.md" %}')
    (md / "topic.md").write_text("# {{ topic.title }} (custom)\n")
    result = run(
        "build", "--format", "md", "--content", mini, "--out", tmp_path / "out", "--templates", md.parent
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "md" / "basics.md").read_text() == "# Basics (custom)\n"
    assert "## Contents" in (tmp_path / "out" / "md" / "README.md").read_text()


@pytest.mark.parametrize(
    "template, message",
    [
        ("{% if %}", "topic.md:1: template error"),
        ("{{ no_such_value }}", "template md/topic.md: 'no_such_value' is undefined"),
        # The view is typed: a field it lacks is a clean error, not an empty string.
        ("{% for e in topic.entries %}{{ e.no_such_field }}{% endfor %}", "has no attribute 'no_such_field'"),
    ],
)
def test_template_mistakes_are_clean_errors(tmp_path, mini, template, message):
    md = tmp_path / "templates" / "md"
    md.mkdir(parents=True)
    (md / "topic.md").write_text(template)
    result = run(
        "build", "--format", "md", "--content", mini, "--out", tmp_path / "out", "--templates", md.parent
    )
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "md" / "basics.md").exists()


def test_a_damaged_ledger_is_a_clean_error(tmp_path, mini):
    (mini / "anki-ledger.json").write_text("{ not json")
    result = run("build", "--format", "anki", "--content", mini, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "not a dlexport ledger" in result.output


def test_check_deck_on_a_missing_file(tmp_path):
    result = run("check-deck", tmp_path / "nope.apkg")
    assert result.exit_code == 2 and "no such file" in result.output


def test_malformed_option_flag(mini):
    result = run("build", "-O", "columns3", "--content", mini)
    assert result.exit_code == 2 and "FORMAT.KEY=VALUE" in result.output


def loaded(module: str) -> bool:
    return module in sys.modules


def test_workers_import_the_preloaded_modules_as_they_start(tmp_path, monkeypatch):
    """WeasyPrint takes half a second to import: the workers do it while the build reads the corpus."""
    (tmp_path / "preload_probe.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))  # a module only this test knows
    with worker_pool(2, ("preload_probe",)) as pool:
        assert [pool.submit(loaded, "preload_probe").result() for _ in range(4)] == [True] * 4
    with worker_pool(2) as pool:
        assert not pool.submit(loaded, "preload_probe").result()


def test_workers_are_forked_whatever_the_default_start_method(mini, tmp_path):
    """The workers' death signal names the build as their parent, and they share its memory as it was:
    under a fork server (Python 3.14's default on Linux) every worker used to exit at once."""
    script = f"""
import multiprocessing, sys
multiprocessing.set_start_method("forkserver")
from dlexport.cli import main
sys.argv = ["dlexport", "build", "-f", "pdf", "--layout", "cheatsheet", "--jobs", "2",
            "--content", {str(mini)!r}, "--out", {str(tmp_path / "out")!r}]
main()
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "pdf" / "cheatsheet.pdf").read_bytes()[:5] == b"%PDF-"


def test_a_preloaded_module_that_fails_to_import_only_fails_the_work_that_needs_it():
    with worker_pool(2, ("no_such_module_here",)) as pool:
        assert pool.submit(os.getpid).result() != os.getpid()  # the pool still works
        with pytest.raises(ModuleNotFoundError, match="no_such_module_here"):
            pool.submit(importlib.import_module, "no_such_module_here").result()
