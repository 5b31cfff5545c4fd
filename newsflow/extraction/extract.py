"""Metadata and main text from one Lexbor tree (pure; selectors as data in ``selectors.py``).

The extraction API in one place (``parse.py`` and the benchmarks import it as ``ex``);
each concern lives in its own module: ``dom`` (deadline, tree, text cleaning), ``meta``,
``walk``, ``fields``, ``content`` (the body), ``compiled`` (the compiled passes).

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

from newsflow.extraction.authors import extract_authors
from newsflow.extraction.compiled import COMPILED_AVAILABLE
from newsflow.extraction.content import (
    LD_BODY_RATIO,
    all_text_body,
    extract_body,
    find_content_roots,
    ld_body_paragraphs,
    prefer_ld_body,
)
from newsflow.extraction.dom import Deadline, clean_text, parse_tree
from newsflow.extraction.fields import (
    extract_breadcrumbs,
    extract_external_id,
    extract_images,
    extract_lead,
    extract_section,
    extract_tags,
    extract_title,
)
from newsflow.extraction.meta import PageMeta, ld_get, read_meta, site_name
from newsflow.extraction.walk import (
    ARTICLE_TAGS,
    F_AUTHOR,
    F_BOILER,
    F_BYLINE,
    F_HIDDEN,
    DomHints,
    analyze,
    classify_nodes,
    walk,
)

__all__ = [
    "ARTICLE_TAGS",
    "COMPILED_AVAILABLE",
    "F_AUTHOR",
    "F_BOILER",
    "F_BYLINE",
    "F_HIDDEN",
    "LD_BODY_RATIO",
    "Deadline",
    "DomHints",
    "PageMeta",
    "all_text_body",
    "analyze",
    "classify_nodes",
    "clean_text",
    "extract_authors",
    "extract_body",
    "extract_breadcrumbs",
    "extract_external_id",
    "extract_images",
    "extract_lead",
    "extract_section",
    "extract_tags",
    "extract_title",
    "find_content_roots",
    "ld_body_paragraphs",
    "ld_get",
    "parse_tree",
    "prefer_ld_body",
    "read_meta",
    "site_name",
    "walk",
]
