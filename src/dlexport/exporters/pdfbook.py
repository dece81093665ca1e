"""Printed documents assembled from parts laid out on their own (pikepdf): the parts' pages in order, their
outlines and named destinations, contents links resolved to pages, and page numbers stamped on."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, OutlineItem

PAGE_LINK = "dlexport-page:"  # a link to a page of the assembled document, written by the front template


def page_count(part: bytes) -> int:
    with pikepdf.open(io.BytesIO(part)) as pdf:
        return len(pdf.pages)


def join(parts: Sequence[bytes]) -> bytes:
    """The pages of `parts`, in order, as one PDF."""
    whole = pikepdf.open(io.BytesIO(parts[0]))
    opened = [pikepdf.open(io.BytesIO(part)) for part in parts[1:]]
    for part in opened:
        whole.pages.extend(part.pages)
    out = io.BytesIO()
    whole.save(out, deterministic_id=True)
    for pdf in [whole, *opened]:
        pdf.close()
    return out.getvalue()


def assemble(parts: Sequence[bytes], folios: bytes, first_folio: int, path: Path) -> None:
    """Write to `path` one PDF of `parts`, page i stamped with page `first_folio + i` of `folios`."""
    book = pikepdf.open(io.BytesIO(parts[0]))
    opened = [pikepdf.open(io.BytesIO(part)) for part in parts[1:]]
    with book.open_outline() as outline:
        for part in opened:
            book.pages.extend(part.pages)  # one copier per part: its links and outline find these pages
            with part.open_outline() as theirs:
                items = _copy_outline(book, theirs.root)
            if items and outline.root and items[0].title == outline.root[-1].title:  # a chapter goes on
                outline.root[-1].children.extend(items.pop(0).children)
            outline.root.extend(items)
    _copy_destinations(book, opened)
    _resolve_page_links(book)
    with pikepdf.open(io.BytesIO(folios)) as stamps:
        for number, page in enumerate(book.pages):
            _stamp(book, page, stamps.pages[first_folio + number], Name(f"/DLFolio{number + 1}"))
    # Saved to a file, not to memory: a book can be hundreds of megabytes.
    book.save(path, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for part in [book, *opened]:
        part.close()


def _stamp(book: pikepdf.Pdf, page: pikepdf.Page, stamp: pikepdf.Page, name: Name) -> None:
    """Draw `stamp` (a page of the same size) over `page`. The name is fixed, so the bytes are the same
    every build, and is the page's own: the pages of a part share one resource dictionary."""
    page.add_resource(book.copy_foreign(stamp.as_form_xobject()), Name.XObject, name=name)
    page.contents_add(book.make_stream(b"q\n"), prepend=True)  # the page's graphics state ends with it
    page.contents_add(book.make_stream(f"\nQ q {name} Do Q\n".encode()))


def _copy_outline(book: pikepdf.Pdf, items: list[OutlineItem]) -> list[OutlineItem]:
    copied = []
    for item in items:
        new = OutlineItem(item.title, destination=_copy_destination(book, item.destination))
        new.children.extend(_copy_outline(book, item.children))
        copied.append(new)
    return copied


def _copy_destinations(book: pikepdf.Pdf, parts: list[pikepdf.Pdf]) -> None:
    """Every anchor of every part stays a named destination: `cheatsheet.pdf#some-entry` still opens there."""
    if "/Names" not in book.Root:
        book.Root.Names = Dictionary()
    if "/Dests" not in book.Root.Names:
        book.Root.Names.Dests = book.make_indirect(Dictionary(Names=Array()))
    names = NameTree(book.Root.Names.Dests)
    for part in parts:
        if "/Names" in part.Root and "/Dests" in part.Root.Names:
            for name, destination in NameTree(part.Root.Names.Dests).items():
                names[name] = _copy_destination(book, destination)


def _copy_destination(book: pikepdf.Pdf, destination: Array) -> Array:
    """[page, how, ...] of a part, on the same page of the book (the part's copier maps pages once)."""
    return Array([book.copy_foreign(destination[0]), *list(destination)[1:]])


def _resolve_page_links(book: pikepdf.Pdf) -> None:
    for page in book.pages:
        for annot in page.get("/Annots", []):
            uri = str(annot.get("/A", {}).get("/URI", ""))
            if uri.startswith(PAGE_LINK):
                target = book.pages[int(uri.removeprefix(PAGE_LINK)) - 1]
                annot.A = Dictionary(S=Name.GoTo, D=Array([target.obj, Name.Fit]))
