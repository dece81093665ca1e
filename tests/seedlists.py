"""Read the seed question lists in ../shared/seeds/ (messy public lists, see their README).

Each list is keyed as in content/sources.yaml; a question is `key#n`.
"""

from __future__ import annotations

import re
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

FILES = {
    "dl41": "000_2d231d6a91618aaa.txt",
    "dl50": "001_f3fde470be0e7682.txt",
    "dl100": "002_99bbd0092cce3192.txt",
    "nn46": "003_5a5001ca7f676e37.txt",
    "dl83": "004_bddd461d5ee39213.txt",
}


def _bold_numbered(text: str) -> dict[int, str]:
    # "## Question N" followed by a bold line.
    found = re.findall(r"^## Question (\d+)\s*\n\s*\*\*(.+?)\*\*", text, flags=re.M)
    return {int(n): q for n, q in found}


def _hash_numbered(text: str) -> dict[int, str]:
    # Answers hold numbered lists too: accept only the next question number, in order.
    out: dict[int, str] = {}
    for n, q in re.findall(r"^(?:###\s*)?Q?(\d+)\.\s+(.+)$", text, flags=re.M):
        if int(n) == len(out) + 1:
            out[int(n)] = q.strip()
    return out


def _inline_numbered(text: str) -> dict[int, str]:
    # The second copy of the list, after "**Note**:", keeps the bold words; numbers run inline.
    body = text.split("**Note**:", 1)[1].replace("**", "")
    starts: list[tuple[int, int, int]] = []
    pos, n = 0, 1
    while m := re.compile(rf"(?<!\d){n}\s*\.\s").search(body, pos):
        starts.append((n, m.start(), m.end()))
        pos, n = m.end(), n + 1
    out: dict[int, str] = {}
    for i, (num, _, end) in enumerate(starts):
        stop = starts[i + 1][1] if i + 1 < len(starts) else len(body)
        q = body[end:stop].split("Answers to", 1)[0].split("Some of the above", 1)[0]
        out[num] = " ".join(q.split())
    return out


PARSERS = {
    "dl41": _bold_numbered,
    "nn46": _bold_numbered,
    "dl50": _hash_numbered,
    "dl100": _hash_numbered,
    "dl83": _inline_numbered,
}


def seed_questions(seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """Every seed question as {"key#n": text}."""
    out: dict[str, str] = {}
    for key, name in FILES.items():
        text = (seeds_dir / name).read_text(encoding="utf-8")
        for n, q in sorted(PARSERS[key](text).items()):
            out[f"{key}#{n}"] = q
    return out


def seed_text(seeds_dir: Path = SEEDS_DIR) -> str:
    return "\n".join((seeds_dir / name).read_text(encoding="utf-8") for name in FILES.values())


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def shared_runs(text: str, seed_ngrams: set[tuple[str, ...]], n: int = 8) -> list[str]:
    """Runs of n words in `text` that also stand in the seeds."""
    w = words(text)
    return [" ".join(w[i : i + n]) for i in range(len(w) - n + 1) if tuple(w[i : i + n]) in seed_ngrams]


def seed_ngrams(n: int = 8, seeds_dir: Path = SEEDS_DIR) -> set[tuple[str, ...]]:
    w = words(seed_text(seeds_dir))
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


if __name__ == "__main__":
    for k, q in seed_questions().items():
        print(f"{k}\t{q}")
