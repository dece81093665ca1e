"""Simple inline formulas as text in STIX Two Math, the font ziamath draws with.

Most inline math in a corpus is a symbol or two (`$k$`, `$\\eta$`, `$x_i$`, `$O(n^2)$`). Set as Unicode
math characters in the same font, they look as ziamath's SVGs do, print crisply and cost WeasyPrint a
fraction of an SVG. Anything beyond letters, digits, operators, Greek and simple sub/superscripts returns
None and goes to ziamath.
"""

from __future__ import annotations

import html
import re

_GREEK = (  # in Unicode order, from U+1D6FC (mathematical italic small alpha)
    "alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho varsigma "
    "sigma tau upsilon varphi chi psi omega"
).split()
_SYMBOLS = {
    **{name: chr(0x1D6FC + i) for i, name in enumerate(_GREEK)},
    "epsilon": "\U0001d716", "vartheta": "\U0001d717", "phi": "\U0001d719", "varrho": "\U0001d71a",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "infty": "∞", "ell": "ℓ", "nabla": "∇", "partial": "∂", "ldots": "…", "dots": "…", "cdots": "⋯",
}  # fmt: skip
_OPERATORS = {
    "times": "×", "cdot": "⋅", "pm": "±", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "approx": "≈",
    "neq": "≠", "ne": "≠", "sim": "∼", "propto": "∝", "to": "→", "rightarrow": "→", "in": "∈", "ll": "≪",
    "gg": "≫", "equiv": "≡",
}  # fmt: skip
_SPACED = set("=<>+−") | set(_OPERATORS.values())
_TOKEN = re.compile(r"\\([A-Za-z]+)|([A-Za-z])|([0-9.]+)|([-+=<>()\[\],|/!':;])|(\s+)|([_^])|(\{)|(.)")
_THIN = "\u2009"


def _italic(ch: str) -> str:
    if ch == "h":
        return "ℎ"  # the one math italic letter outside the block
    base = 0x1D44E if ch.islower() else 0x1D434
    return chr(base + ord(ch.lower()) - ord("a"))


def _convert(tex: str) -> str | None:
    out: list[str] = []
    pos = 0
    while pos < len(tex):
        m = _TOKEN.match(tex, pos)
        command, letter, number, punct, space, script, _brace, _other = m.groups()
        pos = m.end()
        if command:
            if command in _SYMBOLS:
                out.append(_SYMBOLS[command])
            elif command in _OPERATORS:
                out.append(_OPERATORS[command])
            else:
                return None
        elif letter:
            out.append(_italic(letter))
        elif number:
            out.append(number)
        elif punct:
            out.append({"-": "−", "'": "′"}.get(punct, punct))
        elif space:
            continue
        elif script:
            if pos < len(tex) and tex[pos] == "{":
                end = tex.find("}", pos)
                inner = tex[pos + 1 : end] if end != -1 else None
                pos = end + 1
            else:
                inner_m = _TOKEN.match(tex, pos)
                inner = inner_m.group() if inner_m else None
                pos = inner_m.end() if inner_m else pos
            body = _convert(inner) if inner and "{" not in inner else None
            if body is None:
                return None
            tag = "sub" if script == "_" else "sup"
            out.append(f"<{tag}>{body}</{tag}>")
        else:  # a brace group or anything else: leave it to ziamath
            return None
    return "".join(_space(out))


def _space(parts: list[str]):
    """Thin spaces around binary operators and relations, none around a leading minus sign."""
    for i, part in enumerate(parts):
        if part in _SPACED and i > 0 and parts[i - 1] not in ("(", "[", ",", *_SPACED):
            yield f"{_THIN}{html.escape(part, quote=False)}{_THIN}"
        elif part == ",":
            yield f",{_THIN}"
        elif part.startswith(("<sub>", "<sup>")):  # already converted and escaped
            yield part
        else:
            yield html.escape(part, quote=False)


def text_math(tex: str) -> str | None:
    """HTML for a simple inline formula, or None if it needs real typesetting."""
    body = _convert(tex.strip())
    return f'<span class="m">{body}</span>' if body else None
