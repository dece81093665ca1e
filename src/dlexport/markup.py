"""The one Markdown renderer: corpus Markdown with $math$ and fenced code, to safe HTML or GitHub Markdown.

Math is cut out before Markdown sees it (so `_` and `\\` inside formulas survive), code is highlighted
with Pygments, and everything that came from the corpus passes through nh3 before trusted HTML (math,
code) is put back in place of opaque placeholders. Jinja never sees corpus text as a template.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

MathRenderer = Callable[[str, bool], str]  # (tex, display) -> HTML


class UnbalancedMath(ValueError):
    def __init__(self, offset: int, delimiter: str):
        super().__init__(f"unbalanced math: '{delimiter}' opened here is never closed")
        self.offset = offset


@dataclass(frozen=True)
class Segment:
    kind: str  # "text" | "math"
    text: str  # for math: the TeX between the delimiters
    start: int  # offset of the segment in the source
    display: bool = False


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)


def split_math(text: str) -> list[Segment]:
    """Split Markdown into text and math segments; code blocks and code spans never hold math."""
    segments: list[Segment] = []
    buf_start, i, n = 0, 0, len(text)

    def flush(end: int) -> None:
        if end > buf_start:
            segments.append(Segment("text", text[buf_start:end], buf_start))

    while i < n:
        at_line_start = i == 0 or text[i - 1] == "\n"
        if at_line_start and (fence := _FENCE.match(text, i)):
            close = re.compile(
                rf"^ {{0,3}}{re.escape(fence.group(1)[0])}{{{len(fence.group(1))},}}\s*$", re.M
            )
            end = close.search(text, text.find("\n", i) + 1 if "\n" in text[i:] else n)
            i = end.end() if end else n
            continue
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            i += 2
            continue
        if ch == "`":
            run = re.match(r"`+", text[i:]).group()
            close = text.find(run, i + len(run))
            i = close + len(run) if close != -1 else i + len(run)
            continue
        if ch == "$":
            delim = "$$" if text.startswith("$$", i) else "$"
            end = i + len(delim)
            while True:
                end = text.find(delim, end)
                if end == -1:
                    raise UnbalancedMath(i, delim)
                if text[end - 1] != "\\":
                    break
                end += 1
            flush(i)
            tex = text[i + len(delim) : end]
            if not tex.strip():
                raise UnbalancedMath(i, delim)
            segments.append(Segment("math", tex.strip(), i, display=delim == "$$"))
            i = end + len(delim)
            buf_start = i
            continue
        i += 1
    flush(n)
    return segments


# --- Sanitising -------------------------------------------------------------------------------

_TAGS = {
    "p", "br", "hr", "em", "strong", "b", "i", "u", "s", "del", "code", "pre", "kbd", "sub", "sup",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "span", "div",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}, "td": {"style"}}
_ALIGN = re.compile(r"text-align:\s*(left|right|center);?")


def _is_local(url: str) -> bool:
    return not re.match(r"^([a-z][a-z0-9+.-]*:|/|\\)", url.strip(), re.I)


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "style":
        return value if _ALIGN.fullmatch(value.strip()) else None
    if tag == "img" and attr == "src":
        return value if _is_local(value) else None  # images come from the corpus directory only
    return value


def sanitize(fragment: str) -> str:
    """Clean HTML from the corpus: no scripts, handlers, `javascript:` or remote images."""
    return nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_attribute_filter,
        link_rel="noopener noreferrer",
    )


# --- Markdown to HTML ---------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def highlight_code(code: str, language: str, style: str) -> str:
    try:
        lexer = get_lexer_by_name(language) if language else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    formatter = HtmlFormatter(noclasses=True, style=style, cssclass="code", wrapcode=True)
    return highlight(code, lexer, formatter)


def image_sources(text: str) -> list[str]:
    """Every image URL an answer refers to, from Markdown images and raw `<img>` tags."""
    urls: list[str] = []
    for token in _parser().parse(text):
        for child in token.children or []:
            if child.type == "image":
                urls.append(str(child.attrs.get("src", "")))
            elif child.type == "html_inline":
                urls += re.findall(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", child.content, re.I)
        if token.type == "html_block":
            urls += re.findall(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", token.content, re.I)
    return urls


class HtmlRenderer:
    """Markdown to sanitised HTML, with a target-specific way of showing math."""

    def __init__(
        self,
        math: MathRenderer,
        code_style: str = "default",
        image_url: Callable[[str], str] = lambda src: src,
    ):
        self.math = math
        self.code_style = code_style
        self.image_url = image_url

    def render(self, text: str) -> str:
        nonce = secrets.token_hex(6)
        trusted: dict[str, str] = {}

        def hold(fragment: str) -> str:
            key = f"dlx{nonce}x{len(trusted)}z"
            trusted[key] = fragment
            return key

        source = "".join(
            seg.text if seg.kind == "text" else hold(self.math(seg.text, seg.display))
            for seg in split_math(text)
        )
        md = _parser()
        tokens = md.parse(source)
        for token in tokens:
            if token.type in ("fence", "code_block"):
                language = token.info.split()[0] if token.info else ""
                token.type, token.content = (
                    "html_block",
                    hold(highlight_code(token.content, language, self.code_style)),
                )
            for child in token.children or []:
                if child.type == "image":  # resolved after sanitising, which only lets relative paths through
                    child.attrs["src"] = hold(
                        html.escape(self.image_url(str(child.attrs.get("src", ""))), quote=True)
                    )
        body = sanitize(md.renderer.render(tokens, md.options, {}))
        for key, fragment in trusted.items():
            body = body.replace(f"<p>{key}</p>", fragment).replace(key, fragment)
        return body.strip()


def mathjax(tex: str, display: bool) -> str:
    """Math for MathJax (Anki): `\\(…\\)` inline, `\\[…\\]` display."""
    tex = html.escape(tex, quote=False)
    return f"\\[{tex}\\]" if display else f"\\({tex}\\)"


def plain_text(text: str) -> str:
    """Markdown reduced to one line of text (for titles, bookmarks, link labels)."""
    flat = re.sub(r"[*_`#>]", "", "".join(seg.text for seg in split_math(text)))
    return " ".join(flat.split())


# --- Markdown to GitHub Markdown ------------------------------------------------------------------

# Characters that CommonMark may take for emphasis, escapes or links inside `$…$`.
_MARKDOWN_ACTIVE = re.compile(r"[\\_*`\[\]<>{}|~^]")
_INLINE_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_VOID = {"img", "br", "hr"}


def github_markdown(text: str, image_url: Callable[[str], str] = lambda src: src) -> str:
    """Corpus Markdown rewritten for GitHub: its math syntax, raw HTML sanitised, images relocated."""
    for src in set(image_sources(text)):
        text = text.replace(f"]({src}", f"]({image_url(src)}").replace(
            f'src="{src}"', f'src="{image_url(src)}"'
        )
    out = []
    for seg in split_math(text):
        if seg.kind == "math":
            if seg.display:
                out.append(f"\n```math\n{seg.text}\n```\n")
            elif _MARKDOWN_ACTIVE.search(seg.text):
                out.append(f"$`{seg.text}`$")
            else:
                out.append(f"${seg.text}$")
        else:
            out.append(_sanitize_markdown_html(seg.text))
    return "".join(out)


def _sanitize_markdown_html(text: str) -> str:
    tokens = _parser().parse(text)
    if not any(
        t.type == "html_block" or any(c.type == "html_inline" for c in t.children or []) for t in tokens
    ):
        return text
    lines = text.split("\n")
    for token in tokens:
        if token.type == "html_block" and token.map:
            start, end = token.map
            lines[start:end] = [sanitize(token.content).rstrip("\n"), *[""] * (end - start - 1)]
        elif token.type == "inline" and token.map:
            start, end = token.map
            block = "\n".join(lines[start:end])
            pos = 0
            for child in token.children or []:
                if child.type != "html_inline":
                    continue
                at = block.find(child.content, pos)
                if at < 0:
                    continue
                keep = _clean_inline_tag(child.content)
                block = block[:at] + keep + block[at + len(child.content) :]
                pos = at + len(keep)
            lines[start:end] = block.split("\n")
    return "\n".join(lines)


def _clean_inline_tag(tag: str) -> str:
    """One inline tag from the corpus: allowed tags lose unsafe attributes, others disappear."""
    m = _INLINE_TAG.match(tag)
    if not m or m[2].lower() not in _TAGS:
        return ""
    name = m[2].lower()
    if name in _VOID:
        return sanitize(tag)
    return f"<{m[1]}{name}>"
