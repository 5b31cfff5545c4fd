"""The page's own metadata, read once: JSON-LD, OpenGraph and other ``<meta>``,
microdata, canonical and base links, ``<title>`` and ``<h1>`` (`read_meta`, one CSS
query, compiled when `compiled.lexwalk` is built), into a `PageMeta`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsflow.extraction import compiled as passes
from newsflow.extraction import selectors as sel
from newsflow.extraction.dom import (
    CONTROL_CHARS,
    MAX_JSONLD_CHARS,
    META_STRIP_CSS,
    Deadline,
    clean_attr,
    clean_text,
    node_text,
    unlink,
)
from newsflow.extraction.urls import join_url


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


def ld_types(obj: dict[str, Any]) -> set[str]:
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
    if not text or len(text) > MAX_JSONLD_CHARS:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # Raw newlines/tabs inside strings are common on news sites.
        try:
            return orjson.loads(CONTROL_CHARS.sub(" ", text))
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
    if compiled and passes.lexwalk is not None and root is not None:
        ld_texts, pm.canonical, bases, title, h1_nodes, doomed = passes.lexwalk.read_meta(
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
    unlink(doomed)
    return pm


def _read_ld(
    pm: PageMeta, text: str, best: tuple[int, dict[str, Any]] | None
) -> tuple[int, dict[str, Any]] | None:
    """Keep one JSON-LD script's objects; the best-ranked article so far is returned."""
    for obj in _iter_ld(_load_json(text)):
        pm.ld_objects.append(obj)
        types = ld_types(obj)
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
    css = _META_CSS + (", " + META_STRIP_CSS if strip else "")
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


def read_microdata(node: LexborNode, props: str, pm: PageMeta) -> None:
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


def ld_str(value: Any) -> str | None:
    if isinstance(value, str):
        v = clean_attr(value)
        return v or None
    if isinstance(value, list):
        for item in value:
            s = ld_str(item)
            if s:
                return s
    if isinstance(value, dict):
        for key in ("name", "@value", "text"):
            s = ld_str(value.get(key))
            if s:
                return s
    return None


def ld_get(pm: PageMeta, key: str) -> str | None:
    """A string property of the chosen JSON-LD article."""
    if pm.ld_article is None:
        return None
    return ld_str(pm.ld_article.get(key))


def site_name(pm: PageMeta) -> str | None:
    """Publisher name: og:site_name → JSON-LD publisher.name → application-name."""
    name = pm.first(("og:site_name",))
    if name:
        return name
    if pm.ld_article is not None:
        pub = pm.ld_article.get("publisher")
        s = ld_str(pub) if isinstance(pub, dict | list) else None
        if s:
            return s
    return pm.first(("application-name",))
