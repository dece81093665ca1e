"""Builds that redo only what changed: a no-op build touches nothing, an edit re-lays-out only the
documents that show it, a damaged record or layout is rebuilt, and parallel equals serial."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import edit, run
from pypdf import PdfReader

from dlexport.buildcache import RECORD


def build(content: Path, out: Path, *flags: str) -> str:
    result = run("build", "--content", content, "--out", out, *flags)
    assert result.exit_code == 0, result.output
    return result.output


def snapshot(out: Path) -> dict[Path, tuple[int, bytes]]:
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    """A layout cache of this test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "dlexport" / "pdf"


def test_a_second_build_with_no_change_writes_and_renders_nothing(mini, tmp_path, cache):
    out = tmp_path / "out"
    build(mini, out)
    before = snapshot(out)
    layouts = sorted(cache.iterdir())
    assert "nothing to do: every output is up to date" in build(mini, out)
    assert snapshot(out) == before  # not one file rewritten, the record included
    assert sorted(cache.iterdir()) == layouts


def test_an_edit_re_lays_out_only_the_documents_that_show_it(mini, tmp_path, cache):
    out = tmp_path / "out"
    build(mini, out)
    before = snapshot(out)
    layouts = set(cache.iterdir())
    edit(mini / "convnets.yaml", "gives 32", "gives 32 (a 'same' convolution)")
    output = build(mini, out)
    new = set(cache.iterdir()) - layouts
    # An answer changed: the convnets chapter of the sheets and of the quiz's answer key are laid out again.
    # Its quiz questions, the other chapters, the fronts and the page numbers are reused (the edit moves
    # no page); the documents showing it are assembled anew.
    assert len(new) == 2
    for name in ("pdf/basics.pdf", "md/basics.md", "md/README.md"):  # not even rewritten
        assert snapshot(out)[out / name] == before[out / name]
    assert (out / "md" / "convnets.md").read_bytes() != before[out / "md" / "convnets.md"][1]
    for name in ("convnets.pdf", "cheatsheet.pdf", "quiz.pdf"):
        assert (out / "pdf" / name).read_bytes() != before[out / "pdf" / name][1]
        text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out / "pdf" / name).pages)
        assert "a 'same' convolution" in text
    assert "wrote" in output


@pytest.mark.parametrize("damage", ["garbage", "wrong shape", "deleted output", "edited output"])
def test_a_damaged_or_stale_record_is_never_trusted(mini, tmp_path, cache, damage):
    out = tmp_path / "out"
    build(mini, out, "-f", "md")
    good = (out / "md" / "basics.md").read_bytes()
    if damage == "garbage":
        (out / RECORD).write_bytes(b"\x00{not json")
    elif damage == "wrong shape":
        (out / RECORD).write_text('{"version": 1, "outputs": {"md": {"key": 3}}}')
    elif damage == "deleted output":
        (out / "md" / "basics.md").unlink()
    else:
        (out / "md" / "basics.md").write_text("tampered")
    assert "wrote" in build(mini, out, "-f", "md")
    assert (out / "md" / "basics.md").read_bytes() == good


def test_an_edit_renders_again_only_the_fragments_it_changed(mini, tmp_path, cache, monkeypatch):
    from dlexport.markup import HtmlRenderer

    rendered: list[str] = []
    render = HtmlRenderer.render
    monkeypatch.setattr(
        HtmlRenderer,
        "render",
        lambda self, text, where="": rendered.append(text) or render(self, text, where),
    )
    out = tmp_path / "out"
    build(mini, out, "-f", "anki")
    first = list(rendered)
    edit(mini / "convnets.yaml", "gives 32", "gives 32 (a 'same' convolution)")
    rendered.clear()
    build(mini, out, "-f", "anki")
    edited = [p.replace("gives 32", "gives 32 (a 'same' convolution)") for p in first if "gives 32" in p]
    files = [p for p in first if ("<" in p or "![" in p) and "gives 32" not in p]  # HTML naming files
    assert edited and sorted(rendered) == sorted([*files, *edited])  # is never kept
    assert len(rendered) < len(first)


def test_an_edit_renders_again_only_the_handout_fragments_it_changed(mini, tmp_path, cache, monkeypatch):
    import dlexport.exporters.markdown as markdown
    import dlexport.view as view

    rendered: list[str] = []
    tidied: list[str] = []
    github_markdown, tidy_markdown = view.github_markdown, markdown.tidy_markdown
    monkeypatch.setattr(view, "github_markdown", lambda text: rendered.append(text) or github_markdown(text))
    monkeypatch.setattr(markdown, "tidy_markdown", lambda page: tidied.append(page) or tidy_markdown(page))
    edit(mini / "basics.yaml", "at most $1/4$", "at most $1/4$ (<kbd>Shift</kbd>)")  # raw HTML, unedited
    # A chapter of plain fragments, whose page needs no tidy.
    with (mini / "topics.yaml").open("a") as f:
        f.write("  - id: tensors\n    title: Tensors\n    summary: Arrays with axes.\n")
    (mini / "tensors.yaml").write_text(
        "topic: tensors\nentries:\n  - id: tensor\n    question: What is a tensor?\n"
        "    answer: An array of numbers with $n$ axes, such as $x_{ij}$.\n    difficulty: basic\n"
    )
    out = tmp_path / "out"
    build(mini, out, "-f", "md")
    assert not any("What is a tensor?" in page for page in tidied)
    first = list(rendered)
    edit(mini / "convnets.yaml", "gives 32", "gives 32 (a 'same' convolution)")
    rendered.clear()
    tidied.clear()
    build(mini, out, "-f", "md")
    edited = [p.replace("gives 32", "gives 32 (a 'same' convolution)") for p in first if "gives 32" in p]
    assert edited and rendered == edited  # images too: a handout writes their paths as they are
    # Kept renderings keep their mark: the pages they settle are not tidied again.
    assert all("a 'same' convolution" in page for page in tidied)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty"))
    build(mini, tmp_path / "afresh", "-f", "md")
    afresh = {p.relative_to(tmp_path / "afresh"): p.read_bytes() for p in (tmp_path / "afresh").rglob("*.md")}
    assert afresh and afresh == {p.relative_to(out): p.read_bytes() for p in out.rglob("*.md")}


def test_damaged_layouts_and_pages_in_the_cache_are_made_again(mini, tmp_path, cache, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the same stamps in both Anki packages
    build(mini, tmp_path / "a", "-f", "pdf", "-f", "md", "-f", "anki")
    kept = [p for folder in ("pdf", "md", "views") for p in (cache.parent / folder).iterdir()]
    assert kept
    for n, path in enumerate(kept):  # torn, as a crash mid-write leaves it, or one byte flipped
        data = path.read_bytes()
        path.write_bytes(data[:100] if n % 2 else data[:-10] + b"x" + data[-9:])
    (mini / "anki-ledger.json").unlink()  # the second build starts where the first did
    build(mini, tmp_path / "b", "-f", "pdf", "-f", "md", "-f", "anki")
    names = ("pdf/cheatsheet.pdf", "pdf/basics.pdf", "pdf/quiz.pdf", "md/basics.md", "md/README.md")
    for name in (*names, "anki/deep-learning.apkg"):
        assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "a" / name).read_bytes()


def test_options_and_selection_are_part_of_the_key(mini, tmp_path, cache):
    out = tmp_path / "out"
    build(mini, out, "-f", "md")
    assert "wrote" in build(mini, out, "-f", "md", "--answers", "collapsed")
    assert "wrote" in build(mini, out, "-f", "md", "--answers", "collapsed", "--topic", "basics")
    assert "nothing to do" in build(mini, out, "-f", "md", "--answers", "collapsed", "--topic", "basics")


def test_parallel_and_serial_builds_give_identical_bytes(mini, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the same first stamps in both ledgers
    outputs = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{jobs}"))
        out = tmp_path / f"out-{jobs}"
        (mini / "anki-ledger.json").unlink(missing_ok=True)  # both builds start from the same corpus
        build(mini, out, "--jobs", jobs)
        outputs[jobs] = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert outputs["1"].keys() == outputs["2"].keys()
    different = [p for p in outputs["1"] if outputs["1"][p] != outputs["2"][p] and p.name != RECORD]
    assert different == []
    assert os.cpu_count()


def png(rgb: tuple[int, int, int], size: int = 24) -> bytes:
    """A plain RGB PNG of one colour."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def image_colours(pdf: Path) -> set[bytes]:
    """The first pixel of every image the PDF draws."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        return {
            pikepdf.PdfImage(obj).read_bytes()[:3]
            for obj in doc.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        }


def test_an_image_changed_in_place_reaches_the_sheets(mini, tmp_path, cache):
    """A chapter's layout is made from its HTML *and* the images it loads: replacing an image's bytes
    under the same name (the Markdown unchanged) must lay the chapter out again, not reuse the old one."""
    out = tmp_path / "out"
    (mini / "images" / "filter.png").write_bytes(png((0, 0, 255)))
    build(mini, out, "-f", "pdf")
    assert image_colours(out / "pdf" / "convnets.pdf") == {bytes((0, 0, 255))}
    (mini / "images" / "filter.png").write_bytes(png((255, 0, 0)))  # same name, a new picture
    assert "wrote" in build(mini, out, "-f", "pdf")
    for name in ("convnets.pdf", "cheatsheet.pdf"):
        # was: still the blue filter, from the layout cache, whose key is the chapter's HTML alone
        assert image_colours(out / "pdf" / name) == {bytes((255, 0, 0))}, name


def test_a_corpus_that_ships_its_formulas_is_built_on_a_fresh_machine_without_typesetting(
    mini, tmp_path, cache, monkeypatch
):
    """A corpus with a `.dlexport-math/` folder keeps its formulas there, drawn once: a build with an empty
    cache draws none but the one whose file there went bad (which it puts right), and makes the same
    bytes. None of them enters the cache, which other corpora read."""
    from dlexport import mathsvg

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    (mini / ".dlexport-math").mkdir()
    build(mini, tmp_path / "a", "-f", "pdf")
    shipped = sorted((mini / ".dlexport-math").iterdir())
    assert len(shipped) > 2 and all(mathsvg.unsealed(path) for path in shipped)
    assert not list(cache.parent.glob("math-*"))
    good = shipped[0].read_bytes()
    shipped[0].write_bytes(good.replace(b"path", b"patH", 1))
    drawn: list[str] = []
    draw = mathsvg.draw
    monkeypatch.setattr(mathsvg, "draw", lambda tex, display: drawn.append(tex) or draw(tex, display))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fresh"))
    build(mini, tmp_path / "b", "-f", "pdf", "--jobs", "1")
    assert len(drawn) == 1 and shipped[0].read_bytes() == good  # was: every formula drawn again
    for a in sorted((tmp_path / "a" / "pdf").iterdir()):
        assert a.read_bytes() == (tmp_path / "b" / "pdf" / a.name).read_bytes(), a.name


def test_a_damaged_formula_in_the_math_cache_is_typeset_again(mini, tmp_path, cache, monkeypatch):
    """A formula is a file of the math cache, which the kept renderings of fragments name: one gone bad
    (a byte changed, as a bad disk leaves it) or gone is drawn again, even when no fragment is rendered."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    edit(
        mini / "basics.yaml", "{{c1::zero to one}}.", "{{c1::zero to one}}, as $\\frac{1}{1 + e^{-x}}$ does."
    )
    build(mini, tmp_path / "a", "-f", "pdf")
    damaged, *gone = drawn = sorted(next(cache.parent.glob("math-*")).glob("*.svg"))
    good = damaged.read_bytes()
    at = len(good) // 2
    damaged.write_bytes(good[:at] + (b"1" if good[at : at + 1] == b"0" else b"0") + good[at + 1 :])
    for path in gone:
        path.unlink()
    output = build(mini, tmp_path / "b", "-f", "pdf")
    assert "Failed to load image" not in output  # was: WeasyPrint drops the formula, with a warning
    # every formula rendered is drawn again, the cloze text's too (which no sheet shows)
    assert damaged.read_bytes() == good and all(path.is_file() for path in drawn)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cold"))
    build(mini, tmp_path / "c", "-f", "pdf")
    for name in ("cheatsheet.pdf", "basics.pdf"):
        assert (tmp_path / "b" / "pdf" / name).read_bytes() == (tmp_path / "c" / "pdf" / name).read_bytes()


def test_formats_that_render_in_forked_workers_give_the_bytes_of_a_serial_build(mini, tmp_path, monkeypatch):
    import dlexport.view as view

    monkeypatch.setattr(view, "CHARS_PER_WORKER", 1)  # the mini corpus is too small to fork for
    forked = []
    render_forked = view._render_forked

    def spy(flavour, entries, processes):
        forked.append((type(flavour).__name__, processes, sum(map(len, entries))))
        return render_forked(flavour, entries, processes)

    monkeypatch.setattr(view, "_render_forked", spy)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    # Code that reads like a formula shown as TeX: no build keeps its rendering.
    edit(mini / "basics.yaml", "at most $1/4$", 'at most $1/4$ (`class="tex"`)')
    outputs = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{jobs}"))
        out = tmp_path / f"out-{jobs}"
        (mini / "anki-ledger.json").unlink(missing_ok=True)
        build(mini, out, "-f", "anki", "-f", "md", "--jobs", jobs)
        outputs[jobs] = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        views = tmp_path / f"cache-{jobs}" / "dlexport" / "views"
        outputs[jobs] |= {p.relative_to(views): p.read_bytes() for p in views.iterdir()}  # what is kept
    assert [f[:2] for f in forked] == [("HtmlFlavour", 2), ("MarkdownFlavour", 2)]  # --jobs 1 forks nothing
    assert outputs["1"].keys() == outputs["2"].keys()
    assert [p for p in outputs["1"] if outputs["1"][p] != outputs["2"][p] and p.name != RECORD] == []
    assert b'class=\\"tex\\"' not in b"".join(outputs["2"].values())
    forked.clear()
    build(mini, tmp_path / "again", "-f", "anki", "-f", "md", "--jobs", "2")
    # The renderings are kept but for the one that looks like TeX.
    assert forked == [("HtmlFlavour", 2, 1), ("MarkdownFlavour", 2, 1)]


def test_handout_pages_are_tidied_again_for_a_new_wcwidth_or_python(mini, tmp_path, cache, monkeypatch):
    import importlib.metadata
    import sys

    import dlexport.exporters.markdown as markdown

    tidied: list[str] = []
    tidy_markdown = markdown.tidy_markdown
    monkeypatch.setattr(markdown, "tidy_markdown", lambda page: tidied.append(page) or tidy_markdown(page))
    build(mini, tmp_path / "a", "-f", "md")
    tidied.clear()
    build(mini, tmp_path / "b", "-f", "md")
    assert tidied == []  # every page kept
    version = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: "99" if name == "wcwidth" else version(name)
    )
    build(mini, tmp_path / "c", "-f", "md")
    assert tidied
    monkeypatch.setattr(importlib.metadata, "version", version)
    tidied.clear()
    monkeypatch.setattr(sys, "version", "3.99")
    build(mini, tmp_path / "d", "-f", "md")
    assert tidied
