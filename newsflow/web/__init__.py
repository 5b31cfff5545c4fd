"""The worker's web port: the routes (`routes`), their access rule (`auth`) and the
dashboard's static assets (this module).

The operators' dashboard page (``static/index.html`` with its script and style sheet)
is plain, hand-written HTML, JavaScript and CSS shipped inside the package, so a worker
behind a firewall serves it without fetching anything from a CDN. It reads
``api/overview`` every two seconds and draws everything in the browser; the server side
only hands out these bytes.

`asset` is the one entry point for a web handler: it maps a file name (the last part of
``/static/<name>``, or ``index.html`` for ``/``) to its bytes and content type, and
refuses anything that is not a plain file name of this folder, so a request path can
never reach other package files (``../settings.py``) or the file system. `HEADERS` are
the response headers to send with every asset: the page needs nothing beyond its own
origin, so a strict Content-Security-Policy costs nothing and stops injected markup from
running even if a bug let some through.
"""

from __future__ import annotations

import re
from importlib import resources

__all__ = ["CONTENT_TYPES", "HEADERS", "INDEX", "asset", "names"]

INDEX = "index.html"

# Only these kinds are served; anything else in the folder (or asked for) is refused.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}

# Sent with every asset (tests/unit/test_dashboard_page.py runs the page under them).
# no-cache: a browser revalidates, so a worker upgrade never pairs an old script with a
# new overview document.
HEADERS: dict[str, str] = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

# A plain file name: no separators, no leading dot (no "..", no hidden files).
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+")


def _suffix(name: str) -> str:
    return name[name.rfind(".") :].lower()


def asset(name: str) -> tuple[bytes, str]:
    """The bytes and ``Content-Type`` of ``static/<name>``.

    Raises `FileNotFoundError` both for a missing file and for a refused name (a path,
    a hidden file, a kind not in `CONTENT_TYPES`): a handler maps that one error to 404
    without telling a prober which of the two it was.
    """
    if not _NAME.fullmatch(name) or _suffix(name) not in CONTENT_TYPES:
        raise FileNotFoundError(f"no dashboard asset {name!r}")
    path = resources.files(__name__).joinpath("static", name)
    if not path.is_file():
        raise FileNotFoundError(f"no dashboard asset {name!r}")
    return path.read_bytes(), CONTENT_TYPES[_suffix(name)]


def names() -> list[str]:
    """Every file `asset` serves, sorted (for tests and packaging checks)."""
    folder = resources.files(__name__).joinpath("static")
    return sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.is_file() and _NAME.fullmatch(entry.name) and _suffix(entry.name) in CONTENT_TYPES
    )
