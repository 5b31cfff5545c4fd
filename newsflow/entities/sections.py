"""Page signals for categories: what the page itself says its section is.

A news page usually names its own section: JSON-LD ``articleSection`` or
``article:section`` (the article's `section`), a breadcrumb trail (`breadcrumbs`), the
path of its URL (``/politics/``, ``/eqtesadi/``, ``/ورزش/``) and topic tags. The
editors chose those labels for this very page, so when one of them names a category it
is stronger evidence than words counted in the text; `entities.enrich.categorize`
combines the two.

The words that name each category live in ``newsflow/data/sections.json`` (per
language, hand-written, provenance inside); this module only reads them and matches
labels through the shared normalizer, so a Persian label spelled with Arabic letters,
with or without a ZWNJ, matches the same entry. Pure and cached: a site repeats its few
labels on every page.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit

from newsflow.core.normalize import normalize_for_matching
from newsflow.core.routing import CATEGORIES

#: How much one source of labels weighs when it names a category. The section and the
#: breadcrumbs are the editors' own filing; a URL segment usually is too, but is also
#: reused for other things (a site's /business/ blog); tags describe topics more than
#: sections and a page has many.
SIGNAL_WEIGHTS: dict[str, float] = {"section": 1.0, "breadcrumbs": 1.0, "url": 0.8, "tags": 0.4}

_WORD_RE = re.compile(r"[^\W_]+")  # words; "-", "_" and "." separate them in URLs
# a label may list several sections ("Health, Science, World"; "سیاست > انتخابات")
_LIST_SEPARATORS = re.compile(r"[,;|>/»›]")
_MAX_LABEL_CHARS = 80  # a longer "section" is a headline or a description, not a label
_MAX_LABEL_WORDS = 6
_MAX_TAG_WORDS = 3  # "Reserve Bank of India" is a topic, not a section name
_MAX_URL_WORDS = 3  # a longer path segment is a slug
_MAX_TAGS = 20
_SKIPPED_HOSTS = frozenset({"www", "m", "mobile", "amp", "en", "ar", "fa", "news", "edition"})


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """The section words of every language, folded, by how they match."""

    exact: dict[str, tuple[str, ...]]  # a whole word
    prefix: dict[str, tuple[str, ...]]  # "word*": the start of a word
    suffix: dict[str, tuple[str, ...]]  # "*word": the end of a word (German compounds)
    phrases: dict[str, tuple[str, ...]]  # "two words": consecutive words, joined by " "
    longest_phrase: int  # words in the longest phrase
    version: str


def _add(table: dict[str, list[str]], key: str, category: str) -> None:
    found = table.setdefault(key, [])
    if category not in found:
        found.append(category)


def build_vocabulary(doc: Mapping[str, Any]) -> _Vocabulary:
    """The matching tables of a ``sections.json`` document (tests build small ones)."""
    exact: dict[str, list[str]] = {}
    prefix: dict[str, list[str]] = {}
    suffix: dict[str, list[str]] = {}
    phrases: dict[str, list[str]] = {}
    longest = 1
    for category, languages in doc["words"].items():
        if category not in CATEGORIES:
            raise ValueError(f"unknown category {category!r} in section words")
        for entries in languages.values():
            for entry in entries:
                words = _WORD_RE.findall(normalize_for_matching(entry.strip("*")))
                if not words:
                    continue
                if len(words) > 1:
                    _add(phrases, " ".join(words), category)
                    longest = max(longest, len(words))
                elif entry.endswith("*"):
                    _add(prefix, words[0], category)
                elif entry.startswith("*"):
                    _add(suffix, words[0], category)
                else:
                    _add(exact, words[0], category)

    def frozen(table: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
        return {k: tuple(v) for k, v in table.items()}

    return _Vocabulary(
        frozen(exact),
        frozen(prefix),
        frozen(suffix),
        frozen(phrases),
        longest,
        str(doc.get("version", "")),
    )


@functools.lru_cache(maxsize=1)
def vocabulary() -> _Vocabulary:
    """The packaged section words, read on first use."""
    ref = resources.files("newsflow").joinpath("data", "sections.json")
    return build_vocabulary(json.loads(ref.read_text(encoding="utf-8")))


def _word_categories(word: str, vocab: _Vocabulary) -> Iterable[str]:
    yield from vocab.exact.get(word, ())
    if vocab.prefix:
        for k in range(3, len(word) + 1):
            yield from vocab.prefix.get(word[:k], ())
    if vocab.suffix:
        for k in range(max(1, len(word) - 12), len(word) - 2):  # a stem of 3+ letters before
            yield from vocab.suffix.get(word[k:], ())


def categories_of_words(words: list[str], vocab: _Vocabulary) -> tuple[str, ...]:
    """The categories that the folded ``words`` of one label name, in order of first
    mention: single words, and phrases of consecutive words."""
    found: dict[str, None] = {}
    n = len(words)
    for i, word in enumerate(words):
        for cat in _word_categories(word, vocab):
            found.setdefault(cat)
        for size in range(2, min(vocab.longest_phrase, n - i) + 1):
            for cat in vocab.phrases.get(" ".join(words[i : i + size]), ()):
                found.setdefault(cat)
    return tuple(found)


@functools.lru_cache(maxsize=8192)
def label_categories(label: str, max_words: int = _MAX_LABEL_WORDS) -> tuple[str, ...]:
    """The categories a section label names ("Politics", "سیاست > انتخابات",
    "Wirtschaftspolitik", "science-tech"); () for a label that names none ("World",
    "Opinion") or is too long to be a label (a headline put in ``articleSection``)."""
    if len(label) > _MAX_LABEL_CHARS:
        return ()
    found: dict[str, None] = {}
    for part in _LIST_SEPARATORS.split(normalize_for_matching(label)):
        words = _WORD_RE.findall(part)
        if words and len(words) <= max_words:
            found.update(dict.fromkeys(categories_of_words(words, vocabulary())))
    return tuple(found)


def url_labels(url: str) -> list[str]:
    """The section-like parts of a URL: the first label of a subdomain (``sport.`` of
    sport.example.com), and every path segment but the last (the article's slug or id),
    decoded (``/%D9%88%D8%B1%D8%B2%D8%B4/`` is ``/ورزش/``), without numbers and
    without long slugs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    out: list[str] = []
    host = (parts.hostname or "").split(".")
    if len(host) >= 3 and host[0] not in _SKIPPED_HOSTS:
        out.append(host[0])
    for seg in parts.path.split("/")[:-1][:8]:
        seg = unquote(seg)
        words = _WORD_RE.findall(seg)
        if not words or len(words) > _MAX_URL_WORDS or all(w.isdigit() for w in words):
            continue
        out.append(seg)
    return out


def page_labels(article: Mapping[str, Any]) -> dict[str, list[str]]:
    """The article's own section labels, by source (`SIGNAL_WEIGHTS`)."""
    section = article.get("section")
    url = article.get("canonical_url") or article.get("url") or ""
    return {
        "section": [section] if isinstance(section, str) and section else [],
        "breadcrumbs": [c for c in article.get("breadcrumbs") or () if isinstance(c, str)],
        "url": url_labels(url) if isinstance(url, str) else [],
        "tags": [t for t in (article.get("tags") or ())[:_MAX_TAGS] if isinstance(t, str)],
    }


def signals_from_labels(labels: Mapping[str, list[str]]) -> dict[str, float]:
    """Each category's signal: the sum of the weights of the sources (section,
    breadcrumbs, URL, tags) with a label that names it; a source counts once per
    category however many of its labels name it."""
    scores: dict[str, float] = {}
    for source, values in labels.items():
        weight = SIGNAL_WEIGHTS.get(source, 0.0)
        if not weight:
            continue
        max_words = (
            _MAX_TAG_WORDS
            if source == "tags"
            else _MAX_URL_WORDS
            if source == "url"
            else _MAX_LABEL_WORDS
        )
        named: set[str] = set()
        for value in values:
            named.update(label_categories(value, max_words))
        for cat in named:
            scores[cat] = scores.get(cat, 0.0) + weight
    return {c: scores[c] for c in CATEGORIES if c in scores}


def page_signals(article: Mapping[str, Any]) -> dict[str, float]:
    """The categories the article's own labels name, with their signal (see
    `signals_from_labels`); {} when none does."""
    return signals_from_labels(page_labels(article))
