"""The conditions of the rule language, compiled, and the facts they read.

Every condition is built once, when the rules are loaded (words folded, patterns
compiled, lists turned into sets), and answers ``test(facts)``: a bool, never an
exception, whatever the record holds. `Facts` wraps one enriched record and computes
each derived view (base language, entity index, folded fields, word sets, publication
time) on first use, so a hundred rules read the record once.

``explain(facts)`` gives the same answer with a short reason, for `newsflow routes
test`; the hot path never builds those strings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from newsflow.core.normalize import normalize_for_matching

#: Characters of each field that `words` reads: the same bound as the enrich stage's
#: (entities and categories are computed on at most this much), so both see one text.
MAX_WORDS_CHARS = 200_000
#: Characters of each field that a `pattern` scans. Python's `re` backtracks; the
#: loader refuses the patterns that can take exponential time, and this bound keeps
#: the quadratic ones (``a.*b`` over a long body) to milliseconds.
MAX_PATTERN_CHARS = 10_000
#: The text fields conditions can read.
TEXT_FIELDS: tuple[str, ...] = ("title", "lead", "body")
#: Score of a category by its rank in ``categories`` when the record has no
#: ``category_scores``: 1.0 for the first, then 0.2 less for each next one.
RANK_STEP = 0.2

_WORD = re.compile(r"\w+")
#: Arabic proclitics a word may carry on the page (folded forms): the article and its
#: prefixed forms, then the conjunction. ``words`` also finds ``نفط`` in ``والنفط``.
_PROCLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و")
_ARABIC = re.compile(r"[\u0600-\u06ff]")


class _WordTable(dict[int, str]):
    """A ``str.translate`` table that folds like `normalize_for_matching` and turns every
    character that is not part of a word (what ``\\w`` does not match) into a space, so
    that one translate and a ``split()`` give the folded words: a quarter faster than
    folding, then finding ``\\w+``, and the same words (a test checks it on the corpus).
    Each code point is computed on first sight and kept."""

    __slots__ = ()

    def __missing__(self, cp: int) -> str:
        folded = normalize_for_matching(chr(cp))
        out = "".join(c if c.isalnum() or c == "_" else " " for c in folded)
        if len(self) < 65_536:
            self[cp] = out
        return out


_WORD_TABLE = _WordTable()


def base_language(value: object) -> str | None:
    """``"fa-IR"`` -> ``"fa"``; None for anything that is not a language tag."""
    if not isinstance(value, str) or not value:
        return None
    return value.replace("_", "-").split("-")[0].lower() or None


def fold_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` as `words` compares them: folded by the shared normalizer
    (Arabic/Persian letter forms, diacritics, digits, case), split on non-word
    characters."""
    return tuple(_WORD.findall(normalize_for_matching(text)))


def with_proclitics(word: str) -> tuple[str, ...]:
    """A folded Arabic-script word and its forms with each of `_PROCLITICS` in front, so
    that a rule's bare ``نفط`` finds ``النفط`` and ``والنفط`` on the page (computed when
    the rules are loaded; the page's words are looked up as they are)."""
    if not _ARABIC.match(word):
        return (word,)
    return (word, *(clitic + word for clitic in _PROCLITICS))


def _number(value: object) -> float | None:
    """A finite float from a JSON number; None for anything else (bools included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class Facts:
    """One enriched record as the conditions read it; every view computed once."""

    __slots__ = (
        "_categories",
        "_entities",
        "_folded",
        "_given",
        "_joined",
        "_published",
        "_scores",
        "_types",
        "_words",
        "article",
        "now",
        "record",
    )

    def __init__(
        self, record: object, now: datetime, words: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        self.record: Mapping[str, Any] = record if isinstance(record, Mapping) else {}
        article = self.record.get("article")
        self.article: Mapping[str, Any] = article if isinstance(article, Mapping) else {}
        self.now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        self._categories: dict[str, int] | None = None
        self._scores: dict[str, float] | None = None
        self._entities: dict[str, float] | None = None
        self._types: dict[str, float] | None = None
        self._folded: dict[str, str] = {}
        # A field's folded words may come from the caller: the enrich stage has them
        # already (same normalizer, same bound), and splitting the text again was most
        # of the cost of text rules.
        self._words: dict[str, frozenset[str]] = {}
        self._given = words
        self._joined: dict[str, list[str] | str] = {}
        self._published: datetime | bool | None = False  # False: not computed yet

    def _text(self, name: str) -> str:
        value = self.article.get(name)
        return value if isinstance(value, str) else ""

    # --- article fields ---------------------------------------------------------------

    def language(self) -> str | None:
        return base_language(self.article.get("language"))

    def site(self) -> str:
        site = self.article.get("site")
        return site.lower().rstrip(".") if isinstance(site, str) else ""

    def source(self) -> str | None:
        source = self.article.get("source")
        return source if isinstance(source, str) else None

    def published(self) -> datetime | None:
        """``article.published_at`` as an aware datetime (UTC when it carries no offset);
        None when absent or unreadable."""
        if self._published is False:
            value = self.article.get("published_at")
            parsed: datetime | None = None
            if isinstance(value, str):
                try:
                    parsed = datetime.fromisoformat(value)
                except ValueError:
                    parsed = None
                if parsed is not None and parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=UTC)
            self._published = parsed
        return self._published if isinstance(self._published, datetime) else None

    # --- categories and entities ------------------------------------------------------

    def category_rank(self) -> dict[str, int]:
        """Each category of the record and its rank (0 for the first)."""
        if self._categories is None:
            ranks: dict[str, int] = {}
            cats = self.record.get("categories")
            if isinstance(cats, list):
                for i, cat in enumerate(cats):
                    if isinstance(cat, str):
                        ranks.setdefault(cat, i)
            self._categories = ranks
        return self._categories

    def category_score(self, name: str) -> float:
        """``category_scores[name]`` when the record has it; else a score from the rank in
        ``categories`` (1.0, 0.8, ...); 0.0 when the category is not there at all."""
        if self._scores is None:
            scores: dict[str, float] = {}
            raw = self.record.get("category_scores")
            if isinstance(raw, Mapping):
                for key, value in raw.items():
                    number = _number(value)
                    if isinstance(key, str) and number is not None:
                        scores[key] = number
            self._scores = scores
        if name in self._scores:
            return self._scores[name]
        rank = self.category_rank().get(name)
        return 0.0 if rank is None else max(0.0, 1.0 - RANK_STEP * rank)

    def _index_entities(self) -> None:
        ids: dict[str, float] = {}
        types: dict[str, float] = {}
        entities = self.record.get("entities")
        if isinstance(entities, list):
            for ent in entities:
                if not isinstance(ent, Mapping):
                    continue
                salience = _number(ent.get("salience"))
                salience = 0.0 if salience is None else salience
                eid, etype = ent.get("id"), ent.get("type")
                if isinstance(eid, str) and salience >= ids.get(eid, -math.inf):
                    ids[eid] = salience
                if isinstance(etype, str) and salience >= types.get(etype, -math.inf):
                    types[etype] = salience
        self._entities, self._types = ids, types

    def entity_salience(self) -> dict[str, float]:
        """The highest salience of each entity id in the record."""
        ids = self._entities
        if ids is None:
            self._index_entities()
            ids = self._entities
            assert ids is not None
        return ids

    def type_salience(self) -> dict[str, float]:
        """The highest salience of any entity of each type."""
        if self._types is None:
            self._index_entities()
        assert self._types is not None
        return self._types

    # --- text -------------------------------------------------------------------------

    def folded(self, name: str) -> str:
        """The field folded by the shared normalizer, cut at `MAX_WORDS_CHARS`."""
        text = self._folded.get(name)
        if text is None:
            text = normalize_for_matching(self._text(name)[:MAX_WORDS_CHARS])
            self._folded[name] = text
        return text

    def words(self, name: str) -> frozenset[str]:
        """The field's folded words, as a set."""
        found = self._words.get(name)
        if found is None and self._given is not None and name in self._given:
            found = self._words[name] = self._given[name]  # looked up only when needed
        if found is None:
            tokens = self._text(name)[:MAX_WORDS_CHARS].translate(_WORD_TABLE).split()
            found = frozenset(tokens)
            self._words[name] = found
            self._joined[name] = tokens
        return found

    def joined(self, name: str) -> str:
        """The field's folded words joined as `` w1 w2 … `` (a space around each word),
        for phrases and prefixes; built only when a rule has one."""
        if name not in self._joined:
            self._joined[name] = self._text(name)[:MAX_WORDS_CHARS].translate(_WORD_TABLE).split()
        tokens = self._joined[name]
        if isinstance(tokens, list):
            tokens = " " + " ".join(tokens) + " "
            self._joined[name] = tokens
        return tokens


class Condition:
    """A compiled condition: `test` on the hot path, `explain` for people."""

    __slots__ = ()
    key = ""

    def test(self, facts: Facts) -> bool:
        raise NotImplementedError

    def explain(self, facts: Facts) -> tuple[bool, str]:
        ok = self.test(facts)
        return ok, f"{self.key} {'holds' if ok else 'does not hold'}"

    def to_json(self) -> dict[str, Any]:
        """The condition in its canonical form (what the version is computed from)."""
        raise NotImplementedError


def _names(values: Sequence[str]) -> str:
    return ", ".join(values)


class All(Condition):
    __slots__ = ("parts",)
    key = "all"

    def __init__(self, parts: Sequence[Condition]) -> None:
        self.parts = tuple(parts)

    def test(self, facts: Facts) -> bool:
        for part in self.parts:  # noqa: SIM110 - a loop costs half of all(genexpr)
            if not part.test(facts):
                return False
        return True

    def explain(self, facts: Facts) -> tuple[bool, str]:
        reasons = []
        for part in self.parts:
            ok, why = part.explain(facts)
            if not ok:
                return False, why
            reasons.append(why)
        return True, " and ".join(reasons)

    def to_json(self) -> dict[str, Any]:
        return {"all": [p.to_json() for p in self.parts]}


class Any_(Condition):
    __slots__ = ("parts",)
    key = "any"

    def __init__(self, parts: Sequence[Condition]) -> None:
        self.parts = tuple(parts)

    def test(self, facts: Facts) -> bool:
        for part in self.parts:  # noqa: SIM110 - a loop costs half of any(genexpr)
            if part.test(facts):
                return True
        return False

    def explain(self, facts: Facts) -> tuple[bool, str]:
        reasons = []
        for part in self.parts:
            ok, why = part.explain(facts)
            if ok:
                return True, why
            reasons.append(why)
        return False, "none of: " + "; ".join(reasons) if reasons else "empty any"

    def to_json(self) -> dict[str, Any]:
        return {"any": [p.to_json() for p in self.parts]}


class Not(Condition):
    __slots__ = ("part",)
    key = "not"

    def __init__(self, part: Condition) -> None:
        self.part = part

    def test(self, facts: Facts) -> bool:
        return not self.part.test(facts)

    def explain(self, facts: Facts) -> tuple[bool, str]:
        ok, why = self.part.explain(facts)
        return not ok, f"not ({why})"

    def to_json(self) -> dict[str, Any]:
        return {"not": self.part.to_json()}


class Category(Condition):
    """Any of the categories; with ``min_score``, its score must reach it."""

    __slots__ = ("min_score", "names")
    key = "category"

    def __init__(self, names: Sequence[str], min_score: float | None) -> None:
        self.names = tuple(names)
        self.min_score = min_score

    def _hit(self, facts: Facts) -> str | None:
        if self.min_score is None:
            ranks = facts.category_rank()
            return next((n for n in self.names if n in ranks), None)
        return next((n for n in self.names if facts.category_score(n) >= self.min_score), None)

    def test(self, facts: Facts) -> bool:
        return self._hit(facts) is not None

    def explain(self, facts: Facts) -> tuple[bool, str]:
        hit = self._hit(facts)
        if hit is not None:
            if self.min_score is None:
                return True, f"category {hit}"
            return True, f"category {hit} score {facts.category_score(hit):.2f}"
        cats = _names(list(facts.category_rank())) or "none"
        need = "" if self.min_score is None else f" with score >= {self.min_score:g}"
        return False, f"no category {_names(self.names)}{need} (categories: {cats})"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": list(self.names)}
        if self.min_score is not None:
            out["min_score"] = self.min_score
        return {"category": out}


class Language(Condition):
    __slots__ = ("languages",)
    key = "language"

    def __init__(self, languages: Sequence[str]) -> None:
        self.languages = frozenset(languages)

    def test(self, facts: Facts) -> bool:
        return facts.language() in self.languages

    def explain(self, facts: Facts) -> tuple[bool, str]:
        lang = facts.language()
        return lang in self.languages, f"language {lang or 'unknown'}"

    def to_json(self) -> dict[str, Any]:
        return {"language": sorted(self.languages)}


class Site(Condition):
    """The article's site is one of the domains or under one (``irna.ir`` takes
    ``en.irna.ir``, not ``notirna.ir``)."""

    __slots__ = ("sites", "suffixes")
    key = "site"

    def __init__(self, sites: Sequence[str]) -> None:
        self.sites = frozenset(sites)
        self.suffixes = tuple("." + s for s in sorted(self.sites))

    def test(self, facts: Facts) -> bool:
        site = facts.site()
        return bool(site) and (site in self.sites or site.endswith(self.suffixes))

    def explain(self, facts: Facts) -> tuple[bool, str]:
        return self.test(facts), f"site {facts.site() or 'unknown'}"

    def to_json(self) -> dict[str, Any]:
        return {"site": sorted(self.sites)}


class Source(Condition):
    __slots__ = ("sources",)
    key = "source"

    def __init__(self, sources: Sequence[str]) -> None:
        self.sources = frozenset(sources)

    def test(self, facts: Facts) -> bool:
        return facts.source() in self.sources

    def explain(self, facts: Facts) -> tuple[bool, str]:
        return self.test(facts), f"source {facts.source() or 'unknown'}"

    def to_json(self) -> dict[str, Any]:
        return {"source": sorted(self.sources)}


class _Salient(Condition):
    """Any of the keys (entity ids or types) with at least ``min_salience``."""

    __slots__ = ("keys", "keyset", "min_salience")
    noun = ""

    def __init__(self, keys: Sequence[str], min_salience: float) -> None:
        self.keys = tuple(keys)
        self.keyset = frozenset(keys)
        self.min_salience = min_salience

    def _index(self, facts: Facts) -> dict[str, float]:
        raise NotImplementedError

    def test(self, facts: Facts) -> bool:
        index = self._index(facts)
        present = self.keyset.intersection(index)  # in C: no loop over absent keys
        if present:
            floor = self.min_salience
            for k in present:
                if index[k] >= floor:
                    return True
        return False

    def explain(self, facts: Facts) -> tuple[bool, str]:
        index = self._index(facts)
        for k in self.keys:
            if index.get(k, -1.0) >= self.min_salience:
                return True, f"{self.noun} {k} salience {index[k]:.2f}"
        present = [f"{k} {index[k]:.2f}" for k in self.keys if k in index]
        if present:
            return False, f"{self.noun} {_names(present)} below salience {self.min_salience:g}"
        return False, f"no {self.noun} {_names(self.keys)}"


class Entity(_Salient):
    __slots__ = ()
    key = "entity"
    noun = "entity"

    def _index(self, facts: Facts) -> dict[str, float]:
        return facts.entity_salience()

    def to_json(self) -> dict[str, Any]:
        return {"entity": {"id": list(self.keys), "min_salience": self.min_salience}}


class EntityType(_Salient):
    __slots__ = ()
    key = "entity_type"
    noun = "entity type"

    def _index(self, facts: Facts) -> dict[str, float]:
        return facts.type_salience()

    def to_json(self) -> dict[str, Any]:
        return {"entity_type": {"type": list(self.keys), "min_salience": self.min_salience}}


class Words(Condition):
    """Whole words or phrases in the fields, compared folded. ``mode`` "any": one of
    them is enough; "all": each must occur (in any of the fields). A word ending in
    ``*`` matches every word it begins; an Arabic-script word also matches its forms
    with a proclitic (`with_proclitics`)."""

    __slots__ = ("fields", "flat", "groups", "mode", "originals")
    key = "words"

    def __init__(self, fields: Sequence[str], mode: str, words: Sequence[str]) -> None:
        self.fields = tuple(fields)
        self.mode = mode
        self.originals = tuple(words)
        # per word: (label, exact forms, substrings of the joined words)
        groups: list[tuple[str, frozenset[str], tuple[str, ...]]] = []
        for word in words:
            tokens = fold_words(word.rstrip("*"))
            if word.endswith("*"):
                groups.append((word, frozenset(), (" " + " ".join(tokens),)))
            elif len(tokens) == 1:
                groups.append((word, frozenset(with_proclitics(tokens[0])), ()))
            else:
                groups.append((word, frozenset(), (" " + " ".join(tokens) + " ",)))
        self.groups = tuple(groups)
        # the fast path: "any" of single words is one set intersection per field
        simple = mode == "any" and all(not subs for _, _, subs in groups)
        self.flat = frozenset().union(*(forms for _, forms, _ in groups)) if simple else None

    def _found(self, facts: Facts) -> list[bool]:
        """For each word: found in one of the fields."""
        found = [False] * len(self.groups)
        for name in self.fields:
            tokens = facts.words(name)
            for i, (_, forms, subs) in enumerate(self.groups):
                if not found[i]:
                    found[i] = not forms.isdisjoint(tokens) or (
                        bool(subs) and any(s in facts.joined(name) for s in subs)
                    )
        return found

    def test(self, facts: Facts) -> bool:
        if self.flat is not None:
            flat = self.flat
            return any(not flat.isdisjoint(facts.words(name)) for name in self.fields)
        found = self._found(facts)
        return any(found) if self.mode == "any" else all(found)

    def explain(self, facts: Facts) -> tuple[bool, str]:
        found = self._found(facts)
        ok = any(found) if self.mode == "any" else all(found)
        where = "/".join(self.fields)
        if ok:
            hits = [g[0] for g, f in zip(self.groups, found, strict=True) if f]
            return True, f"words {_names(hits)} in {where}"
        missing = [g[0] for g, f in zip(self.groups, found, strict=True) if not f]
        return False, f"no words {_names(missing)} in {where}"

    def to_json(self) -> dict[str, Any]:
        return {"words": {"in": list(self.fields), self.mode: list(self.originals)}}


class Pattern(Condition):
    """A regular expression searched in the folded fields (see the loader for what it
    refuses and how the pattern itself is folded)."""

    __slots__ = ("compiled", "fields", "regex")
    key = "pattern"

    def __init__(self, fields: Sequence[str], regex: str, compiled: re.Pattern[str]) -> None:
        self.fields = tuple(fields)
        self.regex = regex
        self.compiled = compiled

    def _match(self, facts: Facts) -> tuple[str, str] | None:
        for name in self.fields:
            m = self.compiled.search(facts.folded(name), 0, MAX_PATTERN_CHARS)
            if m is not None:
                return name, m.group(0)
        return None

    def test(self, facts: Facts) -> bool:
        return self._match(facts) is not None

    def explain(self, facts: Facts) -> tuple[bool, str]:
        hit = self._match(facts)
        if hit is None:
            return False, f"pattern {self.regex!r} not in {'/'.join(self.fields)}"
        return True, f"pattern {self.regex!r} found {hit[1][:40]!r} in {hit[0]}"

    def to_json(self) -> dict[str, Any]:
        return {"pattern": {"in": list(self.fields), "regex": self.regex}}


class Age(Condition):
    """Hours from ``published_at`` to ``now`` within the bounds; no date: no match."""

    __slots__ = ("max_hours", "min_hours")
    key = "age"

    def __init__(self, min_hours: float | None, max_hours: float | None) -> None:
        self.min_hours = min_hours
        self.max_hours = max_hours

    def _hours(self, facts: Facts) -> float | None:
        published = facts.published()
        if published is None:
            return None
        try:
            return (facts.now - published).total_seconds() / 3600.0
        except (OverflowError, ValueError):
            return None

    def test(self, facts: Facts) -> bool:
        hours = self._hours(facts)
        if hours is None:
            return False
        if self.min_hours is not None and hours < self.min_hours:
            return False
        return self.max_hours is None or hours <= self.max_hours

    def explain(self, facts: Facts) -> tuple[bool, str]:
        hours = self._hours(facts)
        if hours is None:
            return False, "no publication date"
        return self.test(facts), f"published {hours:.1f} h ago"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.min_hours is not None:
            out["min_hours"] = self.min_hours
        if self.max_hours is not None:
            out["max_hours"] = self.max_hours
        return {"age": out}
