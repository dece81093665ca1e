"""The view stage: a large corpus's fragments rendered by forked workers are the ones rendered here."""

from __future__ import annotations

import json
import os
import re
import threading

from conftest import edit, run

import dlexport.view as view
from dlexport.corpus import load_corpus
from dlexport.markup import HtmlRenderer, mathjax
from dlexport.output import cpus, workers_for
from dlexport.view import HtmlFlavour, MarkdownFlavour, build_view

RENDERED_HERE: list[str] = []  # fragments the build's own process rendered (a worker has its own list)


class CountedFlavour(MarkdownFlavour):
    """Handout Markdown, counted and never kept: every build renders its fragments again."""

    key = None

    def block(self, text: str, where: str) -> str:
        RENDERED_HERE.append(text)
        return super().block(text, where)

    def inline(self, text: str, where: str) -> str:
        RENDERED_HERE.append(text)
        return super().inline(text, where)


def test_a_large_corpus_is_rendered_by_forked_workers_into_the_same_views(mini, monkeypatch):
    corpus = load_corpus(mini)
    serial = build_view(corpus, CountedFlavour())
    assert len(RENDERED_HERE) > 2 * len(list(corpus.entries()))
    RENDERED_HERE.clear()
    assert build_view(corpus, CountedFlavour(), processes=2) == serial  # too little text to fork for
    assert RENDERED_HERE
    RENDERED_HERE.clear()
    monkeypatch.setattr(view, "CHARS_PER_WORKER", 1)
    assert build_view(corpus, CountedFlavour(), processes=2) == serial
    # A handout's renderings depend on the text alone, images and raw HTML included: all made there.
    assert RENDERED_HERE == []


def test_workers_render_what_their_own_build_gave_them(mini, monkeypatch):
    """Two builds in two threads: each one's workers render its fragments, whoever forked last. Here
    the second build runs whole between the first one's start and its fork."""
    monkeypatch.setattr(view, "CHARS_PER_WORKER", 1)
    first = load_corpus(mini)
    edit(mini / "basics.yaml", "What is the sigmoid function?", "What is the logistic function?")
    second = load_corpus(mini)
    expected = build_view(first, CountedFlavour()), build_view(second, CountedFlavour())
    pool = view.worker_pool
    interleaved: list = []

    def worker_pool(*args, **kwargs):
        if not interleaved:
            interleaved.append(None)
            interleaved.append(build_view(second, CountedFlavour(), processes=2))
        return pool(*args, **kwargs)

    monkeypatch.setattr(view, "worker_pool", worker_pool)
    assert (build_view(first, CountedFlavour(), processes=2), interleaved[1]) == expected
    monkeypatch.setattr(view, "worker_pool", pool)
    results: dict[int, tuple] = {}

    def build(n: int) -> None:
        results[n] = build_view((first, second)[n], CountedFlavour(), processes=2)

    threads = [threading.Thread(target=build, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (results[0], results[1]) == expected


def test_an_error_in_a_forked_worker_is_the_build_s_clean_error(mini, tmp_path, monkeypatch):
    monkeypatch.setattr(view, "CHARS_PER_WORKER", 1)
    edit(mini / "basics.yaml", "at most $1/4$", f"at most $1/4$ {'*' * 400}x{'*' * 400}")
    result = run("build", "-f", "md", "--jobs", "2", "--content", mini, "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert re.search(r"basics\.yaml:\d+: entry '[a-z0-9-]+': Markdown nested too deeply", result.output)
    assert "Traceback" not in result.output and not list((tmp_path / "out").rglob("*.md"))


def test_workers_are_as_many_as_the_work_pays_for_and_the_cpus_allow():
    assert workers_for(0, 10, 4) == 1
    assert workers_for(19, 10, 4) == 1
    assert workers_for(20, 10, 4) == 2
    assert workers_for(10**6, 10, 4) == 4
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(allowed)})
        assert cpus() == 1  # whatever os.cpu_count() says
    finally:
        os.sched_setaffinity(0, allowed)
    assert cpus() == len(allowed)


def test_a_build_with_every_rendering_kept_forks_nothing(mini, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(view, "CHARS_PER_WORKER", 1)
    corpus = load_corpus(mini)
    anki = HtmlFlavour(HtmlRenderer(mathjax), parallel=True)
    first = build_view(corpus, anki, processes=2)
    monkeypatch.setattr(view, "worker_pool", None)  # a fork would fail
    assert build_view(corpus, anki, processes=2) == first


def test_the_progress_bar_moves_as_the_workers_render(mini, monkeypatch):
    monkeypatch.setattr(view, "CHARS_PER_WORKER", 1)
    corpus = load_corpus(mini)
    advanced = []
    title = view.plain_text
    at_assembly = []  # how far the bar was when the views began to be put together

    def plain_text(text: str) -> str:
        at_assembly.append(len(advanced))
        return title(text)

    monkeypatch.setattr(view, "plain_text", plain_text)
    build_view(corpus, CountedFlavour(), advance=lambda: advanced.append(1), processes=2)
    entries = len(list(corpus.entries()))
    assert len(advanced) == entries and at_assembly[0] == entries
    advanced.clear()
    at_assembly.clear()
    build_view(corpus, CountedFlavour(), advance=lambda: advanced.append(1))  # here, entry by entry
    assert len(advanced) == entries and at_assembly[0] == 0


def test_kept_handout_renderings_keep_their_mark_and_any_other_shape_is_made_again(
    mini, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    corpus = load_corpus(mini)
    first = build_view(corpus, MarkdownFlavour())
    store = view._Renderings(MarkdownFlavour()).store
    assert store is not None
    kept = json.loads(store.get("markdown") or b"{}")
    assert any(isinstance(value, list) for value in kept.values())  # settled, kept as such

    def answers(chapters) -> list[tuple[type, str]]:
        return [(type(e.answer), e.answer) for c in chapters for e in c.entries]

    assert answers(build_view(corpus, MarkdownFlavour())) == answers(first)
    shapes = ([1], ["a", "b"], {"a": 1}, 3, None, "\ud800", ["\ud800"])  # a lone surrogate: no file holds it
    store.put("markdown", json.dumps({key: shapes[n % len(shapes)] for n, key in enumerate(kept)}).encode())
    assert answers(build_view(corpus, MarkdownFlavour())) == answers(first)
    store.put("markdown", b"[" * 100_000 + b"]" * 100_000)
    assert answers(build_view(corpus, MarkdownFlavour())) == answers(first)


def test_the_nesting_a_handout_refuses_does_not_depend_on_where_it_is_rendered(mini, tmp_path, monkeypatch):
    """Deep enough to exhaust a forked worker's stack before the build's own (a worker's is deeper)."""
    monkeypatch.setattr(view, "CHARS_PER_WORKER", 1)
    edit(mini / "basics.yaml", "at most $1/4$", f"at most $1/4$ {'*' * 250}x{'*' * 250}")
    for jobs in ("1", "2"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{jobs}"))
        result = run(
            "build", "-f", "md", "--jobs", jobs, "--content", mini, "--out", tmp_path / f"out-{jobs}"
        )
        assert result.exit_code == 1, result.output
        assert re.search(
            r"basics\.yaml:\d+: entry 'sigmoid-function': Markdown nested too deeply", result.output
        )


def test_handout_renderings_are_made_again_for_a_new_wcwidth_or_python(mini, tmp_path, monkeypatch):
    import importlib.metadata
    import sys

    class Kept(CountedFlavour):
        key = "markdown"

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    corpus = load_corpus(mini)
    build_view(corpus, Kept())
    RENDERED_HERE.clear()
    build_view(corpus, Kept())
    assert RENDERED_HERE == []
    version = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: "99" if name == "wcwidth" else version(name)
    )
    build_view(corpus, Kept())  # mdformat-gfm pads table columns by wcwidth's character widths
    assert RENDERED_HERE
    RENDERED_HERE.clear()
    monkeypatch.setattr(sys, "version", "3.99")
    build_view(corpus, Kept())  # raw HTML is read by Python's html.parser
    assert RENDERED_HERE
