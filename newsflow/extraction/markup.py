"""Refuse markup that Lexbor's tree builder would take too long or too much memory on.

Why: a tree being built cannot be interrupted, and the builder is super-linear in
several shapes of markup (measured with selectolax 1.0.2, ``bench/pathological.py``):

- attributes of one element: each new attribute is compared with every earlier one
  (20,000 take 0.8 s, 40,000 take 5 s); the same holds for attributes that repeated
  ``<html>``/``<body>`` tags add to the one root element;
- distinct attribute names and distinct tag names in a document (100,000 of either
  take 1.2 s, 200,000 about 9.5 s);
- nesting depth (20,000 nested ``<div>`` take a second);
- formatting elements left open (``<b>``, ``<font>``…) with different attributes:
  every new paragraph gets a clone of each ("reconstruct the active formatting
  elements"), so 24 KB of markup made 1.3 GB of tree in 2 s;
- ``<option>`` elements of a ``<select>``: each one added makes the builder look at
  every earlier one (10,000 take 0.4 s, 40,000 take 10 s), closed or not;
- and, linear but heavy, millions of tiny elements (1.4 million took 2.3 s, 280 MB).

``check_markup`` counts all of these in one pass over the UTF-8 bytes before the tree
is built (the compiled ``_markup`` scan: 0.1 ms on a corpus page, a sixth of what
Lexbor then takes, and less than the ``text.count("<")`` it replaces;
``markup_stats_python`` is the same scan in Python, about 2.7 ms a page, for installs
without a C compiler) and raises ``PipelineError("too_complex")`` naming what was over
which limit. The limits are far above any page of the development corpus (its maxima,
482 pages: 9,888 elements, 13,949 attributes, 52 on one element, 17 on the root, depth
49, a clone estimate of 22,700, 5 open formatting elements, 63 tag and 245 attribute
names) and well below what costs a second. The depth and clone figures are estimates
(no tree is built): they err high on broken markup, and the cases the estimate cannot
follow are left to the stage's time limit.
"""

from __future__ import annotations

import importlib
import re
from typing import Any, NamedTuple

from newsflow.core.errors import PipelineError

_markup: Any = None
try:
    _markup = importlib.import_module("newsflow.extraction._markup")
except ImportError:  # not built: the Python scan, same numbers
    _markup = None
COMPILED_AVAILABLE = _markup is not None

MAX_ELEMENTS = 500_000
MAX_ATTRIBUTES = 500_000
MAX_ELEMENT_ATTRIBUTES = 500  # on one element, the root element included
MAX_DEPTH = 4_000
MAX_CLONES = 500_000  # elements plus their attributes the builder may clone
MAX_FORMATTING = 512  # formatting elements open at once (the scan stops past it)
MAX_NAMES = 20_000  # distinct tag names, distinct attribute names (each)
MAX_OPTIONS = 5_000  # <option> elements (the corpus' most: 337)
_OPTION = re.compile(rb"<option[\t\n\f\r />]", re.IGNORECASE)


class MarkupStats(NamedTuple):
    """What the scan counted (``tag_names``/``attr_names`` are -1 when not counted)."""

    tags: int  # start tags
    attrs: int  # attributes of start and end tags
    max_attrs: int  # most attributes in one tag
    root_attrs: int  # attributes of every <html> and <body> start tag together
    depth: int  # deepest nesting, optional end tags and void elements not counted
    clones: int  # weight (1 + attributes) of formatting entries open at each tag, summed
    formatting: int  # most formatting elements open at once
    tag_names: int
    attr_names: int


def markup_stats(
    data: bytes, *, distinct: bool = False, cap: int = MAX_NAMES, compiled: bool = True
) -> MarkupStats:
    """Scan UTF-8 markup; with ``distinct`` also count distinct tag and attribute names
    (up to ``cap`` + 1 each)."""
    if compiled and _markup is not None:
        return MarkupStats(*_markup.markup_stats(data, distinct, cap))
    return markup_stats_python(data, distinct=distinct, cap=cap)


def check_markup(data: bytes, *, compiled: bool = True) -> MarkupStats:
    """Raise ``PipelineError("too_complex")`` when building the tree of ``data`` would
    be too slow or too large; the counts otherwise."""
    st = markup_stats(data, compiled=compiled)
    if st.formatting > MAX_FORMATTING:
        _refuse(f"formatting elements open at once: over the limit of {MAX_FORMATTING}")
    _over(st.depth, MAX_DEPTH, "nesting depth")
    _over(st.tags, MAX_ELEMENTS, "elements")
    _over(st.attrs, MAX_ATTRIBUTES, "attributes in all")
    _over(st.max_attrs, MAX_ELEMENT_ATTRIBUTES, "attributes on one element")
    _over(st.root_attrs, MAX_ELEMENT_ATTRIBUTES, "attributes on the <html>/<body> tags")
    _over(st.clones, MAX_CLONES, "formatting-element clones (estimate)")
    if st.tags > MAX_OPTIONS:  # else there cannot be that many
        _over(sum(1 for _ in _OPTION.finditer(data)), MAX_OPTIONS, "<option> elements")
    if st.tags > MAX_NAMES or st.attrs > MAX_NAMES:  # else there cannot be that many
        st = markup_stats(data, distinct=True, compiled=compiled)
        _over(st.tag_names, MAX_NAMES, "distinct tag names")
        _over(st.attr_names, MAX_NAMES, "distinct attribute names")
    return st


def _over(value: int, limit: int, what: str) -> None:
    if value > limit:
        _refuse(f"{what}: {value:,}, over the limit of {limit:,}")


def _refuse(message: str) -> None:
    raise PipelineError("too_complex", f"markup too complex to parse: {message}")


# ------------------------------------------------------------------ the Python scan
# A transliteration of ``nf_scan`` in ``_markup.pyx``: the same tokenizer rules and the
# same model of the list of active formatting elements, so both give the same counts
# (``tests/unit/test_pathological.py`` compares them). Regular expressions do the
# per-byte work.

_FORMAT, _MARKER, _BARRIER, _ROOT, _NOTNEST, _RAW = 1, 2, 4, 8, 16, 32
_CELL, _ROWLIKE, _FOREIGN, _ADOPT, _PLAIN, _CLOSEP, _P = 64, 128, 256, 512, 1024, 2048, 4096
_KINDS: dict[bytes, int] = {
    **dict.fromkeys(
        (b"b", b"big", b"code", b"em", b"font", b"i", b"s", b"small", b"strike"),
        _FORMAT,
    ),
    **dict.fromkeys((b"strong", b"tt", b"u"), _FORMAT),
    b"a": _FORMAT | _ADOPT,
    b"nobr": _FORMAT | _ADOPT,
    **dict.fromkeys(
        (b"applet", b"object", b"marquee", b"template", b"caption"), _MARKER | _BARRIER
    ),
    b"td": _MARKER | _BARRIER | _CELL | _NOTNEST,
    b"th": _MARKER | _BARRIER | _CELL | _NOTNEST,
    b"table": _BARRIER | _CLOSEP,
    b"svg": _BARRIER | _FOREIGN,
    b"math": _BARRIER | _FOREIGN,
    **dict.fromkeys((b"tr", b"tbody", b"thead", b"tfoot"), _ROWLIKE | _NOTNEST),
    b"html": _ROOT | _NOTNEST,
    b"body": _ROOT | _NOTNEST,
    b"head": _NOTNEST,
    **dict.fromkeys(
        (b"script", b"style", b"iframe", b"noembed", b"noframes", b"textarea", b"title"),
        _RAW,
    ),
    b"xmp": _RAW | _CLOSEP,
    b"plaintext": _PLAIN | _CLOSEP,
    **dict.fromkeys(
        (
            *(b"area", b"base", b"br", b"col", b"embed", b"img", b"input", b"link"),
            *(b"meta", b"source", b"track", b"wbr", b"li", b"dt", b"dd", b"option"),
            *(b"optgroup", b"colgroup", b"rb", b"rp", b"rt", b"rtc"),
        ),
        _NOTNEST,
    ),
    b"hr": _NOTNEST | _CLOSEP,
    b"p": _NOTNEST | _CLOSEP | _P,
    **dict.fromkeys(
        (
            *(b"address", b"article", b"aside", b"blockquote", b"center", b"details"),
            *(b"dialog", b"dir", b"div", b"dl", b"fieldset", b"figcaption", b"figure"),
            *(b"footer", b"form", b"header", b"hgroup", b"main", b"menu", b"nav", b"ol"),
            *(b"pre", b"listing", b"section", b"summary", b"ul"),
            *(b"h1", b"h2", b"h3", b"h4", b"h5", b"h6"),
        ),
        _CLOSEP,
    ),
}
_MAX_ENTRIES = MAX_FORMATTING
_MAX_SCOPES = 8192
_SEP = rb"(?:[\t\n\f\r ]|/(?!>))*+"
_NAME = rb"[^\t\n\f\r />][^\t\n\f\r />=]*+"
_VALUE = rb"(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:\"[^\"]*+\"?|'[^']*+'?|[^\t\n\f\r >]*+))?+"
_ATTR = re.compile(_SEP + b"(" + _NAME + b")" + _VALUE)  # one attribute, its name captured
# Every token the scan stops at, found from one "<": a comment, a bogus comment or
# markup declaration (up to ">"), "</>", or a start/end tag with its attributes.
_TOKEN = re.compile(
    rb"<(?:(?P<comment>!--)|(?P<bogus>[!?]|/[^a-zA-Z>])|(?P<empty>/>)"
    rb"|(?P<slash>/?)(?P<name>[a-zA-Z][^\t\n\f\r />]*+)"
    rb"(?P<attrs>(?:" + _SEP + _NAME + _VALUE + rb")*+)" + _SEP + rb"(?P<end>/>|>|\Z))"
)
_RAW_END = {
    name: re.compile(rb"</" + name + rb"[\t\n\f\r />]", re.IGNORECASE)
    for name, kind in _KINDS.items()
    if kind & _RAW
}


class _Model:
    """The list of active formatting elements and the open markers/scope barriers."""

    def __init__(self) -> None:
        self.entries: list[tuple[bytes, bytes, int]] = []  # (tag, attributes, weight)
        # (tag, list position, weight, marker, depth, p_depth) as in nf_scope_t
        self.scopes: list[tuple[bytes, int, int, bool, int, int]] = []
        self.last_marker = 0
        self.weight = 0
        self.foreign = 0
        self.depth = 0
        self.p_depth = -1  # depth when the open <p> was opened (see nf_scan)

    def remove(self, k: int) -> None:
        if k >= self.last_marker:
            self.weight -= self.entries[k][2]
        del self.entries[k]

    def pop_scopes(self, k: int) -> None:
        while len(self.scopes) > k:
            tag, pos, saved, marker, self.depth, self.p_depth = self.scopes.pop()
            if _KINDS[tag] & _FOREIGN:
                self.foreign -= 1
            if marker:
                del self.entries[pos:]
                self.weight = saved
                self.last_marker = next((s[1] for s in reversed(self.scopes) if s[3]), 0)

    def close_cell(self) -> None:
        while self.scopes and _KINDS[self.scopes[-1][0]] & _CELL:
            self.pop_scopes(len(self.scopes) - 1)

    def start(self, st: list[int], tag: bytes, attrs: bytes, nattrs: int) -> bool:
        kind = _KINDS[tag]
        if kind & (_CELL | _ROWLIKE):
            self.close_cell()
        entries = self.entries
        if kind & _ADOPT:
            for k in range(len(entries) - 1, self.last_marker - 1, -1):
                if entries[k][0] == tag:
                    self.remove(k)
                    break
        if kind & _FORMAT:
            same = [
                k
                for k in range(self.last_marker, len(entries))
                if entries[k][0] == tag and entries[k][1] == attrs
            ]
            if len(same) >= 3:  # Noah's Ark
                self.remove(same[0])
            if len(entries) >= _MAX_ENTRIES:
                st[6] = _MAX_ENTRIES + 1
                return False
            entries.append((tag, attrs, 1 + nattrs))
            self.weight += 1 + nattrs
            st[6] = max(st[6], len(entries))
        if kind & _BARRIER:
            if len(self.scopes) >= _MAX_SCOPES:
                st[4] = max(st[4], _MAX_SCOPES + 1)
                return True
            marker = bool(kind & _MARKER)
            self.scopes.append((tag, len(entries), self.weight, marker, self.depth, self.p_depth))
            if marker:
                self.last_marker = len(entries)
                self.weight = 0
            if kind & _FOREIGN:
                self.foreign += 1
        return True

    def end(self, tag: bytes) -> None:
        kind = _KINDS[tag]
        if kind & _FORMAT:
            floor = self.scopes[-1][1] if self.scopes else 0
            for k in range(len(self.entries) - 1, floor - 1, -1):
                if self.entries[k][0] == tag:
                    self.remove(k)
                    break
        if kind & _ROWLIKE:
            self.close_cell()
        if kind & _BARRIER:
            for j in range(len(self.scopes) - 1, max(-1, len(self.scopes) - 65), -1):
                if self.scopes[j][0] == tag:
                    self.pop_scopes(j)
                    break


def markup_stats_python(
    data: bytes, *, distinct: bool = False, cap: int = MAX_NAMES
) -> MarkupStats:
    """``markup_stats`` without the compiled scan (same counts)."""
    # tags, attrs, max_attrs, root_attrs, depth, clones, formatting
    st = [0, 0, 0, 0, 0, 0, 0]
    tag_names: set[bytes] = set()
    attr_names: set[bytes] = set()
    model = _Model()
    n = len(data)
    pos = 0
    search = _TOKEN.search
    find = data.find
    kinds = _KINDS
    while True:
        m = search(data, pos)
        if m is None:
            break
        what = m.lastgroup
        if what == "comment":  # up to "-->", looked for from its first "-"
            k = find(b"-->", m.start() + 2)
            pos = n if k < 0 else k + 3
            continue
        if what == "bogus":
            k = find(b">", m.start() + 1)
            pos = n if k < 0 else k + 1
            continue
        pos = m.end()
        if what == "empty":
            continue
        name = m.group("name").lower()
        if distinct and len(tag_names) <= cap:
            tag_names.add(name)
        section = m.group("attrs")
        names = _ATTR.findall(section) if section else []
        nattrs = len(names)
        if distinct:
            for attr in names:
                if len(attr_names) > cap:
                    break
                attr_names.add(attr.lower())
        self_closing = m.group("end") == b"/>"
        st[1] += nattrs
        if nattrs > st[2]:
            st[2] = nattrs
        kind = kinds.get(name, 0)
        if m.group("slash"):
            if not kind & _NOTNEST:
                if not self_closing and model.depth > 0:
                    model.depth -= 1
            elif kind & _P and model.p_depth >= 0:
                model.depth, model.p_depth = model.p_depth, -1
            st[5] += model.weight
            if kind:
                model.end(name)
            continue
        st[0] += 1
        st[5] += model.weight
        if kind & _CLOSEP and model.p_depth >= 0:
            model.depth, model.p_depth = model.p_depth, -1
        if kind & _ROOT:
            st[3] += nattrs
        if kind:
            attrs = data[m.end("name") : pos].lower() if kind & _FORMAT else b""
            # before the depth grows: a new cell first closes the open one
            if not model.start(st, name, attrs, nattrs):
                break
        if not self_closing and not kind & _NOTNEST:
            model.depth += 1
            if model.depth > st[4]:
                st[4] = model.depth
        if kind & _P:
            model.p_depth = model.depth
        if not model.foreign and kind & _PLAIN:
            break
        if not model.foreign and kind & _RAW:
            found = _RAW_END[name].search(data, pos)
            pos = n if found is None else found.start()
    tags, attrs_total, max_attrs, root_attrs, deepest, clones, formatting = st
    return MarkupStats(
        tags,
        attrs_total,
        max_attrs,
        root_attrs,
        deepest,
        clones,
        formatting,
        len(tag_names) if distinct else -1,
        len(attr_names) if distinct else -1,
    )
