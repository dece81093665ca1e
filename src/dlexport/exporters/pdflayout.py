"""WeasyPrint layout for the PDF exporter, in its own module so that WeasyPrint is imported only by
builds that lay out pages (and by their worker processes), never by `dlexport --help` or a no-op build."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

import weasyprint
from weasyprint.urls import FatalURLFetchingError, URLFetcher


def lay_out(job: tuple[str, str, str, list[Path]]) -> tuple[str, bytes, str | None, list[str]]:
    name, page, base_url, roots = job
    return (name, *html_to_pdf(page, base_url, roots))


def html_to_pdf(page: str, base_url: str, roots: list[Path]) -> tuple[bytes, str | None, list[str]]:
    """Lay out and write one document (in a worker process): (pdf, refused URL or None, warnings)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        document = weasyprint.HTML(string=page, base_url=base_url, url_fetcher=LocalFetcher(roots)).render()
        out = io.BytesIO()
        document.write_pdf(out)
    except RefusedURL as exc:
        return b"", exc.url, []
    finally:
        logger.removeHandler(handler)
    noise = ("HarfBuzz", "fontTools")  # the slower subsetting fallback works; it is not the user's problem
    return (
        out.getvalue(),
        None,
        [r.getMessage() for r in records if not any(n in r.getMessage() for n in noise)],
    )


class RefusedURL(FatalURLFetchingError):
    def __init__(self, url: str):
        super().__init__(f"refused to fetch {url}")
        self.url = url


class LocalFetcher(URLFetcher):
    """Fetch only data: URIs and regular files under the given folders; anything else stops the build."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.roots = [r.resolve() for r in roots]

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(unquote(urlparse(url).path)).resolve()
            if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
                return super().fetch(url, headers)
        raise RefusedURL(url)
