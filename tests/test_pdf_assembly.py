"""Documents assembled from parts laid out once each, read back with pypdf: the contents page points at the
pages where chapters start, every page carries its number, and the outline and anchors hold every question."""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import run
from pypdf import PdfReader
from pypdf.generic import Destination

from dlexport.exporters import pdf as pdf_exporter

WORDS = "gradient layer weight bias loss batch epoch tensor kernel stride token vector norm scale".split()
TOPICS = {"alpha": "Alpha topic", "beta": "Beta topic", "gamma": "Gamma topic"}


def write_corpus(root: Path) -> Path:
    """Three topics long enough to fill several pages each."""
    rng = random.Random(7)
    root.mkdir()
    (root / "sources.yaml").write_text("sources:\n  - {key: extra, title: Beyond the seeds}\n")
    (root / "topics.yaml").write_text(
        "topics:\n" + "".join(f"  - id: {t}\n    title: {title}\n" for t, title in TOPICS.items())
    )
    for t in TOPICS:
        lines = [f"topic: {t}", "entries:"]
        for i in range(16 if t != "beta" else 28):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 140)))
            lines += [
                f"  - id: {t}-q{i}",
                f"    question: What is {t} question number {i}?",
                f"    answer: {words.capitalize()}.",
                "    difficulty: basic",
            ]
        (root / f"{t}.yaml").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    """Long chapters, as a large corpus has them, are laid out in sections of a few hundred entries; these
    in sections of 10, so every test here holds for chapters of one part (the front) and of several."""
    root = tmp_path_factory.mktemp("assembly")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_exporter, "SECTION_ENTRIES", 10)
        patch.setattr(pdf_exporter, "FOLIOS", 7)  # page numbers too are laid out in several documents
        result = run("build", "-f", "pdf", "--content", write_corpus(root / "content"), "--out", root / "out")
    assert result.exit_code == 0, result.output
    return root / "out" / "pdf"


@cache
def texts(path: Path) -> list[str]:
    """Each page's text, read once per file (text extraction is most of these tests' time)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def page_of(reader: PdfReader, destination: Destination) -> int:
    return reader.get_destination_page_number(destination) + 1


def contents(page: str) -> dict[str, int]:
    """Each contents line: its title and the page number printed at the end of its leader."""
    return {m[1]: int(m[2]) for m in re.finditer(r"(\w+ topic|Answer key)[^.]*?[ .]+?(\d+)(?= |$)", page)}


def test_the_contents_page_numbers_are_the_pages_where_chapters_start(pdf):
    reader = PdfReader(pdf / "cheatsheet.pdf")
    pages = texts(pdf / "cheatsheet.pdf")
    listed = contents(pages[0])
    assert list(listed) == list(TOPICS.values())
    for number, (title, page) in enumerate(listed.items(), 1):
        assert pages[page - 1].startswith(f"{number} {title}"), (title, page)
        assert page == 2 or f"{number} {title}" not in pages[page - 2]  # page 1 holds the contents
    assert list(listed.values()) != [2, 3, 4]  # chapters span several pages: the numbers are not trivial
    outline = [item for item in reader.outline if not isinstance(item, list)]
    assert {item.title.split(". ", 1)[1]: page_of(reader, item) for item in outline} == listed


def test_contents_lines_link_to_their_pages(pdf):
    reader = PdfReader(pdf / "cheatsheet.pdf")
    listed = contents(texts(pdf / "cheatsheet.pdf")[0])
    targets = []
    for annot in reader.pages[0]["/Annots"]:
        action = annot.get_object()["/A"]
        assert action["/S"] == "/GoTo"
        targets.append(reader.get_page_number(action["/D"][0].get_object()) + 1)
    assert list(dict.fromkeys(targets)) == list(listed.values())  # a link per piece of each line


@pytest.mark.parametrize("name", ["cheatsheet.pdf", "quiz.pdf", "beta.pdf"])
def test_every_page_carries_its_number_and_the_total(pdf, name):
    pages = texts(pdf / name)
    for number, text in enumerate(pages, 1):
        assert text.endswith(f"page {number} of {len(pages)}"), text[-80:]
        assert text.count(" of ") >= 1 and len(re.findall(r"page \d+ of \d+", text)) == 1


def test_the_outline_holds_every_chapter_and_question_on_its_page(pdf):
    reader = PdfReader(pdf / "cheatsheet.pdf")
    pages = texts(pdf / "cheatsheet.pdf")
    outline = reader.outline
    chapters = [item for item in outline if not isinstance(item, list)]
    questions = [item for group in outline if isinstance(group, list) for item in group]
    assert [c.title for c in chapters] == [f"{n}. {t}" for n, t in enumerate(TOPICS.values(), 1)]
    assert len(questions) == 16 + 28 + 16
    for item in questions:
        number, question = item.title.split(" ", 1)
        assert f"{number} {question}" in pages[page_of(reader, item) - 1]


def test_every_question_is_a_named_destination_on_its_page(pdf):
    reader = PdfReader(pdf / "cheatsheet.pdf")
    pages = texts(pdf / "cheatsheet.pdf")
    named = reader.named_destinations
    for t in TOPICS:
        for i in (0, 15):
            assert f"What is {t} question number {i}?" in pages[page_of(reader, named[f"{t}-q{i}"]) - 1]


def test_the_quiz_contents_point_at_each_chapter_and_the_answer_key(pdf):
    pages = texts(pdf / "quiz.pdf")
    listed = contents(pages[0])
    assert list(listed) == [*TOPICS.values(), "Answer key"]
    assert pages[listed["Answer key"] - 1].startswith("Answer key 1 Alpha topic")
    assert "What is beta question number 0?" in pages[listed["Beta topic"] - 1]


def test_a_topic_sheet_is_its_chapter_of_the_whole(pdf):
    whole = texts(pdf / "cheatsheet.pdf")
    start = contents(whole[0])["Beta topic"]
    sheet = texts(pdf / "beta.pdf")
    body = [re.sub(r"page \d+ of \d+$", "", text) for text in sheet]
    assert body == [
        re.sub(r"page \d+ of \d+$", "", text) for text in whole[start - 1 : start - 1 + len(sheet)]
    ]


def test_a_long_chapter_goes_on_under_its_name_in_the_footer_and_the_outline(pdf):
    reader = PdfReader(pdf / "cheatsheet.pdf")
    pages = texts(pdf / "cheatsheet.pdf")
    start, end = contents(pages[0])["Beta topic"], contents(pages[0])["Gamma topic"]
    beta = pages[start - 1 : end - 1]
    # 28 questions in sections of 10: two more parts, each opening a page under the chapter's title
    assert [text.split(" (continued)")[0] for text in beta if "(continued)" in text] == ["2 Beta topic"] * 2
    assert all(re.search(r"2\. Beta topic \S+ · page", text) for text in beta)  # the footer names it
    assert page_of(reader, reader.named_destinations["chapter-beta"]) == start
    [questions] = [group for group in reader.outline if isinstance(group, list)][1:2]
    assert [q.title.split(" ")[0] for q in questions] == [f"2.{i}" for i in range(1, 29)]
    key = [text for text in texts(pdf / "quiz.pdf") if "Answer key: 2. Beta topic" in text]  # the footer
    assert sum("2 Beta topic (continued)" in text for text in key) == 2


def test_a_topic_named_front_is_a_chapter_not_a_second_contents_page(mini, tmp_path):
    """Part names are made from topic ids: the topic `front` must not collide with the front matter."""
    (mini / "topics.yaml").write_text((mini / "topics.yaml").read_text().replace("id: convnets", "id: front"))
    (mini / "convnets.yaml").write_text(
        (mini / "convnets.yaml").read_text().replace("topic: convnets", "topic: front")
    )
    result = run("build", "-f", "pdf", "--content", mini, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output  # was: IndexError traceback from _resolve_page_links
    pages = texts(tmp_path / "out" / "pdf" / "cheatsheet.pdf")
    assert pages[2].startswith("2 Convolutional networks"), pages[2][:80]  # was: the contents again
    assert "Contents" not in pages[2]
    sheet = " ".join(texts(tmp_path / "out" / "pdf" / "front.pdf"))
    assert "What is the output size of a convolution?" in sheet


def test_a_front_longer_than_a_page_counts_its_own_pages(mini, tmp_path):
    """The contents are laid out knowing their own length: a template that pushes them to a second page
    moves every chapter's page number by one."""
    (tmp_path / "templates" / "pdf").mkdir(parents=True)
    (tmp_path / "templates" / "pdf" / "front.html").write_text(
        '{% extends "default:pdf/front.html" %}'
        '{% block body %}<div style="height: 250mm"></div>{{ super() }}{% endblock %}'
    )
    out = tmp_path / "out"
    flags = ["--layout", "cheatsheet", "--templates", tmp_path / "templates"]
    result = run("build", "-f", "pdf", "--content", mini, "--out", out, *flags)
    assert result.exit_code == 0, result.output
    pages = texts(out / "pdf" / "cheatsheet.pdf")
    listed = {
        m[1]: int(m[2]) for m in re.finditer(r"(Basics|Convolutional networks)[^.]*?[ .]+?(\d+)", pages[1])
    }
    assert listed["Basics"] == 3  # was 2 when the front was taken for one page
    for number, (title, page) in enumerate(listed.items(), 1):
        assert pages[page - 1].startswith(f"{number} {title}"), title
