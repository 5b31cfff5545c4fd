"""English features for the CRF tagger (``newsflow.entities.tagger``'s English hook).

Why features of their own: English marks names with capital letters, which the Arabic
features (clitic stems, normalized forms) ignore, and capitals alone mislead where every
word gets one (a sentence's first word, title-case headlines, ALL-CAPS datelines). So a
word is described by its case and shape, by how frequent its lower-case form is in
general English (``wordfreq``: a capitalised word whose lower-case form is common is
rarely a name, unless the text is lower case throughout), by name lexicons (1990 US
Census given names and surnames, ``data/tagger-en-lexicon.json.gz``), and by the word
classes of ``newsflow.entities.names_latin`` (titles and role nouns before a person,
organisation suffixes and heads, place heads, countries and states, "said"). A token's
context adds what no single word says: the gazetteer's tag, the Latin rules' tag on the
sentence, whether it is the sentence's first word and whether the sentence is written in
title case or capitals, each crossed with the token's case and frequency.

The two halves map onto the decoder's decomposition (``newsflow.entities.crf``): a word's
features depend on the word only (`word_features`, cached per word by the caller), a
token's context is one short string per token (`context_tags`, ``en|<gaz>|<rule>|<flag>``)
whose attributes (`context_attrs`) are cached per distinct string like gazetteer tags.
Nothing is read at import: the lexicon and word frequencies load on first use.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from newsflow.entities import latin_words as lw

__all__ = [
    "ABBREVIATIONS",
    "CONTEXT_PREFIX",
    "LEXICON_PATH",
    "EnglishLexicon",
    "abbreviation_dot",
    "context_attrs",
    "context_tags",
    "english_lexicon",
    "organisation_end",
    "word_features",
]

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "tagger-en-lexicon.json.gz"
CONTEXT_PREFIX = "en|"  # marks a token context string as English (see `context_attrs`)
_OFFSETS = (-2, -1, 1, 2)  # as newsflow.entities.tagger: the neighbours a word lends features to

# Word classes, lower case. Facts about English, most of them shared with the Latin rules.
_CLASSES: dict[str, frozenset[str]] = {
    "title": frozenset(w.lower() for w in lw.TITLE_HEADS | {"Mr.", "Mrs.", "Ms.", "Dr."}),
    "role": lw.ROLE_NOUNS,
    "orgtail": frozenset(w.lower() for w in lw.ORG_TAILS),
    "orghead": frozenset(w.lower() for w in lw.ORG_HEADS),
    "legal": frozenset(w.lower().rstrip(".") for w in lw.LEGAL_FORMS),
    "orgnoun": lw.ORG_NOUNS,
    "loctail": frozenset(w.lower() for w in lw.LOC_TAILS),
    "lochead": frozenset(w.lower().rstrip(".") for w in lw.LOC_HEADS),
    "placenoun": lw.PLACE_NOUNS,
    "cal": frozenset(w.lower() for w in lw.CALENDAR),
    "said": lw.wordset(
        "said says say told added explained wrote insisted tweeted according announced"
    ),
    "prep": lw.wordset("in at from to near of into across via"),
}
_URL_RE = re.compile(r"^(?:https?|www|ftp)\b|\.(?:com|org|net|gov|edu|uk|de)\b", re.IGNORECASE)


@dataclass(frozen=True)
class EnglishLexicon:
    """Census name ranks (bucket 1-4, lower case), wordfreq Zipf buckets, place names."""

    given: Mapping[str, int]
    surname: Mapping[str, int]
    zipf: Mapping[str, int]  # lower-case word -> Zipf frequency rounded down (1..7)
    gpe: frozenset[str]  # one-word countries and states, lower case

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> EnglishLexicon:
        """The shipped name lists, wordfreq's small English list, babel's countries."""
        import wordfreq  # its lists load on first use

        data = json.loads(gzip.decompress(path.read_bytes()))
        zipf = {
            w: max(1, int(math.log10(f) + 9))
            for w, f in wordfreq.get_frequency_dict("en", "small").items()
            if f > 0
        }
        gpe = frozenset(n.lower() for n in lw.gpe_names() if " " not in n)
        return cls(given=data["given"], surname=data["surname"], zipf=zipf, gpe=gpe)


@functools.cache
def english_lexicon() -> EnglishLexicon:
    """The shipped lexicon, read on first use."""
    return EnglishLexicon.load()


def _shape(word: str) -> str:
    """Letters as X/x, digits as d, runs of one class cut to two ("Xxxxx" -> "Xxx"... no:
    "Xx"), other characters kept: "McDonald" -> "XxXx", "U.S." -> "X.X.", "3M" -> "dX"."""
    out: list[str] = []
    prev = ""
    count = 0
    for ch in word:
        c = "X" if ch.isupper() else "x" if ch.isalpha() else "d" if ch.isdigit() else ch
        if c == prev:
            count += 1
            if count > 2:
                continue
        else:
            prev, count = c, 1
        out.append(c)
    return "".join(out)


def _case(word: str) -> str:
    """A coarse case class."""
    if not any(ch.isalnum() for ch in word):
        return "punct"
    if word.isdigit():
        return "digit"
    if not any(ch.isalpha() for ch in word):
        return "num"
    if word.isupper():
        return "upper1" if len(word) == 1 else "upper"
    if word.islower():
        return "lower"
    if word[0].isupper():
        return "title" if word[1:].islower() or not word[1:].isalpha() else "mixed"
    return "camel"  # eBay, iPhone


@functools.lru_cache(maxsize=100_000)
def _word_class(word: str) -> tuple[str, int]:
    """(case class, Zipf bucket of the lower-case form; 0: not among wordfreq's words)."""
    return _case(word), english_lexicon().zipf.get(word.lower(), 0)


def word_features(word: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """A word's own features ("bias" first) and those it lends its -2, -1, +1, +2
    neighbours (the layout of ``newsflow.entities.tagger``'s per-word cache)."""
    lex = english_lexicon()
    low = word.lower()
    case, zf = _word_class(word)
    own = ["bias", "lw=" + low, "sh=" + _shape(word)]
    for k in (1, 2, 3):
        if len(low) > k:
            own.append(f"p{k}={low[:k]}")
    for k in (2, 3, 4):
        if len(low) > k:
            own.append(f"s{k}={low[-k:]}")
    classes = ["cs=" + case]
    if case not in ("punct", "digit", "num"):
        classes += [f"zf={zf}", f"cz={case}:{zf}"]
        bare = low.rstrip(".")
        if (g := lex.given.get(bare)) is not None:
            classes.append(f"given={g}")
        if (s := lex.surname.get(bare)) is not None:
            classes.append(f"sur={s}")
        if bare in lex.gpe:
            classes.append("gpe")
        classes += [f"trig={kind}" for kind, words in _CLASSES.items() if bare in words]
        if word.endswith(".") and len(word) > 1:
            classes.append("dot")
        if "-" in word[1:]:
            classes.append("hyph")
        if "@" in word or _URL_RE.search(word):
            classes.append("url")
    own += classes
    lent: list[tuple[str, ...]] = []
    for d in _OFFSETS:
        if abs(d) == 1:
            lent.append((f"{d}:lw={low}", *(f"{d}:{c}" for c in classes)))
        else:
            lent.append((f"{d}:lw={low}", *(f"{d}:{c}" for c in classes if c[0] == "t")))
    return tuple(own), tuple(lent)


def _line_style(tokens: Sequence[str]) -> str:
    """ "A" for a sentence in capitals, "T" for one in title case (most words of four
    letters or more capitalised: a headline), "" otherwise."""
    upper = lower = title = long = 0
    for t in tokens:
        if len(t) > 1 and t[0].isalpha():
            if t.isupper():
                upper += 1
            elif len(t) > 3:
                long += 1
                if t[0].isupper():
                    title += 1
                else:
                    lower += 1
                    if lower > 1 and upper == 0 and 4 * title < 3 * long:
                        return ""  # (most sentences: give up at the second lower-case word)
    if upper >= 2 and long == 0:
        return "A"
    if long >= 3 and 4 * title >= 3 * long:
        return "T"
    return ""


def context_tags(
    tokens: Sequence[str], gaz: Sequence[str] | None, rules: Sequence[str] | None
) -> list[str]:
    """One context string per token: ``en|<gazetteer tag>|<rule tag>|<flag>``, the flag
    saying whether the token is the sentence's first word ("i") or in a capitals ("A") or
    title-case ("T") sentence, with its case class and Zipf bucket (what a capital means
    depends on where it stands). ``gaz``: the gazetteer's IOB tags, ``rules`` those of
    the Latin rules (``latin_name_spans`` over the whole text, so they keep what the text
    says elsewhere about a name); None: every tag "O"."""
    style = _line_style(tokens)
    first = _first_word(tokens)
    n = len(tokens)
    gaz = gaz if gaz is not None else ("O",) * n
    rules = rules if rules is not None else ("O",) * n
    if style:  # a headline or a line in capitals: every token's case class matters
        return [
            _flagged(tok, gaz[i], rules[i], "i" if i == first else style)
            for i, tok in enumerate(tokens)
        ]
    # most sentences: plain strings, but for the first word and the tagged tokens (most
    # sentences have none, which `count` tells without a Python step per token)
    out = [_PLAIN] * n
    if gaz.count("O") < n or rules.count("O") < n:
        for i, g, r in zip(range(n), gaz, rules, strict=False):
            if g != "O" or r != "O":
                out[i] = f"{CONTEXT_PREFIX}{g}|{r}|"
    if first >= 0:
        out[first] = _flagged(tokens[first], gaz[first], rules[first], "i")
    return out


def _flagged(token: str, gaz: str, rule: str, flag: str) -> str:
    case, zf = _word_class(token)
    return f"{CONTEXT_PREFIX}{gaz}|{rule}|{flag}:{case}:{min(zf, 6)}"


_PLAIN = CONTEXT_PREFIX + "O|O|"


def _first_word(tokens: Sequence[str]) -> int:
    """The index of the sentence's first token with a letter or digit (-1: none)."""
    for i, t in enumerate(tokens):
        if t[0].isalnum() or any(ch.isalnum() for ch in t):
            return i
    return -1


@functools.lru_cache(maxsize=50_000)
def context_attrs(tag: str) -> dict[int, tuple[str, ...]]:
    """What one context string gives its own token (offset 0) and the tokens before (+1)
    and after (-1) it, in the decoder's offset convention."""
    _, g, r, flag = tag.split("|")
    own = ["gaz=" + g, "rule=" + r]
    if g != "O":
        own.append("gaztype=" + g[2:])
    if r != "O":
        own.append("ruletype=" + r[2:])
        if g != "O":
            own.append(f"gr={g[2:]}:{r[2:]}")
    if flag:
        kind, case, zf = flag.split(":")
        own += [f"fl={kind}", f"fl={kind}:{case}", f"fl={kind}:{case}:{zf}"]
    return {
        0: tuple(own),
        -1: ("-1:gaz=" + g, "-1:rule=" + r),
        1: ("1:gaz=" + g, "1:rule=" + r),
    }


_LEGAL_FORMS = frozenset(w.rstrip(".") for w in lw.LEGAL_FORMS)


def organisation_end(words: Sequence[str]) -> int | None:
    """Where an organisation's name must end: one past its first legal form ("Siemens AG
    will" -> 2), None when it has none. A legal form closes a company's name; the model
    saw few of them in its web text and sometimes runs on."""
    for i, w in enumerate(words):
        if i and w in _LEGAL_FORMS:
            return i + 1
    return None


# Words whose full stop ends no sentence ("Mr. Smith", "Siemens Inc. said"); a single
# capital before a full stop is an initial ("U.S.", "John F. Kennedy").
ABBREVIATIONS: frozenset[str] = frozenset(
    [w.rstrip(".") for w in lw.ABBREV_WORDS]
    + list(lw.wordset("Mt Ft Inc Corp Co Ltd Bros No Nos Vol vs etc al approx Ave Blvd Rd"))
    + ["Univ", "Dept"]
    + [w for w in lw.CALENDAR if len(w) <= 4]
)


def abbreviation_dot(tokens: Sequence[str], i: int) -> bool:
    """Whether ``tokens[i]``, a full stop, belongs to the word before it (an abbreviation
    or an initial) rather than ending a sentence, as the runtime tokenizer splits them."""
    if i == 0 or tokens[i] != ".":
        return False
    prev = tokens[i - 1]
    return prev in ABBREVIATIONS or (len(prev) == 1 and prev.isupper())
