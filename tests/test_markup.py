"""The shared Markdown renderer: math, code, sanitising."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlexport.markup import (
    HtmlRenderer,
    check_markdown,
    github_markdown,
    mathjax,
    parser,
    plain_text,
    tidy_markdown,
)
from dlexport.mathtext import text_math

render = HtmlRenderer(mathjax).render


def open_math(text: str) -> list[int]:
    return [f.offset for f in check_markdown(text, lambda path: None) if "unbalanced" in f.message]


def test_math_is_read_before_emphasis():
    html = render(r"Loss $a_1 * b_2$ and $x_{*}$ with *emphasis*")
    assert r"\(a_1 * b_2\)" in html and r"\(x_{*}\)" in html and "<em>emphasis</em>" in html


def test_code_never_holds_math():
    html = render("Cost `$5` and\n\n```\nprice = $3\n```\n\nthen $x$.")
    assert "<code>$5</code>" in html and "price = $3" in html and r"\(x\)" in html


def test_escaped_dollars_are_text():
    assert render(r"It costs \$5 or \$6.") == "<p>It costs $5 or $6.</p>"
    assert open_math(r"It costs \$5 or \$6.") == []


def test_unbalanced_math_reports_the_offset():
    assert open_math("ok $x$ then $y") == [12]
    assert open_math("first line\n\nsecond $x$ and $y") == [27]


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x.png" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<img src="https://tracker.example/p.gif">',
        '<td style="background:url(http://x)">t</td>',
        "<iframe src='http://x'></iframe>",
    ],
)
def test_hostile_html_never_reaches_the_output(hostile):
    html = render(f"Text {hostile} more")
    for bad in ("<script", "onerror", "javascript:", "tracker.example", "url(", "<iframe"):
        assert bad not in html


def test_jinja_syntax_stays_text():
    assert "{{ 7*7 }}" in render("{{ 7*7 }} {% for x in y %}")


def test_highlighted_code_uses_inline_styles():
    html = render("```python\ndef f():\n    return 1\n```")
    assert 'style="' in html and "def" in html and "<script" not in html


def test_github_math_syntax():
    out = github_markdown(r"Plain $ab$, escaped $a_b$, display:" + "\n\n$$x^2$$\n")
    assert "$ab$" in out and "$`a_b`$" in out and "```math\nx^2\n```" in out


def test_each_fragment_is_formatted_on_its_own():
    # One parser serves every fragment: a link defined in one must not be a link in the next.
    alone = github_markdown("See [a] and <b>x</b>.")
    assert github_markdown("See [a].\n\n[a]: https://example.com/").endswith("[a]: https://example.com/")
    assert github_markdown("See [a] and <b>x</b>.") == alone
    assert tidy_markdown("See [a].\n\n[a]: https://example.com/\n") != tidy_markdown("See [a].\n")
    assert tidy_markdown("See [a].\n") == "See [a].\n"


@pytest.mark.parametrize(
    "tex, html",
    [
        ("k", '<span class="m">𝑘</span>'),
        ("x_i", '<span class="m">𝑥<sub>𝑖</sub></span>'),
        ("a < b", '<span class="m">𝑎\u2009&lt;\u2009𝑏</span>'),
        (r"\eta", '<span class="m">𝜂</span>'),
        ("-1", '<span class="m">−1</span>'),
    ],
)
def test_simple_formulas_are_set_as_math_text(tex, html):
    assert text_math(tex) == html


@pytest.mark.parametrize("tex", [r"\frac{1}{2}", r"\sqrt{d}", r"\mathbf{x}", r"x^{\frac{1}{2}}", "{a}"])
def test_anything_else_is_left_to_the_typesetter(tex):
    assert text_math(tex) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abXYZ0189 ,.?;:'\"()/-", max_size=40).map(lambda rest: "W" + rest))
def test_plain_text_without_syntax_is_what_the_parser_gives(text):
    """The shortcut for text without Markdown syntax agrees with reading it through the parser."""
    parsed = " ".join(
        "".join(
            child.content
            for block in parser().parse(text)
            for child in block.children or []
            if child.type in ("text", "text_special", "code_inline", "math_inline", "math_inline_double")
        ).split()
    )
    assert plain_text(text) == parsed


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("What is a CNN, and why (still) use one?", "What is a CNN, and why (still) use one?"),
        ("What is  *attention*?", "What is attention?"),
        ("1. What", "What"),
        ("Why `x` and $y$?", "Why x and y?"),
        ("A & B", "A & B"),
    ],
)
def test_plain_text(text, plain):
    assert plain_text(text) == plain
