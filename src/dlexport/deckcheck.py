"""`dlexport check-deck`: import a package into a throw-away collection with Anki's own backend, and
(`render_check`) show every card as Anki's reviewer does, in headless Chromium, to see how it reads."""

from __future__ import annotations

import asyncio
import importlib.util
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dlexport.errors import ConfigError


@dataclass
class DeckReport:
    notes: int = 0
    cards: int = 0
    decks: list[str] = field(default_factory=list)
    note_types: list[str] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


def check_deck(package: Path) -> DeckReport:
    """Import `package` into a fresh collection and report what Anki made of it."""
    Collection = _anki_collection()
    if not package.is_file():
        raise ConfigError(f"{package}: no such file")
    report = DeckReport()
    with tempfile.TemporaryDirectory(prefix="dlexport-check-") as tmp:
        col = Collection(str(Path(tmp) / "collection.anki2"))
        try:
            try:
                log = _import(col, package)
            except Exception as exc:  # the backend's own words are the useful message
                report.problems.append(f"import failed: {exc}")
                return report
            report.new, report.updated = len(log.new), len(log.updated)
            for label in (
                "duplicate",
                "conflicting",
                "first_field_match",
                "missing_notetype",
                "missing_deck",
                "empty_first_field",
            ):
                if n := len(getattr(log, label)):
                    report.problems.append(f"{n} note(s) {label.replace('_', ' ')}")
            report.notes = col.note_count()
            report.cards = col.card_count()
            report.decks = sorted(d.name for d in col.decks.all_names_and_ids() if d.name != "Default")
            used = {col.get_note(nid).mid for nid in col.find_notes("")}
            report.note_types = sorted(m.name for m in col.models.all_names_and_ids() if m.id in used)
            empty = [nid for nid in col.find_notes("") if not col.get_note(nid).cards()]
            if empty:
                report.problems.append(f"{len(empty)} note(s) produce no cards")
        finally:
            col.close()
    return report


def _anki_collection():
    try:
        from anki.collection import Collection
    except ImportError:
        raise ConfigError("check-deck needs the Anki backend: pip install 'dlexport[check]'") from None
    return Collection


def _import(col, package: Path):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    return col.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=str(package.resolve()),
            options=ImportAnkiPackageOptions(with_scheduling=False, merge_notetypes=True),
        )
    ).log


# --- check-deck --render: every card in a real browser, as Anki's reviewer shows it ----------------

CHROMIUM = "/usr/bin/chromium"  # Debian's: a browser is never downloaded
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
ORIGIN = "http://anki.invalid"  # answered by a route handler, never by the network
BATCH = 40  # card sides shown and typeset at once, one below the other
WORKERS = 2  # pages rendering at once, each in its own renderer process
WIDE = "the card scrolls sideways on a screen"

# The reviewer page as Anki desktop builds it: its stylesheets, its MathJax configuration (js/mathjax.js:
# \(…\) inline, \[…\] display, +noerrors +mathtools, -textmacros) and the MathJax it ships. Cards go
# into #qa; the body carries "card cardN" (and "nightMode night_mode" at night), as in Anki.
REVIEWER_PAGE = """<!doctype html>
<html dir="ltr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/_anki/css/webview.css">
<link rel="stylesheet" href="/_anki/css/reviewer.css">
<script src="/_anki/js/mathjax.js"></script>
<script src="/_anki/js/vendor/mathjax/tex-chtml-full.js"></script>
</head><body class="card card1 isLin"><div id="qa" dir="auto"></div></body></html>
"""

# Shows card sides one below the other, opens every <details> ("More detail"), typesets the math as
# Anki does and waits for the images. Returns an error message, or null.
SHOW_JS = r"""
async (sides) => {
  await MathJax.startup.promise;
  const qa = document.getElementById("qa");
  MathJax.texReset();  // a page may show the same cards again (another width, card by card): \label anew
  MathJax.typesetClear();
  qa.innerHTML = sides.map((html) => `<div class="dlx-check-side">${html}</div>`).join("");
  for (const d of qa.querySelectorAll("details")) d.open = true;
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error("timed out")), 60000);
  });
  try {
    await Promise.race([MathJax.typesetPromise([qa]), timeout]);
    await Promise.race([Promise.all(Array.from(qa.querySelectorAll("img"), (img) => img.complete ? null
      : new Promise((done) => { img.addEventListener("load", done); img.addEventListener("error", done); }))),
      timeout]);
  } catch (err) {
    return String(err && err.message || err);
  } finally {
    clearTimeout(timer);
  }
  return null;
}
"""

# Puts the body in light or night mode and reports, for each side shown: MathJax errors, TeX left
# untypeset, raw Markdown, anything wider than the screen (what scrolls inside its own box does not
# count) and broken images.
CHECK_JS = r"""
({bodyClass, night, WIDE}) => {
  document.documentElement.className = night ? "night-mode" : "";
  document.body.className = bodyClass;
  const qa = document.getElementById("qa");
  const vw = window.innerWidth;
  const tex = new Map();
  for (const item of MathJax.startup.document.math) if (item.typesetRoot) tex.set(item.typesetRoot, item);
  const clip = (s, n = 60) => {
    s = s.replace(/\s+/g, " ").trim();
    return s.length > n ? s.slice(0, n - 1) + "…" : s;
  };
  const formula = (c) => {
    const item = tex.get(c);
    if (!item) return "a formula";
    return item.display ? `formula \\[${clip(item.math)}\\]` : `formula \\(${clip(item.math)}\\)`;
  };
  const describe = (el) => {
    const math = el.localName === "mjx-container" ? el : el.querySelector("mjx-container");
    if (math && el.localName !== "table") return formula(math);
    if (el.localName === "table") {
      const row = el.querySelector("tr");
      return `table (${row ? row.children.length : 0} columns)`;
    }
    const code = el.closest("div.code, pre") || el.querySelector("div.code, pre");
    if (code) {
      const line = code.textContent.split("\n").reduce((a, b) => (b.length > a.length ? b : a), "");
      return `code block (longest line: "${clip(line, 50)}")`;
    }
    if (el.localName === "img") return `image ${el.getAttribute("src")}`;
    const cls = typeof el.className === "string" && el.className ? "." + el.className.split(" ")[0] : "";
    return `<${el.localName}${cls}> "${clip(el.textContent, 40)}"`;
  };
  const outside = (r) => r.right > vw + 1 || r.left < -1;
  const wide = (el, r, out) => out.push(`${describe(el)} is ${Math.round(r.width)} px wide `
    + `and reaches ${Math.round(r.right)} px: ${WIDE} ${vw} px wide`);
  // The outermost element that sticks out of the screen; what scrolls inside its own box is fine.
  const walk = (el, out) => {
    for (const c of el.children) {
      if (c.localName === "style") continue;
      const r = c.getBoundingClientRect();
      if (outside(r)) { wide(c, r, out); continue; }
      if (!c.children.length || getComputedStyle(c).overflowX !== "visible") continue;
      if (c.localName === "mjx-container") {  // its visible formula, or the hidden copy for screen readers
        for (const part of c.children) {
          const pr = part.getBoundingClientRect();
          if (outside(pr)) { wide(c, pr, out); break; }
        }
        continue;
      }
      walk(c, out);
    }
  };
  const results = [];
  for (const side of qa.children) {
    const out = [];
    const errors = new Set();
    for (const e of side.querySelectorAll("mjx-merror, [data-mjx-error]")) {
      const c = e.closest("mjx-container");
      if (errors.has(c)) continue;
      errors.add(c);
      const why = (e.closest("[data-mjx-error]") || e).getAttribute("data-mjx-error");
      out.push(`MathJax error${why ? ` "${why}"` : ""} in ${c ? formula(c) : `"${clip(e.textContent)}"`}`);
    }
    const walker = document.createTreeWalker(side, NodeFilter.SHOW_TEXT);
    for (let n; (n = walker.nextNode()); ) {
      if (n.parentElement.closest("code, pre, script, style, textarea, mjx-container")) continue;
      const t = n.data;
      let m;
      if ((m = /\\[(\[]/.exec(t))) out.push(`TeX left untypeset: "${clip(t.slice(m.index), 50)}"`);
      if ((m = /\*\*|```/.exec(t)))
        out.push(`raw Markdown ${m[0]} in "${clip(t.slice(Math.max(0, m.index - 20)), 50)}"`);
      const lineStart = !n.previousSibling || n.previousSibling.nodeName === "BR";
      m = /(?:^|\n)[ \t]*(#{1,6} \S.*)/.exec(t);
      if (m && (lineStart || t.slice(0, m.index + 1).includes("\n")))
        out.push(`raw Markdown heading "${clip(m[1], 50)}"`);
    }
    for (const img of side.querySelectorAll("img"))
      if (!img.naturalWidth) out.push(`broken image ${img.getAttribute("src")}`);
    walk(side, out);
    results.push(out);
  }
  return {results, docWidth: document.documentElement.scrollWidth, vw};
}
"""


@dataclass(frozen=True)
class CardSide:
    label: str  # "entry-id (dlexport Q&A, answer)"
    html: str  # card.question() or card.answer(): the rendered template, the note type's CSS included
    ord: int  # card template number, for the body's "cardN" class


def render_check(
    package: Path, widths: tuple[int, ...] = (375, 1024), night: tuple[bool, ...] = (False, True)
) -> list[str]:
    """Show every card of `package` (question and answer, "More detail" open) as Anki's reviewer does,
    in headless Chromium, at each screen width in light and/or night mode, and return what reads badly:
    MathJax errors, TeX left untypeset, raw Markdown, anything that makes the card scroll sideways,
    broken images. One line per problem and card side, naming the modes it shows in; [] when clean."""
    web, async_playwright = _anki_web(), _playwright()
    Collection = _anki_collection()
    if not Path(CHROMIUM).is_file():
        raise ConfigError(f"the render check needs Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    if not package.is_file():
        raise ConfigError(f"{package}: no such file")
    with tempfile.TemporaryDirectory(prefix="dlexport-render-") as tmp:
        col = Collection(str(Path(tmp) / "collection.anki2"))
        try:
            try:
                _import(col, package)
            except Exception as exc:  # the backend's own words are the useful message
                return [f"import failed: {exc}"]
            sides = _card_sides(col)
            media = Path(col.media.dir())
        finally:
            col.close()
        found = asyncio.run(_render(sides, media, web, async_playwright, tuple(widths), tuple(night)))
    return _summarise(found)


def _card_sides(col) -> list[CardSide]:
    sides = []
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        kind = note.note_type()["name"] + (f" card {card.ord + 1}" if card.ord else "")
        name = f"{note.fields[0]} ({kind}"
        sides.append(CardSide(f"{name}, question)", card.question(), card.ord))
        sides.append(CardSide(f"{name}, answer)", card.answer(), card.ord))
    return sorted(sides, key=lambda s: (s.ord, s.label))


Found = list[tuple[str, str, str]]  # (card side, mode, problem)


async def _render(sides, media: Path, web: Path, async_playwright, widths, night) -> Found:
    """Every problem seen, width by width. The batches of every width go to pages that run side by side."""
    jobs = [(width, batch) for width in widths for batch in _batches(sides)]
    found: list[Found] = [[] for _ in jobs]
    todo = list(range(len(jobs)))

    async def serve(route) -> None:
        url = urlsplit(route.request.url)
        if f"{url.scheme}://{url.netloc}" != ORIGIN:
            await route.abort()  # cards never reach the network
            return
        path = unquote(url.path)
        if path == "/":
            await route.fulfill(body=REVIEWER_PAGE, content_type="text/html; charset=utf-8")
            return
        base, rel = (web, path[len("/_anki/") :]) if path.startswith("/_anki/") else (media, path[1:])
        file = (base / rel).resolve()
        if file.is_relative_to(base.resolve()) and file.is_file():
            await route.fulfill(path=file)
        else:
            await route.fulfill(status=404, body="")

    async def worker(browser) -> None:
        page = await browser.new_page(viewport={"width": widths[0], "height": 800})
        page.set_default_timeout(120_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.route("**/*", serve)
        await page.goto(f"{ORIGIN}/")
        while todo:
            n = todo.pop(0)
            width, batch = jobs[n]
            if page.viewport_size["width"] != width:
                await page.set_viewport_size({"width": width, "height": 800})
            await _check(page, errors, batch, width, night, found[n])
        await page.context.close()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            await asyncio.gather(*(worker(browser) for _ in range(min(WORKERS, len(jobs)))))
        finally:
            await browser.close()
    return [problem for problems in found for problem in problems]


async def _check(page, errors: list[str], batch: list[CardSide], width: int, night, out: Found) -> None:
    """Show a batch once (typesetting does not depend on colours), check it in each mode. A batch that
    fails, or is too wide for a reason the element walk cannot name, is checked again card by card."""
    errors.clear()
    failure = await page.evaluate(SHOW_JS, [side.html for side in batch]) or "; ".join(errors)
    if failure:
        if len(batch) > 1:
            for side in batch:
                await _check(page, errors, [side], width, night, out)
        else:
            out += [(batch[0].label, _mode(width, n), f"the card did not render: {failure}") for n in night]
        return
    unexplained = []
    for is_night in night:
        body = f"card card{batch[0].ord + 1} isLin" + (" nightMode night_mode" if is_night else "")
        got = await page.evaluate(CHECK_JS, {"bodyClass": body, "night": is_night, "WIDE": WIDE})
        for side, problems in zip(batch, got["results"], strict=True):
            out += [(side.label, _mode(width, is_night), problem) for problem in problems]
        if got["docWidth"] > got["vw"] and not any(WIDE in p for ps in got["results"] for p in ps):
            if len(batch) == 1:
                problem = f"the card is {got['docWidth']} px wide: {WIDE} {got['vw']} px wide"
                out.append((batch[0].label, _mode(width, is_night), problem))
            else:
                unexplained.append(is_night)
    if unexplained:
        for side in batch:
            await _check(page, errors, [side], width, tuple(unexplained), out)


def _mode(width: int, night: bool) -> str:
    return f"{width}px {'night' if night else 'light'}"


def _batches(sides: list[CardSide]):
    batch: list[CardSide] = []
    for side in sides:
        if batch and (len(batch) == BATCH or side.ord != batch[0].ord):
            yield batch
            batch = []
        batch.append(side)
    if batch:
        yield batch


def _summarise(found: Found) -> list[str]:
    """One line per card side and problem, naming the modes it shows in."""
    modes: dict[tuple[str, str], list[str]] = {}
    for label, mode, problem in found:
        seen = modes.setdefault((label, problem), [])
        if mode not in seen:
            seen.append(mode)
    return [f"{label}: {problem} [{', '.join(seen)}]" for (label, problem), seen in modes.items()]


def _anki_web() -> Path:
    """Anki desktop's web folder (reviewer CSS, MathJax and its configuration), from the aqt wheel."""
    spec = importlib.util.find_spec("_aqt")
    web = Path(next(iter(spec.submodule_search_locations))) / "data" / "web" if spec else None
    if web is None or not (web / "js" / "vendor" / "mathjax" / "tex-chtml-full.js").is_file():
        raise ConfigError(
            "the render check needs Anki's reviewer files from the aqt wheel: "
            "pip install --no-deps aqt==<the installed anki version>"
        )
    return web


def _playwright():
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        raise ConfigError("the render check needs Playwright: pip install playwright") from None
    return async_playwright
