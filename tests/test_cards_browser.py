"""Every card as Anki shows it, in a real browser (dlexport.deckcheck.render_check): headless Chromium,
the MathJax, MathJax configuration and reviewer CSS that Anki desktop ships, the note type's own CSS.

The shipped deck reads on a 375 px phone and a 1024 px desktop, in light and night mode; each planted
problem (wide content without the style's fix, broken TeX, raw Markdown, a broken image) is reported.
Nothing here is skipped: CI installs Chromium (.ci/run), Playwright and Anki's aqt wheel (make test)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import DATA, ROOT, run

from dlexport.deckcheck import WIDE, render_check

# Appended to the mini corpus's basics.yaml: content too wide for a phone, and problems to catch.
PLANTED = r"""
  - id: wide-table
    question: How do seven activations compare?
    answer: See the details.
    details: |
      | Activation | Formula | Range | Derivative | Zero-centred | Main strength | Main weakness |
      |---|---|---|---|---|---|---|
      | Sigmoid | $1/(1+e^{-z})$ | $(0, 1)$ | $\sigma(1-\sigma)$ | no | probability output | saturates |
      | Softplus | $\log(1 + e^{z})$ | $(0, \infty)$ | $\sigma(z)$ | no | smooth everywhere | unbounded |
    difficulty: basic
    tags: [plant]
    sources: [extra]
  - id: wide-math
    question: What does a wide formula look like?
    answer: |
      A long inline one: $a_1 + a_2 + a_3 + a_4 + a_5 + a_6 + a_7 + a_8 + a_9 + a_{10} + a_{11} + a_{12}$.

      $$\mathcal{L}(\theta) = -\sum_{i=1}^{N} \big( y_i \log p_i + (1 - y_i) \log(1 - p_i) \big) + \lambda R$$
    difficulty: basic
    tags: [plant]
    sources: [extra]
  - id: long-code
    question: What does a long code line look like?
    answer: |
      ```python
      def train(model, loader):
          for batch in loader:
              loss = model(batch).loss  # a comment far too long for any phone screen to show at once
      ```
    difficulty: basic
    tags: [plant]
    sources: [extra]
  - id: bad-tex
    question: What if the TeX is broken?
    answer: |
      A fraction that never closes: $\frac{1}{2$. One without its denominator: $\frac{1}$.
    difficulty: basic
    tags: [plant]
    sources: [extra]
  - id: raw-markdown
    question: What if Markdown is not rendered?
    answer: |
      <div>
      **bold** inside a raw HTML block stays as it is.
      # Not a heading
      </div>
    difficulty: basic
    tags: [plant]
    sources: [extra]
  - id: untypeset-tex
    question: What if a TeX delimiter is never closed?
    answer: |
      An opening delimiter alone: \\(x + y.
    difficulty: basic
    tags: [plant]
    sources: [extra]
"""

# The shipped style with its phone fix undone: wide tables, formulas and code no longer scroll in their box.
WITHOUT_THE_FIX = """
table { display: table !important; overflow: visible !important; max-width: none !important; }
mjx-container, div.code, pre { overflow: visible !important; max-width: none !important; }
"""


def build(content: Path, out: Path, *extra: str | Path) -> Path:
    result = run("build", "--format", "anki", "--content", content, "--out", out, *extra)
    assert result.exit_code == 0, result.output
    return out / "anki" / "deep-learning.apkg"


def about(problems: list[str], entry: str) -> list[str]:
    return [p for p in problems if p.startswith(f"{entry} (")]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The render check of the deck built from the shipped corpus (a copy: a build writes its ledger), at
    phone width, where cards are narrowest (`check-deck --render` also checks a desktop width)."""
    tmp = tmp_path_factory.mktemp("shipped")
    shutil.copytree(ROOT / "content", tmp / "content")
    return render_check(build(tmp / "content", tmp / "out"), widths=(375,))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = tmp_path_factory.mktemp("planted") / "content"
    shutil.copytree(DATA / "mini", content)
    with (content / "basics.yaml").open("a") as f:
        f.write(PLANTED)
    return content


@pytest.fixture(scope="module")
def planted_deck(planted: Path) -> Path:
    return build(planted, planted.parent / "out")


@pytest.fixture(scope="module")
def with_fix(planted_deck: Path) -> list[str]:
    return render_check(planted_deck, widths=(375,), night=(False, True))


@pytest.fixture(scope="module")
def without_fix(planted: Path) -> list[str]:
    templates = planted.parent / "templates"
    (templates / "anki").mkdir(parents=True)
    style = (ROOT / "templates" / "anki" / "style.css").read_text() + WITHOUT_THE_FIX
    (templates / "anki" / "style.css").write_text(style)
    package = build(planted, planted.parent / "out-unfixed", "--templates", templates)
    return render_check(package, widths=(375,), night=(False,))


def test_every_shipped_card_reads_on_a_phone_in_light_and_night_mode(shipped):
    assert shipped == [], "\n".join(shipped)


def test_wide_tables_formulas_and_code_scroll_inside_their_own_box(with_fix):
    for entry in ("wide-table", "wide-math", "long-code", "sigmoid-function", "conv-output-size"):
        assert about(with_fix, entry) == [], entry
    # What is reported is the planted problems, in both modes.
    assert {p.split(" (")[0] for p in with_fix} == {"bad-tex", "raw-markdown", "untypeset-tex"}
    assert all(p.endswith("[375px light, 375px night]") for p in with_fix), with_fix


def test_without_the_fix_wide_content_makes_the_card_scroll_sideways(without_fix):
    (table,) = about(without_fix, "wide-table")
    assert table.startswith("wide-table (dlexport Q&A, answer): table (7 columns) is ")
    assert f"{WIDE} 375 px wide [375px light]" in table
    formulas = about(without_fix, "wide-math")
    assert len(formulas) == 2 and all(WIDE in p for p in formulas)
    assert any(r"formula \(a_1 + a_2" in p for p in formulas)
    assert any(r"formula \[\mathcal{L}(\theta)" in p for p in formulas)
    (code,) = about(without_fix, "long-code")
    assert 'code block (longest line: "loss = model(batch).loss' in code and WIDE in code


def test_broken_tex_is_reported(with_fix):
    problems = about(with_fix, "bad-tex")
    # An unclosed brace hides the closing delimiter, so MathJax leaves the TeX as text ...
    assert any(r'TeX left untypeset: "\(\frac{1}{2\)' in p for p in problems), problems
    # ... and a missing argument is a MathJax error.
    assert any(r'MathJax error "Missing argument for \frac" in formula \(\frac{1}\)' in p for p in problems)
    assert len(problems) == 2, problems


def test_raw_markdown_is_reported(with_fix):
    problems = about(with_fix, "raw-markdown")
    assert any('raw Markdown ** in "**bold** inside a raw HTML block' in p for p in problems), problems
    assert any('raw Markdown heading "# Not a heading"' in p for p in problems), problems


def test_an_unclosed_tex_delimiter_is_reported(with_fix):
    (problem,) = about(with_fix, "untypeset-tex")
    assert r'TeX left untypeset: "\(x + y."' in problem


def test_a_broken_image_is_reported(planted_deck, tmp_path):
    broken = tmp_path / "broken.apkg"
    with zipfile.ZipFile(planted_deck) as zin, zipfile.ZipFile(broken, "w") as zout:
        media = json.loads(zin.read("media"))
        for info in zin.infolist():
            zout.writestr(info, b"not an image" if info.filename in media else zin.read(info))
    problems = about(render_check(broken, widths=(375,), night=(False,)), "conv-output-size")
    name = next(iter(media.values()))
    assert problems == [f"conv-output-size (dlexport Q&A, answer): broken image {name} [375px light]"]


def test_a_package_anki_cannot_import_is_one_problem(tmp_path):
    broken = tmp_path / "broken.apkg"
    broken.write_bytes(b"not a zip")
    (problem,) = render_check(broken)
    assert problem.startswith("import failed: ")


def test_check_deck_render_flag_reports_a_clean_deck(mini, tmp_path):
    from conftest import run

    assert run("build", "-f", "anki", "--content", mini, "--out", tmp_path / "out").exit_code == 0
    result = run("check-deck", tmp_path / "out" / "anki" / "deep-learning.apkg", "--render")
    assert result.exit_code == 0, result.output
    assert "problem:" not in result.output


def test_cards_shown_again_on_the_same_page_keep_their_equation_labels(mini, tmp_path):
    """Two pages share three widths' batches, so one page shows the same cards twice: MathJax must
    forget the labels it saw ("Label 'energy' multiply defined" was reported for a sound card)."""
    with (mini / "basics.yaml").open("a") as f:
        f.write(LABELLED)
    package = build(mini, tmp_path / "out")
    assert render_check(package, widths=(375, 1024, 375), night=(False,)) == []


LABELLED = r"""
  - id: labelled
    question: What does a labelled equation look like?
    answer: |
      $$E = mc^2 \label{energy}$$
    difficulty: basic
    tags: [plant]
"""
