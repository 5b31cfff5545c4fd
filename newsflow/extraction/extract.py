"""Metadata and main text from one Lexbor tree (pure; selectors as data in ``selectors.py``).

Hot path (``analyze``, then the field functions, called by ``parse.py``):

1. ``parse_tree``: markup that would make the tree builder slow is refused
   (``markup.check_markup``, one pass in C), then selectolax/Lexbor builds the tree once.
2. ``read_meta``: one CSS query (run in C) for ``<meta>``, ``<title>``, canonical and
   base links, ``<h1>`` and scripts: JSON-LD is read, then scripts, styles, nav,
   footer… (``selectors.STRIP_TAGS``) are unlinked.
3. ``classify_nodes``: one CSS query for the elements with a class, id, itemprop,
   ``rel=author``, ``<time datetime>`` or a hidden marker; each class/id value is
   classified once (cached) against ``selectors.CLASS_VOCAB``/``ID_VOCAB``:
   boilerplate, known article container, lead, date, tag list, breadcrumb, byline.
   Microdata is read here too. The nodes the metadata steps need are kept.
4. ``walk``: one iterative pass over ``<body>`` cutting the text into blocks
   (paragraphs, headings, list items…) with their link characters, and recording
   every non-inline element as a *box* spanning a range of blocks. Hidden elements
   and boilerplate holding less than half of the page's text (measured in C) are
   skipped with their subtree.
5. ``find_content_roots``: known article containers, else a readability-style score
   per box (length, commas, link density by prefix sums over the block list).
6. ``extract_body``: the blocks of the chosen boxes, end markers, junk lines, link
   lists and repeats removed.

Measured on the 278 pages of arfa/fundus/readability/aeb-dev (≈230 KB of HTML each,
one core, best of 5, str input): building the tree takes 2.05 ms with
``lxml.html`` (1.8 ms from UTF-8 bytes) and 0.86 ms with Lexbor; a Python walk over
every node costs about the same with both (≈0.5-1.0 ms), and Lexbor's CSS engine
(≈0.1 ms per query over the whole document) replaces the per-heuristic XPath
queries, so Lexbor is used. BeautifulSoup (≈16 ms per tree) is not used at all.
Every loop checks a ``Deadline`` so a pathological page ends with
``PipelineError("timeout")``.
"""

from __future__ import annotations

import functools
import html as html_lib
import importlib
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import ahocorasick_rs
import orjson
from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from newsflow.core.errors import PipelineError
from newsflow.core.normalize import normalize_for_matching, to_ascii_digits
from newsflow.extraction import selectors as sel
from newsflow.extraction.keyword_scan import KeywordScan
from newsflow.extraction.markup import check_markup
from newsflow.extraction.urls import join_url

# The compiled passes (``_lexwalk.pyx``, built by ``pip install``) when present. Callers
# may still ask for the Python ones (``compiled=False``, from ``ParseOptions``), which
# give the same results: the switch is for debugging and for the equivalence tests.
_lexwalk: Any = None
try:
    _lexwalk = importlib.import_module("newsflow.extraction._lexwalk")
except ImportError:  # not built (no compiler, other selectolax): the Python passes
    _lexwalk = None
COMPILED_AVAILABLE = _lexwalk is not None

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\s&\s|\sund\s|\set\s|\sو\s|،|\|)\s*", re.IGNORECASE)
_BY_PREFIX = re.compile(
    r"^\s*(?:by|von|par|por|di|door|av|bởi|oleh|بقلم|كتب|كتبت|نویسنده|نوشته|نگارش)\s*:?\s+",
    re.IGNORECASE,
)
_URLISH = re.compile(r"^(?:https?:)?//|^www\.|\.(?:com|org|net)(?:/|$)", re.IGNORECASE)
_CONTROL_CHARS = re.compile(r"[\x00-\x1f]+")
_MAX_JSONLD_CHARS = 2_000_000


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


# ------------------------------------------------------------------------ metadata


@dataclass
class PageMeta:
    """Everything read from ``<head>``, JSON-LD and microdata (before the walk)."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    ld_article: dict[str, Any] | None = None
    ld_objects: list[dict[str, Any]] = field(default_factory=list)
    html_lang: str | None = None
    title_tag: str | None = None
    canonical: str | None = None
    base_url: str | None = None
    h1s: list[str] = field(default_factory=list)

    def first(self, names: Iterable[str]) -> str | None:
        """First non-empty meta value for the first name that has one."""
        for name in names:
            for value in self.meta.get(name, ()):
                v = clean_attr(value)
                if v:
                    return v
        return None

    def all(self, names: Iterable[str]) -> list[str]:
        """Every non-empty meta value for the given names, in order."""
        out: list[str] = []
        for name in names:
            out.extend(v for v in (clean_attr(x) for x in self.meta.get(name, ())) if v)
        return out


def _iter_ld(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node[:200]:
            yield from _iter_ld(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        graph = node.get("@graph")
        if graph is not None:
            yield from _iter_ld(graph, depth + 1)
        main = node.get("mainEntity")
        if isinstance(main, dict | list):
            yield from _iter_ld(main, depth + 1)


def _ld_types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower().rsplit("/", 1)[-1]}
    if isinstance(t, list):
        return {x.lower().rsplit("/", 1)[-1] for x in t if isinstance(x, str)}
    return set()


def _load_json(text: str) -> Any:
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.strip().rstrip(";")
    if not text or len(text) > _MAX_JSONLD_CHARS:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # Raw newlines/tabs inside strings are common on news sites.
        try:
            return orjson.loads(_CONTROL_CHARS.sub(" ", text))
        except orjson.JSONDecodeError:
            return None


_MICRODATA_PROPS = frozenset(
    {"datepublished", "datemodified", "headline", "author", "articlesection"}
)


# Plain type selectors: attribute tests made the query 25% slower than the few extra
# elements cost; the loop checks the attributes it reads.
_META_CSS = "meta, title, base, link, script, h1"


def read_meta(
    tree: LexborHTMLParser,
    url: str,
    deadline: Deadline,
    *,
    strip: bool = False,
    compiled: bool = True,
) -> PageMeta:
    """Collect ``<meta>``, JSON-LD, ``<html lang>``, ``<title>``, canonical links, ``<h1>``.

    One CSS query run by Lexbor in C over the untouched tree, or (``compiled``) one
    walk of ``_lexwalk`` over its structs that enters Python only for the nodes kept
    and the JSON-LD texts: the wrappers and attribute dicts of every matched element
    cost more than the query. JSON-LD
    ``NewsArticle``/``Article``/``ReportageNewsArticle``… (also inside ``@graph`` and
    ``mainEntity``) is ranked: an article type with a headline or body first, a
    ``WebPage`` last. Microdata is read later, by ``classify_nodes``. With ``strip``,
    the same query also finds ``selectors.STRIP_TAGS`` and unlinks them once read
    (what ``strip_invisible`` does, without a second pass over the tree).
    """
    pm = PageMeta()
    root = tree.root
    if root is not None:
        attrs = root.attributes
        pm.html_lang = clean_text(attrs.get("lang") or attrs.get("xml:lang")) or None
    best: tuple[int, dict[str, Any]] | None = None
    title: LexborNode | None
    h1_nodes: list[LexborNode]
    doomed: list[LexborNode]
    if compiled and _lexwalk is not None and root is not None:
        ld_texts, pm.canonical, bases, title, h1_nodes, doomed = _lexwalk.read_meta(
            root, pm.meta, strip, sel.STRIP_TAGS, deadline
        )
        if bases:
            pm.base_url = join_url(url, bases[0])
        for text in ld_texts:
            best = _read_ld(pm, text, best)
    else:
        best, title, h1_nodes, doomed = _read_meta_css(tree, url, deadline, pm, strip)
    if best is not None:
        pm.ld_article = best[1]
    if title is not None:
        pm.title_tag = node_text(title)
    h1s = (node_text(h) for h in h1_nodes)
    pm.h1s = [h for h in h1s if 3 <= len(h) <= 400]
    _unlink(doomed)
    return pm


def _read_ld(
    pm: PageMeta, text: str, best: tuple[int, dict[str, Any]] | None
) -> tuple[int, dict[str, Any]] | None:
    """Keep one JSON-LD script's objects; the best-ranked article so far is returned."""
    for obj in _iter_ld(_load_json(text)):
        pm.ld_objects.append(obj)
        types = _ld_types(obj)
        if types & sel.JSONLD_ARTICLE_TYPES:
            rank = 0 if "webpage" not in types else 1
            if not obj.get("headline") and not obj.get("articleBody"):
                rank += 1
            if best is None or rank < best[0]:
                best = (rank, obj)
    return best


def _read_meta_css(
    tree: LexborHTMLParser, url: str, deadline: Deadline, pm: PageMeta, strip: bool
) -> tuple[
    tuple[int, dict[str, Any]] | None, LexborNode | None, list[LexborNode], list[LexborNode]
]:
    """The Python loop of ``read_meta`` over its CSS query: the best JSON-LD article,
    the ``<title>`` node, the ``<h1>`` nodes and the nodes to unlink."""
    css = _META_CSS + (", " + _META_STRIP_CSS if strip else "")
    best: tuple[int, dict[str, Any]] | None = None
    title_any: LexborNode | None = None
    title_head: LexborNode | None = None
    h1_nodes: list[LexborNode] = []
    doomed: list[LexborNode] = []
    for i, el in enumerate(tree.css(css)):
        if i & 255 == 255:
            deadline.check()
        tag = el.tag
        if tag == "meta":
            attrs = el.attributes
            content = attrs.get("content")
            if content is None:
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = attrs.get(attr)
                if key:
                    for k in key.lower().split():
                        pm.meta.setdefault(k, []).append(content)
        elif tag == "script":
            if strip:
                doomed.append(el)
            if (el.attributes.get("type") or "").lower().strip() != "application/ld+json":
                continue
            deadline.check()
            best = _read_ld(pm, el.text_lexbor(), best)
        elif tag == "h1":
            if len(h1_nodes) < 10:
                h1_nodes.append(el)
        elif tag == "title":
            if title_any is None:
                title_any = el
            if title_head is None:
                parent = el.parent
                if parent is not None and parent.tag in ("head", "html"):
                    title_head = el
        elif tag == "link":
            attrs = el.attributes
            if pm.canonical is None and "canonical" in (attrs.get("rel") or "").lower().split():
                pm.canonical = (attrs.get("href") or "").strip() or None
        elif tag == "base":
            if pm.base_url is None and "href" in el.attributes:
                pm.base_url = join_url(url, (el.attributes.get("href") or "").strip())
        elif strip and tag in sel.STRIP_TAGS:
            doomed.append(el)
    return best, title_head or title_any, h1_nodes, doomed


def _read_microdata(node: LexborNode, props: str, pm: PageMeta) -> None:
    """``itemprop`` values on non-meta elements (``<time itemprop=datePublished>``…)."""
    attrs = node.attributes
    for prop in props.split():
        if prop not in _MICRODATA_PROPS:
            continue
        if prop == "author":
            name = node.css_first('[itemprop~="name" i]')
            value = node_text(name) if name is not None else node_text(node)
        else:
            value = attrs.get("datetime") or attrs.get("content") or node_text(node)
        if value:
            pm.meta.setdefault("microdata:" + prop, []).append(value)


def _ld_str(value: Any) -> str | None:
    if isinstance(value, str):
        v = clean_attr(value)
        return v or None
    if isinstance(value, list):
        for item in value:
            s = _ld_str(item)
            if s:
                return s
    if isinstance(value, dict):
        for key in ("name", "@value", "text"):
            s = _ld_str(value.get(key))
            if s:
                return s
    return None


def ld_get(pm: PageMeta, key: str) -> str | None:
    """A string property of the chosen JSON-LD article."""
    if pm.ld_article is None:
        return None
    return _ld_str(pm.ld_article.get(key))


def site_name(pm: PageMeta) -> str | None:
    """Publisher name: og:site_name → JSON-LD publisher.name → application-name."""
    name = pm.first(("og:site_name",))
    if name:
        return name
    if pm.ld_article is not None:
        pub = pm.ld_article.get("publisher")
        s = _ld_str(pub) if isinstance(pub, dict | list) else None
        if s:
            return s
    return pm.first(("application-name",))


# ------------------------------------------------------------------------ the walk

_TEXT_TAG = "-text"

# Class/id roles (``selectors.CLASS_VOCAB``) as bits; content levels above them.
F_BOILER = 1
F_LEAD = 2
F_DATE = 4
F_TAGS = 8
F_CRUMB = 16
F_BYLINE = 32
F_AUTHOR = 64
F_PROTECT = 128
F_HIDDEN = 256
F_CHROME = 512
_ROLE_BITS = {
    "boilerplate": F_BOILER,
    "protect": F_PROTECT,
    "lead": F_LEAD,
    "date": F_DATE,
    "tags": F_TAGS,
    "crumb": F_CRUMB,
    "byline": F_BYLINE,
    "author": F_AUTHOR,
    "chrome": F_CHROME,
}
_CONTENT_SHIFT = 10  # role bits below, content-level bits from here up
_ROLE_MASK = (1 << _CONTENT_SHIFT) - 1
_ROLE_BITS.update({f"content{i}": 1 << (_CONTENT_SHIFT + i) for i in range(sel.CONTENT_LEVELS)})
_TOKEN_SPLIT = re.compile(r"[\s_-]+")


@dataclass(frozen=True)
class _Vocab:
    """A compiled ``selectors`` vocabulary. Substrings are grouped under their first four
    characters so most values are rejected by a few ``in`` tests; tokens are matched by
    one set intersection, phrases only when a part starts one."""

    words: dict[str, int]
    word_set: frozenset[str]
    phrases: dict[str, int]
    phrase_starts: frozenset[str]
    contains: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
    exact: dict[str, int]
    max_words: int

    @classmethod
    def build(cls, vocab: tuple[tuple[str, str, tuple[str, ...]], ...]) -> _Vocab:
        tokens: dict[str, int] = {}
        contains: dict[str, int] = {}
        exact: dict[str, int] = {}
        for role, kind, literals in vocab:
            bit = _ROLE_BITS[role]
            table = {"token": tokens, "contains": contains, "exact": exact}[kind]
            for lit in literals:
                key = "-".join(_TOKEN_SPLIT.split(lit)) if kind == "token" else lit
                table[key] = table.get(key, 0) | bit
        words = {k: v for k, v in tokens.items() if "-" not in k}
        phrases = {k: v for k, v in tokens.items() if "-" in k}
        grouped: dict[str, list[tuple[str, int]]] = {}
        for lit, bit in contains.items():
            grouped.setdefault(lit[:4], []).append((lit, bit))
        return cls(
            words=words,
            word_set=frozenset(words),
            phrases=phrases,
            phrase_starts=frozenset(k.split("-")[0] for k in phrases),
            contains=tuple((k, tuple(v)) for k, v in grouped.items()),
            exact=exact,
            max_words=max((k.count("-") + 1 for k in phrases), default=1),
        )

    def match(self, value: str) -> int:
        """Role bits of a class attribute or an id."""
        bits = self.exact.get(value, 0)
        for anchor, entries in self.contains:
            if anchor in value:
                for lit, bit in entries:
                    if lit in value:
                        bits |= bit
        parts = value.replace("_", " ").replace("-", " ").split()
        pset = set(parts)
        for word in self.word_set.intersection(pset):
            bits |= self.words[word]
        if not self.phrase_starts.isdisjoint(pset):
            n = len(parts)
            for i in range(n):
                gram = parts[i]
                if gram not in self.phrase_starts:
                    continue
                for j in range(i + 1, min(n, i + self.max_words)):
                    gram = f"{gram}-{parts[j]}"
                    bits |= self.phrases.get(gram, 0)
        return bits


_CLASS_VOCAB = _Vocab.build(sel.CLASS_VOCAB)
_ID_VOCAB = _Vocab.build(sel.ID_VOCAB)


@functools.lru_cache(maxsize=65536)
def _match_class_token(token: str) -> int:
    return _CLASS_VOCAB.match(token)


@functools.lru_cache(maxsize=65536)
def _match_class(value: str) -> int:
    # Per class token: tokens ("row", "menu-item", "wp-block-image") recur across
    # sites far more than whole attribute values do.
    bits = 0
    for token in value.split()[:40]:
        bits |= _match_class_token(token)
    return bits


@functools.lru_cache(maxsize=16384)
def _match_id(value: str) -> int:
    return _ID_VOCAB.match(value[:200])


def _classify(cls: str, ident: str) -> tuple[int, int]:
    """(role flags, content-level bit mask) for a lower-cased class/id pair; cached per
    value because the same classes repeat on every item of a list and every page of a
    site. Boilerplate unless either value is protected (``article-body``…)."""
    bits = (_match_class(cls) if cls else 0) | (_match_id(ident) if ident else 0)
    if bits & F_PROTECT:
        bits &= ~F_BOILER
    return bits & _ROLE_MASK, bits >> _CONTENT_SHIFT


def _itemprop_bits(itemprop: str) -> tuple[int, int]:
    bits = 0
    for token in itemprop.split():
        role = sel.ITEMPROP_VOCAB.get(token)
        if role:
            bits |= _ROLE_BITS[role]
    return bits & _ROLE_MASK, bits >> _CONTENT_SHIFT


def _unlink(nodes: list[LexborNode]) -> None:
    # Unlinking (not freeing) keeps handles to nodes inside removed subtrees valid.
    for node in nodes:
        node.decompose(recursive=False)


_STRIP_CSS = ", ".join(sorted(sel.STRIP_TAGS))
# In ``read_meta``'s query without ``script`` (already there): Lexbor returns an element
# once per selector it matches, and each script was read, and its JSON-LD kept, twice.
_META_STRIP_CSS = ", ".join(sorted(sel.STRIP_TAGS - {"script"}))


def strip_invisible(tree: LexborHTMLParser) -> None:
    """Unlink ``selectors.STRIP_TAGS`` (one CSS query run in C)."""
    _unlink(tree.css(_STRIP_CSS))


def _is_hidden(attrs: dict[str, str | None]) -> bool:
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    style = attrs.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _visible_len(text: str) -> int:
    return len(text) - sum(text.count(c) for c in " \n\t\r")


def _less_visible(text: str, limit: float) -> bool:
    """``_visible_len(text) < limit``, without counting when the length alone decides."""
    return len(text) < limit or _visible_len(text) < limit


ARTICLE_TAGS = frozenset({"article", "main"})


def ancestor_tags(node: LexborNode, limit: int = 40) -> set[str]:
    out: set[str] = set()
    p = node.parent
    while p is not None and limit:
        tag = p.tag
        if tag:
            out.add(tag)
        p = p.parent
        limit -= 1
    return out


@dataclass
class DomHints:
    """What the classification pass found, in document order: each classified
    element's (flags, content hints) by node id, and the nodes metadata steps read."""

    classes: dict[int, tuple[int, int]] = field(default_factory=dict)
    # ids of the ancestors of known article containers: never dropped as boilerplate
    keep: set[int] = field(default_factory=set)
    date_nodes: list[LexborNode] = field(default_factory=list)
    time_values: list[str] = field(default_factory=list)
    time_nodes: list[LexborNode] = field(default_factory=list)  # the elements of time_values
    lead_nodes: list[LexborNode] = field(default_factory=list)
    tag_containers: list[LexborNode] = field(default_factory=list)
    tag_headings: list[LexborNode] = field(default_factory=list)
    crumb_nodes: list[LexborNode] = field(default_factory=list)
    author_nodes: list[LexborNode] = field(default_factory=list)
    byline_nodes: list[LexborNode] = field(default_factory=list)


_MAX_SPECIAL = 60
_NO_CLASS = (0, 0)
# (class, id) as written → ``_classify``: shared by all pages, because one site's pages
# repeat the same values; emptied when full rather than evicted one by one.
# Long values (generated utility-class soups) are not kept, so the cache stays small.
_CLASSIFIED: dict[tuple[str | None, str | None], tuple[int, int]] = {}
_MAX_CLASSIFIED = 50_000  # about 12 MB
_MAX_CACHED_CHARS = 300


# Every spelling of the tag-heading words, found in one pass over the page text (a
# dozen ``in`` scans of a long text cost twice as much).
_HEADING_SPELLINGS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (w, (w,)) for w in sel.TAG_HEADING_WORDS
) + tuple((w, (w, w.capitalize(), w.upper())) for w in sel.TAG_HEADING_WORDS_ANY_CASE)
_HEADING_FINDER = ahocorasick_rs.AhoCorasick(
    [s for _, spellings in _HEADING_SPELLINGS for s in spellings],
    matchkind=ahocorasick_rs.MatchKind.Standard,
)


def _heading_words(text: str) -> list[str]:
    """The tag-heading words ``text`` contains (in any of their spellings), in the
    order of ``selectors``."""
    found = set(_HEADING_FINDER.find_matches_as_strings(text, overlapping=True))
    if not found:
        return []
    return [w for w, spellings in _HEADING_SPELLINGS if not found.isdisjoint(spellings)]


def _lookup_class(cls: str | None, ident: str | None) -> tuple[int, int]:
    """``_classify`` for a (class, id) pair as written, through the shared cache."""
    known = _classify((cls or "").lower(), (ident or "").lower()) if (cls or ident) else _NO_CLASS
    if len(cls or "") + len(ident or "") <= _MAX_CACHED_CHARS:
        _CLASSIFIED[(cls, ident)] = known
    return known


class _AttrReader:
    """Flags from the attributes other than class/id (hidden markers, itemprop,
    ``<time datetime>``, ``rel=author``), with the page's microdata budget."""

    __slots__ = ("hints", "microdata", "pm")

    def __init__(self, hints: DomHints, pm: PageMeta | None) -> None:
        self.hints = hints
        self.pm = pm
        self.microdata = 0

    def bits(
        self, node: LexborNode, cls: str | None, ident: str | None
    ) -> tuple[tuple[int, int], int]:
        """The compiled pass's call for an element with other attributes: its bits,
        and 1 when one of the selectors of ``CLASSIFY_CSS`` matches it (0: the Python
        pass would not see it). Each element is read once, however many selectors
        match (Lexbor's query returns it once per selector; the Python pass skips the
        repeats)."""
        attrs = node.attributes
        rel = attrs.get("rel")
        aria = attrs.get("aria-hidden")
        style = (attrs.get("style") or "").lower()
        times = (
            (cls is not None)
            + (ident is not None)
            + ("itemprop" in attrs)
            + ("hidden" in attrs)
            + (rel is not None and rel.lower() == "author")
            + (aria is not None and aria.lower() == "true")
            + ("none" in style)
            + ("hidden" in style)
            + ("datetime" in attrs and node.tag == "time")
        )
        known = _CLASSIFIED.get((cls, ident))
        if known is None:
            known = _lookup_class(cls, ident)
        if not times:
            return known, 0
        return self.more_bits(node, attrs, known), 1

    def more_bits(
        self, node: LexborNode, attrs: dict[str, str | None], known: tuple[int, int]
    ) -> tuple[int, int]:
        flags, content = known
        hints = self.hints
        if ("style" in attrs or "hidden" in attrs or "aria-hidden" in attrs) and _is_hidden(attrs):
            flags |= F_HIDDEN
        itemprop = attrs.get("itemprop")
        if itemprop:
            props = itemprop.lower()
            if self.pm is not None and self.microdata < 200 and node.tag != "meta":
                self.microdata += 1
                _read_microdata(node, props, self.pm)
            f2, c2 = _itemprop_bits(props)
            flags |= f2
            content |= c2
        if "datetime" in attrs:
            dt = attrs.get("datetime")
            if dt and len(hints.time_values) < 20 and node.tag == "time":
                hints.time_values.append(dt)
                hints.time_nodes.append(node)
        if "rel" in attrs and attrs.get("rel") == "author":
            flags |= F_AUTHOR
        return flags, content

    def note_roles(self, node: LexborNode, flags: int) -> None:
        """Keep a node with a metadata role (bounded lists, document order)."""
        hints = self.hints
        if flags & F_DATE and len(hints.date_nodes) < _MAX_SPECIAL:
            hints.date_nodes.append(node)
        if flags & F_LEAD and len(hints.lead_nodes) < 10:
            hints.lead_nodes.append(node)
        if flags & F_TAGS and len(hints.tag_containers) < 3:
            hints.tag_containers.append(node)
        if flags & F_CRUMB and not hints.crumb_nodes:
            hints.crumb_nodes.append(node)
        if flags & F_AUTHOR and len(hints.author_nodes) < 5:
            hints.author_nodes.append(node)
        if flags & F_BYLINE and len(hints.byline_nodes) < 5:
            hints.byline_nodes.append(node)


def classify_nodes(
    tree: LexborHTMLParser,
    body_text: str,
    deadline: Deadline,
    pm: PageMeta | None = None,
    *,
    compiled: bool = True,
) -> DomHints:
    """One pass over the elements that carry a class, id, itemprop or ``rel=author``
    (selected in C): boilerplate, content hints and metadata roles by the cached
    ``_classify``; the walk then looks flags up by node id instead of reading
    attributes again. Tag-block headings (``سمات``, ``Tags``…) are looked for only
    when the page text contains one of the words. The compiled ``_lexwalk`` pass,
    when built, gives the same hints without a wrapper per element.
    """
    hints = DomHints()
    body = tree.body
    if body is None:
        return hints
    classes = hints.classes
    reader = _AttrReader(hints, pm)
    cache = _CLASSIFIED
    if len(cache) > _MAX_CLASSIFIED:
        cache.clear()
    if compiled and _lexwalk is not None:
        _lexwalk.classify(
            body,
            classes,
            hints.keep,
            cache,
            _lookup_class,
            reader.bits,
            reader.note_roles,
            deadline,
            2000,
            F_BOILER,
            F_PROTECT,
        )
    else:
        seen: set[int] = set()
        for i, node in enumerate(body.css(sel.CLASSIFY_CSS)):
            if i & 255 == 255:
                deadline.check()
            mem_id = node.mem_id
            if mem_id in seen:  # returned again for another matching selector
                continue
            seen.add(mem_id)
            attrs = node.attributes
            cls = attrs.get("class")
            ident = attrs.get("id")
            known = cache.get((cls, ident))
            if known is None:
                known = _lookup_class(cls, ident)
            # Most elements carry only a class and/or an id: skip the other tests.
            if len(attrs) > (cls is not None) + (ident is not None):
                known = reader.more_bits(node, attrs, known)
            flags, content = known
            if not (flags or content):
                continue
            classes[mem_id] = known
            if (content or flags & F_PROTECT) and len(hints.keep) < 2000:
                parent = node.parent
                while parent is not None and parent.mem_id not in hints.keep:
                    hints.keep.add(parent.mem_id)
                    parent = parent.parent
            if flags & ~F_BOILER:
                reader.note_roles(node, flags)
    words = _heading_words(body_text)
    if words:
        deadline.check()
        css = ", ".join(
            f'{tag}:lexbor-contains("{word}"{" i" if word.isascii() else ""})'
            for tag in sel.TAG_HEADING_TAGS
            for word in words
        )
        for node in body.css(css)[:50]:
            if len(node.text_lexbor()) <= 40:
                hints.tag_headings.append(node)
                if len(hints.tag_headings) >= 5:
                    break
    return hints


# Per tag, what the walk does with it, as bits of one dict lookup.
_K_DROP = 1  # skipped with its subtree (``DROP_TAGS`` other than the guarded ones)
_K_GUARDED = 2
_K_INLINE = 4
_K_START = 8  # a paragraph or heading: its blocks take its tag
_K_BREAK = 16  # ``br``/``hr``: a block boundary, not a box
_TAG_KINDS: dict[str, int] = {}
for _tag in sel.DROP_TAGS | sel.GUARDED_TAGS | sel.INLINE_TAGS | sel.PARAGRAPH_TAGS:
    _TAG_KINDS[_tag] = (
        (_K_DROP if _tag in sel.DROP_TAGS and _tag not in sel.GUARDED_TAGS else 0)
        | (_K_GUARDED if _tag in sel.GUARDED_TAGS else 0)
        | (_K_INLINE if _tag in sel.INLINE_TAGS else 0)
    )
for _tag in sel.PARAGRAPH_TAGS | sel.HEADING_TAGS:
    _TAG_KINDS[_tag] = _TAG_KINDS.get(_tag, 0) | _K_START
for _tag in ("br", "hr"):
    _TAG_KINDS[_tag] = _TAG_KINDS.get(_tag, 0) | _K_BREAK


class Box:
    """One non-inline element: the range ``[start, end)`` of blocks it holds."""

    __slots__ = ("end", "hints", "last", "node", "parent", "start", "tag")

    def __init__(self, node: LexborNode, tag: str, parent: int, start: int, hints: int) -> None:
        self.node = node
        self.tag = tag
        self.parent = parent
        self.start = start
        self.end = start
        self.last = -1  # index of the last descendant box
        self.hints = hints


@dataclass
class Page:
    """The walk's output: blocks (paragraph units) in document order and the boxes
    (non-inline elements) that contain them."""

    texts: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    links: list[int] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)  # innermost box of each block
    boxes: list[Box] = field(default_factory=list)
    char_prefix: list[int] = field(default_factory=lambda: [0])
    link_prefix: list[int] = field(default_factory=lambda: [0])

    def text_len(self, box: Box) -> int:
        """Characters of text inside ``box``."""
        return self.char_prefix[box.end] - self.char_prefix[box.start]

    def link_density(self, box: Box) -> float:
        """Share of ``box``'s text that sits inside links."""
        total = self.char_prefix[box.end] - self.char_prefix[box.start]
        if total <= 0:
            return 1.0
        return (self.link_prefix[box.end] - self.link_prefix[box.start]) / total


def walk(
    tree: LexborHTMLParser,
    hints: DomHints,
    deadline: Deadline,
    body_text: str | None = None,
    *,
    compiled: bool = True,
) -> Page:
    """One pass over ``<body>``: text blocks and the boxes holding them.

    Run after ``read_meta(strip=True)`` and ``classify_nodes``. Skipped with their
    subtree: ``selectors.DROP_TAGS`` (except the guarded ``form``/``aside``/
    ``header``), inline boilerplate, and block boilerplate (by class/id, or a guarded
    tag) holding less than half of the page's visible text, measured in C before
    descending (an ASP.NET page wraps everything in one form; a page wrapper named
    ``has-sidebar`` is not a sidebar). Whitespace-only text nodes are skipped in C;
    a space is put back between two adjacent inline elements.
    """
    page = Page()
    body = tree.body
    if body is None:
        return page
    if body_text is None:
        body_text = body.text(deep=True)
    half_total = _visible_len(body_text) / 2
    if compiled and _lexwalk is not None:
        _lexwalk.walk(
            body,
            page,
            hints.classes,
            hints.keep,
            _TAG_KINDS,
            sel.PARAGRAPH_TAGS,
            Box,
            _less_visible,
            half_total,
            deadline,
            _K_DROP,
            _K_GUARDED,
            _K_INLINE,
            _K_START,
            _K_BREAK,
            F_BOILER,
            F_HIDDEN,
        )
        _prefix_sums(page)
        return page
    texts, btags, links, owner, boxes = page.texts, page.tags, page.links, page.owner, page.boxes
    parts: list[str] = []
    link_chars = 0
    link_depth = 0
    after_close = False
    cur_tag = "p"
    block_stack: list[str] = []
    boxes.append(Box(body, "body", -1, 0, 0))
    cur_box = 0
    kinds = _TAG_KINDS
    para_tags = sel.PARAGRAPH_TAGS
    classes = hints.classes
    keep = hints.keep
    # frame: (children, tag, box index or -1, boundary?, link?)
    stack: list[tuple[Iterator[LexborNode], str, int, bool, bool]] = [
        (body.iter(include_text=True, skip_empty=True), "body", 0, True, False)
    ]
    count = 0

    def flush() -> None:
        nonlocal link_chars
        text = " ".join("".join(parts).split())
        parts.clear()
        if text:
            texts.append(text)
            btags.append(cur_tag)
            links.append(min(link_chars, len(text)))
            owner.append(cur_box)
        link_chars = 0

    while stack:
        # A for loop over the current element's children, left by ``break`` to descend
        # (the parent's iterator resumes later) and by ``else`` when they are done.
        for child in stack[-1][0]:
            tag = child.tag
            if tag == _TEXT_TAG:
                data = child.text_content
                if data:
                    parts.append(data)
                    after_close = False
                    if link_depth:
                        link_chars += len(data.strip())
                continue
            if not tag or tag[0] == "-":
                continue  # comments, doctype
            count += 1
            if count & 255 == 0:
                deadline.check()
            kind = kinds.get(tag, 0)
            if kind & _K_DROP:
                continue
            node_id = child.mem_id
            flags, content = classes.get(node_id, _NO_CLASS)
            if flags & F_HIDDEN:
                continue
            inline = kind & _K_INLINE
            if inline:
                content = 0  # "story-body__link": a link inside the body, not a container
            # ``text_lexbor`` (the DOM's textContent) equals ``text(deep=True)`` and
            # costs a quarter less per call: no per-text-node callback.
            if (
                (flags & F_BOILER or kind & _K_GUARDED)
                and not content
                and node_id not in keep
                and (inline or _less_visible(child.text_lexbor(), half_total))
            ):
                continue
            if inline:
                if after_close:
                    parts.append(" ")
                box = -1
                boundary = False
            else:
                if parts:
                    flush()
                else:
                    link_chars = 0
                after_close = False
                if kind & _K_START:
                    cur_tag = tag
                block_stack.append(tag)
                boundary = True
                if kind & _K_BREAK:
                    box = -1
                else:
                    box = len(boxes)
                    boxes.append(Box(child, tag, cur_box, len(texts), content))
                    cur_box = box
            is_link = tag == "a"
            if is_link:
                link_depth += 1
            stack.append(
                (child.iter(include_text=True, skip_empty=True), tag, box, boundary, is_link)
            )
            break
        else:
            _it, _tag, box, boundary, is_link = stack.pop()
            if is_link:
                link_depth -= 1
            if boundary:
                if parts:
                    flush()
                else:
                    link_chars = 0
                after_close = False
                if block_stack:
                    block_stack.pop()
                parent_tag = block_stack[-1] if block_stack else "div"
                cur_tag = parent_tag if parent_tag in para_tags else "p"
            else:
                after_close = True
            if box >= 0:
                b = boxes[box]
                b.end = len(texts)
                b.last = len(boxes) - 1
                cur_box = b.parent
    if parts:
        flush()
    _prefix_sums(page)
    return page


def _prefix_sums(page: Page) -> None:
    cprefix = page.char_prefix
    lprefix = page.link_prefix
    c = lk = 0
    for text, n_links in zip(page.texts, page.links, strict=True):
        c += len(text)
        lk += n_links
        cprefix.append(c)
        lprefix.append(lk)


@dataclass
class Analysis:
    """Everything one page's extraction reads: metadata, DOM hints, text blocks."""

    meta: PageMeta
    hints: DomHints
    page: Page
    body_text: str


def analyze(
    tree: LexborHTMLParser, url: str, deadline: Deadline, *, compiled: bool = True
) -> Analysis:
    """The hot path's tree work in order: ``read_meta`` on the untouched tree (which
    also strips invisible markup) → the body text (one C call) → ``classify_nodes``
    (which also reads microdata) → ``walk``."""
    pm = read_meta(tree, url, deadline, strip=True, compiled=compiled)
    body = tree.body
    body_text = body.text(deep=True) if body is not None else ""
    deadline.check()
    hints = classify_nodes(tree, body_text, deadline, pm, compiled=compiled)
    page = walk(tree, hints, deadline, body_text, compiled=compiled)
    return Analysis(pm, hints, page, body_text)


# ------------------------------------------------------------------------ title


def _names_site(part: str, names: list[str]) -> bool:
    """Whether a title part names the site: equal to a name, or one contains the other
    when both have at least four characters ("co" from a host must not match "could")."""
    if not part:
        return False
    for n in names:
        if part == n or (len(n) >= 4 and len(part) >= 4 and (part in n or n in part)):
            return True
    return False


def _strip_site_suffix(title: str, names: list[str]) -> str:
    """Remove a ``| Site`` / ``- Site`` suffix (or prefix) when it names the site."""
    norm_names = [normalize_for_matching(n) for n in names if n]
    for sep in sel.TITLE_SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        if head.strip() and _names_site(normalize_for_matching(tail.strip()), norm_names):
            return head.strip()
        first, _, rest = title.partition(sep)
        if rest.strip() and _names_site(normalize_for_matching(first.strip()), norm_names):
            return rest.strip()
    return title


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "or", "ne", "go"})


def _host_label(host: str) -> str:
    """The registrable label of a host: "dailystar" for www.dailystar.co.uk."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else host


def extract_title(pm: PageMeta, host: str) -> str | None:
    """Title: JSON-LD ``headline`` → ``og:title`` → ``twitter:title`` → microdata
    ``headline`` → ``<h1>`` → ``<title>`` → other title meta.

    The site name (og:site_name, publisher, the host's main label) is removed as a
    suffix or prefix. When an ``<h1>`` is contained in the chosen title (a title
    padded with a site or section name), the ``<h1>`` wins.
    """
    names = [n for n in (site_name(pm), host, _host_label(host)) if n]
    h1s = pm.h1s
    candidates = [
        ld_get(pm, "headline"),
        pm.first(("og:title",)),
        pm.first(("twitter:title",)),
        pm.first(("microdata:headline",)),
        h1s[0] if h1s else None,
        pm.title_tag,
        pm.first(("dc.title", "title", "parsely-title", "sailthru.title")),
    ]
    for cand in candidates:
        if not cand:
            continue
        title = _strip_site_suffix(cand, names)
        for h in h1s:
            if h != title and len(h) >= 10 and h in title:
                return h
        return title
    return None


# ------------------------------------------------------------------------ authors


def _clean_author(name: str) -> str:
    name = _BY_PREFIX.sub("", clean_text(name))
    return name.strip(" ,;|-–—:")


def _split_authors(text: str) -> list[str]:
    return [a for a in (_clean_author(p) for p in _AUTHOR_SPLIT.split(text)) if a]


def extract_authors(hints: DomHints, pm: PageMeta, host: str) -> list[str]:
    """People who wrote the article, never the site.

    Chain: JSON-LD ``author`` (Person, or untyped names) → meta ``author`` /
    ``article:author`` / ``dc.creator`` (non-URL) → microdata ``author`` → DOM
    ``[rel=author]`` / ``.author-name`` / links in ``.byline``. Organization
    authors and names equal to the site name or host are dropped.
    """
    excluded = {normalize_for_matching(x) for x in (site_name(pm), host) if x}
    excluded |= {
        normalize_for_matching(host.split(".")[0]),
        normalize_for_matching(_host_label(host)),
    }
    found: list[str] = []
    if pm.ld_article is not None:
        raw = pm.ld_article.get("author") or pm.ld_article.get("creator")
        items = raw if isinstance(raw, list) else [raw]
        for item in items:
            if isinstance(item, dict):
                if "organization" in _ld_types(item) or "newsmediaorganization" in _ld_types(item):
                    continue
                name = _ld_str(item.get("name"))
                if name:
                    found.extend(_split_authors(name))
            elif isinstance(item, str):
                found.extend(_split_authors(item))
    if not found:
        for value in pm.all(("author", "article:author", "dc.creator", "parsely-author", "byl")):
            if not _URLISH.search(value):
                found.extend(_split_authors(value))
    if not found:
        found.extend(a for v in pm.all(("microdata:author",)) for a in _split_authors(v))
    if not found:
        dom: list[str] = [node_text(n) for n in hints.author_nodes]
        for bl in hints.byline_nodes:
            dom.extend(node_text(a) for a in bl.css("a")[:5])
        for text in dom[:5]:
            if 2 <= len(text) <= 80:
                found.extend(_split_authors(text))
    out: list[str] = []
    seen: set[str] = set()
    for name in found:
        key = normalize_for_matching(name)
        if not key or key in seen or len(name) > 80 or key in excluded:
            continue
        if any(key == e or (len(e) > 3 and e in key and len(key) - len(e) < 4) for e in excluded):
            continue
        if _URLISH.search(name) or name.startswith("@"):
            continue
        seen.add(key)
        out.append(name)
    return out[:20]


# ------------------------------------------------------------------------ tags/section


def _split_keywords(value: str) -> list[str]:
    return [clean_text(p) for p in re.split(r"[,،;]", value) if clean_text(p)]


def _link_texts(node: LexborNode) -> list[str]:
    return [x for x in (node_text(a) for a in node.css("a")[:100]) if x and len(x) <= 60]


def extract_tags(hints: DomHints, pm: PageMeta) -> list[str]:
    """Tags: DOM tag block (a heading such as ``سمات`` then links, or a ``.tags``
    list) → JSON-LD ``keywords`` → ``article:tag`` → ``news_keywords`` → ``keywords``.

    The visible block comes first because ``keywords`` meta is often SEO filler.
    """
    tags: list[str] = []
    for heading in hints.tag_headings:
        if heading.tag in ("a", "title", "option", "button"):
            continue
        text = normalize_for_matching(node_text(heading)).strip(": ")
        if text not in sel.TAG_HEADINGS:
            continue
        # the heading's parent, grandparent…: the first that holds links
        container = heading.parent
        for _ in range(3):
            if container is None:
                break
            links = _link_texts(container)
            if links:
                tags.extend(links)
                break
            container = container.parent
        if tags:
            break
    if not tags:
        for block in hints.tag_containers:
            tags.extend(x.lstrip("#") for x in _link_texts(block))
            if tags:
                break
    if not tags and pm.ld_article is not None:
        kw = pm.ld_article.get("keywords")
        if isinstance(kw, str):
            tags.extend(_split_keywords(kw))
        elif isinstance(kw, list):
            tags.extend(clean_text(k) for k in kw if isinstance(k, str) and clean_text(k))
    if not tags:
        tags.extend(pm.all(("article:tag", "og:article:tag")))
    if not tags:
        for v in pm.all(("news_keywords", "parsely-tags", "keywords")):
            tags.extend(_split_keywords(v))
            break
    out: list[str] = []
    seen: set[str] = set()
    for t in tags:
        key = normalize_for_matching(t)
        if key and key not in seen and len(t) <= 80:
            seen.add(key)
            out.append(t)
    return out[:50]


_HOME_CRUMBS = frozenset(
    {"home", "الرئيسية", "الرئيسيه", "صفحه اصلي", "خانه", "accueil", "startseite"}
)


def extract_section(hints: DomHints, pm: PageMeta, title: str | None) -> str | None:
    """Section: JSON-LD ``articleSection`` → ``article:section`` meta → microdata →
    breadcrumbs (JSON-LD ``BreadcrumbList``, else a DOM ``.breadcrumb``): the last
    item that is neither the home link nor the article title.
    """
    s = ld_get(pm, "articleSection") or pm.first(("article:section", "og:article:section"))
    if s:
        return s
    s = pm.first(("microdata:articlesection",))
    if s:
        return s
    crumbs: list[str] = []
    for obj in pm.ld_objects:
        if "breadcrumblist" in _ld_types(obj):
            items = obj.get("itemListElement")
            if isinstance(items, list):
                for it in items:
                    if isinstance(it, dict):
                        name = _ld_str(it.get("name")) or _ld_str(it.get("item"))
                        if name:
                            crumbs.append(name)
            break
    if not crumbs:
        for bc in hints.crumb_nodes[:1]:
            crumbs = [node_text(a) for a in bc.css("a, li, span")[:50]]
            crumbs = [c for c in crumbs if c and len(c) <= 60 and c not in ">/»›"]
    title_n = normalize_for_matching(title or "")
    for c in reversed(crumbs):
        cn = normalize_for_matching(c)
        if cn in _HOME_CRUMBS or (title_n and (cn == title_n or (cn in title_n and len(cn) > 20))):
            continue
        return c
    return None


# ------------------------------------------------------------------------ ids, images


_ID_KEYWORDS = KeywordScan(sel.EXTERNAL_ID_KEYWORDS)


def extract_external_id(page_text: str, url: str) -> str | None:
    """Agency news code: printed ``رمز الخبر 1942574`` / ``کد خبر`` → number in the URL path."""
    # One scan for all keywords (not one ``find`` each in a lower-cased copy of the
    # page); the first keyword with a number after it still wins, as listed.
    for kw, starts in zip(sel.EXTERNAL_ID_KEYWORDS, _ID_KEYWORDS.starts(page_text), strict=True):
        for i in starts:
            m = sel.EXTERNAL_ID_RE.match(page_text, i, i + len(kw) + 30)
            if m:
                return to_ascii_digits(m.group(1))
    path = urlsplit(url).path
    for rx in sel.EXTERNAL_ID_URL_RES:
        m2 = rx.search(path)
        if m2 and not _YYYYMMDD.match(m2.group(1)):
            return m2.group(1)
    return None


_YYYYMMDD = re.compile(r"^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$")
_BAD_IMG = re.compile(r"(?:pixel|spacer|blank|logo|icon|avatar|sprite)\.|\.svg(?:$|\?)|/ads?/")


def _img_ok(src: str) -> bool:
    low = src.lower()
    return bool(src) and not low.startswith("data:") and not _BAD_IMG.search(low)


def extract_images(pm: PageMeta, body_root: LexborNode | None, base: str) -> list[str]:
    """Images, main first: ``og:image`` → JSON-LD ``image`` → ``twitter:image`` → body ``<img>``."""
    found: list[str] = []
    og = pm.all(("og:image", "og:image:url", "og:image:secure_url"))
    found.extend(og[:1])
    if pm.ld_article is not None:
        img = pm.ld_article.get("image")
        items = img if isinstance(img, list) else [img]
        for it in items[:20]:
            if isinstance(it, str):
                found.append(it)
            elif isinstance(it, dict):
                u = it.get("url") or it.get("contentUrl")
                if isinstance(u, str):
                    found.append(u)
    found.extend(pm.all(("twitter:image", "twitter:image:src"))[:1])
    if body_root is not None:
        for img_el in body_root.css("img")[:40]:
            attrs = img_el.attributes
            src = attrs.get("src") or attrs.get("data-src") or attrs.get("data-original") or ""
            w = attrs.get("width") or ""
            if w.isdigit() and int(w) < 50:
                continue
            found.append(src.strip())
    out: list[str] = []
    done: set[str] = set()  # a lazy-loading page repeats one placeholder src many times
    for src in found:
        src = src.strip()
        if src in done:
            continue
        done.add(src)
        if not _img_ok(src):
            continue
        absu = join_url(base, src)
        if absu.startswith(("http://", "https://")) and absu not in out:
            out.append(absu)
            if len(out) == 20:
                break
    return out


# ------------------------------------------------------------------------ lead


def _in_chrome(node: LexborNode, hints: DomHints, limit: int = 4) -> bool:
    """Whether ``node`` or a near ancestor is page chrome (cookie banner, popup…); page
    wrappers far up ("has-sidebar") do not count."""
    current: LexborNode | None = node
    while current is not None and limit:
        if hints.classes.get(current.mem_id, _NO_CLASS)[0] & F_CHROME:
            return True
        current = current.parent
        limit -= 1
    return False


def extract_lead(hints: DomHints, pm: PageMeta) -> tuple[str | None, str | None]:
    """(lead, printed lead): DOM lead (``.summary``/``.lead``/``.standfirst``…,
    ``itemprop=description``) → JSON-LD ``description`` → ``og:description`` →
    ``description`` meta. The second value is the lead only when it was printed on
    the page (then the body must not repeat it); a description is metadata only.

    The printed lead wins because meta descriptions are often truncated.
    """
    desc = ld_get(pm, "description") or pm.first(sel.META_DESCRIPTION)
    if desc and desc[:1] in "|–—-:·»«/":
        desc = None  # "| Site News": an empty template field followed by the site name
    for node in hints.lead_nodes:
        if node.tag in ("meta", "html", "body", "section", "main", "article"):
            continue
        text = node_text(node)
        if not 40 <= len(text) <= 1200 or len(node.css("p")) > 2:
            continue
        if _in_chrome(node, hints) or ancestor_tags(node) & {"li", "aside"}:
            continue
        return text, text
    return desc, None


# ------------------------------------------------------------------------ body


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
