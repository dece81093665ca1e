"""load_corpus(dir) -> Corpus: read topics.yaml, sources.yaml and one YAML file per topic, check
everything, and report every problem at once as `path:line:col: message`."""

from __future__ import annotations

import contextlib
import re
from functools import cached_property
from pathlib import Path
from typing import Any

from dlexport.checkcache import CheckCache, TopicFile
from dlexport.errors import CorpusError, Problem
from dlexport.markup import IMAGE_TYPES, check_markdown
from dlexport.model import (
    DIFFICULTIES,
    ENTRY_SCHEMA,
    MARKDOWN_FIELDS,
    STATUSES,
    Corpus,
    Entry,
    Source,
    Topic,
    numbered,
)
from dlexport.output import cache_dir, cpus, worker_pool, workers_for
from dlexport.yamlnodes import Node, parse_yaml, position_in

TOPICS_FILE = "topics.yaml"
SOURCES_FILE = "sources.yaml"

ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A topic's own files are named by its id: these would overwrite the documents of the whole corpus
# (cheatsheet.pdf, handout.pdf, quiz.pdf, and README.md on a disk that ignores case).
RESERVED_TOPIC_IDS = ("cheatsheet", "handout", "quiz", "readme")
TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_:.+-]*")
SOURCE_REF = re.compile(r"(?P<key>[a-z0-9][a-z0-9_-]*)(?:#(?P<n>\d{1,6}))?")
MAX_QUESTIONS = 100_000  # per source list: a bound on what `stats` enumerates
CLOZE = re.compile(r"\{\{c(\d+)::")

ENTRY_FIELDS = {spec.name: (spec.kind, spec.required) for spec in ENTRY_SCHEMA}
_TYPE_NAMES = {
    str: "a string",
    list: "a list",
    bool: "true or false",
    int: "a whole number",
    dict: "a mapping",
}


class _File:
    """One YAML file being checked: its nodes, its source lines, and where its problems go."""

    def __init__(self, path: Path, problems: list[Problem], text: str | None):
        self.path = path
        self.problems = problems
        before = len(problems)
        self.lines = text.splitlines() if text is not None else []
        self.root = parse_yaml(path, text, problems) if text is not None else None
        self.broken = len(problems) > before

    @classmethod
    def read(cls, path: Path, problems: list[Problem]) -> _File:
        return cls(path, problems, read_text(path, problems))

    @cached_property
    def folder(self) -> Path:
        """The resolved folder of the file: images must lie below it (resolved once, when needed)."""
        return self.path.parent.resolve()

    def error(self, node: Node, message: str, entry_id: str | None = None, offset: int | None = None) -> None:
        line, col = (node.line, node.col) if offset is None else position_in(node, offset, self.lines)
        self.problems.append(Problem(self.path, line, col, message, entry_id))

    def mapping(
        self, node: Node | None, fields: dict[str, tuple[type, bool]], what: str, entry_id: str | None = None
    ) -> dict[str, Any] | None:
        """Check a mapping's keys and value types; return plain values for the fields that are fine."""
        if node is None and self.broken:
            return None  # the syntax error is already reported
        if node is None or node.kind != "mapping":
            where = node or Node(None, 1, 1)
            self.error(where, f"{what} must be a mapping", entry_id)
            return None
        values: dict[str, Any] = {}
        for name, value in node.value.items():
            if name not in fields:
                allowed = ", ".join(fields)
                self.error(node.keys[name], f"unknown key '{name}' in {what} (allowed: {allowed})", entry_id)
                continue
            if value.refused:
                continue
            expected = fields[name][0]
            ok = isinstance(value.value, expected) and not (expected is int and isinstance(value.value, bool))
            if not ok:
                self.error(value, f"'{name}' must be {_TYPE_NAMES[expected]}", entry_id)
                continue
            values[name] = value
        for name, (_, required) in fields.items():
            if required and name not in node.value:
                self.error(node, f"missing required key '{name}' in {what}", entry_id)
        return values

    def strings(self, node: Node, name: str, entry_id: str | None) -> list[tuple[str, Node]]:
        out = []
        for item in node.value:
            if item.kind != "scalar" or not isinstance(item.value, str) or not item.value:
                self.error(item, f"every item of '{name}' must be a non-empty string", entry_id)
            else:
                out.append((item.value, item))
        return out


RESERVED_TAGS = ("dlexport::", "topic::", "difficulty::")  # the tags dlexport sets itself
MAX_FILE_BYTES = 64 * 1024 * 1024  # far beyond any real topic file; keeps a stray dump from eating memory


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """A corpus file's text, or None with the reason in `problems` (not a file, unreadable, not UTF-8)."""
    data = read_bytes(path, problems)
    return None if data is None else decode(path, data, problems)


def read_bytes(path: Path, problems: list[Problem]) -> bytes | None:
    """A corpus file's bytes, or None with the reason in `problems` (not a file, too large, unreadable)."""
    try:
        if not path.is_file():
            what = "a broken symbolic link" if path.is_symlink() else "not a regular file"
            problems.append(Problem(path, 0, 0, f"cannot read: {what}"))
            return None
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(Problem(path, 0, 0, f"larger than {MAX_FILE_BYTES // 2**20} MiB"))
            return None
        return path.read_bytes()
    except OSError as exc:
        problems.append(Problem(path, 0, 0, f"cannot read: {exc.strerror or exc}"))
        return None


def decode(path: Path, data: bytes, problems: list[Problem]) -> str | None:
    """`data` as UTF-8 text, or None with where it is not in `problems`."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line, col = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        hint = " (it looks like UTF-16)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        problems.append(Problem(path, line, col, f"not UTF-8 text: byte 0x{data[exc.start]:02x}{hint}"))
        return None


def _present(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def load_corpus(root: Path | str) -> Corpus:
    """Load and validate a corpus directory. Raises CorpusError listing every problem found."""
    root = Path(root)
    problems: list[Problem] = []
    if not _present(root / TOPICS_FILE):
        raise CorpusError([Problem(root / TOPICS_FILE, 1, 1, "no topics.yaml: is this a corpus directory?")])

    topic_meta = _load_topics(_File.read(root / TOPICS_FILE, problems))
    sources: dict[str, Source] = {}
    if _present(root / SOURCES_FILE):
        sources = _load_sources(_File.read(root / SOURCES_FILE, problems))

    chapters = {tid: n for n, tid in enumerate(topic_meta, 1)}
    cache = CheckCache(_cache_folder(), (chapters, sorted((s.key, s.questions) for s in sources.values())))
    paths = [p for p in sorted(root.glob("*.yaml")) if p.name not in (TOPICS_FILE, SOURCES_FILE)]
    checked = _topic_files(paths, chapters, sources, cache)
    entries, drafts, seen_topics = _gather(checked, topic_meta, problems)

    if problems:
        raise CorpusError(problems)
    topics = numbered(
        [
            Topic(tid, title, summary, (*entries[tid], *drafts[tid]), seen_topics.get(tid))
            for tid, (title, summary, _) in topic_meta.items()
        ]
    )
    return Corpus(topics=topics, sources=tuple(sources.values()), root=root.resolve())


def _load_topics(f: _File) -> dict[str, tuple[str, str, Node]]:
    doc = f.mapping(f.root, {"topics": (list, True)}, "topics.yaml")
    out: dict[str, tuple[str, str, Node]] = {}
    if not doc or "topics" not in doc:
        return out
    fields = {"id": (str, True), "title": (str, True), "summary": (str, False)}
    for node in doc["topics"].value:
        t = f.mapping(node, fields, "a topic")
        if not t or "id" not in t or "title" not in t:
            continue
        tid = t["id"].value
        if not ID.fullmatch(tid):
            f.error(t["id"], f"topic id '{tid}' must be kebab-case (a-z, 0-9, single hyphens)")
        elif tid in RESERVED_TOPIC_IDS:
            f.error(t["id"], f"topic id '{tid}' is reserved: a document of all topics has that name")
        elif tid in out:
            f.error(t["id"], f"duplicate topic id '{tid}' (first at line {out[tid][2].line})")
        else:
            out[tid] = (t["title"].value, t["summary"].value if "summary" in t else "", t["id"])
    return out


def _load_sources(f: _File) -> dict[str, Source]:
    doc = f.mapping(f.root, {"sources": (list, True)}, "sources.yaml")
    out: dict[str, Source] = {}
    if not doc or "sources" not in doc:
        return out
    fields = {"key": (str, True), "title": (str, True), "questions": (int, False)}
    for node in doc["sources"].value:
        s = f.mapping(node, fields, "a source")
        if not s or "key" not in s or "title" not in s:
            continue
        key = s["key"].value
        if not SOURCE_REF.fullmatch(key) or "#" in key:
            f.error(s["key"], f"source key '{key}' must be lower-case letters, digits, '-' or '_'")
        elif key in out:
            f.error(s["key"], f"duplicate source key '{key}'")
        else:
            count = s["questions"].value if "questions" in s else None
            if count is not None and not 1 <= count <= MAX_QUESTIONS:
                f.error(s["questions"], f"'questions' must be between 1 and {MAX_QUESTIONS}")
            out[key] = Source(key, s["title"].value, count)
    return out


BYTES_PER_WORKER = 2 * 2**20  # what a checking worker needs to earn its fork (two on 7 MB did, on 2 MB not)


def _topic_files(
    paths: list[Path], chapters: dict[str, int], sources: dict[str, Source], cache: CheckCache
) -> list[TopicFile]:
    """Each topic file checked, or its result from the cache when nothing it depends on has changed.
    When much is left to check, files are checked in parallel."""
    checked: dict[Path, TopicFile] = {}
    todo: list[tuple[Path, bytes, str]] = []
    for path in paths:
        problems: list[Problem] = []
        data = read_bytes(path, problems)
        if data is None:
            checked[path] = TopicFile(path, problems)
            continue
        key = cache.key(data)
        if (kept := cache.get(path, key)) is not None and _same_images(path, kept):
            checked[path] = kept
        else:
            todo.append((path, data, key))
    workers = workers_for(sum(len(data) for _, data, _ in todo), BYTES_PER_WORKER, min(len(todo), cpus()))
    if workers > 1:
        with worker_pool(workers) as pool:
            futures = [pool.submit(_check_topic_file, *job, chapters, sources, cache) for job in todo]
            checked |= {job[0]: future.result() for job, future in zip(todo, futures, strict=True)}
    else:
        checked |= {job[0]: _check_topic_file(*job, chapters, sources, cache) for job in todo}
    if todo:
        cache.prune(paths)
    return [checked[path] for path in paths]


def _check_topic_file(
    path: Path, data: bytes, key: str, chapters: dict[str, int], sources: dict[str, Source], cache: CheckCache
) -> TopicFile:
    """Check one topic file with these bytes (the ones its key was made from) and keep a good result."""
    checked = TopicFile(path)
    f = _File(path, checked.problems, decode(path, data, checked.problems))
    _load_topic_file(f, checked, chapters, sources)
    cache.put(path, key, checked)
    return checked


def _cache_folder() -> Path | None:
    with contextlib.suppress(RuntimeError):  # no home folder: nothing is kept
        return cache_dir() / "checked"
    return None


def _same_images(path: Path, kept: TopicFile) -> bool:
    """Whether the images a kept result shows are still the same usable files (they are not in its key)."""
    folder = path.parent.resolve()
    return all(_image(folder, written) == (None, relative) for written, relative in kept.images.items())


def _load_topic_file(
    f: _File, checked: TopicFile, chapters: dict[str, int], sources: dict[str, Source]
) -> None:
    doc = f.mapping(f.root, {"topic": (str, True), "entries": (list, True)}, "a topic file")
    if not doc or "topic" not in doc:
        return
    topic_id = doc["topic"].value
    checked.topic_at = (doc["topic"].line, doc["topic"].col)
    if topic_id not in chapters:
        f.error(doc["topic"], f"unknown topic '{topic_id}' (declare it in topics.yaml)")
        return
    checked.topic = topic_id
    # Entries get the number `numbered` gives them (it checks), so that each is made once.
    published = 0
    for node in doc["entries"].value if "entries" in doc else []:
        number = f"{chapters[topic_id]}.{published + 1}"
        if entry := _load_entry(f, checked, node, topic_id, sources, number):
            checked.entries.append(entry)
            published += bool(entry.number)


def _gather(
    checked: list[TopicFile], topic_meta: dict, problems: list[Problem]
) -> tuple[dict[str, list[Entry]], dict[str, list[Entry]], dict[str, Path]]:
    """The checks across files (ids unique and existing, one file per topic), and each topic's entries
    and drafts."""
    entries: dict[str, list[Entry]] = {tid: [] for tid in topic_meta}
    drafts: dict[str, list[Entry]] = {tid: [] for tid in topic_meta}
    seen_topics: dict[str, Path] = {}
    seen_ids: dict[str, tuple[Path, int]] = {}
    for c in checked:
        problems += c.problems
        for entry_id, line, col in c.ids:
            if first := seen_ids.get(entry_id):
                message = f"duplicate id '{entry_id}' (first defined at {first[0]}:{first[1]})"
                problems.append(Problem(c.path, line, col, message, entry_id))
            else:
                seen_ids[entry_id] = (c.path, line)
        if c.topic is None:
            continue
        # A topic's entries live in one file; files of drafts (imports) may add to any topic, after it.
        if c.entries and all(e.draft for e in c.entries):
            drafts[c.topic] += c.entries
        elif c.topic in seen_topics:
            message = f"topic '{c.topic}' already has a file: {seen_topics[c.topic].name}"
            problems.append(Problem(c.path, *c.topic_at, message))
        else:
            entries[c.topic] += c.entries
            seen_topics[c.topic] = c.path
    for c in checked:
        for entry_id, target, key, line, col in c.refs:
            if target not in seen_ids:
                problems.append(Problem(c.path, line, col, f"{key} id '{target}' does not exist", entry_id))
            elif target == entry_id:
                relation = "related to" if key == "related" else "a duplicate of"
                problems.append(Problem(c.path, line, col, f"an entry cannot be {relation} itself", entry_id))
    return entries, drafts, seen_topics


def _load_entry(
    f: _File, checked: TopicFile, node: Node, topic_id: str, sources: dict[str, Source], number: str
) -> Entry | None:
    id_node = node.value.get("id") if node.kind == "mapping" else None
    entry_id = id_node.value if id_node and isinstance(id_node.value, str) else None
    e = f.mapping(node, ENTRY_FIELDS, f"entry '{entry_id}'" if entry_id else "an entry", entry_id)
    if e is None:
        return None
    count = len(f.problems)

    if "id" in e:
        if not ID.fullmatch(entry_id):
            f.error(e["id"], f"id '{entry_id}' must be kebab-case (a-z, 0-9, single hyphens)", entry_id)
        else:
            checked.ids.append((entry_id, e["id"].line, e["id"].col))

    draft = "status" in e and e["status"].value == "draft"
    if "status" in e and e["status"].value not in STATUSES:
        f.error(e["status"], f"status must be {' or '.join(STATUSES)}", entry_id)
    for name in ("question", "answer"):
        if name in e and not e[name].value.strip() and not (draft and name == "answer"):
            f.error(e[name], f"'{name}' must not be empty", entry_id)
    for name in ("duplicate_of", "incomplete"):
        if name in e and not draft:
            f.error(e[name], f"'{name}' is only for drafts (status: draft)", entry_id)
    if "duplicate_of" in e:
        target = e["duplicate_of"]
        checked.refs.append((entry_id, target.value, "duplicate_of", target.line, target.col))
    if "difficulty" in e and e["difficulty"].value not in DIFFICULTIES:
        f.error(e["difficulty"], f"difficulty must be one of {', '.join(DIFFICULTIES)}", entry_id)

    tags = f.strings(e["tags"], "tags", entry_id) if "tags" in e else []
    for tag, item in tags:
        if not TAG.fullmatch(tag):
            f.error(item, f"tag '{tag}' must have no spaces (letters, digits, _ - : . +)", entry_id)
        elif tag.lower().startswith(RESERVED_TAGS):
            f.error(
                item,
                f"tag '{tag}' is reserved: dlexport sets {', '.join(RESERVED_TAGS)} tags itself",
                entry_id,
            )
    refs = f.strings(e["sources"], "sources", entry_id) if "sources" in e else []
    for ref, item in refs:
        _check_source(f, item, ref, sources, entry_id)
    related = f.strings(e["related"], "related", entry_id) if "related" in e else []
    checked.refs += [(entry_id, target, "related", item.line, item.col) for target, item in related]

    images = [
        src for name in MARKDOWN_FIELDS if name in e for src in _check_markdown(f, checked, e[name], entry_id)
    ]
    if "cloze" in e:
        _check_cloze(f, e["cloze"], entry_id)

    if len(f.problems) > count or entry_id is None or not {"question", "answer", "difficulty"} <= e.keys():
        return None
    optional = {
        k: e[k].value
        for k in ("details", "cloze", "retired", "status", "duplicate_of", "incomplete")
        if k in e
    }
    return Entry(
        id=entry_id,
        topic=topic_id,
        question=e["question"].value.strip(),
        answer=e["answer"].value.strip(),
        difficulty=e["difficulty"].value,
        tags=tuple(t for t, _ in tags),
        sources=tuple(r for r, _ in refs),
        related=tuple(r for r, _ in related),
        details=(optional.get("details") or "").strip() or None,
        cloze=(optional.get("cloze") or "").strip() or None,
        retired=bool(optional.get("retired")),
        status=optional.get("status"),
        duplicate_of=optional.get("duplicate_of"),
        incomplete=bool(optional.get("incomplete")),
        number="" if optional.get("retired") or optional.get("status") == "draft" else number,
        images=tuple(dict.fromkeys(images)),
        path=f.path,
        line=node.line,
    )


def _check_source(f: _File, item: Node, ref: str, sources: dict[str, Source], entry_id: str | None) -> None:
    m = SOURCE_REF.fullmatch(ref)
    if not m:
        f.error(item, f"source '{ref[:40]}' must be KEY or KEY#N (N at most 6 digits)", entry_id)
        return
    key, n = m["key"], m["n"]
    src = sources.get(key)
    if src is None:
        f.error(item, f"unknown source key '{key}' (declare it in sources.yaml)", entry_id)
    elif src.questions is None and n is not None:
        f.error(item, f"source '{key}' has no numbered questions", entry_id)
    elif src.questions is not None and n is None:
        f.error(item, f"source '{key}' needs a question number: {key}#N (1 to {src.questions})", entry_id)
    elif src.questions is not None and not 1 <= int(n) <= src.questions:
        f.error(item, f"'{ref}': {key} has questions 1 to {src.questions}", entry_id)


def _image(folder: Path, path: str) -> tuple[str | None, str | None]:
    """What is wrong with an image path written in a file in `folder`, or its corpus-relative path."""
    if Path(path).suffix.lower() not in IMAGE_TYPES:
        return f"is not an image file ({', '.join(sorted(IMAGE_TYPES))})", None
    try:
        target = (folder / path).resolve()
        if not target.is_relative_to(folder):
            return "leaves the corpus directory", None
        if not target.is_file():
            return "does not exist", None
    except (OSError, ValueError) as exc:
        return f"cannot be read ({getattr(exc, 'strerror', None) or exc})", None
    return None, target.relative_to(folder).as_posix()


def _check_markdown(f: _File, checked: TopicFile, node: Node, entry_id: str | None) -> list[str]:
    """Report open math and bad images in one field; return the corpus images it shows."""
    images: list[str] = []

    def image_problem(path: str) -> str | None:
        problem, relative = _image(f.folder, path)
        if relative is not None:
            images.append(relative)
            checked.images[path] = relative
        return problem

    for finding in check_markdown(node.value, image_problem):
        f.error(node, finding.message, entry_id, offset=finding.offset)
    return images


def _check_cloze(f: _File, node: Node, entry_id: str | None) -> None:
    text: str = node.value
    starts = list(CLOZE.finditer(text))
    if not starts:
        f.error(node, "cloze has no deletion like {{c1::...}}: Anki would make no card from it", entry_id)
    for m in starts:
        end = text.find("}}", m.end())
        if end == -1:
            f.error(node, "cloze deletion is never closed with '}}'", entry_id, offset=m.start())
            continue
        inner = text[m.end() : end]
        if inner.count("{") != inner.count("}"):
            f.error(node, "a '}}' inside this cloze deletion ends it early", entry_id, offset=m.start())
