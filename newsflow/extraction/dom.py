"""Shared by every extraction step: the parse `Deadline`, one Lexbor tree per page
(`parse_tree`, after the markup check), and text cleaning of nodes and attributes.
"""

from __future__ import annotations

import html as html_lib
import re
import time

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from newsflow.core.errors import PipelineError
from newsflow.extraction import selectors as sel
from newsflow.extraction.markup import check_markup

HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


URLISH = re.compile(r"^(?:https?:)?//|^www\.|\.(?:com|org|net)(?:/|$)", re.IGNORECASE)


CONTROL_CHARS = re.compile(r"[\x00-\x1f]+")


MAX_JSONLD_CHARS = 2_000_000


class Deadline:
    """A cheap wall-clock budget, checked inside loops."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        """Raise ``PipelineError("timeout")`` once the budget is spent."""
        if time.monotonic() > self.end:
            raise PipelineError("timeout", f"parse took longer than {self.seconds:g}s")


def clean_text(text: str | None) -> str:
    """Collapse whitespace runs to one space and strip."""
    if not text:
        return ""
    return " ".join(text.split())


def clean_attr(text: str | None) -> str:
    """``clean_text`` for attribute and JSON values, which are often entity-escaped twice."""
    if not text:
        return ""
    if "&" in text:
        text = html_lib.unescape(text)
    return " ".join(text.split()).strip("\u200b\ufeff")


def parse_tree(text: str, utf8: bytes | None = None) -> LexborHTMLParser:
    """Parse decoded HTML with Lexbor; raise ``PipelineError`` when there is no document
    (``empty``) or its tree could not be built in bounded time and memory
    (``too_complex``, checked before building: see ``markup.check_markup``).

    ``utf8``, when given, must be ``text`` encoded as UTF-8 (the page's own bytes):
    Lexbor parses UTF-8, so passing them saves encoding the text again. Otherwise the
    text is encoded once here, as selectolax would (``errors="ignore"``), and the
    same bytes are scanned and parsed.
    """
    data = utf8 if utf8 is not None else text.encode("utf-8", "ignore")
    check_markup(data)
    try:
        tree = LexborHTMLParser(data)
    except (SelectolaxError, ValueError, RuntimeError) as exc:
        raise PipelineError("empty", f"no HTML document: {exc}") from exc
    if tree.root is None:
        raise PipelineError("empty", "no HTML document")
    return tree


def node_text(node: LexborNode | None) -> str:
    """All text under ``node``, whitespace collapsed (read in C; ``text_lexbor`` is the
    DOM's textContent, the same text as ``text(deep=True)`` at less cost per call)."""
    if node is None:
        return ""
    return clean_text(node.text_lexbor())


def unlink(nodes: list[LexborNode]) -> None:
    # Unlinking (not freeing) keeps handles to nodes inside removed subtrees valid.
    for node in nodes:
        node.decompose(recursive=False)


_STRIP_CSS = ", ".join(sorted(sel.STRIP_TAGS))


# In ``read_meta``'s query without ``script`` (already there): Lexbor returns an element
# once per selector it matches, and each script was read, and its JSON-LD kept, twice.
META_STRIP_CSS = ", ".join(sorted(sel.STRIP_TAGS - {"script"}))


def strip_invisible(tree: LexborHTMLParser) -> None:
    """Unlink ``selectors.STRIP_TAGS`` (one CSS query run in C)."""
    unlink(tree.css(_STRIP_CSS))
