"""Who wrote the article: names from JSON-LD, ``<meta>`` and the byline printed near
the headline, cleaned of what bylines carry besides names.

Why a module of its own: a byline is a small language ("By Jane Doe and John Roe,
Staff Writer | 5 March 2024", «بقلم: أحمد علي - مراسل الجزيرة», "Autorin/Autor
Roman Goncharenko") and every source (JSON-LD strings, meta values, page text)
needs the same reading of it. The rules are classes seen across sites, not
per-site selectors:

* Sources, most reliable first: JSON-LD people (``Person`` objects, names from
  ``givenName``/``familyName``, ``@id`` references into the page's ``@graph``),
  then author meta tags, then the byline element nearest the headline, then a
  short "By …" line near the headline. An organisation named as author (a news
  agency) is kept only when no person is found anywhere.
* The site itself is never an author: its name, its domain with or without the
  suffix, or its initials ("LTO" on Legal Tribune Online).
* Cleaning: the "By"/"Von"/"بقلم"/"نویسنده" label, e-mails, URLs, handles,
  parenthesised asides, dates and times, trailing roles ("Staff Writer",
  "مراسل", "خبرنگار") and the staff/editorial-team pseudo-names are removed;
  "A, B and C" is split; names that hold digits (user handles) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from selectolax.lexbor import LexborNode

from newsflow.core.normalize import normalize_for_matching
from newsflow.extraction import date_words
from newsflow.extraction.dom import URLISH, clean_attr, clean_text, node_text
from newsflow.extraction.meta import PageMeta, ld_str, ld_types, site_name
from newsflow.extraction.walk import F_HIDDEN, DomHints

# The label in front of the names. The short words that are also name parts
# ("Di Maria", "Par", "Door") are stripped only when at least two words remain.
BY_PREFIX = re.compile(
    r"^\s*(?:(?:written|reported|reporting|story|words|text|photos?)\s+by"
    r"|by|von|par|por|di|door|av|af|bởi|oleh|från|przez|tarafından"
    r"|autor(?:in)?(?:\s*/\s*autor(?:in)?)?|autor(?:es|as)?|authors?|auteurs?|autore|autori"
    r"|texte?|بقلم|به\s+قلم|كتب|كتبت|كتبه|كتابة|إعداد|اعداد|تحرير"
    r"|نویسنده|نوشته|نگارش|گزارشگر)"
    r"(?:\s*[:：\-–]\s*|\s+)",
    re.IGNORECASE,
)
_AMBIGUOUS_PREFIX = frozenset({"di", "door", "av", "af", "par", "por", "von", "text", "texte"})

# Between two names. Connector words in the languages of the dev sets and the news
# web (and, und, et, y, e, en, og, och, ve, dan, và, i Polish/Catalan is left out:
# too often an initial).
AUTHOR_SPLIT = re.compile(
    r"\s*(?:[,;،؛]|\s&\s|\s(?:(?i:and|und)|et|y|e|en|og|och|ve|dan|và|و)\s)\s*"
)

# Pieces of a byline that are not names: the date, the reading time, the place.
_SEGMENT_SPLIT = re.compile(r"\s*(?:[|•·\n]|\s[-–—]\s|\s[-–—]$)\s*")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
_ASIDE = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）")
_DIGIT = re.compile(r"\d")
# A segment that starts with one of these is a date or a note, not a name.
_NOT_A_NAME_START = re.compile(
    r"^(?:updated|published|posted|last|first|modified|share|follow|read|listen|more|"
    r"aktualisiert|veröffentlicht|stand|publié|mis\s+à\s+jour|actualizado|publicado|"
    r"photo|foto|image|video|source|quelle|fuente|منبع|المصدر|تاريخ|تاریخ|"
    r"اخر\s+تحديث|آخر\s+تحديث|بروزرسانی|انتشار)\b",
    re.IGNORECASE,
)


def _vocab(text: str) -> frozenset[str]:
    """A word list written as one string (several scripts read better that way)."""
    return frozenset(text.split())


# Roles written after (or instead of) a name. A piece that starts with a role noun is
# dropped ("Staff Writer", «مراسل الجزيرة»); a name that ends with one loses it and the
# qualifiers before it ("Jane Doe Senior Political Correspondent" → "Jane Doe").
_ROLE_NOUNS = frozenset(
    _vocab(
        """writer writers reporter reporters correspondent correspondents editor editors
        contributor contributors columnist journalist journalists photographer producer
        analyst intern staff redakteur redakteurin korrespondent korrespondentin reporterin
        volontär volontärin mitarbeiter journaliste correspondant correspondante rédacteur
        rédactrice envoyé envoyée corresponsal redactor redactora periodista giornalista
        corrispondente technologist fellow professor director president researcher scientist
        attorney lawyer counsel economist strategist consultant
        مراسل مراسلة محرر محررة صحفي صحفية الصحفي المحرر مراسلنا
        خبرنگار دبیر سردبیر گزارشگر عکاس"""
    )
)
_ROLE_QUALIFIERS = frozenset(
    _vocab(
        """senior chief special contributing associate deputy managing executive political
        foreign national international news sports business science health technology tech
        economics culture investigative staff white house spécial spéciale"""
    )
)
# Words that open a role after a name ("…, Senior Staff Technologist, ACLU …").
_ROLE_OPENERS = _vocab(
    "senior staff chief special contributing associate deputy managing executive"
)
# Pseudo-names: the newsroom, not a person.
_NOT_PEOPLE = frozenset(
    _vocab(
        """staff admin administrator editor editors editorial redaktion newsroom rédaction
        redacción redazione team desk guest anonymous unknown user webmaster
        التحرير هيئة فريق همکاران تحریریه"""
    )
)
# Lower-case words inside names (Latin script).
_PARTICLES = frozenset(
    _vocab(
        """de da das do dos du del della der den di la le van von vom zu zum ter ten af av
        al el bin ibn bint ben y e mac st"""
    )
)
# Lower-case words inside an organisation's name, when one is declared as author.
_ORG_WORDS = _vocab("for of the and on at für des pour per para")
_MAX_NAME_WORDS = 6
_MAX_NAME_CHARS = 60
_MAX_AUTHORS = 20

# Elements that may hold a byline, by class, id, microdata, rel or the address of an
# author page. One query, run in C; the classes are matched as substrings.
_BYLINE_CLASS_WORDS = ("author", "byline", "autor", "auteur", "writer", "reporter", "journalist")
# Path starts of author pages: "/author" also matches /authors/, "/autor" /autoren/,
# /autores/, /autore/, /autori/. Few and short: each one is tried on every link.
_AUTHOR_PATHS = (
    "/author",
    "/autor",
    "/auteur",
    "/journalist",
    "/writer",
    "/reporter",
    "/yazar",
    "/penulis",
)
_BYLINE_CSS = ", ".join(
    [f'[class*="{w}" i]' for w in _BYLINE_CLASS_WORDS]
    + ['[id*="author" i]', '[id*="byline" i]', '[itemprop~="author" i]', '[rel~="author" i]']
    + [f'a[href*="{p}" i]' for p in _AUTHOR_PATHS]
)
_AUTHOR_LINK_CSS = ", ".join(
    ['a[rel~="author" i]', 'a[itemprop~="author" i]'] + [f'a[href*="{p}" i]' for p in _AUTHOR_PATHS]
)
# Class or id words of elements about an author that are not the byline.
_NOT_BYLINE_CLASS = re.compile(
    r"authori[tz]|comment|bio|avatar|image|img|photo|picture|thumb|social|follow|share|more|related|"
    r"about|desc|email|mail|twitter|icon|logo|job|role|title|position|count|list-header",
    re.IGNORECASE,
)
_MAX_BYLINE_CHARS = 200
_MAX_CANDIDATES = 60
_ANCESTOR_LEVELS = 40
# "By …" lines without markup: looked for among the text blocks around the headline.
_BLOCKS_BEFORE_TITLE = 3
_BLOCKS_AFTER_TITLE = 12
_BLOCKS_WITHOUT_TITLE = 40
_MAX_BY_LINE_CHARS = 100
_MAX_BLOCKS_SCANNED = 2000


# --- names ----------------------------------------------------------------------


def _is_month(word: str) -> bool:
    word = word.casefold()
    return date_words.month_of(word, None) is not None or word in date_words.AMBIGUOUS_MONTHS


def _strip_prefix(text: str) -> str:
    m = BY_PREFIX.match(text)
    if m is None:
        return text
    rest = text[m.end() :]
    word = m.group(0).strip(" :：-–").lower()
    if word in _AMBIGUOUS_PREFIX and len(rest.split()) < 2:
        return text
    return rest


def _is_latin_cased(word: str) -> bool:
    return any(c.isalpha() and (c.isupper() or c.islower()) for c in word)


def _word(word: str) -> str:
    return word.strip(".,:;()").casefold()


_PLACE_SUFFIX = re.compile(r"\s+in\s+\w[\w\s.'-]*$")


def _trim_name(name: str, *, cut: bool = False) -> str:
    """Cut a trailing role with its qualifiers ("Jane Doe Staff Writer" → "Jane Doe"),
    a place ("Shaun Walker in Kyiv") and, in a capitalised name, trailing lower-case
    words: what is left of a date cut off after the name ("Jane Doe on"). ``cut``: the
    text was cut at a date, so a trailing particle is that date's too ("le", "de")."""
    words = name.split()
    if words and _word(words[-1]) in _ROLE_NOUNS:
        while words and (_word(words[-1]) in _ROLE_NOUNS or _word(words[-1]) in _ROLE_QUALIFIERS):
            words.pop()
    if len(words) > 3 and words[0][:1].isupper():
        m = _PLACE_SUFFIX.search(" ".join(words))
        if m is not None and m.start() > 0 and all(w[:1].isupper() for w in m.group(0).split()[1:]):
            words = " ".join(words)[: m.start()].split()
    if words and words[0][:1].isupper():
        while len(words) > 1 and _is_latin_cased(words[-1]) and words[-1][:1].islower():
            if _word(words[-1]) in _PARTICLES and not cut:
                break
            words.pop()
    return " ".join(words).strip(" ,;|-–—:·•") if words else ""


def _looks_like_name(name: str, *, strict: bool) -> bool:
    """Whether ``name`` can be a person's or an agency's name. ``strict`` (text read
    from the page): cased scripts need capitalised words, particles aside."""
    if not name or len(name) > _MAX_NAME_CHARS or _DIGIT.search(name):
        return False
    if not any(c.isalpha() for c in name) or URLISH.search(name) or "@" in name:
        return False
    words = name.split()
    if len(words) > _MAX_NAME_WORDS + (0 if strict else 2):
        return False
    if _word(words[0]) in _ROLE_NOUNS:
        return False
    if {_word(w) for w in words} <= _NOT_PEOPLE:
        return False
    if any(p.casefold() in _NOT_PEOPLE for p in words[-1].split("-")[1:]):
        return False  # "NZZ-Redaktion"
    if "-" in name and " " not in name and name == name.lower():
        return False  # a slug: "sophie-foster"
    lower = [w for w in words if _is_latin_cased(w) and w[:1].islower()]
    if not strict and len(lower) == len(words):
        return True  # written all in lower case ("viktor hedlund"): declared, not read
    small = _PARTICLES if strict else _PARTICLES | _ORG_WORDS  # "Organization for …"
    return not (lower and (len(lower) > 2 or any(_word(w) not in small for w in lower)))


def split_names(text: str, *, strict: bool = False) -> list[str]:
    """The names in a byline or an author value, in order.

    The text is cut into pieces at ``|``, ``•``, line breaks and spaced dashes;
    a piece is cut at its first digit (the date after the names); the "By" label
    is removed; the rest is split at commas and connector words; roles, pseudo-names
    and what cannot be a name are dropped. ``strict`` is for text read from the page
    rather than declared as an author.
    """
    text = clean_attr(text)
    if not text:
        return []
    text = _HANDLE.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", _ASIDE.sub(" ", text))))
    out: list[str] = []
    for piece in _SEGMENT_SPLIT.split(text):
        m = _DIGIT.search(piece)
        cut = m is not None
        if m is not None:
            if m.start() and piece[m.start() - 1].isalpha():
                continue  # a handle or a code ("CC7567"), not a name
            piece = piece[: m.start()]
            words = piece.split()
            while words and _is_month(words[-1].strip(".,")):
                words.pop()  # "March" of "By Jane Doe | March 5, 2024"
            piece = " ".join(words)
        piece = _strip_prefix(clean_text(piece).strip(" ,;:"))
        if not piece or _NOT_A_NAME_START.match(piece):
            continue
        for part in AUTHOR_SPLIT.split(piece):
            first = _word(part.split()[0]) if part.split() else ""
            if out and (first in _ROLE_NOUNS or first in _ROLE_OPENERS):
                break  # "Jane Doe, Senior Fellow, Some Institute": the rest is her role
            name = _trim_name(_strip_prefix(clean_text(part)), cut=cut)
            if _looks_like_name(name, strict=strict):
                out.append(name)
    return out


# --- the site -------------------------------------------------------------------


def _squash(text: str) -> str:
    """Letters and digits only, casefolded and with Arabic-script spellings folded."""
    return "".join(c for c in normalize_for_matching(text) if c.isalnum())


_ARTICLES = frozenset({"the", "der", "die", "das", "le", "la", "les", "el", "il", "al"})
# Words a site adds to its own name when it signs as author ("Stern Online").
_SITE_WORDS = frozenset({"online", "news", "digital", "web", "tv", "radio", "live", "de", "com"})
_DOMAIN_LIKE = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?$", re.IGNORECASE)
_SCHEME_WWW = re.compile(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)


def _word_keys(text: str) -> list[str]:
    """The squashed words of a name, a domain's suffix dropped first."""
    text = clean_text(text)
    if _DOMAIN_LIKE.match(text):
        text = _squash_domain(text)
    keys = [k for k in (_squash(w) for w in re.split(r"[\s\-_.:|]+", text)) if k]
    return keys[1:] if len(keys) >= 2 and keys[0] in _ARTICLES else keys


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "or", "ne", "go"})


def _squash_domain(text: str) -> str:
    """The labels of a domain before its suffix: "www.stuttgarter-zeitung.de" →
    "stuttgarter-zeitung", "news.bbc.co.uk" → "news.bbc"."""
    labels = _SCHEME_WWW.sub("", text.lower()).strip("/").split(".")
    if len(labels) >= 2:
        labels.pop()
        if len(labels) >= 2 and labels[-1] in _SECOND_LEVEL:
            labels.pop()
    return ".".join(labels)


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


class _Site:
    """The names the site goes by, to tell its own name from an author's.

    The site's name (og:site_name, else the JSON-LD publisher) matches word for word
    (letters and digits only, a leading article aside), also written as one word, or
    as its initials ("LTO" for Legal Tribune Online), or with a word like "Online"
    more. A domain (the host, or a site name written as one) matches word for word
    with its hyphens read as spaces: "stuttgarter-zeitung.de" is "Stuttgarter
    Zeitung", vnexpress.net is "VnExpress", but hakibenita.com is not "Haki Benita",
    who writes that blog.
    """

    def __init__(self, pm: PageMeta, host: str) -> None:
        self.words: set[tuple[str, ...]] = set()  # matched word for word
        self.joined: set[str] = set()  # the site's name written as one word
        self.initials: set[str] = set()
        name = site_name(pm)
        pub = pm.ld_article.get("publisher") if pm.ld_article is not None else None
        if isinstance(pub, dict) and "person" in ld_types(pub) and not pm.first(("og:site_name",)):
            name = None  # a person's own site: its name is the author's
        domains = [host] if host else []
        if name and _DOMAIN_LIKE.match(name):
            domains.append(name)
        elif name:
            words = _word_keys(name)
            if words:
                self.words.add(tuple(words))
                self.joined.add("".join(words))
                if len(words) >= 2:
                    self.initials.add(_initials(words))
        for domain in domains:
            for label in _squash_domain(domain).split("."):
                words = [k for k in (_squash(p) for p in label.split("-")) if k]
                if words and label != "www":
                    self.words.add(tuple(words))

    def names(self, name: str) -> bool:
        """Whether ``name`` is the site (see the class)."""
        words = _word_keys(name)
        if not words:
            return True
        key = tuple(words)
        joined = "".join(words)
        if key in self.words or joined in self.joined or joined in self.initials:
            return True
        rest = [w for w in words if w not in _SITE_WORDS]
        return 0 < len(rest) < len(words) and tuple(rest) in self.words

    def is_own_address(self, value: str) -> bool:
        """Whether a meta value points at the site itself: "Deutsche Welle (www.dw.com)"."""
        for m in re.finditer(r"(?:https?://)?(?:www\.)?([\w-]+(?:\.[\w-]+)+)", value):
            words = tuple(
                k for k in (_squash(p) for p in _squash_domain(m.group(1)).split("-")) if k
            )
            if words in self.words:
                return True
        return False


# --- JSON-LD --------------------------------------------------------------------


def _ld_person_name(item: dict[str, Any]) -> str | None:
    name = ld_str(item.get("name"))
    if name:
        return name
    given = ld_str(item.get("givenName"))
    family = ld_str(item.get("familyName"))
    if given or family:
        return " ".join(x for x in (given, family) if x)
    return ld_str(item.get("alternateName"))


def _ld_by_id(pm: PageMeta) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for obj in pm.ld_objects:
        ident = obj.get("@id")
        if isinstance(ident, str) and (obj.get("name") or obj.get("givenName")):
            out.setdefault(ident, obj)
    return out


def _ld_authors(pm: PageMeta) -> tuple[list[str], list[str]]:
    """(people, organisations) named as the article's author or creator."""
    people: list[str] = []
    orgs: list[str] = []
    art = pm.ld_article
    if art is None:
        return people, orgs
    raw = art.get("author") or art.get("creator")
    items = raw if isinstance(raw, list) else [raw]
    refs: dict[str, dict[str, Any]] | None = None
    pub = art.get("publisher")
    pub_name = ld_str(pub) if isinstance(pub, dict | list) else None
    publisher = _squash(pub_name) if pub_name else None  # an organisation as its own author
    for item in items[:_MAX_AUTHORS]:
        if isinstance(item, dict):
            if not _ld_person_name(item) and isinstance(item.get("@id"), str):
                if refs is None:
                    refs = _ld_by_id(pm)
                item = refs.get(item["@id"], item)
            name = _ld_person_name(item)
            if not name:
                continue
            types = ld_types(item)
            if bool(types) and "person" not in types:
                if publisher is None or _squash(name) != publisher:
                    orgs.extend(split_names(name))
            else:
                people.extend(split_names(name))
        elif isinstance(item, str):
            people.extend(split_names(item))
    return people, orgs


# --- meta -----------------------------------------------------------------------

META_AUTHOR_KEYS = (
    "author",
    "article:author",
    "og:article:author",
    "dc.creator",
    "dc:creator",
    "dcterms.creator",
    "dcterms:creator",
    "parsely-author",
    "sailthru.author",
    "byl",
)


_PROFILE_URL = re.compile(r"^\s*(?:https?:)?//|^\s*www\.", re.IGNORECASE)


def _meta_authors(pm: PageMeta, site: _Site) -> list[str]:
    out: list[str] = []
    for value in pm.all(META_AUTHOR_KEYS):
        if not _PROFILE_URL.match(value) and not site.is_own_address(value):
            out.extend(split_names(value))
    return out


# --- the byline in the page -----------------------------------------------------


def _hidden(node: LexborNode, hints: DomHints, levels: int = 6) -> bool:
    classes = hints.classes
    n: LexborNode | None = node
    while n is not None and levels:
        known = classes.get(n.mem_id)
        if known is not None and known[0] & F_HIDDEN:
            return True
        n = n.parent
        levels -= 1
    return False


def _in_comments(node: LexborNode, levels: int = 8) -> bool:
    n = node.parent
    while n is not None and levels:
        attrs = n.attributes
        value = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
        if "comment" in value or "related" in value:
            return True
        n = n.parent
        levels -= 1
    return False


def _not_byline(node: LexborNode) -> bool:
    attrs = node.attributes
    value = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if not value.strip():
        return False
    # "author" or "byline" plus an excluded word: "author-bio", "comment-author"
    return bool(_NOT_BYLINE_CLASS.search(value))


def _names_in(node: LexborNode) -> list[str]:
    """The names one byline element gives: its author links when it has some, else
    its text read as a byline."""
    if "itemprop" in node.attributes:
        # microdata declares an author: read like a meta value (initials, lower case)
        props = (node.attributes.get("itemprop") or "").lower().split()
        if "author" in props:
            name = node.css_first('[itemprop~="name" i]')
            return split_names(node_text(name if name is not None else node))
    if node.tag == "a":
        return split_names(node_text(node), strict=True)
    links = node.css(_AUTHOR_LINK_CSS)
    if links:
        names: list[str] = []
        for a in links[:_MAX_AUTHORS]:
            names.extend(split_names(node_text(a), strict=True))
        if names:
            return names
    text = node_text(node)
    if len(text) > _MAX_BYLINE_CHARS:
        return []
    return split_names(text, strict=True)


def _depths(anchor: LexborNode | None) -> dict[int, int]:
    """Ancestor ids of the headline → how many levels up they are."""
    out: dict[int, int] = {}
    n = anchor
    depth = 0
    while n is not None and depth < _ANCESTOR_LEVELS:
        out[n.mem_id] = depth
        n = n.parent
        depth += 1
    return out


def _distance(node: LexborNode, depths: dict[int, int]) -> int:
    """Levels from the headline up to the closest element holding both it and ``node``."""
    n: LexborNode | None = node
    steps = 0
    while n is not None and steps < _ANCESTOR_LEVELS:
        d = depths.get(n.mem_id)
        if d is not None:
            return d
        n = n.parent
        steps += 1
    return _ANCESTOR_LEVELS


def _dom_byline(body: LexborNode, hints: DomHints, anchor: LexborNode | None) -> list[str]:
    """The names in the byline element closest to the headline (document order among
    equals); other byline elements beside it (same parent) add their names."""
    found = body.css(_BYLINE_CSS)[:_MAX_CANDIDATES]
    if not found:
        return []
    depths = _depths(anchor) if anchor is not None else {}
    scored: list[tuple[int, int, LexborNode]] = []
    seen: set[int] = set()
    for i, node in enumerate(found):
        if node.mem_id in seen:
            continue
        seen.add(node.mem_id)
        if _not_byline(node) or _hidden(node, hints) or _in_comments(node):
            continue
        scored.append((_distance(node, depths) if depths else 0, i, node))
    scored.sort(key=lambda t: (t[0], t[1]))
    for _, _, node in scored:
        names = _names_in(node)
        if not names:
            continue
        parent = node.parent
        if parent is not None:
            for _, _, other in scored:
                sibling = other.parent
                if other is not node and sibling is not None and sibling.mem_id == parent.mem_id:
                    names.extend(_names_in(other))
        return names
    return []


# Labels that start a byline line on their own; the others need a colon or a dash
# ("كتب" is also "books", "Text" a common word).
_LINE_LABELS = frozenset(
    {
        "by",
        "von",
        "par",
        "por",
        "bởi",
        "oleh",
        "autor",
        "autorin",
        "author",
        "auteur",
        "بقلم",
        "به قلم",
        "نویسنده",
    }
)


def _by_line(text: str) -> list[str]:
    """The names of a "By Jane Doe" line, or nothing when the line says more than
    names (a sentence that starts with "By")."""
    m = BY_PREFIX.match(text)
    if m is None:
        return []
    label = m.group(0)
    word = " ".join(label.strip(" :：-–").lower().split()).split("/")[0]
    if word not in _LINE_LABELS and not any(c in label for c in ":：-–"):
        return []
    rest = _SEGMENT_SPLIT.split(text[m.end() :])[0]
    d = _DIGIT.search(rest)
    rest = rest[: d.start()] if d else rest
    words = [w for w in AUTHOR_SPLIT.sub(" ", rest).split() if w]
    if not words or len(words) > 2 * _MAX_NAME_WORDS:
        return []
    for w in words:
        if _is_latin_cased(w) and w[:1].islower() and _word(w) not in _PARTICLES:
            return []
    return split_names(text, strict=True)


# Labels that name the author outright ("Autor:", «نویسنده:»), unlike "By", which
# also starts sentences and captions: lines with these are read in the whole page.
_EXPLICIT_LABELS = frozenset({"autor", "autorin", "author", "auteur", "بقلم", "به قلم", "نویسنده"})


def _by_line_blocks(texts: list[str], title: str | None) -> list[str]:
    """A "By Jane Doe" line without markup among the text blocks near the headline,
    else an "Author: Jane Doe" line anywhere in the page."""
    start, end = 0, min(len(texts), _BLOCKS_WITHOUT_TITLE)
    if title:
        want = normalize_for_matching(title)
        for i, t in enumerate(texts[:200]):
            if normalize_for_matching(t) == want:
                start = max(0, i - _BLOCKS_BEFORE_TITLE)
                end = min(len(texts), i + 1 + _BLOCKS_AFTER_TITLE)
                break
    for t in texts[start:end]:
        if len(t) <= _MAX_BY_LINE_CHARS:
            names = _by_line(t)
            if names:
                return names
    for t in texts[:_MAX_BLOCKS_SCANNED]:
        if len(t) <= _MAX_BY_LINE_CHARS and (m := BY_PREFIX.match(t)) is not None:
            word = " ".join(m.group(0).strip(" :：-–").lower().split()).split("/")[0]
            if word in _EXPLICIT_LABELS:
                names = _by_line(t)
                if names:
                    return names
    return []


# --- the chain ------------------------------------------------------------------


def _dedupe(names: Iterable[str], site: _Site) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        key = _squash(name)
        if not key or key in seen or site.names(name):
            continue
        seen.add(key)
        out.append(name)
    return out[:_MAX_AUTHORS]


def extract_authors(
    hints: DomHints,
    pm: PageMeta,
    host: str,
    *,
    body: LexborNode | None = None,
    anchor: LexborNode | None = None,
    texts: list[str] | None = None,
    title: str | None = None,
) -> list[str]:
    """People who wrote the article, never the site.

    Chain: JSON-LD people → author meta tags → the byline element nearest the
    headline ``anchor`` (under ``body``) → a "By …" line among the text blocks
    ``texts`` near ``title`` → JSON-LD organisations (an agency). The first source
    that names someone other than the site wins.
    """
    site = _Site(pm, host)
    people, orgs = _ld_authors(pm)
    found = _dedupe(people, site) or _dedupe(orgs, site)
    if found:
        return found
    found = _dedupe(_meta_authors(pm, site), site)
    if found:
        return found
    if body is not None:
        found = _dedupe(_dom_byline(body, hints, anchor), site)
    else:  # no tree at hand: the byline elements the classification pass kept
        nodes = [*hints.author_nodes, *hints.byline_nodes]
        found = _dedupe(next((n for n in map(_names_in, nodes) if n), []), site)
    if found:
        return found
    if texts:
        found = _dedupe(_by_line_blocks(texts, title), site)
    return found
