"""The one Markdown renderer: corpus Markdown with $math$ and fenced code, to safe HTML or GitHub Markdown.

One markdown-it parser reads every fragment; `$…$` and `$$…$$` are math only where they stand in text
(the dollarmath rule never looks inside a tag, an attribute or code). Math and code are rendered into the
HTML by render rules, and then nh3 cleans the whole result: the sanitiser has the last word on every
fragment, so nothing put in by a renderer can open a way around it. Jinja never sees corpus text as a
template.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

from dlexport.mathsvg import FILE_NAME

MathRenderer = Callable[[str, bool, str], str]  # (tex, display, where) -> HTML; `where` names the entry


def _dollarmath(md: MarkdownIt) -> None:
    md.use(dollarmath_plugin, allow_labels=False, allow_space=True, allow_digits=True, double_inline=True)


@cache
def parser() -> MarkdownIt:
    """CommonMark with raw HTML, tables, strikethrough and dollar math.

    `text_join` is off so that escaped characters stay apart from plain text: a `$` left in a plain text
    token is then a math delimiter that was never closed."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    _dollarmath(md)
    md.disable("text_join")
    return md


def _inline_children(tokens: Sequence[Token]) -> Iterator[tuple[Token, Token]]:
    for token in tokens:
        for child in token.children or ():
            yield token, child


# --- Sanitising -------------------------------------------------------------------------------

_TAGS = {
    "p", "br", "hr", "em", "strong", "b", "i", "u", "s", "del", "code", "pre", "kbd", "sub", "sup",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "span", "div",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "*": {"class", "style"},
}
# Classes the renderers use (math, code); a corpus author may use them too, nothing else.
_CLASSES = {"math", "math-display", "m", "tex", "code"}
# Inline styles as Pygments, ziamath and markdown-it tables write them. No parentheses: no url(), no calc.
_STYLE = re.compile(
    r"\s*(?:(?:color|background|background-color|font-weight|font-style|text-decoration|line-height"
    r"|text-align|width|height|vertical-align)\s*:\s*[#a-zA-Z0-9 .,%-]+\s*(?:;\s*|$))+"
)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_LINK_SCHEMES = {"http", "https", "mailto"}


def browser_url(value: str) -> str:
    """A URL as a browser reads an attribute: outer spaces and controls trimmed, tabs and newlines gone."""
    return re.sub(
        r"[\t\n\r]",
        "",
        value.strip(
            "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
            "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c"
            "\x1d\x1e\x1f \t\n\r"
        ),
    )


def local_path(url: str) -> str | None:
    """The corpus-relative path an image URL names, or None when it is a URL or an absolute path.
    Backslashes count as slashes, as browsers read them."""
    url = browser_url(url).replace("\\", "/")
    if not url or _SCHEME.match(url) or url.startswith("/"):
        return None
    path = unquote(url.split("#", 1)[0].split("?", 1)[0])
    return None if "\0" in path else path


@dataclass(frozen=True)
class Policy:
    """What the sanitiser lets through besides plain safe HTML: where images may come from."""

    image: Callable[[str], str | None] = lambda src: None  # corpus-relative path -> URL, or None to drop
    math: str | None = None  # the URL of the folder of drawn formulas (PDF only)
    link_rel: str | None = "noopener noreferrer"
    extra_tags: frozenset[str] = frozenset()
    extra_attributes: tuple[tuple[str, frozenset[str]], ...] = ()

    def filter(self, tag: str, attr: str, value: str) -> str | None:
        if attr == "style":
            return value if _STYLE.fullmatch(value) else None
        if attr == "class":
            return value if value.split() and set(value.split()) <= _CLASSES else None
        if tag == "img" and attr == "src":
            url = browser_url(value)
            if self.math and url.startswith(self.math) and FILE_NAME.fullmatch(url.removeprefix(self.math)):
                return url
            path = local_path(url)
            return self.image(path) if path else None
        if attr == "href":
            scheme = _SCHEME.match(browser_url(value))
            return value if not scheme or scheme[1].lower() in _LINK_SCHEMES else None
        return value


IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")


def corpus_images(root: Path, known: Iterable[str]) -> Callable[[str], str | None]:
    """An image rule that lets through only images the loader accepted: returns the corpus-relative
    path an image URL names, or None. It reads no file, so no URL can make a build read one."""
    accepted = set(known)

    def resolve(path: str) -> str | None:
        try:
            relative = (root / path).resolve().relative_to(root).as_posix()
        except (OSError, ValueError):
            return None
        return relative if relative in accepted else None

    return resolve


def _handout_image(path: str) -> str | None:
    """Handouts keep corpus paths (images are copied beside them): only image files below the folder."""
    normal = posixpath.normpath(path)
    return normal if normal.lower().endswith(IMAGE_TYPES) and not normal.startswith("..") else None


def sanitize(fragment: str, policy: Policy = Policy()) -> str:
    """Clean HTML: no scripts, handlers, styles with URLs, `javascript:` links or foreign images."""
    return _cleaner(policy).clean(fragment)


@lru_cache(maxsize=32)
def _cleaner(policy: Policy) -> nh3.Cleaner:
    """One sanitiser per policy (nh3.clean would set one up again for every fragment)."""
    attributes = {tag: set(names) for tag, names in _ATTRIBUTES.items()}
    for tag, names in policy.extra_attributes:
        attributes.setdefault(tag, set()).update(names)
    return nh3.Cleaner(
        tags=_TAGS | policy.extra_tags,
        attributes=attributes,
        url_schemes=_LINK_SCHEMES | {"file"},  # file: only where the policy allows
        attribute_filter=policy.filter,
        link_rel=policy.link_rel,
    )


# --- Checking (for validation) -------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    offset: int  # in the checked text
    message: str


def _line_offsets(text: str) -> list[int]:
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def check_markdown(text: str, image_exists: Callable[[str], str | None]) -> list[Finding]:
    """Problems in one corpus fragment: math left open, and images that are not corpus files.

    `image_exists(path)` returns None for a usable corpus image, else what is wrong with it."""
    findings: list[Finding] = []
    if not any(mark in text for mark in ("$", "<", "![", "\\", "[")):
        return findings  # nothing that could open math, name an image, or be TeX or Anki syntax
    starts = _line_offsets(text)

    def at(token: Token, *needles: str) -> int:
        """Where the first of `needles` that occurs in the token's lines begins."""
        begin = starts[token.map[0]] if token.map else 0
        for needle in needles:
            if needle and (found := text.find(needle, begin)) >= 0:
                return found
        return begin

    def image(src: str, token: Token, tag: str) -> None:
        path = local_path(src)
        if path is None:
            what = "a URL" if browser_url(src) else "empty"
            message = f"image '{src}' must be a file inside the corpus directory, not {what}"
        elif problem := image_exists(path):
            message = f"image '{src}' {problem}"
        else:
            return
        findings.append(Finding(at(token, src, tag), message))

    tokens = parser().parse(text)
    seen: set[str] = set()
    for block, child in _inline_children(tokens):
        if child.type == "text" and "$" in child.content:
            offset = at(block, child.content) + child.content.index("$")
            findings.append(Finding(offset, "unbalanced math: '$' opened here is never closed"))
        elif child.type == "image":
            seen.add(src := unquote(str(child.attrs.get("src", ""))))
            image(src, block, "](")
    # Raw HTML images, read by the sanitiser's own HTML parser (html5ever): no tag or comment trick can
    # show the renderer an image that validation did not see. Only raw HTML can put a tag in the
    # rendered fragment besides the Markdown images checked above, so without it there is nothing to read.
    html_images: list[str] = []
    if "<" in text and _has_html(tokens):  # raw HTML, as every tag, begins with a '<'
        html_images = _sanitizer_images(parser().renderer.render(tokens, parser().options, {}))
    for src in html_images:
        if unquote(src) not in seen:
            image(src, tokens[0] if tokens else Token("", "", 0), "<im")
    # Anywhere in the text, code included: Anki's MathJax reads `\\(…\\)` in plain text too, and Anki
    # plays `[sound:…]` wherever it stands.
    for m in _UNSAFE_TEX.finditer(text):
        findings.append(Finding(m.start(), f"TeX command {m[0]} is not allowed: {_TEX_WHY}"))
    for m in _ANKI_MEDIA.finditer(text):
        findings.append(
            Finding(m.start(), f"'{m[0]}' is Anki's media syntax: Anki would play it on the card")
        )
    return findings


# MathJax commands that make links, styles or load code (Anki's MathJax autoloads them): never in a card.
_UNSAFE_TEX = re.compile(r"\\(?:href|url|style|class|cssId|data|require|html[A-Za-z]*)(?![A-Za-z])")
_TEX_WHY = "MathJax would make it a link, a style or load code on Anki cards"
_ANKI_MEDIA = re.compile(r"\[(?:sound:|anki:)", re.I)


def _has_html(tokens: Sequence[Token]) -> bool:
    """Whether a parsed fragment holds raw HTML, at any depth."""
    return any(t.type in ("html_block", "html_inline") or _has_html(t.children or ()) for t in tokens)


def _sanitizer_images(html: str) -> list[str]:
    found: list[str] = []

    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src":
            found.append(value)
        return None

    # Schemes are listed so that their URLs reach `keep` and are reported; the renderer drops them all.
    schemes = {
        "http",
        "https",
        "ftp",
        "file",
        "data",
        "javascript",
        "vbscript",
        "mailto",
        "blob",
        "ws",
        "wss",
    }
    nh3.clean(html, tags={"img"}, attributes={"img": {"src"}}, url_schemes=schemes, attribute_filter=keep)
    return found


# --- Markdown to HTML ---------------------------------------------------------------------------


def highlight_code(code: str, language: str, style: str) -> str:
    from pygments import highlight

    return highlight(code, _lexer(language), _code_formatter(style))


# Pygments lexers and formatters keep no state between uses; making them is most of the cost.
@lru_cache(maxsize=64)
def _lexer(language: str) -> Any:
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language) if language else TextLexer()
    except ClassNotFound:
        return TextLexer()


@cache
def _code_formatter(style: str) -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(noclasses=True, style=style, cssclass="code", wrapcode=True)


class _Html(RendererHTML):
    """markdown-it's HTML renderer, with math and highlighted code drawn by the HtmlRenderer in `env`."""

    def math_inline(self, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
        return env["renderer"].math(tokens[idx].content.strip(), False, env["where"])

    def math_inline_double(self, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
        return env["renderer"].math(tokens[idx].content.strip(), True, env["where"])

    def math_block(self, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
        return env["renderer"].math(tokens[idx].content.strip(), True, env["where"]) + "\n"

    def fence(self, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
        token = tokens[idx]
        language = token.info.split()[0] if token.info else ""
        return highlight_code(token.content, language, env["renderer"].code_style)

    code_block = fence

    def text_special(self, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
        return self.text(tokens, idx, options, env)


class HtmlRenderer:
    """Markdown to sanitised HTML, with a target-specific way of showing math and naming images."""

    def __init__(self, math: MathRenderer, code_style: str = "default", policy: Policy = Policy()):
        self.math = math
        self.code_style = code_style
        self.policy = policy

    @property
    def key(self) -> str:
        """What its HTML depends on besides a fragment's text and images (and the code that draws it)."""
        p = self.policy
        math = getattr(self.math, "key", getattr(self.math, "__name__", None))
        return repr((math, self.code_style, p.math, p.link_rel, sorted(p.extra_tags), p.extra_attributes))

    def render(self, text: str, where: str = "") -> str:
        """HTML for one corpus fragment; `where` names it in warnings about its math."""
        if plain_markdown(text):  # most questions: one paragraph of words, what markdown-it would make
            body = f"<p>{escapeHtml(text)}</p>"
        else:
            md = parser()
            body = _html().render(md.parse(text), md.options, {"renderer": self, "where": where})
        return sanitize(body, self.policy).strip()


@cache
def _html() -> _Html:
    return _Html()


def mathjax(tex: str, display: bool, where: str = "") -> str:
    """Math for MathJax (Anki): `\\(…\\)` inline, `\\[…\\]` display, as HTML text."""
    tex = html.escape(tex, quote=False)
    return f"\\[{tex}\\]" if display else f"\\({tex}\\)"


def formulas(text: str) -> Iterator[tuple[str, bool]]:
    """(TeX, display) of each formula in a fragment, as the renderers will be asked for it."""
    tokens = parser().parse(text)
    for token in tokens:
        if token.type == "math_block":
            yield token.content.strip(), True
    for _, child in _inline_children(tokens):
        if child.type in ("math_inline", "math_inline_double"):
            yield child.content.strip(), child.type == "math_inline_double"


def figures(text: str) -> list[tuple[str, str]]:
    """(corpus-relative path, alt text) of each Markdown image in a fragment, in order."""
    if "![" not in text:  # every Markdown image, inline or by reference, starts so
        return []
    return [
        (path, "".join(c.content for c in child.children or []))
        for _, child in _inline_children(parser().parse(text))
        if child.type == "image" and (path := local_path(unquote(str(child.attrs.get("src", "")))))
    ]


def plain_text(text: str) -> str:
    """Markdown reduced to one line of text (for titles, bookmarks, link labels); math keeps its TeX."""
    if plain_markdown(text):
        return text
    parts = [
        child.content
        for _, child in _inline_children(parser().parse(text))
        if child.type in ("text", "text_special", "code_inline", "math_inline", "math_inline_double")
    ]
    return " ".join("".join(parts).split())


# --- Markdown to GitHub Markdown ------------------------------------------------------------------

# Characters that CommonMark may take for emphasis, escapes or links inside `$…$`.
_MARKDOWN_ACTIVE = re.compile(r"[\\_*`\[\]<>{}|~^]")
_VOID = {"img", "br", "hr"}
# What handout templates write around the corpus text.
_HANDOUT = Policy(
    image=_handout_image,
    link_rel=None,  # GitHub sets its own
    extra_tags=frozenset({"details", "summary"}),
    extra_attributes=(("a", frozenset({"id"})), ("details", frozenset({"open"}))),
)


class _HtmlRun(HTMLParser):
    """Raw HTML in a handout, rewritten piece by piece: each start tag as the sanitiser cleans it, end
    tags of allowed elements, text escaped, and nothing of what disallowed elements such as <script>
    hold. (Whole-fragment cleaning would close a <details> that a later fragment closes.)"""

    _DROP_CONTENT: ClassVar = {"script", "style", "iframe", "object", "embed", "noscript", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._DROP_CONTENT:
            self.hidden += 1
        elif not self.hidden and tag in _TAGS | _HANDOUT.extra_tags:
            raw = "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs)
            self.out.append(sanitize(f"<{tag}{raw}>", _HANDOUT).removesuffix(f"</{tag}>"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._DROP_CONTENT:
            self.hidden = max(0, self.hidden - 1)
        elif not self.hidden and tag in _TAGS | _HANDOUT.extra_tags and tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(html.escape(data, quote=False))


def _clean_html_run(fragment: str) -> str:
    cleaner = _HtmlRun()
    try:
        cleaner.feed(fragment)
        cleaner.close()
    except AssertionError:  # html.parser asserts on some declarations (`<![x`): show the run as text
        return html.escape(fragment, quote=False)
    return "".join(cleaner.out)


# What mdformat escapes in text: backslashes, emphasis, brackets, HTML, code, entities, strikethrough,
# table pipes; and tabs and newlines, which it rewrites.
_ESCAPED_CHARS = re.compile(r"[\t\n\\*_\[\]<`&~|]")
# Paragraph lines mdformat escapes or indents: those that could start another block (heading, quote,
# list, break, setext line, HTML, table, fence) or begin or end with whitespace.
_LINE_STARTS = frozenset("#>-*+=_<[|:`~0123456789")
_PLAIN_CHILDREN = {"text", "softbreak", "math_inline"}


@cache
def _default_renderer(syntax: str) -> Any:
    from mdformat.renderer import DEFAULT_RENDERERS

    return DEFAULT_RENDERERS[syntax]


def _escaped(text: str) -> bool:
    """Whether mdformat's text rule may change `text` (a double space, or a `!` before a link, too)."""
    return "  " in text or text.endswith("!") or _ESCAPED_CHARS.search(text) is not None


def _plain_text(node: Any, context: Any) -> str:
    """mdformat's text rule, which changes nothing in plain text; only run where it may."""
    if context.do_wrap or _escaped(node.content):
        return _default_renderer("text")(node, context)
    return node.content


def _plain_lines(text: str) -> bool:
    return all(
        line and line[0] not in _LINE_STARTS and not line[0].isspace() and not line[-1].isspace()
        for line in text.split("\n")
    )


def _paragraph(node: Any, context: Any) -> str:
    """mdformat's paragraph rule, which only escapes or trims the start and end of lines: a paragraph of
    plain text and math whose lines start and end safely is written as its inline parts join."""
    if not context.do_wrap and all(c.type in _PLAIN_CHILDREN for c in node.children[0].children):
        text = node.children[0].render(context)
        if _plain_lines(text):
            return text
    return _default_renderer("paragraph")(node, context)


class _SafeHtml:
    """mdformat extension: raw HTML is written back only as the sanitiser leaves it."""

    CHANGES_AST = True
    POSTPROCESSORS: ClassVar[dict] = {}

    @staticmethod
    def update_mdit(mdit: MarkdownIt) -> None:
        pass

    RENDERERS: ClassVar[dict[str, Any]] = {
        "html_block": lambda node, context: _clean_html_run(node.content).strip("\n"),
        "html_inline": lambda node, context: _clean_html_run(node.content),
        "text": _plain_text,
        "paragraph": _paragraph,
    }


class _GithubMath(_SafeHtml):
    """mdformat extension: corpus `$…$` math written in GitHub's math syntax."""

    @staticmethod
    def update_mdit(mdit: MarkdownIt) -> None:
        mdit.use(
            dollarmath_plugin, allow_labels=False, allow_space=True, allow_digits=True, double_inline=True
        )

    @staticmethod
    def inline(content: str) -> str:
        tex = content.strip()
        return f"$`{tex}`$" if _MARKDOWN_ACTIVE.search(tex) else f"${tex}$"

    @staticmethod
    def display(content: str) -> str:
        return f"```math\n{content.strip()}\n```"

    RENDERERS: ClassVar[dict[str, Any]] = {
        **_SafeHtml.RENDERERS,
        "math_inline": lambda node, context: _GithubMath.inline(node.content),
        "math_inline_double": lambda node, context: _GithubMath.display(node.content),
        "math_block": lambda node, context: _GithubMath.display(node.content),
    }


class _CorpusMath(_SafeHtml):
    """mdformat extension: math kept in the corpus's own `$…$` / `$$…$$` syntax."""

    @staticmethod
    def update_mdit(mdit: MarkdownIt) -> None:
        _dollarmath(mdit)

    RENDERERS: ClassVar[dict[str, Any]] = {
        **_SafeHtml.RENDERERS,
        "math_inline": lambda node, context: f"${node.content}$",
        "math_inline_double": lambda node, context: f"$${node.content}$$",
        "math_block": lambda node, context: f"$$\n{node.content.strip()}\n$$",
    }


def clean_markdown(text: str) -> str:
    """Untrusted Markdown (an imported list) as corpus Markdown: same syntax, raw HTML sanitised."""
    return _mdformat(text, _CorpusMath, number=True).strip()


def open_math(text: str) -> list[int]:
    """Offsets of `$` delimiters that are never closed."""
    return [f.offset for f in check_markdown(text, lambda path: None) if f.message.startswith("unbalanced")]


def prose(text: str) -> str:
    """The words of a fragment: its text, without math, code or markup."""
    parts = []
    for block in parser().parse(text):
        for child in block.children or []:
            if child.type in ("text", "text_special"):
                parts.append(child.content)
            else:
                parts.append(" ")  # a break, a formula or a block between two words still separates them
        parts.append(" ")
    return " ".join("".join(parts).split())


@cache
def _formatter(extension: type, number: bool = False) -> MarkdownIt:
    """mdformat's parser and renderer with GitHub Markdown and `extension`, as `mdformat.text` builds
    them, built once: building them costs more than formatting a typical fragment."""
    import mdformat.plugins
    from mdformat._util import build_mdit
    from mdformat.renderer import MDRenderer

    mdformat.plugins.PARSER_EXTENSIONS.setdefault(extension.__name__, extension)  # type: ignore[arg-type]
    options = {"wrap": "keep", "number": number, "filename": ""}
    return build_mdit(MDRenderer, mdformat_opts=options, extensions=["gfm", extension.__name__])


def _mdformat(text: str, extension: type, number: bool = False) -> str:
    """`mdformat.text(text)` with the options and extensions every caller here uses."""
    return _formatter(extension, number).render(text)


class Settled(str):
    """GitHub Markdown that a whole-page tidy (`tidy_markdown`) provably leaves as it is, wherever it
    stands as a block between blank lines: plain paragraphs, math and code blocks only."""


# Letters, digits, single spaces and punctuation that no Markdown reader or writer here takes for syntax.
_PLAIN_CHARS = re.compile(r"""[\w ,.?'"()/%+=;-]*""")
_UNSETTLED_TEX = re.compile(r"[`\n\t&]|  ")  # what a page tidy would re-read in `$…$` or $`…`$
_UNSETTLED_INFO = re.compile(r"[`\\&]")  # what a re-read fence info string would unescape


def plain_markdown(text: str) -> bool:
    """Whether `text` is one line of words, starting with a letter, that no Markdown reader or writer
    here changes: such a fragment is its own GitHub Markdown and its own plain text."""
    return (
        text[:1].isalpha()
        and not text.endswith(" ")
        and "_" not in text
        and "  " not in text
        and _PLAIN_CHARS.fullmatch(text) is not None
    )


def _plain_paragraph(inline: Token) -> str | None:
    """A paragraph of plain text and math as mdformat writes it (see `_paragraph`), or None."""
    parts = []
    for child in inline.children or ():
        if child.type == "text" and not _escaped(child.content):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append("\n")
        elif child.type == "math_inline" and not _UNSETTLED_TEX.search(child.content.strip()):
            parts.append(_GithubMath.inline(child.content))
        else:
            return None
    text = "".join(parts)
    return text if _plain_lines(text) else None


def _code(token: Token) -> str | None:
    """A code block as mdformat writes it (its `fence` rule, with no code formatters), or None when a
    tidy would read it back differently: an info string with escapes, or a block left open."""
    if _UNSETTLED_INFO.search(token.info) or not token.content.endswith("\n"):
        return None
    fence = "`" * max(3, 1 + max(map(len, re.findall("`+", token.content)), default=0))
    return f"{fence}{token.info.strip()}\n{token.content}{fence}"


def _settled_markdown(tokens: Sequence[Token]) -> str | None:
    """What mdformat writes for a fragment of plain paragraphs, math and code blocks, written here
    without building its render tree; None for any other fragment. Re-read without math (as a page
    tidy reads it), the result is text, code spans and code blocks that mdformat writes back as they are."""
    blocks = []
    for token in tokens:
        if token.type == "inline":
            block = _plain_paragraph(token)
        elif token.type == "math_block":
            block = None if "`" in token.content else _GithubMath.display(token.content)
        elif token.type in ("fence", "code_block"):
            block = _code(token)
        elif token.type in ("paragraph_open", "paragraph_close"):
            continue
        else:
            return None
        if block is None:
            return None
        blocks.append(block)
    return "\n\n".join(blocks) if blocks else None


MAX_NESTING = 100  # emphasis in emphasis, a hundred deep: far beyond any answer


def github_markdown(text: str) -> str:
    """Corpus Markdown rewritten for GitHub: its math syntax, raw HTML sanitised. Image paths stay as
    they are: handouts keep the corpus's folder layout beside them. A `Settled` result needs no tidy."""
    if plain_markdown(text):
        return Settled(text)
    md, env = _formatter(_GithubMath), {}
    tokens = md.parse(text, env)
    # mdformat recurses once per level: refused here, at a depth that does not depend on the caller's
    # stack (a worker's is deeper than the build's), before its recursion could run out.
    if max((block.level + child.level for block, child in _inline_children(tokens)), default=0) > MAX_NESTING:
        raise RecursionError(f"Markdown nested deeper than {MAX_NESTING} levels")
    if (settled := _settled_markdown(tokens)) is not None:
        return Settled(settled.strip())
    return md.renderer.render(tokens, md.options, env).strip()


def markdown_text(text: str) -> str:
    """Plain text (a title, a summary) to put into Markdown as text: every character that Markdown or
    HTML could read as syntax is escaped."""
    return re.sub(r"([\\`*_\[\]<>!#|~&{}()$])", r"\\\1", " ".join(text.split()))


def tidy_markdown(page: str) -> str:
    """A whole handout page, normalised by mdformat (GitHub flavour) with every raw HTML fragment passed
    through the sanitiser once more, so the page's HTML is safe whatever a template or fragment held."""
    return _mdformat(page, _SafeHtml)
