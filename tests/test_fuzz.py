"""Property-based fuzzing: any corpus text either builds or fails with a DlexportError, never another
exception or a hang, and whatever builds holds nothing that runs.

`make test` runs a fixed, small number of examples; `make fuzz` runs many more
(DLEXPORT_FUZZ_EXAMPLES scales every test).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import ClassVar

import mdformat
import mdformat.plugins
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile import assert_inert

from dlexport import markup
from dlexport.corpus import load_corpus
from dlexport.errors import DlexportError
from dlexport.exporters.anki import AnkiExporter
from dlexport.exporters.base import BuildContext
from dlexport.exporters.markdown import MarkdownExporter
from dlexport.markup import HtmlRenderer, Policy, Settled, github_markdown, mathjax, parser, tidy_markdown
from dlexport.mathsvg import SvgMath

SCALE = int(os.environ.get("DLEXPORT_FUZZ_EXAMPLES", "1"))
TOPICS = "topics:\n  - id: t\n    title: T\n"


def fuzz(examples: int):
    return settings(
        max_examples=examples * SCALE,
        deadline=None if SCALE > 1 else 10_000,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        derandomize=SCALE == 1,  # the same examples in every `make test`; `make fuzz` explores
    )


# Text that stresses every layer: Markdown, HTML, math, cloze and Jinja syntax, any Unicode.
PIECES = [
    "$", "$$", "\\$", "`", "```", "\n", "\n\n", "<", ">", '"', "'", "=", "&", "#", ";", "*", "_", "|", "\\",
    "{{c1::", "}}", "{%", "%}", "{{", "<img src=", "images/ok.png", " onerror=alert(1)", "<a href=",
    "javascript:", "<script>", "</script>", "<details>", "<summary>", "<b>", "</b>", "<table>", "<td>",
    "x_i", "\\frac{a}{b}", "\\text{a\\_b}", "| a | b |\n|---|---|\n", "- ", "1. ", "> ", "![x](", ")",
    "\u202e", "\u200d", "\x00", "\x0b", "é", "σ", "数学", "🙂", "مرحبا", "\ufeff",
]  # fmt: skip
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40).map("".join)


@fuzz(150)
@given(TEXT)
def test_fragments_render_to_inert_html_and_markdown(text):
    for renderer in (
        HtmlRenderer(mathjax, policy=Policy(image=lambda path: path)),
        HtmlRenderer(lambda tex, display, where: "<b>m</b>", policy=Policy(math="file:///math/")),
    ):
        assert_inert(renderer.render(text))
    page = tidy_markdown(f"<details>\n<summary>Q</summary>\n\n{github_markdown(text)}\n\n</details>\n")
    for token in parser().parse(page):
        for piece in [token, *(token.children or [])]:
            if piece.type in ("html_block", "html_inline"):
                assert_inert(piece.content)


class _GithubRules(markup._GithubMath):
    """The handout extensions with mdformat's own text and paragraph rules: what the shortcuts match."""

    RENDERERS: ClassVar = {
        k: v for k, v in markup._GithubMath.RENDERERS.items() if k not in ("text", "paragraph")
    }


class _TidyRules(markup._SafeHtml):
    RENDERERS: ClassVar = {
        k: v for k, v in markup._SafeHtml.RENDERERS.items() if k not in ("text", "paragraph")
    }


def mdformat_text(text: str, extension: type) -> str:
    mdformat.plugins.PARSER_EXTENSIONS.setdefault(extension.__name__, extension)  # type: ignore[arg-type]
    options = {"wrap": "keep", "number": False}
    return mdformat.text(text, extensions={"gfm", extension.__name__}, options=options)


# Prose, math and code, in the shapes that are written without mdformat's render tree, and near misses.
PROSE = st.lists(
    st.sampled_from([
        "word", "Word", " ", "  ", "\n", "\n\n", "\n\n\n", "$x$", "$a_b$", "$x + 1$", "$a&b$", "$a  b$",
        "$`x`$", "$$x^2$$", "\n$$\nx\n$$\n", "```py\n", "```\n", "~~~\n", "    code\n", "1. ", "2)", "- ",
        "* ", "# ", "> ", "=", "---", "|", ":", "!", "?", ".", "(", "'", "é", "\u00a0", "\t", "`", "\\", "_",
        "&amp;", "www.a.org", "a@b.co", "[x]", "<b>",
    ]),
    max_size=30,
).map("".join)  # fmt: skip


@fuzz(200)
@given(st.one_of(TEXT, PROSE))
def test_handout_markdown_is_what_mdformat_writes(text):
    try:
        expected = mdformat_text(text, _GithubRules).strip()
    except RecursionError:
        return
    out = github_markdown(text)
    assert out == expected
    assert tidy_markdown(text) == mdformat_text(text, _TidyRules)
    if isinstance(out, Settled):  # a page tidy leaves it as it is, between any blocks
        page = f'<a id="x"></a>\n\n### 1 Q\n\n{out}\n\nRelated: [1 Q](#x)\n'
        assert mdformat_text(page, _TidyRules) == page


@fuzz(200)
@given(st.one_of(TEXT, PROSE, st.text(alphabet="aZé9 ,.?'\"()/%+=;-_", max_size=30)))
def test_plain_fragments_render_as_markdown_it_would(text):
    """Plain words skip markdown-it (most questions are such): the HTML must be the same as through it."""
    renderer = HtmlRenderer(mathjax)
    md = parser()
    parsed = markup._html().render(md.parse(text), md.options, {"renderer": renderer, "where": ""})
    assert renderer.render(text) == markup.sanitize(parsed).strip()


def write_corpus(root: Path, entry: object, images: bool = True) -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "images").mkdir(parents=True)
    (root / "images" / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "topics.yaml").write_text(TOPICS)
    (root / "t.yaml").write_text(yaml.safe_dump({"topic": "t", "entries": [entry]}, allow_unicode=True))
    return root


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
ENTRIES = st.fixed_dictionaries(
    {"id": st.sampled_from(["e", "E", "e-1", ""]) | TEXT, "question": TEXT, "answer": TEXT},
    optional={
        "difficulty": st.sampled_from(["basic", "advanced", "hard"]) | VALUES,
        "details": TEXT | VALUES,
        "tags": st.lists(TEXT, max_size=3) | VALUES,
        "cloze": TEXT,
        "related": VALUES,
        "sources": VALUES,
        "retired": VALUES,
        "extra": VALUES,
    },
)


@fuzz(120)
@given(st.one_of(ENTRIES, VALUES))
def test_loader_accepts_or_reports_any_yaml_document(tmp_path_factory, entry):
    root = write_corpus(tmp_path_factory.mktemp("c"), entry)
    with contextlib.suppress(DlexportError):
        load_corpus(root)


@fuzz(60)
@given(st.binary(max_size=300) | TEXT.map(str.encode))
def test_loader_accepts_or_reports_any_bytes(tmp_path_factory, data):
    root = write_corpus(tmp_path_factory.mktemp("c"), {})
    (root / "t.yaml").write_bytes(data)
    with contextlib.suppress(DlexportError):
        load_corpus(root)


@fuzz(25)
@given(question=TEXT, answer=TEXT, details=TEXT, cloze=TEXT)
def test_exporters_build_or_report_any_entry(tmp_path_factory, question, answer, details, cloze):
    entry = {"id": "e", "question": question + "?", "answer": answer + ".", "difficulty": "basic"}
    entry |= {"details": details} if details.strip() else {}
    entry |= {"cloze": cloze} if "{{c1::" in cloze else {}
    root = write_corpus(tmp_path_factory.mktemp("c"), entry)
    try:
        corpus = load_corpus(root)
    except DlexportError:
        return
    out = root.parent / "out"
    context = BuildContext(templates=None)
    for exporter in (AnkiExporter(context), MarkdownExporter(context)):
        with contextlib.suppress(DlexportError):
            exporter.export(corpus, out / exporter.name)


@fuzz(30)
@given(TEXT)
def test_math_typesetting_never_fails_the_build(tex):
    warnings: list[str] = []
    with SvgMath(warnings.append) as math:
        html = math(tex or "x", True, "e")
    assert html.startswith('<div class="math-display">')


@fuzz(3)
@given(answer=TEXT)
def test_pdf_builds_or_reports_any_answer(tmp_path_factory, answer):
    from dlexport.exporters.pdf import PdfExporter, PdfOptions

    entry = {"id": "e", "question": "Q?", "answer": answer + ".", "difficulty": "basic"}
    root = write_corpus(tmp_path_factory.mktemp("c"), entry)
    try:
        corpus = load_corpus(root)
        PdfExporter(BuildContext(), PdfOptions(layout="quiz")).export(corpus, root.parent / "out")
    except DlexportError:
        pass
