"""WeasyPrint layout for the PDF exporter, in its own module so that WeasyPrint is imported only where
pages are laid out: in the workers (or, in a serial build, the build's process), never by `dlexport --help`
or a no-op build."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import logging
import multiprocessing
from pathlib import Path
from urllib.parse import unquote, urlparse

import weasyprint
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from dlexport.exporters.pdf import Layout


def lay_out(job: tuple[str, str, str, list[Path]]) -> Layout:
    name, page, base_url, roots = job
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    logger.propagate = False
    fetcher = LocalFetcher(roots)
    try:
        pdf = _render(page, base_url, fetcher)
    except RefusedURL as exc:
        return Layout(name, b"", exc.url, [], [])
    finally:
        logger.removeHandler(handler)
        _give_back_memory()
    noise = ("HarfBuzz", "fontTools")  # the slower subsetting fallback works; it is not the user's problem
    warnings = [r.getMessage() for r in records if not any(n in r.getMessage() for n in noise)]
    return Layout(name, pdf, None, warnings, sorted(fetcher.files))


def _render(page: str, base_url: str, fetcher: LocalFetcher) -> bytes:
    document = weasyprint.HTML(string=page, base_url=base_url, url_fetcher=fetcher).render()
    out = io.BytesIO()
    document.write_pdf(out)
    return out.getvalue()


def _give_back_memory() -> None:
    """A document laid out leaves the heap large and mostly free (its boxes hold reference cycles): hand
    that back to the system, so that a worker waiting for its next document holds little (a build's
    memory is its processes' sum). Only in a worker: in the build's own process, a collection walks the
    whole corpus, document after document."""
    if multiprocessing.parent_process() is None:
        return
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


class RefusedURL(FatalURLFetchingError):
    def __init__(self, url: str):
        super().__init__(f"refused to fetch {url}")
        self.url = url


class LocalFetcher(URLFetcher):
    """Fetch only data: URIs and regular files under the given folders; anything else stops the build."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.roots = [r.resolve() for r in roots]
        self.files: set[str] = set()

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(unquote(urlparse(url).path)).resolve()
            if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
                self.files.add(str(path))
                return super().fetch(url, headers)
        raise RefusedURL(url)
