"""The article's body: content roots (known containers, else a readability-style score
per box by length, commas and link density), the blocks under them with end markers,
junk lines, link lists and repeats removed, and the JSON-LD ``articleBody`` when it
is clearly the better text.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Iterator

from newsflow.core.normalize import normalize_for_matching
from newsflow.extraction import selectors as sel
from newsflow.extraction.dom import Deadline, clean_text
from newsflow.extraction.meta import PageMeta
from newsflow.extraction.walk import Page


def find_content_roots(page: Page, deadline: Deadline) -> list[int]:
    """Indices of the boxes holding the article text, in document order.

    Known containers first (``itemprop=articleBody``, ``.item-text``,
    ``.article-body``, ``.entry-content``…, one ``contentN`` level of ``selectors.CLASS_VOCAB``
    at a time) when they hold at least 200 kept characters: the one with most
    text, or all outermost matches when the text is split over several (one
    ``.article-body`` per paragraph). Else a readability-style score: each
    paragraph adds to its container and, decaying, to four more ancestors by
    length and commas; boxes are ranked by score × (1 − link density).
    """
    boxes = page.boxes
    # A box's ``hints`` hold only its content-level bits: one pass over all boxes
    # finds the few with any level, each level is then looked up among them.
    marked = [i for i, b in enumerate(boxes) if b.hints]
    for level in range(sel.CONTENT_LEVELS):
        bit = 1 << level
        matches = [i for i in marked if boxes[i].hints & bit]
        if not matches:
            continue
        mset = set(matches)
        top: list[int] = []
        for i in matches:
            p = boxes[i].parent
            while p >= 0 and p not in mset:
                p = boxes[p].parent
            if p < 0:
                top.append(i)
        lens = [(page.text_len(boxes[i]), i) for i in top]
        total = sum(n for n, _ in lens)
        if total < 200:
            continue
        best_len, best = max(lens, key=lambda x: x[0])
        if best_len >= 0.7 * total:
            return [best]
        return [i for n, i in lens if n > 0]
    deadline.check()
    return _score_roots(page)


_DIRECT_TEXT_TAGS = frozenset({"div", "td", "section", "article", "main"})


_PARA_SCORE_TAGS = frozenset({"p", "pre", "blockquote"})


def _score_roots(page: Page) -> list[int]:
    boxes = page.boxes
    own_len: dict[int, int] = {}
    own_commas: dict[int, int] = {}
    for i, text in enumerate(page.texts):
        b = page.owner[i]
        own_len[b] = own_len.get(b, 0) + len(text)
        own_commas[b] = own_commas.get(b, 0) + text.count(",") + text.count("،")
    scores: dict[int, float] = {}
    for b, text_len in own_len.items():
        tag = boxes[b].tag
        if tag in _PARA_SCORE_TAGS:
            if text_len < 25:
                continue
            node = boxes[b].parent
        elif tag in _DIRECT_TEXT_TAGS:
            if text_len < 80:
                continue
            node = b
        else:
            continue
        score = 1 + own_commas[b] + min(text_len / 100, 3)
        for level in range(5):
            if node <= 0:
                break
            scores[node] = scores.get(node, 0.0) + score / (level + 1)
            node = boxes[node].parent
    if not scores:
        return []
    ranked = sorted(
        ((sc * (1 - page.link_density(boxes[b])), b) for b, sc in scores.items()), reverse=True
    )
    top_score, top = ranked[0]
    parent = boxes[top].parent
    while parent > 0:
        psc = scores.get(parent, 0.0) * (1 - page.link_density(boxes[parent]))
        if psc >= top_score * 0.85:
            top, top_score = parent, max(top_score, psc)
            parent = boxes[top].parent
        else:
            break
    parent = boxes[top].parent
    if parent < 0:
        return [top]
    out: list[int] = []
    last = boxes[parent].last if boxes[parent].last >= 0 else len(boxes) - 1
    for i in range(parent + 1, last + 1):
        sib = boxes[i]
        if sib.parent != parent:
            continue
        if i == top:
            out.append(i)
            continue
        sc = scores.get(i, 0.0)
        if sc >= top_score * 0.25 and page.link_density(sib) < 0.3:
            out.append(i)
    return out


def extract_body(
    page: Page, roots: list[int], deadline: Deadline, *, drop: Iterable[str] = ()
) -> list[str]:
    """Paragraphs of the main text: the kept blocks of the ``roots`` boxes.

    Headings stay as their own paragraphs; link-dominated short blocks, junk lines
    (``Share``, ``اقرأ أيضا``…) and paragraphs equal to ``drop`` (title, lead) are
    removed; an end marker (``/انتهى/``, ``(END)``, ``پایان پیام``) ends the text.
    """
    deadline.check()
    dropped = {normalize_for_matching(d) for d in drop if d}
    idx: list[int] = []
    for r in sorted(set(roots)):
        box = page.boxes[r]
        start = max(box.start, idx[-1] + 1) if idx else box.start
        idx.extend(range(start, box.end))
    return _filter_blocks(page, idx, dropped)


_CELL_TAGS = frozenset({"td", "th"})


def _row_of(page: Page, block: int) -> int:
    """The ``<tr>`` box holding a table-cell block, or -1 (a few steps up at most)."""
    boxes = page.boxes
    b = page.owner[block]
    for _ in range(4):
        if b < 0:
            break
        if boxes[b].tag == "tr":
            return b
        b = boxes[b].parent
    return -1


def _units(page: Page, idx: list[int]) -> Iterator[tuple[str, str, int]]:
    """(text, tag, link characters) of the blocks, the cells of one table row joined.

    A row is one line of the article's table ("3 Kevin Harvick 5033 4"); cell by cell,
    the repeated short values ("1", "0") would be dropped as duplicates and the row's
    meaning lost.
    """
    texts, tags, links = page.texts, page.tags, page.links
    n = len(idx)
    k = 0
    while k < n:
        i = idx[k]
        k += 1
        if tags[i] not in _CELL_TAGS:
            yield texts[i], tags[i], links[i]
            continue
        row = _row_of(page, i)
        parts = [texts[i]]
        n_links = links[i]
        while row >= 0 and k < n and tags[idx[k]] in _CELL_TAGS and _row_of(page, idx[k]) == row:
            parts.append(texts[idx[k]])
            n_links += links[idx[k]]
            k += 1
        yield " ".join(parts), "tr" if len(parts) > 1 else tags[i], n_links


def _has_comment_hint(norm: str) -> bool:
    """A necessary condition for ``COMMENT_WORDS_RE``: a few ``in`` tests cost a tenth
    of the regex search on a paragraph that has none of the words (nearly all)."""
    for hint in sel.COMMENT_WORDS_HINTS:  # noqa: SIM110 (any() over a generator: 1.7x slower)
        if hint in norm:
            return True
    return False


def _has_tail_hint(text: str, offset: int) -> bool:
    """A necessary condition for ``END_MARKER_TAIL_RE.search(text, offset)``."""
    for hint in sel.END_MARKER_TAIL_HINTS:  # noqa: SIM110 (any() over a generator: slower)
        if text.find(hint, offset) >= 0:
            return True
    return False


def _filter_blocks(page: Page, idx: list[int], dropped: set[str]) -> list[str]:
    paragraphs: list[str] = []
    seen: set[str] = set()
    last_tag = ""
    for text, tag, n_links in _units(page, idx):
        density = n_links / len(text)
        # Markers and junk lines are short; long paragraphs skip the (slow) folding.
        if len(text) >= 120:
            norm = text.casefold()
        elif text.isascii():
            norm = text.lower()  # what normalize_for_matching gives for ASCII
        else:
            norm = normalize_for_matching(text)
        if sel.END_MARKER_RE.match(norm):
            break
        offset = max(0, len(text) - 40)  # markers sit at the very end: search only there
        tail = sel.END_MARKER_TAIL_RE.search(text, offset) if _has_tail_hint(text, offset) else None
        if tail and tail.start() > 0:
            paragraphs.append(text[: tail.start()].rstrip())
            break
        if sel.JUNK_LINE_RE.match(norm):
            continue
        if (
            len(paragraphs) >= 2
            and len(text) <= sel.POLICY_PARAGRAPH_MAX_CHARS
            and _has_comment_hint(norm)
            and sel.COMMENT_WORDS_RE.search(norm)
            and sel.POLICY_WORDS_RE.search(norm)
        ):
            break  # the comment section's rules: the article has ended
        if density > 0.6 and len(text) < 300:
            continue
        if tag == "li" and density > 0.3:
            continue
        if not paragraphs and (norm in dropped or normalize_for_matching(text) in dropped):
            continue
        # A repeated label ("Advertisement", "Read more") is dropped; repeated
        # sentences and headings are the article's own (one section per meal plan).
        if norm in seen and tag not in sel.HEADING_TAGS and len(norm.split()) <= 2:
            continue
        seen.add(norm)
        paragraphs.append(text)
        last_tag = tag
    # Short trailing lines after the text (credits, "Share") are rarely body; a table
    # row ending the article is data.
    while paragraphs and len(paragraphs[-1]) < 25 and len(paragraphs) > 1:
        if last_tag == "tr" or paragraphs[-1].endswith((".", "!", "?", "؟", "।", "。", ":")):
            break
        paragraphs.pop()
        last_tag = ""
    return paragraphs


_LD_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,10})\b[^<>]{0,2000}>")


_LD_BREAK_TAGS = frozenset({"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})


# JSON-LD text much longer than what the page shows: the page hides or truncates it.
LD_BODY_RATIO = 3


_LD_BODY_MIN_CHARS = 400


def ld_body_paragraphs(pm: PageMeta, longer_than: int = 0) -> list[str]:
    """The JSON-LD ``articleBody`` as paragraphs: line breaks (or block tags, when a
    site puts markup in it) separate them. Nothing when its raw text has no more than
    ``longer_than`` characters, so the common page pays for one ``len``."""
    if pm.ld_article is None:
        return []
    raw = pm.ld_article.get("articleBody")
    if isinstance(raw, list):
        raw = "\n".join(x for x in raw if isinstance(x, str))
    if not isinstance(raw, str) or len(raw) <= longer_than or not raw.strip():
        return []
    if "<" in raw:

        def _tag(m: re.Match[str]) -> str:
            return "\n" if m.group(2).lower() in _LD_BREAK_TAGS else ""

        raw = _LD_TAG.sub(_tag, raw)
    if "&" in raw:
        raw = html_lib.unescape(raw)
    return [p for p in (clean_text(x) for x in raw.split("\n")) if p]


def prefer_ld_body(paragraphs: list[str], ld_paragraphs: list[str]) -> bool:
    """Whether the JSON-LD body should replace the one read from the page: it is
    several times longer, so the page hid it (a collapsed or paywalled container) or
    the chosen box was a teaser of it."""
    ld_len = sum(len(p) for p in ld_paragraphs)
    if not paragraphs:
        return ld_len > 0
    if ld_len < _LD_BODY_MIN_CHARS:
        return False
    return ld_len > LD_BODY_RATIO * sum(len(p) for p in paragraphs)


def all_text_body(page: Page) -> list[str]:
    """Every kept block of the page, filtered like ``extract_body`` (last resort)."""
    return _filter_blocks(page, list(range(len(page.texts))), set())
