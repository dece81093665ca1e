"""PDF cheat sheets, read back with pypdf."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA, edit, run
from pypdf import PdfReader

from dlexport.exporters.pdflayout import LocalFetcher, RefusedURL


def build(content: Path, out: Path, *flags: str):
    result = run("build", "--format", "pdf", "--content", content, "--out", out, *flags)
    assert result.exit_code == 0, result.output
    return out / "pdf", result


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.replace("-\n", "").split())


QUESTIONS = [
    "What is the sigmoid function?",
    "What does softmax compute?",
    "What is the output size of a convolution?",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build of the small corpus, shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("pdf")
    shutil.copytree(DATA / "mini", root / "content")
    pdf, _ = build(root / "content", root / "out")
    return pdf


def test_writes_the_cheat_sheet_per_topic_sheets_and_quiz(built):
    assert sorted(p.name for p in built.glob("*.pdf")) == [
        "basics.pdf",
        "cheatsheet.pdf",
        "convnets.pdf",
        "quiz.pdf",
    ]
    for path in built.glob("*.pdf"):
        assert len(PdfReader(path).pages) > 0


def test_every_question_appears_in_order_with_its_answer(built):
    text = flat(text_of(PdfReader(built / "cheatsheet.pdf")))
    positions = [text.find(q) for q in QUESTIONS]
    assert -1 not in positions and positions == sorted(positions)
    assert "Softmax turns a vector of logits" in text
    assert "Contents" in text and "1.2" in text and "[I]" not in text  # marks are boxed letters


def test_outline_has_a_bookmark_per_topic_and_question(built):
    outline = PdfReader(built / "cheatsheet.pdf").outline
    top = [item for item in outline if not isinstance(item, list)]
    assert [b.title for b in top] == ["1. Basics", "2. Convolutional networks"]
    children = outline[1]
    assert [b.title for b in children] == [
        "1.1 What is the sigmoid function?",
        "1.2 What does softmax compute?",
    ]


def test_fonts_are_embedded(built):
    reader = PdfReader(built / "cheatsheet.pdf")
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fd = descriptor.get("/FontDescriptor")
            fonts[font["/BaseFont"]] = fd is not None and any(
                k in fd.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert fonts and all(fonts.values()), fonts
    assert any("DL-Sans" in name for name in fonts) and all("+" in name for name in fonts)  # subset


def test_quiz_question_pages_hold_no_answers(built):
    reader = PdfReader(built / "quiz.pdf")
    pages = [flat(p.extract_text()) for p in reader.pages]
    key = next(i for i, t in enumerate(pages) if i and "Answer key" in t)  # page 1 holds the contents
    questions = " ".join(pages[:key])
    assert all(q in questions for q in QUESTIONS)
    for answer_text in ("squashes any real number", "Softmax turns a vector", "the output width is"):
        assert answer_text not in questions
        assert answer_text in " ".join(pages[key:])


def test_paper_orientation_and_columns(mini, tmp_path):
    pdf, _ = build(
        mini, tmp_path / "out", "--paper", "letter", "--orientation", "landscape", "--layout", "cheatsheet"
    )
    box = PdfReader(pdf / "cheatsheet.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (792, 612)
    assert not (pdf / "quiz.pdf").exists()


def test_handout_layout_includes_details(mini, tmp_path):
    pdf, _ = build(mini, tmp_path / "out", "--layout", "handout", "--columns", "1")
    text = flat(text_of(PdfReader(pdf / "handout.pdf")))
    assert "def sigmoid(x: float) -> float:" in text and "0.881" in text
    cheat, _ = build(mini, tmp_path / "out2", "--layout", "cheatsheet")
    assert "def sigmoid" not in flat(text_of(PdfReader(cheat / "cheatsheet.pdf")))


def test_filters_select_entries(mini, tmp_path):
    pdf, _ = build(mini, tmp_path / "out", "--difficulty", "intermediate", "--layout", "cheatsheet")
    text = flat(text_of(PdfReader(pdf / "cheatsheet.pdf")))
    assert "What does softmax compute?" in text and "What is the sigmoid function?" not in text


def test_a_formula_that_cannot_be_typeset_falls_back_to_tex_with_a_warning(mini, tmp_path):
    edit(mini / "basics.yaml", "The outputs are positive and sum to one.", r"Broken: $\frac{1}$ here.")
    pdf, result = build(mini, tmp_path / "out", "--layout", "cheatsheet")
    assert (
        "warning:" in result.output and "softmax-function" in result.output and r"\\frac{1}" in result.output
    )
    assert r"\frac{1}" in text_of(PdfReader(pdf / "cheatsheet.pdf"))
    (tmp_path / "out" / ".dlexport-build.json").unlink()  # build again, with the renderings kept
    _, again = build(mini, tmp_path / "out", "--layout", "cheatsheet")
    assert "softmax-function" in again.output and r"\\frac{1}" in again.output  # reported every time


def test_hostile_images_fail_validation_and_write_nothing(mini, tmp_path):
    edit(
        mini / "basics.yaml",
        "The outputs are positive and sum to one.",
        'See <img src="file:///etc/passwd"> and ![x](http://example.com/t.png).',
    )
    result = run("build", "--format", "pdf", "--content", mini, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "image 'file:///etc/passwd' must be a file inside the corpus directory" in result.output
    assert "image 'http://example.com/t.png' must be a file inside the corpus directory" in result.output
    assert not (tmp_path / "out").exists()


def test_a_template_fetching_outside_the_allowed_folders_fails_cleanly(mini, tmp_path):
    templates = tmp_path / "templates" / "pdf"
    templates.mkdir(parents=True)
    (templates / "quiz.html").write_text('{% extends "default:pdf/quiz.html" %}')
    (templates / "chapter.html").write_text(
        '<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body>x</body></html>'
    )
    result = run(
        "build",
        "--format",
        "pdf",
        "--content",
        mini,
        "--out",
        tmp_path / "out",
        "--templates",
        tmp_path / "templates",
    )
    assert result.exit_code == 1
    assert "refused to fetch file:///etc/passwd" in result.output and "Traceback" not in result.output
    assert not list((tmp_path / "out").rglob("*.pdf"))


def test_the_fetcher_allows_only_files_under_its_roots(tmp_path):
    inside = tmp_path / "ok.css"
    inside.write_text("p {}")
    fetcher = LocalFetcher([tmp_path])
    assert fetcher.fetch(inside.as_uri())
    for url in (
        "file:///etc/passwd",
        "http://example.com/x.png",
        "file:///dev/urandom",
        (tmp_path / ".." / "x").as_uri(),
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_corpus_images_are_embedded(built):
    reader = PdfReader(built / "convnets.pdf")
    images = [name for page in reader.pages for name in page.images]
    assert images, "the filter image should be drawn on the convnets sheet"


def test_figures_in_details_show_on_the_cheat_sheet(mini, tmp_path):
    text = (mini / "convnets.yaml").read_text()
    figure = "      ![A 3x3 filter](images/filter.png)\n"
    edit(mini / "convnets.yaml", figure, "")
    (mini / "convnets.yaml").write_text(text.replace(figure, "") + "    details: |\n      More.\n\n" + figure)
    pdf, _ = build(mini, tmp_path / "out", "--layout", "cheatsheet")
    assert [name for page in PdfReader(pdf / "convnets.pdf").pages for name in page.images]


def test_formulas_typeset_side_by_side_are_the_ones_typeset_one_by_one(tmp_path):
    from dlexport.mathsvg import SvgMath, draw, file_name, unsealed
    from dlexport.output import worker_pool

    wanted = [(rf"\frac{{a_{i}}}{{b}} + \sqrt{{{i}}}", i % 2 == 0) for i in range(20)]
    warnings: list[str] = []
    folder = tmp_path / "math"
    with SvgMath(warnings.append, folder) as math:
        with worker_pool(2) as pool:
            math.typeset([*wanted, (r"\frac{", True)], pool)
        drawn = [unsealed(folder / file_name(tex, d)) for tex, d in wanted]
        assert drawn == [draw(tex, d) for tex, d in wanted]
        assert len(list(folder.iterdir())) == len(wanted)  # left for rendering to report, naming the entry
        math(r"\frac{", True, "basics.yaml:3")
    assert warnings and "basics.yaml:3: cannot typeset formula" in warnings[0]
