"""The importer: seed lists and every other layout become drafts; damage is reported; bad input is refused."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import DATA, ROOT
from rich.console import Console

from dlexport.corpus import ID, load_corpus
from dlexport.errors import ConfigError, CorpusError, DlexportError
from dlexport.importer import ImportOptions, default_out, import_lists
from dlexport.importer.parse import parse_list
from dlexport.importer.report import findings, print_report
from dlexport.markup import HtmlRenderer, mathjax

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
LISTS = DATA / "import"
SEED_FILES = {  # key: (file, questions)
    "dl41": ("000_2d231d6a91618aaa.txt", 41),
    "dl50": ("001_f3fde470be0e7682.txt", 50),
    "dl100": ("002_99bbd0092cce3192.txt", 100),
    "nn46": ("003_5a5001ca7f676e37.txt", 46),
    "dl83": ("004_bddd461d5ee39213.txt", 83),
}
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed lists live in ../shared/seeds")


@pytest.fixture(scope="module")
def shipped():
    return load_corpus(ROOT / "content")


def texts(result) -> dict[int, str]:
    return {d.question.number: d.question.text for d in result.drafts}


def answers(result) -> dict[int, str]:
    return {d.question.number: d.question.answer for d in result.drafts}


# --- The seed lists -----------------------------------------------------------------------------

SAMPLES = {
    "dl41": {
        1: "What is anartificial neural network?",
        2: "Explain the concept of ‘depth’ indeep learning.",
        41: "What ismodel explainability, and why is it important?",
    },
    "dl50": {
        1: "What is deep learning, and how does it differ from traditional machine learning?",
        30: "Explain the concept of weight initialization in neural networks.",
        31: "What is data augmentation, and how does it help in deep learning tasks?",
        50: "What are some recent advancements in deep learning research, and how do they impact the field?",
    },
    "dl100": {
        1: "What is Deep Learning?",
        6: "What is the role of ReLU?",
        100: "What is the future of deep learning?",
    },
    "nn46": {
        1: "What is aneural network, and how does it resemblehuman brain functionality?",
        46: "Explain howvirtual assistantslike Siri or Alexa use neural networks to understand and process "
        "user requests.",
    },
    "dl83": {
        1: "What is Deep Learning? How is it different from machine learning? What are the pros and cons of "
        "deep learning over machine learning?",
        3: "What is a Perceptron? How does it work? What is a multi-layer perceptron?",
        7: "What are Deep and Shallow neural networks? What are the advantages and disadvantages of deep "
        "neural networks over shallow neural networks?",
        12: "Explain various activation functions like Step (Threshold), Logistic (Sigmoid), Hyperbolic "
        "Tangent (Tanh), and ReLU (Rectified Linear Unit). What are the various advantages and "
        "disadvantages of using these activation functions?",
        13: "Dying and Leaky ReLU: What do you mean by Dying ReLU? When a neuron is considered as dead in a "
        "neural network? How does leaky ReLU help in dealing with dying ReLU?",
        17: "What is the difference between categorical_crossentropy and sparse_categorical_crossentropy? "
        "Which one to use and when?",
        27: "What do you mean by Padding in CNN? What is the difference between Zero Padding and Valid "
        "Padding?",
        32: "What is Capsule Neural Network (CapsNets)? How is it different from CNN (ConvNets)?",
        64: "What is RBM (Restricted Boltzman Machine)? What is the difference between an Autoencoder and "
        "RBM?",
        83: "How will you fine-tune MobileNet model for image classification? What is the difference between "
        "VGG16 and MobileNet model?",
    },
}


@needs_seeds
@pytest.mark.parametrize("key", SEED_FILES)
def test_each_seed_list_gives_its_questions_with_their_numbers(key):
    name, count = SEED_FILES[key]
    result = import_lists([SEEDS / name], key)
    assert len(result.drafts) == count
    assert [d.question.number for d in result.drafts] == list(range(1, count + 1))
    assert [d.source for d in result.drafts] == [f"{key}#{n}" for n in range(1, count + 1)]
    got = texts(result)
    for number, text in SAMPLES[key].items():
        assert got[number] == text
    assert all(ID.fullmatch(d.id) for d in result.drafts)
    assert len({d.id for d in result.drafts}) == count


@needs_seeds
def test_the_repeated_list_is_reported_and_imported_once_from_its_complete_copies():
    result = import_lists([SEEDS / SEED_FILES["dl83"][0]], "dl83")
    (report,) = result.files
    (repeat,) = report.numbering.repeats
    assert (repeat.first, repeat.again, repeat.questions) == ((3, 185), (189, 369), 83)
    assert report.numbering.gaps == () and report.numbering.restarts == ()
    assert report.incomplete == 0  # every question cut off in the first copy is whole in the second
    by_number = {d.question.number: d for d in result.drafts}
    assert by_number[3].question.line == 193  # taken from the second copy
    assert by_number[2].question.line == 5  # complete in both: the first copy is kept
    assert by_number[17].question.answer.startswith("Hint: For one hot encoded labels")
    assert any("repeat the list at lines 3-185 (83 questions)" in line for line in findings(result))
    assert result.json()["files"][0]["repeats"] == [{"first": [3, 185], "again": [189, 369], "questions": 83}]


@needs_seeds
def test_a_list_with_only_its_first_copy_flags_the_questions_bold_loss_cut_off(tmp_path):
    text = (SEEDS / SEED_FILES["dl83"][0]).read_text(encoding="utf-8").split("**Note**:")[0]
    (tmp_path / "first.txt").write_text(text, encoding="utf-8")
    result = import_lists([tmp_path / "first.txt"], "dl83")
    incomplete = [d.question.number for d in result.drafts if d.incomplete]
    assert len(result.drafts) == 83
    assert {3, 7, 9, 12, 13, 14, 15, 17, 19, 20, 21, 22, 23, 32, 36, 47, 48, 64} <= set(incomplete)
    assert texts(result)[3] == "What is a"
    assert texts(result)[13] == ""
    assert "incomplete: true" in result.yaml()
    assert "Question 13 (its text is missing in the list)" in result.yaml()


@needs_seeds
def test_run_together_words_are_flagged_with_the_spelling_the_corpus_vocabulary_suggests(shipped):
    result = import_lists([SEEDS / SEED_FILES["dl41"][0]], "dl41", shipped)
    by_number = {d.question.number: d for d in result.drafts}
    assert [(w.word, w.suggestion) for w in by_number[1].run_together] == [("anartificial", "an artificial")]
    assert by_number[1].suggestion == "What is an artificial neural network?"
    assert by_number[4].suggestion == "Describe the role of weights and biases in neural networks."
    assert by_number[10].suggestion == "Explain Recurrent Neural Networks (RNNs) and their use cases."
    assert result.files[0].suspicious >= 40
    assert "words run together; suggested: What is an artificial neural network?" in result.yaml()
    clean = import_lists([SEEDS / SEED_FILES["dl100"][0]], "dl100", shipped)
    assert clean.files[0].suspicious == 0  # a list without damage raises no false alarms


@needs_seeds
def test_answers_keep_their_markdown_without_labels_or_empty_bodies():
    dl50 = import_lists([SEEDS / SEED_FILES["dl50"][0]], "dl50")
    got = answers(dl50)
    assert dl50.files[0].answered == 10
    assert got[1].startswith("Deep learning is a subset of machine learning")
    assert "1. Sigmoid: Converts input" in got[4] and not got[4].startswith("Answer")
    assert "2. **Activation Functions:**" in got[6]
    assert got[11] == "" and got[31] == ""
    dl100 = import_lists([SEEDS / SEED_FILES["dl100"][0]], "dl100")
    assert dl100.files[0].answered == 100
    assert answers(dl100)[2] == (
        "- ML often relies on manual feature engineering.\n"
        "- DL automatically learns features from raw data using neural networks."
    )
    assert "---" not in "".join(answers(dl100).values())


@needs_seeds
def test_reimporting_a_seed_list_marks_every_question_a_duplicate_of_an_entry_naming_it(shipped):
    citing: dict[str, set[str]] = {}
    for entry in shipped.entries():
        for ref in entry.sources:
            citing.setdefault(ref, set()).add(entry.id)
    rates = {}
    for key, (name, count) in SEED_FILES.items():
        result = import_lists([SEEDS / name], key, shipped)
        right = [d for d in result.drafts if d.duplicate and d.duplicate.id in citing[d.source]]
        rates[key] = len(right) / count
        # the wording alone, as if the list were new (no citations): the measured, weaker rate
        fresh = import_lists([SEEDS / name], "fresh", shipped, options=ImportOptions(use_citations=False))
        marked = [d for d in fresh.drafts if d.duplicate]
        by_text = [d for d in marked if d.duplicate.id in citing[f"{key}#{d.question.number}"]]
        rates[f"{key} by wording"] = len(by_text) / count
        assert len(by_text) / count >= 0.4
        assert len(by_text) / len(marked) >= 0.8  # marked duplicates are mostly the right entry
        assert not any("read unlike" in note for note in result.notes)  # the right key raises no doubt
    print("duplicate rates:", {k: round(v, 3) for k, v in rates.items()})
    assert all(rates[key] == 1.0 for key in SEED_FILES)
    wrong = import_lists([SEEDS / SEED_FILES["dl50"][0]], "dl41", shipped)  # a list under another's key
    assert any("read unlike the entries citing those numbers" in note for note in wrong.notes)


# --- Other layouts ------------------------------------------------------------------------------


def test_a_heading_per_question_with_its_answer_below():
    result = import_lists([LISTS / "headings.md"], "notes")
    assert texts(result) == {
        1: "What is dropout?",
        2: "Explain batch normalization.",
        3: "How does Adam differ from SGD with momentum?",
        4: "Why use residual connections?",
    }
    got = answers(result)
    assert got[1].startswith("Dropout zeroes a random subset")
    assert "#### Why does it help?" in got[1] and "```python\nlayer = nn.Dropout(p=0.5)\n```" in got[1]
    assert got[2] == "It normalises each feature over the mini-batch, then rescales it."
    assert got[3] == ""  # a section heading and a rule end answers: nothing stray is taken
    assert got[4] == "They give gradients a short path."
    assert all("unnumbered" in d.question.flags for d in result.drafts)
    assert result.files[0].title == "Interview notes"


def test_numbered_headings_with_answer_paragraphs_and_bullets():
    result = import_lists([LISTS / "numbered-headings.md"], "nh")
    assert texts(result) == {
        1: "What is a tensor?",
        2: "What is an epoch?",
        3: "What is a learning rate?",
        4: "What is weight decay?",
        5: "What is early stopping?",
    }
    got = answers(result)
    assert got[1] == "A multi-dimensional array."
    assert got[2] == "- One pass over the training set.\n- Usually many per run."
    assert got[3] == ""  # "Answer:" alone is no answer
    assert got[4] == (
        "An L2 penalty on the weights, applied in the update.\n\n1. It shrinks weights.\n2. It regularises."
    )
    assert result.files[0].answered == 3


def test_bold_q_and_a_pairs():
    result = import_lists([LISTS / "qa-bold.md"], "qa")
    assert texts(result) == {
        1: "What is a loss function?",
        2: "What is gradient descent?",
        3: "What is overfitting?",
    }
    assert answers(result) == {
        1: "A number that says how wrong the model is.",
        2: "Repeatedly stepping against the gradient of the loss.\n\nIt needs a *learning rate*.",
        3: "Fitting noise in the training set.",
    }


def test_plain_q_and_a_lines():
    result = import_lists([LISTS / "qa-plain.txt"], "qa")
    assert texts(result) == {1: "What is a neuron?", 2: "What is a layer?", 3: "What is a bias?"}
    assert answers(result) == {
        1: "A weighted sum followed by a nonlinearity.",
        2: "A set of neurons that share inputs.",
        3: "",
    }
    assert [d.question.line for d in result.drafts] == [1, 3, 6]


def test_a_table_with_question_and_answer_columns():
    result = import_lists([LISTS / "table.md"], "quiz")
    assert texts(result) == {1: "What is ReLU?", 2: "What is a kernel?", 4: "What is stride?"}
    assert answers(result) == {1: "`max(0, x)`", 2: "A small learnable filter.", 4: ""}
    assert result.files[0].numbering.gaps == (3,)  # and the table without a Question column is ignored


def test_details_summary_blocks():
    result = import_lists([LISTS / "details.md"], "cards")
    assert texts(result) == {1: "What is attention?", 2: "What is a token?", 3: "What is a context window?"}
    assert answers(result) == {
        1: "Attention weighs values by how well their **keys** match a query.",
        2: "A unit of text, often a <b>subword</b>.",
        3: "",
    }


def test_numbering_gaps_and_restarts_are_reported():
    result = import_lists([LISTS / "gaps.md"], "gaps")
    report = result.files[0]
    assert [d.question.number for d in result.drafts] == [1, 2, 3, 5, 6, 1, 2]
    assert report.numbering.gaps == (4,)
    assert report.numbering.restarts == (11,)
    assert report.numbering.repeats == ()  # different questions: a second part, not a copy
    assert report.suspicious == 2
    lines = findings(result)
    assert "gaps.md: numbering skips 4" in lines and "gaps.md:11: numbering starts again" in lines
    assert any("question numbers are used twice under 'gaps' (gaps#1, gaps#2)" in n for n in result.notes)


# --- Untrusted and unreadable input -------------------------------------------------------------


def test_html_scripts_handlers_and_script_links_end_up_sanitised():
    result = import_lists([LISTS / "hostile.md"], "hostile")
    assert texts(result) == {1: "What is XSS?", 2: "What does \\$ cost?", 3: "What is bold text?"}
    got = answers(result)
    assert got[1] == (
        "Sanitise every input. <a>click</a> and this.\n\n"
        "<div>Handlers go.</div>\n\n[tracker](https://evil.example/pixel.png) local"
    )
    assert got[2] == "About \\$5, and {{ config }} stays text."
    assert got[3] == "Plain answer."
    text = result.yaml()
    for bad in (
        "<script",
        "alert(",
        "onerror",
        "onclick",
        "onmouseover",
        "javascript:",
        "<iframe",
        "<style",
        "![",
    ):
        assert bad not in text
    renderer = HtmlRenderer(mathjax)
    for answer in got.values():
        html = renderer.render(answer)
        assert "<script" not in html and "javascript:" not in html and "<img" not in html


def test_unreadable_files_are_clean_errors_with_a_position(tmp_path):
    binary = tmp_path / "picture.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    latin = tmp_path / "latin1.md"
    latin.write_bytes("1. What is a neuron?\n2. Qu'est-ce qu'un r\xe9seau ?\n".encode("latin-1"))
    with pytest.raises(CorpusError) as err:
        import_lists([binary, latin], "bad")
    problems = {p.path: p for p in err.value.problems}  # every file's problem at once
    assert (problems[binary].line, problems[binary].col) == (3, 1)  # the first NUL byte
    assert "binary data" in problems[binary].message
    assert (problems[latin].line, problems[latin].col) == (2, 21)
    assert problems[latin].message == "not UTF-8 text (byte 0xe9); save as UTF-8"
    assert str(problems[latin]) == f"{latin}:2:21: not UTF-8 text (byte 0xe9); save as UTF-8"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b" \n\n\t\n", "the file is empty"),
        (b"Just prose.\n", "no questions found"),
    ],
)
def test_empty_files_and_files_without_questions_are_refused(tmp_path, content, message):
    path = tmp_path / "list.md"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message) as err:
        import_lists([path], "x")
    assert str(path) in str(err.value)


def test_a_ten_megabyte_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.md"
    line = b"1. What is a question?\n"
    path.write_bytes(line * (10 * 1024 * 1024 // len(line) + 1))
    with pytest.raises(ConfigError) as err:
        import_lists([path], "huge")
    assert str(err.value) == f"{path}: 10.5 MB is over the 2 MB limit for a question list"


def test_too_many_questions_in_one_import_are_refused(tmp_path):
    path = tmp_path / "long.md"
    path.write_text("".join(f"{n}. What is item {n}?\n" for n in range(1, 2502)))
    with pytest.raises(ConfigError) as err:
        import_lists([path], "long")
    assert str(err.value) == f"{path}: more than 2000 questions in one import; split the list"
    assert len(import_lists([path], "long", options=ImportOptions(max_questions=3000)).drafts) == 2501


def test_missing_paths_directories_and_bad_arguments_are_usage_errors(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        import_lists([tmp_path / "nope.md"], "x")
    with pytest.raises(ConfigError, match="is a directory"):
        import_lists([tmp_path], "x")
    with pytest.raises(ConfigError, match="source key 'Bad Key'"):
        import_lists([LISTS / "gaps.md"], "Bad Key")
    with pytest.raises(ConfigError, match="topic 'Not_Kebab'"):
        import_lists([LISTS / "gaps.md"], "x", topic="Not_Kebab")
    with pytest.raises(ConfigError, match="no question lists"):
        import_lists([], "x")


def test_utf16_crlf_bom_and_control_characters_are_read(tmp_path):
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("1. What is a tensor?\r\n2. What is a graph?\r\n".encode("utf-16"))
    bom = tmp_path / "bom.md"
    bom.write_bytes(b"\xef\xbb\xbf1. What is a\x07 tensor?\r\n")
    assert texts(import_lists([utf16], "u")) == {1: "What is a tensor?", 2: "What is a graph?"}
    assert texts(import_lists([bom], "u")) == {1: "What is a tensor?"}


def test_random_markdown_never_escapes_as_anything_but_a_dlexport_error(tmp_path):
    pieces = ["**", "1.", "2. ", "13", "\n", "\n\n", "Q:", "A:", "<details>", "<summary>", "</summary>",
              "|", "# ", "### Q3.", "What is", "?", "`", "$", "(", ")", "<script>", "---", "- ", "Answer:",
              "x" * 40, "é"]  # fmt: skip
    rng = random.Random(7)
    path = tmp_path / "random.md"
    outcomes = set()
    for _ in range(150):
        path.write_text("".join(rng.choice(pieces) for _ in range(rng.randint(1, 60))), encoding="utf-8")
        try:
            result = import_lists([path], "fuzz")
            yaml.safe_load(result.yaml())
            outcomes.add("drafts")
        except DlexportError:
            outcomes.add("error")
    assert outcomes == {"drafts", "error"}


# --- Duplicates, drafts and the report ----------------------------------------------------------


def test_duplicates_of_corpus_entries_and_within_the_import(mini, tmp_path):
    corpus = load_corpus(mini)
    a = tmp_path / "a.md"
    a.write_text("1. What is the sigmoid function?\n2. What is a tensor core?\n3. Why do GPUs help?\n")
    b = tmp_path / "b.md"
    b.write_text("1. What is a tensor core?\n2. Define the softmax function.\n")
    result = import_lists([a, b], "new", corpus)
    by_source = {(d.path.name, d.question.number): d for d in result.drafts}
    sigmoid = by_source[("a.md", 1)].duplicate
    assert (sigmoid.id, sigmoid.score, sigmoid.how) == ("sigmoid-function", 100.0, "text")
    core = by_source[("b.md", 1)].duplicate
    assert (core.id, core.how) == (by_source[("a.md", 2)].id, "import")
    assert by_source[("a.md", 2)].duplicate is None and by_source[("a.md", 3)].duplicate is None
    assert by_source[("a.md", 1)].id == "sigmoid-function-2"  # ids never collide with the corpus
    cited = import_lists([a], "seed", corpus)  # the corpus cites seed#2: that entry, whatever the words
    assert cited.drafts[1].duplicate.id == "conv-output-size" or cited.drafts[1].duplicate.how == "cites"
    assert {d.duplicate.how for d in cited.drafts[:2]} == {"cites"}
    reserved = import_lists(
        [a], "new", corpus, options=ImportOptions(reserved_ids=frozenset({"tensor-core"}))
    )
    assert reserved.drafts[1].id == "tensor-core-2"


def test_drafts_load_with_the_project_loader(mini):
    (mini / "topics.yaml").write_text(
        (mini / "topics.yaml").read_text() + "  - id: imported\n    title: Imported drafts\n"
    )
    (mini / "sources.yaml").write_text(
        (mini / "sources.yaml").read_text() + "  - key: quiz\n    title: Quiz\n    questions: 9\n"
    )
    result = import_lists([LISTS / "qa-bold.md", LISTS / "hostile.md"], "quiz", load_corpus(mini))
    out = result.write(default_out(mini, "quiz"))
    assert out == mini / "drafts-quiz.yaml"
    loaded = load_corpus(mini)
    drafts = loaded.topic("imported").entries
    assert [e.question for e in drafts] == [d.question.text for d in result.drafts]
    assert [e.answer for e in drafts] == [d.question.answer for d in result.drafts]
    assert [e.sources for e in drafts] == [
        ("quiz#1",),
        ("quiz#2",),
        ("quiz#3",),
        ("quiz#1",),
        ("quiz#2",),
        ("quiz#3",),
    ]
    raw = yaml.safe_load(out.read_text())
    assert {e["status"] for e in raw["entries"]} == {"draft"}
    assert {e["difficulty"] for e in raw["entries"]} == {"intermediate"}


def test_a_draft_without_an_answer_is_an_empty_block_marked_draft(mini):
    (mini / "topics.yaml").write_text((mini / "topics.yaml").read_text() + "  - id: imported\n    title: I\n")
    (mini / "sources.yaml").write_text((mini / "sources.yaml").read_text() + "  - key: nh\n    title: N\n")
    (mini / "sources.yaml").write_text((mini / "sources.yaml").read_text() + "    questions: 5\n")
    result = import_lists([LISTS / "numbered-headings.md"], "nh", load_corpus(mini))
    text = result.yaml()
    assert text.count("    answer: |-  # draft: no answer in the list; write one\n") == 2
    assert yaml.safe_load(text)["entries"][2]["answer"] == ""
    result.write(mini / "drafts.yaml")
    drafts = load_corpus(mini).topic("imported").entries
    assert [e.answer for e in drafts][2] == "" and all(e.draft and not e.number for e in drafts)


def test_writing_never_replaces_a_file(tmp_path):
    result = import_lists([LISTS / "gaps.md"], "gaps")
    target = tmp_path / "drafts.yaml"
    target.write_text("keep me\n")
    with pytest.raises(ConfigError, match="already exists"):
        result.write(target)
    assert target.read_text() == "keep me\n"
    assert default_out(tmp_path, "drafts") == tmp_path / "drafts-drafts.yaml"
    (tmp_path / "drafts-gaps.yaml").write_text("taken\n")
    assert default_out(tmp_path, "gaps") == tmp_path / "drafts-gaps-2.yaml"
    written = result.write(default_out(tmp_path, "gaps"))
    assert yaml.safe_load(written.read_text())["entries"][0]["id"] == "perceptron"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "drafts-gaps-2.yaml",
        "drafts-gaps.yaml",
        "drafts.yaml",
    ]


def test_the_report_as_a_table_and_as_json(mini):
    result = import_lists([LISTS / "gaps.md", LISTS / "numbered-headings.md"], "seed", load_corpus(mini))
    console = Console(record=True, width=120)
    print_report(result, console)
    out = console.export_text()
    assert "gaps.md" in out and "numbered-headings.md" in out
    assert "│ gaps.md              │         7 │        0 │          5 │          0 │          2 │" in out
    assert "gaps.md:11: numbering starts again" in out
    doc = json.loads(json.dumps(result.json()))
    assert doc["version"] == 1 and doc["source"] == "seed" and doc["topic"] == "imported"
    first = doc["files"][0]
    assert (first["questions"], first["answered"], first["duplicates"], first["incomplete"]) == (7, 0, 5, 0)
    assert first["gaps"] == [4] and first["restarts"] == [11]
    assert [(m["number"], m["id"], m["how"]) for m in first["duplicate_of"]] == [
        (1, "sigmoid-function", "cites"),
        (2, "softmax-function", "cites"),
        (3, "conv-output-size", "cites"),
        (1, "sigmoid-function", "cites"),
        (2, "softmax-function", "cites"),
    ]
    assert len(doc["drafts"]) == 12 and doc["drafts"][0]["source"] == "seed#1"
    assert doc["notes"] == [
        "sources.yaml gives 'seed' 4 questions; this import goes up to 6",
        "the questions numbered as 'seed' read unlike the entries citing those numbers (median score 29.6): "
        "is this the list 'seed' stands for? If not, import it under a new key",
        "4 question numbers are used twice under 'seed' (seed#1, seed#2, seed#3, seed#5): "
        "import such files with separate keys",
    ]


def test_parse_list_alone_reads_text_without_a_corpus():
    parsed = parse_list("## Question 1\n\n**What is a GPU?**\n\n---\n\n## Question 2\n\n**Why batch?**\n")
    assert [(q.number, q.text, q.line) for q in parsed.questions] == [
        (1, "What is a GPU?", 3),
        (2, "Why batch?", 9),
    ]


def test_plain_lists_wrap_questions_keep_attached_answers_and_skip_contents_lists():
    parsed = parse_list(
        "Contents\n\n1. Introduction\n2. Basics\n\n"
        "1. What is the difference\nbetween a CPU and a GPU?\n"
        "2. What is X?\nX is a thing.\n"
        "3) Why care?\n   Because.\n"
    )
    assert [(q.number, q.text, q.answer, q.line) for q in parsed.questions] == [
        (1, "What is the difference between a CPU and a GPU?", "", 6),
        (2, "What is X?", "X is a thing.", 8),
        (3, "Why care?", "Because.", 10),
    ]


def test_shipped_corpus_copy_is_untouched_by_a_dry_import(tmp_path, shipped):
    before = {p.name: p.read_bytes() for p in (ROOT / "content").iterdir() if p.is_file()}
    shutil.copy(LISTS / "gaps.md", tmp_path / "gaps.md")
    import_lists([tmp_path / "gaps.md"], "gaps", shipped)  # no write: nothing anywhere changes
    assert {p.name: p.read_bytes() for p in (ROOT / "content").iterdir() if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gaps.md"]


# --- The command line -----------------------------------------------------------------------------


def test_import_command_writes_drafts_that_validate_and_builds_skip(mini, tmp_path):
    from conftest import run

    (mini / "sources.yaml").write_text((mini / "sources.yaml").read_text() + "  - key: quiz\n    title: Q\n")
    (mini / "sources.yaml").write_text((mini / "sources.yaml").read_text() + "    questions: 9\n")
    dry = run(
        "import",
        LISTS / "qa-bold.md",
        "--source",
        "quiz",
        "--topic",
        "basics",
        "--content",
        mini,
        "--dry-run",
    )
    assert dry.exit_code == 0, dry.output
    assert "qa-bold.md" in dry.output and not (mini / "drafts-quiz.yaml").exists()

    result = run("import", LISTS / "qa-bold.md", "--source", "quiz", "--topic", "basics", "--content", mini)
    assert result.exit_code == 0, result.output
    drafts = (mini / "drafts-quiz.yaml").read_text()
    assert "topic: basics" in drafts and drafts.count("    status: draft") == 3
    assert "entries and 3 drafts" in run("validate", mini).output
    assert "drafts 3" in run("stats", "--content", mini).output

    md = tmp_path / "out" / "md" / "basics.md"
    assert run("build", "-f", "md", "--content", mini, "--out", tmp_path / "out").exit_code == 0
    without = md.read_text()
    assert (
        run("build", "-f", "md", "--include-drafts", "--content", mini, "--out", tmp_path / "out").exit_code
        == 0
    )
    assert len(md.read_text()) > len(without)
    # a second import never overwrites the first file
    again = run("import", LISTS / "qa-bold.md", "--source", "quiz", "--topic", "basics", "--content", mini)
    assert again.exit_code == 0 and (mini / "drafts-quiz-2.yaml").exists()
    assert (mini / "drafts-quiz.yaml").read_text() == drafts


def test_import_command_reports_json_and_refuses_bad_input(mini, tmp_path):
    from conftest import run

    report = run(
        "import",
        LISTS / "qa-bold.md",
        "--source",
        "quiz",
        "--topic",
        "basics",
        "--content",
        mini,
        "--dry-run",
        "--json",
    )
    assert report.exit_code == 0 and json.loads(report.output)["files"][0]["questions"] == 3
    (tmp_path / "bad.md").write_bytes(b"## Question 1\n\n**What \xff is it?**\n")
    bad = run("import", tmp_path / "bad.md", "--source", "quiz", "--content", mini)
    assert bad.exit_code == 2 and "bad.md:3:" in bad.output and "Traceback" not in bad.output
    unknown = run("import", LISTS / "qa-bold.md", "--source", "quiz", "--topic", "nope", "--content", mini)
    assert unknown.exit_code == 2 and "unknown topic 'nope'" in unknown.output
    taken = tmp_path / "taken.yaml"
    taken.write_text("x")
    refused = run(
        "import",
        LISTS / "qa-bold.md",
        "--source",
        "quiz",
        "--topic",
        "basics",
        "--content",
        mini,
        "--out",
        taken,
    )
    assert refused.exit_code != 0 and taken.read_text() == "x"
