"""Hostile corpus text: nothing that runs, leaks or fetches reaches a card, a sheet or a handout.

Each output is read back the way its reader sees it: Anki notes through Anki's own backend, handouts
parsed with markdown-it, PDF links read with pypdf.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import edit, run
from pypdf import PdfReader

from dlexport.markup import parser

Collection = pytest.importorskip("anki.collection").Collection

# Markup that escaped the sanitiser before: `$` inside attributes was taken for math.
BREAKOUTS = [
    '<img title="$x" onerror="alert(1)//$" src="images/filter.png">',
    '<a title="$x" href="javascript:alert(1)" onmouseover="alert(2)//$">link</a>',
    '<img title="$$x" onerror="alert(1)//$$" src="images/filter.png">',
    "$a$ <b title='$' onclick='alert(3)'>b</b> $c$",
]
HOSTILE = [
    *BREAKOUTS,
    "<script>alert(1)</script>",
    '<a href="ja&#9;vascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<iframe src='https://evil.example/'></iframe>",
    "<object data='https://evil.example/x'></object>",
    "<style>body{background:url(https://evil.example/x)}</style>",
    '<span style="background:url(https://evil.example/x)">s</span>',
    "<svg><script>alert(1)</script></svg>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "`<img src=x onerror=alert(1)>` <img src=images/filter.png onerror=alert(1)>",
    "<div\nonclick='alert(1)'>x</div>",
    "<img src=images/filter.png onerror=alert(1)//",
    "<pre><![x <script>alert(1)</script>",  # a declaration Python's html.parser asserts on
    "<![CDATA[<script>alert(1)</script>]]>",
]


class Attributes(HTMLParser):
    """Every tag and attribute in a fragment, decoded as a browser decodes them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, name, value or "") for name, value in attrs]


def assert_inert(fragment: str) -> None:
    reader = Attributes()
    reader.feed(fragment)
    assert not {"script", "iframe", "object", "embed", "style", "svg", "math"} & set(reader.tags), fragment
    for tag, name, value in reader.attrs:
        assert not name.startswith("on"), fragment
        assert name != "style" or "url" not in value, fragment
        url = re.sub(r"[\t\n\r ]", "", value).lower()
        if name in ("href", "src"):
            assert not url.startswith(("javascript:", "vbscript:", "data:text")), fragment
            assert not (tag == "img" and re.match(r"^[a-z][a-z0-9+.-]*:|^//", url)), fragment


def hostile_corpus(mini: Path, text: str) -> Path:
    answer = "\n".join("      " + line for line in text.splitlines())
    edit(mini / "basics.yaml", "    answer: |\n", f"    answer: |\n{answer}\n\n")
    return mini


def build(content: Path, out: Path, fmt: str) -> Path:
    result = run("build", "--format", fmt, "--content", content, "--out", out)
    assert result.exit_code == 0, result.output
    return out / fmt


@pytest.mark.parametrize("text", HOSTILE)
def test_anki_notes_hold_nothing_that_runs(mini, tmp_path, text):
    package = build(hostile_corpus(mini, text), tmp_path / "out", "anki") / "deep-learning.apkg"
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(tmp_path / "learner.anki2"))
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
        )
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            for field in note.fields:
                assert_inert(field)
            for card in note.cards():  # as shown, after the note type's own <style>
                assert_inert(card.answer().split("</style>", 1)[1])
    finally:
        col.close()


@pytest.mark.parametrize("text", HOSTILE)
def test_handouts_hold_nothing_that_runs(mini, tmp_path, text):
    md = build(hostile_corpus(mini, text), tmp_path / "out", "md")
    for page in md.glob("*.md"):
        tokens = parser().parse(page.read_text())
        for token in tokens:
            if token.type == "html_block":
                assert_inert(token.content)
            for child in token.children or []:
                if child.type == "html_inline":
                    assert_inert(child.content)
                if child.type in ("link_open", "image"):
                    target = str(child.attrs.get("href") or child.attrs.get("src"))
                    assert not target.lower().startswith(("javascript:", "vbscript:", "data:")), target


def test_breakout_keeps_the_image_and_drops_the_handler(mini, tmp_path):
    """The safe part of hostile markup survives as it should: the image, its media file, the math."""
    text = BREAKOUTS[0] + " and $y$"
    package = build(hostile_corpus(mini, text), tmp_path / "out", "anki") / "deep-learning.apkg"
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(tmp_path / "learner.anki2"))
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
        )
        (nid,) = col.find_notes('"Id:sigmoid-function" "note:dlexport Q&A"')
        answer = col.get_note(nid)["Answer"]
        assert re.search(r'<img title="\$x" src="dlexport-[0-9a-f]{12}-filter\.png">', answer), answer
        assert r"\(y\)" in answer and "onerror" not in answer
        media = Path(col.media.dir())
        assert any(p.name.endswith("-filter.png") for p in media.iterdir())
    finally:
        col.close()

    md = build(mini, tmp_path / "out", "md")
    page = (md / "basics.md").read_text()
    assert '<img title="$x" src="images/filter.png">' in page and "onerror" not in page
    assert (md / "images" / "filter.png").read_bytes() == (mini / "images" / "filter.png").read_bytes()


@pytest.mark.parametrize(
    "img, column",
    [
        ('<img alt=">" src="../../../../../../etc/passwd">', 29),  # at the src
        ('<img alt=">" src="ht&#9;tp://host/x.png">', 11),  # at the tag: the src is written encoded
        ('<img src="/etc/passwd">', 21),
        ("<img src='//host/x.png'>", 21),
        ("![x](http://host/x.png)", 16),
        ('<img src=" javascript:alert(1)">', 21),
        ('<p><img src="file:///etc/passwd"></p>', 24),
    ],
)
def test_every_image_src_is_checked_on_the_parsed_html(mini, img, column):
    """The `src` is read as a browser reads it (entities decoded, tabs dropped), then must name a file."""
    edit(mini / "basics.yaml", "    answer: |\n", f"    answer: |\n      See {img} here.\n\n")
    result = run("validate", mini)
    assert result.exit_code == 2, result.output
    assert f"basics.yaml:6:{column}: image " in result.output, result.output
    assert "Traceback" not in result.output


def test_pdf_links_are_only_web_mail_or_internal(mini, tmp_path):
    from pypdf import PdfReader

    text = "\n\n".join(HOSTILE) + '\n\n<a href="https://example.org/ok">ok</a>'
    pdf = build(hostile_corpus(mini, text), tmp_path / "out", "pdf") / "basics.pdf"
    uris = []
    for page in PdfReader(pdf).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            if "/URI" in action:
                uris.append(str(action["/URI"]))
    assert "https://example.org/ok" in uris
    assert all(u.startswith(("https://", "http://", "mailto:")) for u in uris), uris


UNICODE = "Café naïve σ ∑ ∞ → 数学 مرحبا 🙂"


def test_unicode_survives_every_format_and_the_pdf_names_missing_glyphs(mini, tmp_path):
    from pypdf import PdfReader

    edit(mini / "basics.yaml", "    answer: |\n", f"    answer: |\n      {UNICODE}\n\n")
    result = run("build", "--content", mini, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "entry 'sigmoid-function': the sheet fonts have no glyph for" in result.output
    assert "'数' (U+6570)" in result.output and "'🙂' (U+1F642)" in result.output
    assert "'é'" not in result.output and "'σ'" not in result.output  # those the fonts have
    assert UNICODE in (tmp_path / "out" / "md" / "basics.md").read_text()
    assert len(PdfReader(tmp_path / "out" / "pdf" / "basics.pdf").pages) >= 1

    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(tmp_path / "learner.anki2"))
    try:
        package = tmp_path / "out" / "anki" / "deep-learning.apkg"
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
        )
        (nid,) = col.find_notes('"Id:sigmoid-function" "note:dlexport Q&A"')
        assert UNICODE in col.get_note(nid)["Answer"]
    finally:
        col.close()


@pytest.mark.parametrize(
    "text, message",
    [
        (r"Link $\href{javascript:alert(1)}{click}$", r"TeX command \href is not allowed"),
        (r"$$\style{background:url(https://evil.example/t.png)}{x}$$", r"TeX command \style is not allowed"),
        (r"Plain text \\(\href{javascript:alert(1)}{x}\\)", r"TeX command \href is not allowed"),
        (r"$\require{texhtml}$", r"TeX command \require is not allowed"),
        ("Listen [sound:x.mp3]", "'[sound:' is Anki's media syntax"),
        ("Say [anki:tts lang=en_US]hi[/anki:tts]", "'[anki:' is Anki's media syntax"),
        ("![x](basics.yaml)", "image 'basics.yaml' is not an image file"),
        ('<image src="../../../../../etc/hostname">', "image '../../../../../etc/hostname' is not an image"),
        ('<image src="../../../x.png">', "image '../../../x.png' leaves the corpus directory"),
        ('<!-- --!><img src="../../../x.png"> -->', "image '../../../x.png' leaves the corpus directory"),
        ("![x](" + "a" * 300 + ".png)", "cannot be read (File name too long)"),
    ],
)
def test_what_the_sanitiser_cannot_see_is_refused_when_the_corpus_is_loaded(mini, text, message):
    """MathJax and Anki's media syntax act on text the sanitiser keeps; images are read by the parser
    the sanitiser uses, so no form of tag hides one from validation."""
    answer = text.replace("\\", "\\\\").replace('"', '\\"')
    edit(mini / "basics.yaml", "    answer: |\n", f'    answer: "{answer}"\n    details: |\n')
    result = run("validate", mini)
    assert result.exit_code == 2 and message in result.output, result.output
    assert f"{mini / 'basics.yaml'}:5:" in result.output and "Traceback" not in result.output


def test_reserved_tags_cannot_be_spoofed(mini):
    edit(mini / "basics.yaml", "tags: [activations, sigmoid]", "tags: [DLEXPORT::Retired, sigmoid]")
    result = run("validate", mini)
    assert result.exit_code == 2 and "tag 'DLEXPORT::Retired' is reserved" in result.output


def test_titles_summaries_and_release_notes_are_text_in_markdown(mini, tmp_path):
    edit(
        mini / "topics.yaml", "title: Basics", "title: 'Basics ![t](https://evil.example/t.png) <img src=x>'"
    )
    edit(
        mini / "basics.yaml",
        "question: What does softmax compute?",
        "question: 'What does `<img src=x onerror=alert(1)>` compute?'",
    )
    result = run("build", "-f", "md", "-f", "anki", "--content", mini, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    pages = [*(tmp_path / "out" / "md").glob("*.md"), tmp_path / "out" / "anki" / "CHANGES.md"]
    for page in pages:
        for token in parser().parse(page.read_text()):
            for piece in [token, *(token.children or [])]:
                if piece.type in ("html_block", "html_inline"):
                    assert_inert(piece.content)
                    assert "<img" not in piece.content, (page, piece.content)
                assert not (piece.type == "image" and "evil" in str(piece.attrs.get("src"))), page
    assert "evil.example" in (tmp_path / "out" / "md" / "basics.md").read_text()  # shown, as text


def test_a_shipped_formulas_folder_that_leads_out_of_the_corpus_is_not_written(mini, tmp_path):
    """A build adds the formulas it draws to the corpus's `.dlexport-math/`: when that is a link to a
    folder elsewhere, the corpus would choose where dlexport writes files."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (mini / ".dlexport-math").symlink_to(elsewhere, target_is_directory=True)
    build(mini, tmp_path / "out", "pdf")
    assert list(elsewhere.iterdir()) == []  # was: every formula of the corpus written there


def test_a_corpus_s_own_drawings_are_read_safely_and_serve_that_corpus_only(mini, tmp_path, monkeypatch):
    """`.dlexport-math/` is corpus input: a pipe, a link out of the corpus or a drawing that cannot be
    placed is drawn again, and a forged drawing shows in that corpus's sheets only, never in another's
    built with the same cache."""
    from dlexport.mathsvg import sealed, unsealed

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # one cache for every build here
    args = ["build", "-f", "pdf", "--layout", "cheatsheet", "--jobs", "1", "--content"]
    other = tmp_path / "other"
    shutil.copytree(mini, other)
    (mini / ".dlexport-math").mkdir()
    assert run(*args, mini, "--out", tmp_path / "first").exit_code == 0
    forged, pipe, link, unplaced = sorted((mini / ".dlexport-math").iterdir())[:4]
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 -9 60 12"><text y="0">FORGED</text></svg>'
    forged.write_bytes(sealed(svg))
    pipe.unlink()
    os.mkfifo(pipe)
    outside = tmp_path / "outside.svg"
    outside.write_bytes(drawing := link.read_bytes())
    link.unlink()
    link.symlink_to(outside)
    unplaced.write_bytes(sealed('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))
    own = subprocess.run(  # in a process of its own: what this guards against once hung the build
        [sys.executable, "-m", "dlexport", *args, mini, "--out", tmp_path / "own"],
        capture_output=True,
        text=True,
        timeout=300,
    )  # was: hung on the pipe; a traceback for the drawing without a view box
    assert own.returncode == 0 and "Traceback" not in own.stderr, own.stderr
    assert all(unsealed(path) for path in (pipe, link, unplaced)) and not link.is_symlink()
    assert "FORGED" in " ".join(
        p.extract_text() for p in PdfReader(tmp_path / "own/pdf/cheatsheet.pdf").pages
    )
    assert run(*args, other, "--out", tmp_path / "theirs").exit_code == 0
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "theirs/pdf/cheatsheet.pdf").pages)
    assert "FORGED" not in text  # was: the other corpus's formula replaced, through the shared cache
    assert outside.read_bytes() == drawing  # the file outside the corpus was not written through the link
