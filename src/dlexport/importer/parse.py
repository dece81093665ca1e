"""Question lists in Markdown or plain text -> ImportedQuestion(number, text, answer, line, flags).

One walk over the top-level blocks of the project's Markdown parser (`markup.parser`) recognises
every supported layout, so a file that changes layout midway (`### N.` headings, then a plain `N.`
list) reads as one list:

- `## Question N` with the question in the next (bold) paragraph;
- `### N. Question` / `### QN. Question`, or any heading that asks something, with the answer below;
- plain `N. Question` lists, including numbers glued to the text before them where a web page lost
  its line breaks (accepted only where they continue the numbering);
- `**Q:** … **A:** …` and `Q: …` / `A: …` pairs;
- tables with a question column (and optionally answer and number columns);
- `<details><summary>Question</summary>answer</details>`.

Answers keep their Markdown; raw HTML in them goes through `markup`'s sanitiser.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from dlexport.errors import ConfigError, CorpusError, Problem
from dlexport.importer.damage import CODE, Vocabulary, incomplete
from dlexport.markup import clean_markdown, open_math, parser, sanitize

MAX_BYTES = 2_000_000


class TooManyQuestions(ValueError):
    """More questions than the caller allows: stop early, the rest would only cost time."""


@dataclass(frozen=True)
class ImportedQuestion:
    number: int  # as written; position in the list when the list has no numbers ("unnumbered" flag)
    text: str  # one line of plain text (code spans keep their backticks)
    answer: str = ""  # Markdown, sanitised; "" when the list has none
    line: int = 0  # 1-based line of the question in its file
    flags: tuple[str, ...] = ()  # "incomplete", "unnumbered"

    @property
    def incomplete(self) -> bool:
        return "incomplete" in self.flags


@dataclass(frozen=True)
class ParsedList:
    title: str | None  # the first heading before any question
    questions: tuple[ImportedQuestion, ...]


# --- Reading ----------------------------------------------------------------------------------


def read_list(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a question list, or a clean error saying why it cannot be one."""
    try:
        if path.is_dir():
            raise ConfigError(f"{path} is a directory, not a question list")
        if not path.exists():
            raise ConfigError(f"{path}: no such file")
        if not path.is_file():
            raise ConfigError(f"{path} is not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            raise ConfigError(
                f"{path}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:g} MB limit for a question list"
            )
        data = path.read_bytes()[: max_bytes + 1]
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from None
    if len(data) > max_bytes:  # grew while we looked
        raise ConfigError(f"{path}: over the {max_bytes / 1e6:g} MB limit for a question list")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise CorpusError([Problem(path, 1, 1, "broken UTF-16 text; save the file as UTF-8")]) from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not data.strip():
        raise ConfigError(f"{path}: the file is empty")
    if b"\0" in data:
        raise CorpusError([_at(path, data, data.index(b"\0"), "binary data (a NUL byte): not a text file")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise CorpusError(
            [_at(path, data, exc.start, f"not UTF-8 text (byte 0x{bad:02x}); save as UTF-8")]
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = len(re.findall(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text))
    if controls > max(8, len(text) // 100):
        raise CorpusError([Problem(path, 1, 1, "binary data (control characters): not a text file")])
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]", "", text)


def _at(path: Path, data: bytes, offset: int, message: str) -> Problem:
    line = data.count(b"\n", 0, offset) + 1
    return Problem(path, line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1, message)


# --- Text helpers -------------------------------------------------------------------------------

_INTERROGATIVE = (
    "what|why|how|when|where|which|who|whom|whose|is|are|was|were|do|does|did|can|could|should|would|"
    "will|may|might|has|have|if|suppose|given|imagine|consider|assume|tell|walk"
)
_IMPERATIVE = (
    "explain|describe|define|compare|contrast|discuss|list|name|give|state|outline|summari[sz]e|"
    "differentiate|distinguish|implement|write|derive|calculate|compute|show|prove|design|build|identify|"
    "illustrate|elaborate|mention|evaluate|estimate|provide|propose|sketch|draw|justify"
)
_ASKS = re.compile(rf"(?:{_INTERROGATIVE}|{_IMPERATIVE})\b", re.I)
_COMMANDS = re.compile(rf"(?:{_IMPERATIVE})\b", re.I)


def question_like(text: str) -> bool:
    """Does this read as a question or an exam-style instruction?"""
    t = text.strip().lstrip("*_ ")
    return bool(_ASKS.match(t)) or t.rstrip("*_ ").endswith("?")


def unbold(text: str, vocab: Vocabulary | None = None) -> str:
    """Drop `**` markers, putting back the space a lost line break or bold run swallowed.

    "**Deep**and**Shallow**neural" -> "Deep and Shallow neural", but "(S**igmoid)**" -> "(Sigmoid)":
    two fragments stay one word when together they spell a known word, or one is a stray letter or two.
    """
    vocab = vocab or Vocabulary.from_texts(())
    chunks = re.split(r"(`+[^`\n]*`+)", text)  # never inside code spans
    for i in range(0, len(chunks), 2):
        parts = chunks[i].split("**")
        out = parts[0]
        for k, part in enumerate(parts[1:], 1):
            if not part:
                continue
            left, right = out[-1:], part[:1]
            if left.isalnum() and right.isalnum():
                lw = re.search(r"[^\W_]+$", out).group()
                rw = re.match(r"[^\W_]+", "".join(parts[k:])).group()
                fragment = any(len(w) <= 2 and not vocab.known(w) for w in (lw, rw))
                if not vocab.known(lw + rw) and not fragment:
                    out += " "
            elif (left in ",;:?!)" and right.isalnum()) or (left.isalnum() and right == "("):
                out += " "
            out += part
        chunks[i] = out
    return "".join(chunks)


def plain(markdown: str, vocab: Vocabulary | None = None) -> str:
    """Inline Markdown as one line of text: emphasis and tags dropped, link labels and code kept."""
    text = html.unescape(sanitize(unbold(markdown, vocab)))
    out: list[str] = []
    for tok in parser().parseInline(text)[0].children or []:
        if tok.type in ("text", "text_special"):
            out.append(tok.content)
        elif tok.type == "code_inline":
            out.append(f"{tok.markup}{tok.content}{tok.markup}")
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif tok.type == "image":
            out.append(tok.content)
    return re.sub(r"\s+(?=[?!.,;:](?:\s|$))", "", " ".join("".join(out).split()))


# Words a web page leaves behind where a link was: "...learning? Answer", "Answers to above questions".
_REMNANT = re.compile(
    r"(?<=[?.!:)\]])\s*(?:Answers? to (?:the )?(?:above|all|these)\b.*|Answers?|YouTube video|Video|"
    r"Read more|Solution|Link)\s*$",
    re.I,
)
_LABEL = (
    r"(?:\*\*|__)?(?P<label>Answer|Ans|A|Hint|Solution)\s*\d{0,4}\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?[ \t]*"
)
_ANSWER_LABEL = re.compile(_LABEL, re.I)
_INLINE_LABEL = re.compile(rf"(?<=[?.!])\s*{_LABEL}(?=\S)", re.I)
_SEPARATOR = re.compile(r"\s*(?:[-*_=]\s*){3,}")


def _split_label(raw: str) -> tuple[str, str]:
    """A question's text and the answer (or hint) glued after it: "...when?**Hint**: use ..."."""
    m = _INLINE_LABEL.search(raw)
    if not m:
        return raw, ""
    return raw[: m.start()], _labelled(m["label"], raw[m.end() :])


def _labelled(label: str, rest: str) -> str:
    """Answer text after its label: "Answer:" goes, "Hint:" stays (the list only hints)."""
    return f"Hint: {rest.strip()}" if label.lower() == "hint" else rest.strip()


def question_text(raw: str, vocab: Vocabulary | None = None) -> str:
    """The question as it will stand in the corpus: plain, one line, without link remnants."""
    text = plain(raw, vocab).lstrip(".:;,)-–— ")
    while (cut := _REMNANT.sub("", text).rstrip()) != text:
        text = cut
    return _math_safe(text)


def _math_safe(text: str) -> str:
    """Escape `$` outside code when the text has unbalanced math ("costs $5"): it must still load."""
    if not open_math(text):
        return text
    out, pos = [], 0
    for m in CODE.finditer(text):
        out += [re.sub(r"(?<!\\)\$", r"\\$", text[pos : m.start()]), m.group()]
        pos = m.end()
    out.append(re.sub(r"(?<!\\)\$", r"\\$", text[pos:]))
    return "".join(out)


_UNSAFE_LINK = re.compile(
    r"\[([^\]\n]*)\]\(\s*<?\s*(?:javascript|vbscript|data|file):(?:[^()\n]|\([^()\n]*\))*\)"
    r"|<(?:javascript|vbscript|data):[^>\n]*>",
    re.I,
)
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?[^)\n]*\)")


def clean_answer(markdown: str) -> str:
    """An imported answer as corpus Markdown: no separators or empty text, HTML sanitised, no images.

    Images become links: a draft cannot point at files that are not in the corpus. Markdown links to
    script URLs are not HTML, so the sanitiser never sees them; they lose their target here.
    """
    lines = [line.rstrip() for line in markdown.split("\n")]
    while lines and (not lines[0].strip() or _SEPARATOR.fullmatch(lines[0])):
        lines.pop(0)
    while lines and (not lines[-1].strip() or _SEPARATOR.fullmatch(lines[-1])):
        lines.pop()
    text = textwrap.dedent("\n".join(lines))
    if not re.search(r"\w", text):
        return ""
    text = _UNSAFE_LINK.sub(lambda m: m.group(1) or "", text)
    text = _IMAGE.sub(
        lambda m: f"[{m[1] or 'image'}]({m[2]})" if re.match(r"https?://", m[2]) else m[1], text
    )
    text = _math_safe(clean_markdown(text))
    text = re.sub(r"<img\b[^>]*>", "", text)
    return text.strip() if re.search(r"\w", text) else ""


# --- The walk over blocks -------------------------------------------------------------------------

_QUESTION_N = re.compile(r"(?:Question|Q)\s*#?\s*(\d{1,4})\b\s*[.:)\-–]?\s*(.*)", re.I | re.S)
_NUMBERED = re.compile(r"(\d{1,4})\s*[.):]\s*(.+)", re.S)
_QA = re.compile(r"(?:\*\*|__)?(?:Q|Question)\s*(\d{1,4})?\s*(?:\*\*|__)?\s*[:.)]\s*(?:\*\*|__)?[ \t]*", re.I)
_QA_SPLIT = re.compile(r"\n(?=(?:\*\*|__)?(?:Q|Question)\s*\d{0,4}\s*(?:\*\*|__)?\s*[:.)])", re.I)
_QA_ANSWER = re.compile(rf"(?:^|(?<=[?.!])[ \t]+|\n){_LABEL}", re.I)
_NUMBER = re.compile(r"(?<![\d,#/])(?<!\d\.)(\d{1,4})[ \t]*(?:\*\*)?[.)](?=[\s*]|$)")
_LABEL_BEFORE = re.compile(r"\*\*([^*\n]{1,80})\*\*\s*$")
_SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.I | re.S)
_CONTINUES = re.compile(r"\s*(?:\*\*|[.,;:?!)\]]|[a-z])")
_Q_HEADERS = {"question", "questions", "q"}
_A_HEADERS = {"answer", "answers", "a", "ans"}
_N_HEADERS = {"", "#", "no", "nr", "n", "num", "number"}


@dataclass
class _Q:
    """A question being read: its raw text grows while the walk finds more of it."""

    kind: str  # "heading" | "plain" | "qa" | "table" | "details"
    number: int | None
    text: str
    line: int
    level: int = 0  # heading level: deeper headings belong to the answer
    answer: list[str] = field(default_factory=list)
    waiting: bool = False  # "## Question N": the question is the next paragraph
    open: bool = True  # later blocks belong to the answer


class _Walk:
    def __init__(self, text: str, vocab: Vocabulary, limit: int | None):
        self.limit = limit
        self.lines = text.split("\n")
        self.vocab = vocab
        self.qs: list[_Q] = []
        self.title: str | None = None
        self.last_number: int | None = None

    @property
    def cur(self) -> _Q | None:
        return self.qs[-1] if self.qs else None

    def expected(self) -> int | None:
        """The number that would continue the list."""
        return None if self.last_number is None else self.last_number + 1

    def source(self, start: int, end: int) -> str:
        return "\n".join(self.lines[start:end])

    def start(self, kind: str, number: int | None, text: str, line: int, **kw) -> _Q:
        if self.limit is not None and len(self.qs) >= self.limit:
            raise TooManyQuestions(f"more than {self.limit} questions")
        q = _Q(kind, number, text, line, **kw)
        self.qs.append(q)
        if number is not None:
            self.last_number = number
        return q

    def add_answer(self, text: str) -> None:
        if self.cur and text.strip():
            self.cur.answer.append(text)

    # -- blocks --

    def run(self, tokens: list[Token]) -> None:
        i = 0
        while i < len(tokens):
            j, depth = i + 1, tokens[i].nesting
            while depth > 0:
                depth += tokens[j].nesting
                j += 1
            self.block(tokens[i:j])
            i = j

    def block(self, toks: list[Token]) -> None:
        t = toks[0]
        start, end = t.map or (0, 0)
        raw = self.source(start, end)
        if t.type == "heading_open":
            self.heading(int(t.tag[1]), toks[1].content, start + 1, raw)
        elif t.type == "paragraph_open":
            self.paragraph(raw, start + 1)
        elif t.type == "ordered_list_open":
            self.ordered_list(toks, raw)
        elif t.type == "table_open":
            self.table(toks, raw)
        elif t.type == "html_block":
            self.html(t.content, start + 1)
        elif t.type == "hr":
            if self.cur and not self.cur.waiting:
                self.cur.open = False
        elif self.cur and self.cur.open:  # lists, code, quotes: part of the answer
            self.add_answer(raw)

    def heading(self, level: int, inline: str, line: int, raw: str) -> None:
        text = plain(inline, self.vocab)
        cur = self.cur
        if m := _QUESTION_N.fullmatch(text):
            self.start("heading", int(m[1]), m[2], line, level=level, waiting=not m[2].strip())
        elif (m := _NUMBERED.fullmatch(text)) and (question_like(m[2]) or int(m[1]) == self.expected()):
            self.start("heading", int(m[1]), m[2], line, level=level)
        elif cur and cur.kind == "heading" and cur.open and level > cur.level:
            self.add_answer(raw)  # a sub-heading of the answer
        elif text.endswith("?") or (level > 1 and _COMMANDS.match(text)):
            self.start("heading", None, text, line, level=level)
        else:  # a section or title heading ends the answer before it
            if cur:
                cur.open = False
            elif self.title is None:
                self.title = text

    def paragraph(self, raw: str, line: int) -> None:
        cur = self.cur
        if cur and cur.waiting:
            cur.text, cur.waiting, cur.line = raw, False, line
            return
        if _QA.match(raw):
            self.qa(raw, line)
            return
        if cur and cur.kind != "plain" and cur.open:
            m = _ANSWER_LABEL.match(raw)
            self.add_answer(_labelled(m["label"], raw[m.end() :]) if m else raw)
            return
        self.numbered_text(raw, line)

    def ordered_list(self, toks: list[Token], raw: str) -> None:
        items = [t for t in toks if t.type == "list_item_open" and t.level == toks[0].level + 1]
        cur = self.cur
        if cur and cur.kind != "plain" and cur.open:
            first = self.source(*items[0].map).split("\n", 1)[0]
            first_text = re.sub(r"^\s*\d+[.)]\s*", "", first)
            if not (int(items[0].info or 0) == self.expected() and question_like(first_text)):
                self.add_answer(raw)  # a numbered list inside an answer
                return
        for item in items:
            start, end = item.map
            body = self.source(start, end).split("\n")
            blank = next((k for k, s in enumerate(body) if not s.strip()), len(body))
            before = len(self.qs)
            self.numbered_text("\n".join(body[:blank]), start + 1)
            rest = textwrap.dedent("\n".join(body[blank:]))
            if rest.strip() and len(self.qs) > before:
                self.add_answer(rest)

    def numbered_text(self, raw: str, line: int) -> None:
        """Plain-list text: questions start at numbers that begin a line or continue the numbering."""
        bare = re.fullmatch(r"\s*(\d{1,4})\.?\s*", raw)
        if bare and int(bare[1]) == self.expected():
            self.start("plain", int(bare[1]), "", line)  # "13" alone: its text was lost or follows
            return
        expected, cuts = self.expected(), []
        for m in _NUMBER.finditer(raw):
            n, before = int(m[1]), raw[: m.start()]
            label = _LABEL_BEFORE.search(before)
            strong = not before.strip(" \t*_#>") or label is not None
            after = raw[m.end() :].lstrip(" \t*")
            if cuts and m.start() < cuts[-1][2]:
                continue
            weak_ok = n == expected and (after[:1].isupper() or after[:1] in "\"'“‘`(")
            strong_ok = strong and after.strip() and (n == expected or question_like(after))
            if weak_ok or strong_ok:
                cuts.append((n, label.start() if label else m.start(), m.end()))
                expected = n + 1
        lead = raw[: cuts[0][1]] if cuts else raw
        if lead.strip():
            self.loose_text(lead)
        for k, (n, _, text_start) in enumerate(cuts):
            text = raw[text_start : cuts[k + 1][1] if k + 1 < len(cuts) else len(raw)]
            first, _, more = text.strip().partition("\n")
            q = self.start("plain", n, first, line + raw.count("\n", 0, text_start))
            if more.strip():
                head = question_text(_split_label(first)[0])
                wrapped = incomplete(head) or not head.endswith(("?", ".", "!", ")"))
                if wrapped and _CONTINUES.match(more):  # a question wrapped over lines
                    q.text += " " + more
                else:
                    self.add_answer(more)

    def loose_text(self, raw: str) -> None:
        """Text between questions: the rest of a cut-off question, an answer, or stray text (dropped)."""
        cur = self.cur
        if cur is None:
            return
        if (
            cur.kind == "plain"
            and incomplete(question_text(_split_label(cur.text)[0]))
            and _CONTINUES.match(raw)
        ):
            tight = cur.text.endswith(("(", "[")) or re.match(r"\s*(?:\*\*)?[.,;:?!)\]]", raw)
            cur.text += ("" if tight else " ") + raw.strip()
        elif m := _ANSWER_LABEL.match(raw.strip()):
            self.add_answer(_labelled(m["label"], raw.strip()[m.end() :]))
        elif cur.kind != "plain" and cur.open:
            self.add_answer(raw)

    def qa(self, raw: str, line: int) -> None:
        """`Q: ...` paragraphs, perhaps several in one, each perhaps with its `A: ...`."""
        for chunk in _QA_SPLIT.split(raw):
            m = _QA.match(chunk)  # every chunk starts with one: the caller checked the first
            body = chunk[m.end() :]
            a = _QA_ANSWER.search(body)
            text, answer = (body[: a.start()], _labelled(a["label"], body[a.end() :])) if a else (body, "")
            q = self.start("qa", int(m[1]) if m[1] else None, text.strip(), line)
            if answer.strip():
                q.answer.append(answer)
            line += chunk.count("\n") + 1

    def table(self, toks: list[Token], raw: str) -> None:
        rows: list[tuple[int, list[str]]] = []
        for t in toks:
            if t.type == "tr_open":
                rows.append(((t.map or (0, 0))[0] + 1, []))
            elif t.type == "inline" and rows:
                rows[-1][1].append(t.content)
        header = [re.sub(r"[^a-z#]", "", plain(c).lower()) for c in rows[0][1]] if rows else []
        qcol = next((k for k, h in enumerate(header) if h in _Q_HEADERS), None)
        if qcol is None:
            if self.cur and self.cur.open:
                self.add_answer(raw)
            return
        acol = next((k for k, h in enumerate(header) if h in _A_HEADERS), None)
        ncol = next((k for k, h in enumerate(header) if h in _N_HEADERS and k != qcol), None)
        for line, cells in rows[1:]:
            cells += [""] * (len(header) - len(cells))
            text, number = cells[qcol], None
            if ncol is not None and re.fullmatch(r"\s*\d{1,4}\.?\s*", cells[ncol]):
                number = int(cells[ncol].strip(" ."))
            elif m := _NUMBERED.fullmatch(plain(text)):
                number, text = int(m[1]), m[2]
            if not plain(text):
                continue
            q = self.start("table", number, text, line, open=False)
            if acol is not None and cells[acol].strip():
                q.answer.append(cells[acol])

    def html(self, content: str, line: int) -> None:
        """`<details><summary>Q</summary>A</details>`, whole in one block or with Markdown inside."""
        for piece in re.split(r"(?=<details\b)", content, flags=re.I):
            at, line = line, line + piece.count("\n")
            m = _SUMMARY.search(piece)
            if not m:
                closes = re.search(r"</details\s*>", piece, re.I)
                if self.cur and self.cur.open:
                    self.add_answer(piece[: closes.start()] if closes else piece)
                    if closes and self.cur.kind == "details":
                        self.cur.open = False
                continue
            text, number = plain(m[1], self.vocab), None
            if n := (_QUESTION_N.fullmatch(text) or _NUMBERED.fullmatch(text)):
                number, text = int(n[1]), n[2]
            rest = piece[m.end() :]
            closes = re.search(r"</details\s*>", rest, re.I)
            q = self.start("details", number, text, at)
            q.open = closes is None
            body = rest[: closes.start()] if closes else rest
            if body.strip():
                q.answer.append(body.strip())

    # -- result --

    def finish(self) -> list[ImportedQuestion]:
        out: list[ImportedQuestion] = []
        previous = 0
        for q in self.qs:
            raw, extra = _split_label(q.text)
            text = question_text(raw, self.vocab)
            answer = clean_answer("\n\n".join(a.strip("\n") for a in [extra, *q.answer] if a.strip()))
            number = q.number if q.number is not None else previous + 1
            previous = number
            flags = ("unnumbered",) if q.number is None else ()
            if incomplete(text):
                flags += ("incomplete",)
            out.append(ImportedQuestion(number, text, answer, q.line, flags))
        return out


def parse_list(text: str, vocab: Vocabulary | None = None, max_questions: int | None = None) -> ParsedList:
    """Every question in `text`, in order; repeats and gaps are left for damage.check_numbering.

    Raises TooManyQuestions as soon as there are more than `max_questions`.
    """
    walk = _Walk(text, vocab or Vocabulary.from_texts(()), max_questions)
    walk.run(parser().parse(text))
    return ParsedList(walk.title, tuple(walk.finish()))
