"""Markdown handouts, parsed back with markdown-it-py and checked like a reader would."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import mdformat
import pytest
from conftest import ROOT, edit, run
from markdown_it import MarkdownIt

from dlexport.exporters import markdown as markdown_exporter

MD = MarkdownIt("commonmark", {"html": True}).enable("table")


def build(content: Path, out: Path, *flags: str) -> Path:
    result = run("build", "--format", "md", "--content", content, "--out", out, *flags)
    assert result.exit_code == 0, result.output
    return out / "md"


def headings(text: str) -> list[str]:
    tokens = MD.parse(text)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h3"]


def anchors(text: str) -> set[str]:
    return set(re.findall(r'<a id="([^"]+)"></a>', text))


def links(text: str) -> list[str]:
    out = []
    for token in MD.parse(text):
        for child in token.children or []:
            if child.type == "link_open":
                out.append(str(child.attrs["href"]))
    return out


def test_every_question_once_in_order_with_stable_anchors(mini, tmp_path):
    md = build(mini, tmp_path / "out")
    assert headings((md / "basics.md").read_text()) == [
        "1.1 What is the sigmoid function?",
        "1.2 What does softmax compute?",
    ]
    assert headings((md / "convnets.md").read_text()) == ["2.1 What is the output size of a convolution?"]
    assert anchors((md / "basics.md").read_text()) == {"sigmoid-function", "softmax-function"}


def test_every_internal_link_resolves(mini, tmp_path):
    # A cross-file related link, to check links between handouts too.
    edit(
        mini / "convnets.yaml",
        "    sources: [seed#3, seed#4]",
        "    sources: [seed#3, seed#4]\n    related: [softmax-function]",
    )
    md = build(mini, tmp_path / "out")
    files = {p.name: p.read_text() for p in md.glob("*.md")}
    checked = 0
    for name, text in files.items():
        for href in links(text):
            target, _, fragment = href.partition("#")
            target = target or name
            assert target in files, f"{name}: {href}"
            if fragment:
                assert fragment in anchors(files[target]), f"{name}: {href}"
            checked += 1
    assert checked >= 5
    assert "[1.2 What does softmax compute?](basics.md#softmax-function)" in files["convnets.md"]


def test_single_file_keeps_links_inside_it(mini, tmp_path):
    md = build(mini, tmp_path / "out", "--single")
    assert sorted(p.name for p in md.glob("*.md")) == ["README.md"]
    text = (md / "README.md").read_text()
    assert all(
        h.startswith("#") and h[1:] in anchors(text) | {"basics-chapter", "convnets-chapter"}
        for h in links(text)
        if not h.startswith("images/")
    )


def test_collapsed_answers_render_their_markdown_inside_details(mini, tmp_path):
    text = (build(mini, tmp_path / "out", "--answers", "collapsed") / "basics.md").read_text()
    assert "Answers are folded" not in text  # the note is on the README
    html = MD.render(text)
    block = html[html.index("<details>") : html.index("</details>")]
    assert "<summary>Answer</summary>" in block
    assert "<table>" in block and '<pre><code class="language-python">' in block
    readme = (tmp_path / "out" / "md" / "README.md").read_text()
    assert "Answers are folded" in readme and "--answers open" in readme


def test_math_uses_github_syntax(mini, tmp_path):
    text = (build(mini, tmp_path / "out") / "basics.md").read_text()
    assert "```math\n\\sigma(x) = \\frac{1}{1 + e^{-x}}\n```" in text
    assert r"$`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`$" in text  # backslashes would be eaten
    assert "$(0, 1)$" in text  # plain formulas stay plain


def test_output_is_stable_under_mdformat_and_deterministic(mini, tmp_path):
    md = build(mini, tmp_path / "a")
    again = build(mini, tmp_path / "b")
    for path in md.glob("*.md"):
        text = path.read_text()
        assert mdformat.text(text, extensions={"gfm"}) == text, path.name
        assert (again / path.name).read_text() == text


def test_images_are_copied_beside_the_handouts(mini, tmp_path):
    md = build(mini, tmp_path / "out")
    assert "![A 3x3 filter](images/filter.png)" in (md / "convnets.md").read_text()
    assert (md / "images" / "filter.png").read_bytes() == (mini / "images" / "filter.png").read_bytes()


def test_raw_html_from_the_corpus_is_sanitised(mini, tmp_path):
    edit(
        mini / "basics.yaml",
        "The outputs are positive and sum to one.",
        "Sum to one <script>alert(1)</script> "
        '<img src="images/filter.png" onerror="alert(2)"> <sub>i</sub>.\n\n'
        '      <div onclick="steal()">block</div>',
    )
    text = (build(mini, tmp_path / "out") / "basics.md").read_text()
    assert "<script" not in text and "onerror" not in text and "onclick" not in text and "steal" not in text
    assert "<sub>i</sub>" in text and "<div>block</div>" in text and '<img src="images/filter.png">' in text


def test_jinja_syntax_in_answers_is_text(mini, tmp_path):
    edit(
        mini / "basics.yaml",
        "The outputs are positive and sum to one.",
        "Literally {{ 7 * 7 }} and {% if x %}.",
    )
    text = (build(mini, tmp_path / "out") / "basics.md").read_text()
    assert "Literally {{ 7 * 7 }} and {% if x %}." in text


PLAIN_TOPIC = r"""topic: plain
entries:
  - id: plain-words
    question: What is a plain question?
    answer: |
      Words, $x + 1$, $a_b$ and $\sigma(x)$ over
      two lines, C# too.

      $$\frac{1}{2}$$

      ```python
      def f(x):

          return x
      ```
    details: |
      More words and $y^2$:

          indented code
    difficulty: basic
    tags: [alpha, b.c]
    sources: [seed#1, extra]
  - id: plain-math
    question: What is $\sigma$ in a heading?
    answer: Just one line.
    difficulty: advanced
    related: [plain-words]
"""


def plain_corpus(root: Path, with_mini: bool) -> Path:
    """A topic whose page needs no tidy; with the mini corpus, also pages that do."""
    if not with_mini:
        for path in root.glob("*.yaml"):
            if path.name not in ("topics.yaml", "sources.yaml"):
                path.unlink()
        (root / "topics.yaml").write_text("topics:\n")
    topics = (root / "topics.yaml").read_text()
    (root / "topics.yaml").write_text(f"{topics}  - id: plain\n    title: Plain\n    summary: Plain text.\n")
    (root / "plain.yaml").write_text(PLAIN_TOPIC)
    return root


@pytest.mark.parametrize("with_mini", [True, False])
@pytest.mark.parametrize("flags", [(), ("--single",), ("--answers", "collapsed")])
def test_pages_left_untidied_are_what_the_tidy_writes(mini, tmp_path, monkeypatch, with_mini, flags):
    # Templates copied into --templates are not the built-in ones: every page is then tidied whole.
    content = plain_corpus(mini, with_mini)
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / "md", templates / "md")
    shutil.copy(ROOT / "templates" / "macros.jinja", templates)
    tidied: list[str] = []
    tidy = markdown_exporter.tidy_markdown
    monkeypatch.setattr(markdown_exporter, "tidy_markdown", lambda page: tidied.append(page) or tidy(page))
    fast = build(content, tmp_path / "fast", *flags)
    assert any("What is a plain question?" in page for page in tidied) == (with_mini and "--single" in flags)
    slow = build(content, tmp_path / "slow", "--templates", templates, *flags)
    assert any("What is a plain question?" in page for page in tidied)
    for path in slow.rglob("*.md"):
        assert (fast / path.relative_to(slow)).read_text() == path.read_text(), path.name
