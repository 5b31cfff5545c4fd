"""The walk over ``<body>``: each class, id and itemprop classified once against the
vocabulary of ``selectors`` (`classify_nodes`), then one pass cutting the text into
blocks and boxes (`walk`), skipping hidden and boilerplate subtrees; `analyze` runs
both.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import ahocorasick_rs
from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsflow.extraction import compiled as passes
from newsflow.extraction import selectors as sel
from newsflow.extraction.dom import HIDDEN_STYLE, Deadline
from newsflow.extraction.meta import PageMeta, read_meta, read_microdata

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


def _is_hidden(attrs: dict[str, str | None]) -> bool:
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    style = attrs.get("style")
    return bool(style and HIDDEN_STYLE.search(style))


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


NO_CLASS = (0, 0)


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
    known = _classify((cls or "").lower(), (ident or "").lower()) if (cls or ident) else NO_CLASS
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
                read_microdata(node, props, self.pm)
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
    if compiled and passes.lexwalk is not None:
        passes.lexwalk.classify(
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
    if compiled and passes.lexwalk is not None:
        passes.lexwalk.walk(
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
            flags, content = classes.get(node_id, NO_CLASS)
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
