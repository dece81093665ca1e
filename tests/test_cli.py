"""The command line: list, stats, exporters, new, config, plugins, exit codes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import run


def test_list_json_has_the_documented_shape(mini):
    result = run("list", "--json", "--content", mini)
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["version"] == 1
    assert [t["id"] for t in doc["topics"]] == ["basics", "convnets"]
    assert doc["topics"][0] == {
        "id": "basics",
        "number": 1,
        "title": "Basics",
        "summary": "The first things to know.",
        "entries": 2,
    }
    assert {s["key"]: s["questions"] for s in doc["sources"]} == {"seed": 4, "extra": None}
    first = doc["entries"][0]
    assert set(first) == {
        "id",
        "number",
        "topic",
        "question",
        "answer",
        "details",
        "difficulty",
        "tags",
        "sources",
        "related",
        "cloze",
        "retired",
        "status",
        "duplicate_of",
        "incomplete",
        "file",
        "line",
    }
    assert first["id"] == "sigmoid-function" and first["number"] == "1.1" and first["topic"] == "basics"
    assert first["tags"] == ["activations", "sigmoid"] and first["sources"] == ["seed#1"]
    assert first["file"].endswith("basics.yaml") and first["line"] == 3
    assert [e["number"] for e in doc["entries"]] == ["1.1", "1.2", "2.1"]


def test_list_plain(mini):
    result = run("list", "--content", mini)
    assert result.exit_code == 0
    assert "1.2  softmax-function" in result.output and "What does softmax compute?" in result.output


def test_stats_counts_and_coverage(mini):
    data = json.loads(run("stats", "--json", "--content", mini).output)
    assert data["entries"] == 3 and data["answered"] == 3 and data["with_cloze"] == 1
    assert data["seed_questions"] == 4 and data["seed_covered"] == 4
    assert {t["topic"]: t["entries"] for t in data["topics"]} == {"basics": 2, "convnets": 1}
    text = run("stats", "--content", mini).output
    assert "seed     4/4" in text and "extra    1 entries" in text and "all      4/4" in text


def test_stats_names_uncovered_seed_questions(mini):
    path = mini / "convnets.yaml"
    path.write_text(path.read_text().replace("[seed#3, seed#4]", "[seed#3]"))
    data = json.loads(run("stats", "--json", "--content", mini).output)
    assert data["seed_covered"] == 3
    assert next(s for s in data["sources"] if s["key"] == "seed")["missing"] == ["seed#4"]


def test_exporters_lists_the_builtins():
    result = run("exporters")
    assert result.exit_code == 0
    for name in ("anki", "pdf", "md"):
        assert any(line.startswith(name) for line in result.output.splitlines())


def test_new_appends_an_entry_with_a_fresh_id(mini):
    result = run("new", "convnets", "--content", mini)
    assert result.exit_code == 0 and "convnets-new-1" in result.output
    text = (mini / "convnets.yaml").read_text()
    assert "  - id: convnets-new-1" in text
    assert run("new", "convnets", "--content", mini).output.count("convnets-new-2") == 1
    # The skeleton is valid, so `new` can run again on the corpus; its TODO lines say what to fill in
    # (and the shipped corpus's content tests refuse TODOs).
    assert run("validate", mini).exit_code == 0
    assert text.count("TODO") == 2


def test_new_refuses_unknown_topics_and_taken_ids(mini):
    assert run("new", "nope", "--content", mini).exit_code == 2
    taken = run("new", "basics", "--id", "softmax-function", "--content", mini)
    assert taken.exit_code == 2 and "already used" in taken.output


def test_config_file_sets_defaults_and_flags_override(mini, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dlexport.toml").write_text(
        textwrap.dedent("""\
        title = "My Sheets"
        content = "content"
        out = "built"
        formats = ["md"]
        [md]
        answers = "collapsed"
    """)
    )
    assert run("build").exit_code == 0
    readme = (tmp_path / "built" / "md" / "README.md").read_text()
    assert readme.startswith("# My Sheets") and "Answers are folded" in readme
    assert run("build", "--answers", "open").exit_code == 0
    assert "Answers are folded" not in (tmp_path / "built" / "md" / "README.md").read_text()


@pytest.mark.parametrize(
    "config, message",
    [
        ('colour = "red"\n', "unknown setting 'colour'"),
        ('[md]\nanswers = "sideways"\n', "option md.answers must be one of open, collapsed"),
        ("[md]\nshout = true\n", "exporter 'md' has no option 'shout'"),
        ("title = [\n", "dlexport.toml"),
    ],
)
def test_bad_config_is_a_clean_usage_error(mini, tmp_path, monkeypatch, config, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dlexport.toml").write_text(f'content = "{mini}"\n' + config)
    result = run("build", "--format", "md", "--out", tmp_path / "out")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_usage_errors_exit_2(mini, tmp_path):
    assert run("build", "--format", "nope", "--content", mini).exit_code == 2
    assert run("build", "--topic", "nope", "--content", mini, "--out", tmp_path).exit_code == 2
    assert run("build", "--tag", "no-such-tag", "--content", mini, "--out", tmp_path).exit_code == 2
    assert run("build", "-O", "pdf.columns=7", "--format", "pdf", "--content", mini).exit_code == 2
    assert run("validate", tmp_path / "empty").exit_code == 2


def test_every_command_shows_an_example():
    for command in ("validate", "build", "list", "stats", "exporters", "new", "check-deck"):
        result = run(command, "--help")
        assert result.exit_code == 0 and ("Example" in result.output), command


PLUGIN = """
from pathlib import Path
from dlexport.exporters.base import Exporter
from dlexport.output import write_text


class IdsExporter(Exporter):
    name = "ids"
    suffix = "txt"
    description = "one entry id per line"

    def export(self, corpus, dest: Path) -> list[Path]:
        return [write_text(dest / "ids.txt", "\\n".join(e.id for e in corpus.entries()) + "\\n")]
"""


def install_plugin(site: Path, name: str, module: str, target: str) -> None:
    """A real installed distribution on sys.path, with an entry point in our group."""
    (site / f"{module}.py").write_text(PLUGIN)
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[dlexport.exporters]\n{target} = {module}:IdsExporter\n")


def test_a_plugin_exporter_is_discovered_listed_and_builds(mini, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "dlexport_ids", "dlexport_ids", "ids")
    monkeypatch.syspath_prepend(str(site))
    listing = run("exporters")
    assert "ids      one entry id per line" in listing.output and "dlexport_ids" in listing.output
    result = run("build", "--format", "ids", "--content", mini, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    ids = (tmp_path / "out" / "ids" / "ids.txt").read_text().split()
    assert ids == ["sigmoid-function", "softmax-function", "conv-output-size"]


def test_a_duplicate_exporter_name_is_an_error_naming_both(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "dlexport_clash", "dlexport_clash", "md")
    monkeypatch.syspath_prepend(str(site))
    result = run("exporters")
    assert result.exit_code == 2
    assert "exporter 'md' is registered twice" in result.output
    assert "dlexport_clash (dlexport_clash:IdsExporter)" in result.output
    assert "dlexport.exporters.markdown:MarkdownExporter" in result.output


def test_a_broken_plugin_is_reported_unavailable(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "dlexport_broken", "dlexport_broken", "broken")
    (site / "dlexport_broken.py").write_text("import no_such_module_anywhere\n")
    monkeypatch.syspath_prepend(str(site))
    result = run("exporters")
    assert result.exit_code == 0
    assert "broken   unavailable: cannot be loaded: ModuleNotFoundError" in result.output
