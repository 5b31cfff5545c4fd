"""The compiled classification/walk (``_lexwalk``) against the Python passes.

Why: the compiled passes are a speed-up only; every field they produce (DomHints,
Page blocks and boxes, microdata read into PageMeta) must equal what the Python
passes produce on the same markup, including Lexbor query quirks such as an element
returned once per matching selector.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborNode

from newsflow.core.errors import PipelineError
from newsflow.extraction import compiled as passes
from newsflow.extraction import extract as ex
from newsflow.extraction.parse import ParseOptions, parse_page
from newsflow.inputs import raw_page

pytestmark = pytest.mark.skipif(
    passes.lexwalk is None,
    reason="_lexwalk not built (pip install -e . compiles it)",
)

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"


def _positions(root: LexborNode) -> dict[int, int]:
    """Node id → document-order index, so two parses of one page can be compared."""
    out: dict[int, int] = {}
    parent = root.parent
    while parent is not None:  # html, the document: ``keep`` holds them too
        out[parent.mem_id] = -1 - len(out)
        parent = parent.parent
    stack = [root]
    while stack:
        node = stack.pop()
        out[node.mem_id] = len(out)
        stack.extend(reversed(list(node.iter(include_text=True))))
    return out


def _snapshot(html: str, compiled: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    with monkeypatch.context() as m:
        if not compiled:
            m.setattr(passes, "lexwalk", None)
        tree = ex.parse_tree(html)
        analysis = ex.analyze(tree, "https://example.invalid/a/1", ex.Deadline(10.0))
    body = tree.body
    pos = _positions(body) if body is not None else {}
    hints = analysis.hints
    page = analysis.page
    out: dict[str, Any] = {
        "classes": sorted((pos[k], v) for k, v in hints.classes.items()),
        "keep": sorted(pos[k] for k in hints.keep),
        "time_values": hints.time_values,
        "meta": repr(analysis.meta),
        "texts": page.texts,
        "tags": page.tags,
        "links": page.links,
        "owner": page.owner,
        "char_prefix": page.char_prefix,
        "link_prefix": page.link_prefix,
        "boxes": [
            (pos[b.node.mem_id], b.tag, b.parent, b.start, b.end, b.last, b.hints)
            for b in page.boxes
        ],
    }
    for name in (
        "date_nodes",
        "time_nodes",
        "lead_nodes",
        "tag_containers",
        "tag_headings",
        "crumb_nodes",
        "author_nodes",
        "byline_nodes",
    ):
        out[name] = [pos[n.mem_id] for n in getattr(hints, name)]
    return out


def _same(html: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    compiled = _snapshot(html, True, monkeypatch)
    python = _snapshot(html, False, monkeypatch)
    assert compiled == python
    return compiled


_PARA = "<p>Ein langer Absatz mit genug Text, damit er zählt, und noch etwas mehr Text.</p>"

SNIPPETS = {
    "hidden": (
        "<body><div style='display: none'>gone</div><p hidden>gone too</p>"
        "<span aria-hidden='TRUE'>x</span><div style='Visibility : Hidden'>y</div>"
        f"<div class='story'>{_PARA}</div></body>"
    ),
    "nested_boilerplate": (
        "<body><div class='sidebar'><div class='widget'><p>Side text</p>"
        "<div class='article-body'><p>kept because protected</p></div></div></div>"
        f"<nav class='menu'><a href='/'>Home</a></nav><article>{_PARA * 3}</article>"
        "<div class='related-posts'><a href='/x'>Other</a></div></body>"
    ),
    "inline_spacing": (
        "<body><p><b>bold</b><i>italic</i> <a href='#'>link</a><span>a</span>"
        "<span>b</span>c<br>d<hr>e</p><p>  \n\t </p><p><em>x</em>\n<em>y</em></p></body>"
    ),
    "tables": (
        "<body><table class='data'><tr><th>H1</th><th>H2</th></tr>"
        "<tr><td>cell <a href='#'>one</a></td><td><p>two</p></td></tr></table></body>"
    ),
    "rtl": (
        "<body dir='rtl' class='rtl home'><div id='content'><h1>عنوان الخبر</h1>"
        "<p>نص عربي طويل، مع فواصل، ونقاط.</p><p>متن فارسی\u200cبا نیم‌فاصله</p>"
        "<div class='tags'><span>سمات</span><a href='/t'>وسم</a></div></div></body>"
    ),
    "comments_template": (
        "<body><!-- a comment --><p>before<!-- inside -->after</p>"
        "<template><p class='story'>template text</p></template>"
        "<noscript>no script</noscript><p>end</p></body>"
    ),
    "metadata": (
        "<body class='single-post'><div itemscope itemtype='https://schema.org/NewsArticle'>"
        "<h1 itemprop='headline' class='entry-title'>Title</h1>"
        "<a class='author' rel='Author' href='/au'>Jane Doe</a>"
        "<a rel='author' href='/au2'>John Roe</a>"
        "<span class='byline' id='byline'>By Jane</span>"
        "<time class='date' datetime='2024-01-02T03:04:05Z'>2 Jan</time>"
        "<time datetime='2024-01-03'>3 Jan</time>"
        "<meta itemprop='datePublished' content='2024-01-02'>"
        "<p class='lead summary'>The lead.</p><ul class='breadcrumb'><li>Home</li></ul>"
        "<div itemprop='articleBody'>" + _PARA * 2 + "</div>"
        "<div class='tag-list'><a href='/t/1'>One</a></div></div></body>"
    ),
    "odd_attributes": (
        "<body><div class>empty class</div><div id=''>empty id</div>"
        "<div data-x='1' class='content' style='color: red'>styled</div>"
        "<my-widget class='comments'>custom element</my-widget>"
        "<svg class='icon'><foreignObject><p>svg text</p></foreignObject></svg>"
        "<div class='a' id='b' itemprop='text' hidden>multi</div>"
        "<form class='search'><input name='q'></form><aside><p>aside</p></aside>"
        "<header><p>header text</p></header>" + _PARA + "</body>"
    ),
    "deep": "<body>" + "<div class='wrap'>" * 300 + _PARA + "</div>" * 300 + "</body>",
    "no_body_text": "<html><head><title>t</title></head><body></body></html>",
    "frameset": "<html><frameset><frame src='a'></frameset></html>",
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_compiled_equals_python(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _same(SNIPPETS[name], monkeypatch)


def test_an_element_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # It matches three selectors of CLASSIFY_CSS (Lexbor's query returns it three
    # times); both passes record it, and read its microdata and datetime, once.
    snap = _same(
        "<body><a class='author' id='author' rel='author' href='/a'>Name</a>"
        "<time class='date' id='d' itemprop='datePublished' datetime='2024-03-19'>x</time>"
        "</body>",
        monkeypatch,
    )
    assert len(snap["author_nodes"]) == 1
    assert snap["time_values"] == ["2024-03-19"]


def test_boilerplate_holding_most_text_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    snap = _same(f"<body><div class='sidebar'>{_PARA * 5}</div><p>x</p></body>", monkeypatch)
    assert len(snap["texts"]) == 6


def test_deadline_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = ex.parse_tree("<body>" + "<p class='x'>a</p>" * 2000 + "</body>")
    deadline = ex.Deadline(10.0)
    deadline.end = 0.0  # already expired
    with pytest.raises(PipelineError):
        ex.classify_nodes(tree, "a", deadline)
    with pytest.raises(PipelineError):
        ex.walk(tree, ex.DomHints(), deadline)


def test_parse_options_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """``ParseOptions(compiled=False)`` (``NEWSFLOW_COMPILED_PASSES=0``) never enters the
    compiled module, and the article is the same."""
    html = (
        '<html><body><div class="article-body"><h1>Title</h1>'
        + "<p>One paragraph of the article, long enough to count as text.</p>" * 4
        + '</div><div class="share">Share</div></body></html>'
    )
    raw = raw_page(
        "https://example.invalid/a/1", now=datetime(2026, 1, 1, tzinfo=UTC), source="t", html=html
    )
    compiled = parse_page(raw, ParseOptions(compiled=True))

    class Refuse:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"compiled pass {name} used")

    monkeypatch.setattr(passes, "lexwalk", Refuse())
    assert parse_page(raw, ParseOptions(compiled=False)) == compiled


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = sorted(CORPUS.glob("*/pages/*.html.gz"))[::5]
    assert pages
    for path in pages:
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        try:
            _same(html, monkeypatch)
        except PipelineError:
            continue


_LD_ARTICLE = '{"@type": "NewsArticle", "headline": "H", "datePublished": "2024-01-02"}'
_LD_GRAPH = (
    '{"@graph": [{"@type": "WebPage", "name": "p"}, {"@type": ["Article", "WebPage"]},'
    ' {"@type": "BreadcrumbList", "itemListElement": [{"name": "Sec"}]}]}'
)

META_SNIPPETS = {
    "meta_keys": (
        "<html lang='de'><head><meta property='og:title' content='A'>"
        "<META NAME='Description Keywords' CONTENT='B'>"
        "<meta itemprop='datePublished' name='date' content='2024-01-02'>"
        "<meta http-equiv='Content-Language' content='de'><meta charset='utf-8'>"
        "<meta name='empty' content=''><meta name='novalue' content>"
        "<meta property='' content='x'><meta name='nocontent'></head><body>"
        "<meta property='article:tag' content='late'></body></html>"
    ),
    "jsonld": (
        "<head><script type='application/ld+json'>" + _LD_GRAPH + "</script>"
        "<script type=' Application/LD+JSON '><!-- " + _LD_ARTICLE + "; --></script>"
        "<script type='application/ld+json'>{not json</script>"
        "<script type='application/ld+json'>[" + _LD_ARTICLE + ", 3]</script>"
        "<script>var x = 1;</script><script type></script></head><body><p>x</p></body>"
    ),
    "title_body_first": (
        "<html><body><svg><title>icon</title></svg><title>in body</title>"
        "<h1>A headline here</h1></body></html>"
    ),
    "title_head": "<head><TITLE>head title</TITLE><title>second</title></head><body></body>",
    "links": (
        "<head><link rel='stylesheet' href='/s.css'><link rel='Canonical' href=''>"
        "<link rel='alternate canonical' href=' /c1 '><link rel='canonical' href='/c2'>"
        "<base target='_blank'><BASE HREF=' /base/ '><base href='/other/'></head><body></body>"
    ),
    "h1_limits": "<body>"
    + "".join(f"<h1>Headline number {i}</h1>" for i in range(14))
    + "<h1>ab</h1><h1>"
    + "x" * 401
    + "</h1></body>",
    "nested_strip": (
        "<body><button class='b'><svg><script>1</script><title>t</title></svg>Press</button>"
        "<nav><footer><label>L</label></footer></nav><noscript><p>n</p></noscript>"
        "<template><script type='application/ld+json'>" + _LD_ARTICLE + "</script>"
        "<h1>template headline</h1><meta name='t' content='v'></template>"
        "<select><option>o</option></select><textarea>t</textarea><menu><li>m</li></menu>"
        "<dialog>d</dialog><style>p{}</style><my-widget><style>q{}</style></my-widget>"
        + _PARA
        + "</body>"
    ),
}


@pytest.mark.parametrize("name", sorted(META_SNIPPETS))
def test_read_meta_compiled_equals_python(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    html = META_SNIPPETS[name]
    for strip in (True, False):
        compiled_tree = ex.parse_tree(html)
        python_tree = ex.parse_tree(html)
        url = "https://example.invalid/a/1"
        got = ex.read_meta(compiled_tree, url, ex.Deadline(10.0), strip=strip, compiled=True)
        want = ex.read_meta(python_tree, url, ex.Deadline(10.0), strip=strip, compiled=False)
        assert repr(got) == repr(want)
        assert compiled_tree.html == python_tree.html  # the same elements unlinked
    _same(html, monkeypatch)


def test_read_meta_reads_each_script_once() -> None:
    html = "<head><script type='application/ld+json'>" + _LD_ARTICLE + "</script></head>"
    for compiled in (True, False):
        pm = ex.read_meta(
            ex.parse_tree(html),
            "https://e.invalid/",
            ex.Deadline(10.0),
            strip=True,
            compiled=compiled,
        )
        assert len(pm.ld_objects) == 1
        assert pm.ld_article is not None


def test_read_meta_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = ex.parse_tree("<body>" + "<p>a</p>" * 2000 + "</body>")
    deadline = ex.Deadline(10.0)
    deadline.end = 0.0
    with pytest.raises(PipelineError):
        ex.read_meta(tree, "https://e.invalid/", deadline, strip=True, compiled=True)
