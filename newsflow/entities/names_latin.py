"""Proper names in Latin-script text that no gazetteer lists, by rule: English first.

Why rules and not a model: there is no English labelled NER data the project may use, and
the statistical tagger is trained on Arabic. English marks names with capital letters, so
the work is deciding which capitalised words are names and of which type. The bar is
precision: a reader must call nearly every emitted span obviously right, so a capitalised
run whose type is not evident from the text around it is left out (the gazetteer layer
still finds the names it lists).

How one text is read::

    capitalised runs (name words joined by "of", "de", "van", "bin"...; "'s" left out)
      -> sentence-initial common words, weekdays, months dropped; runs split after
         an abbreviation that ends a sentence and at "and" / "&"
      -> typed by evidence inside the run (a title: "President Joe Biden"; an
         organisation or place head: "Bank of England", "Ministry of Defence",
         "Getty Images", "Mount Kenya", "Orange County"; a country or US state)
         or next to it (a role noun: "striker Harry Kane"; "X said"; "said X";
         "X, who"; "X, 42,"; "in X, Texas"; "X-based"; "city of X"; a byline)
      -> acronyms typed ORG only when the text defines them: "World Health
         Organization (WHO)"
      -> later mentions of a person by surname alone ("Starmer"), anywhere in the text
      -> title-case lines (headlines) only get names already known from the rest

Other languages capitalise differently (German nouns, French titles), so for any
``language`` but English only organisations with a legal-form suffix ("Siemens AG",
"Renault SA") are returned.

Word lists that are facts about English (titles, organisation heads) and the characters
and runs of a text are in `latin_words`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from newsflow.entities.latin_words import (
    ACRONYM_AFTER_RE,
    AFTER_RE,
    AGENCY_RE,
    BOARD_MEMBERS,
    BYLINE_RE,
    CALENDAR,
    CONNECTORS,
    EMPLOYER_TITLES,
    EVENT_TAILS,
    FIXED,
    GENERAL_BEFORE,
    LEGAL_FORM_RE,
    LEGAL_FORMS,
    LOC_HEADS,
    LOC_TAILS,
    NOT_NAME_WORDS,
    OPENERS,
    ORG_BLOCK,
    ORG_HEADS,
    ORG_NOUNS,
    ORG_TAILS,
    PART_RE,
    PERSON_PARTICLES,
    PLACE_NOUNS,
    ROLE_NOUNS,
    RUN_RE,
    SENTENCE_END,
    STARTERS,
    TITLE_HEADS,
    capitalised_runs,
    common_words,
    gpe_names,
    wordset,
)

NameSpan = tuple[str, int, int]


# A run's part is a name token or a connector, so "not a connector" is "a token"
# (`RUN_RE` joins tokens only with these connectors).
_Part = tuple[str, int, int]  # (text, start, end) in the original text


def _is_token(part: str) -> bool:
    """Whether a part of a run is a name token: all but the connectors ("of", "and"...);
    a token starts with a capital or is "al-"/"el-" + a capital."""
    return part not in CONNECTORS


def _sentence_initial(text: str, pos: int) -> bool:
    """True when only openers (quotes, brackets, bullets, spaces) separate ``pos`` from the
    start of the text or from a sentence end."""
    i = pos - 1
    while i >= 0 and text[i] in OPENERS:
        if text[i] in "\n\r":
            return True
        i -= 1
    return i < 0 or text[i] in SENTENCE_END


def _title_case_line(text: str, pos: int, common: frozenset[str]) -> bool:
    """Whether the line around ``pos`` is written in Title Case or ALL CAPS (a headline, a
    subhead), where a capital letter says nothing about names: no final full stop, at most
    one lower-case word of four letters or more, and at least three capitalised common
    words ("Following", "Hits")."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    if end < 0:
        end = len(text)
    if end - start > 200 and not text[end - 1].isspace():
        return False  # a paragraph, not a headline (the common case: no copy of the line)
    line = text[start:end].rstrip()
    if len(line) > 200 or line.endswith("."):
        return False
    caps: list[str] = []  # words of 4+ characters that start with a capital
    lower = 0  # ... and with another letter: a second one ends the reading
    for w in line.split()[1:]:
        w = w.strip(".,:;!?'’\"“”()")
        if len(w) > 3 and w[0].isalpha():
            if w[0].isupper():
                caps.append(w)
            else:
                lower += 1
                if lower > 1:
                    return False
    return (
        len(caps) >= 0.75 * (len(caps) + lower) and sum(1 for w in caps if w.lower() in common) >= 3
    )


def _parts(whole: str, base: int) -> list[_Part]:
    """The parts of a run ``whole`` found at ``base``: its tokens and connectors, which
    `RUN_RE` separates by one space (or no-break space) each."""
    if "\u00a0" in whole:
        return [(p.group(), base + p.start(), base + p.end()) for p in PART_RE.finditer(whole)]
    parts = []
    for word in whole.split(" "):
        end = base + len(word)
        parts.append((word, base, end))
        base = end + 1
    return parts


def _keep_and(whole: str) -> bool:
    """Whether "and" / "&" inside the run ``whole`` is part of an organisation's name
    ("Department of Health and Human Services", but not "Ceres Robotics and Tyvak Systems
    Inc", nor "the US and the European Union")."""
    after_and = whole.rpartition(" and ")[2] if " and " in whole else whole.rpartition(" & ")[2]
    before_and = whole.partition(" and ")[0].rsplit(None, 1)[-1]
    return (
        whole.rsplit(None, 1)[-1] in ORG_TAILS
        and before_and not in ORG_TAILS
        and before_and not in ORG_HEADS
        and len(after_and.split()) <= 3
        and not after_and.lower().startswith("the ")
    )


def _split(
    whole: str,
    base: int,
    initial: bool,
    common: frozenset[str],
    seen: set[str],
    gpe: frozenset[str],
) -> list[list[_Part]]:
    """A regex run of several words (``whole`` at ``base``) as the parts of one or more
    runs: calendar words removed, a new run after an abbreviation's dot when a sentence
    starter follows, and at "and" / "&". (One-word runs are filtered in
    `latin_name_spans`.)"""
    runs: list[tuple[list[_Part], bool]] = []
    cur: list[_Part] = []
    cur_initial = initial
    keep_and: bool | None = None  # read only when the run has an "and"
    for item in _parts(whole, base):
        part = item[0]
        if part in CALENDAR:
            new_sentence = False
        elif part == "and" or part == "&":
            if keep_and is None:
                keep_and = _keep_and(whole)
            if keep_and:
                cur.append(item)
                continue
            new_sentence = False
        elif cur and part in STARTERS and cur[-1][0][-1] == ".":
            new_sentence = True
        else:
            cur.append(item)
            continue
        if cur:
            runs.append((cur, cur_initial))
        cur = []
        cur_initial = new_sentence
    if cur:
        runs.append((cur, cur_initial))
    out: list[list[_Part]] = []
    for parts, run_initial in runs:
        if run_initial:  # a sentence's first word is capitalised whatever it is
            first = parts[0][0]
            if first in STARTERS or (
                first.lower() in common and first not in seen and first not in gpe
            ):
                parts = parts[1:]
        while parts and (parts[0][0] in CONNECTORS or parts[0][0] in _ARTICLES):
            parts = parts[1:]
        while parts and parts[-1][0] in CONNECTORS:
            parts = parts[:-1]
        if parts:
            out.append(parts)
    return out


_ARTICLES = frozenset(("The", "A", "An"))


_SKIPPED = CALENDAR | _ARTICLES  # one-word runs that are never names


_BEFORE_STRIP = frozenset(" \u00a0,:")


def _word_before(text: str, pos: int) -> str:
    """The word right before ``pos`` (a comma or colon between allowed, within 30
    characters), or "": the letters and hyphens that end the text before ``pos``.

    Every caller only asks whether that word is one of the cue words (`_CUE_WORDS`), so
    a word that cannot be one (its last letter ends none of them) is "" without being
    read."""
    if pos < 0:  # not a position in the text: the window wraps as a slice would
        chunk = text[max(0, pos - 30) : pos].rstrip(" \u00a0,:")
        if not chunk or not chunk[-1].isalpha():
            return ""
        word = chunk.rsplit(None, 1)[-1]
        i = len(word)
        while i > 0 and (word[i - 1].isalpha() or word[i - 1] == "-"):
            i -= 1
        return word[i:]
    lo = pos - 30 if pos > 30 else 0
    j = pos
    while j > lo and text[j - 1] in _BEFORE_STRIP:
        j -= 1
    if j == lo or text[j - 1] not in _CUE_ENDS:
        return ""
    i = j - 1
    while i > lo and (text[i - 1].isalpha() or text[i - 1] == "-"):
        i -= 1
    return text[i:j]


def _org_noun_before(text: str, pos: int) -> bool:
    """``_word_before(text, pos) in ORG_NOUNS`` for ``pos >= 0``, most answers from the
    last three letters before ``pos`` alone."""
    lo = pos - 30 if pos > 30 else 0
    j = pos
    while j > lo and text[j - 1] in _BEFORE_STRIP:
        j -= 1
    if j - lo < _ORG_NOUN_MIN or text[j - 3 : j] not in _ORG_NOUN_ENDS:
        return False
    return _word_before(text, pos) in ORG_NOUNS


def _words(parts: list[_Part]) -> str:
    return " ".join([p[0] for p in parts])


def _person_tail(parts: list[_Part]) -> bool:
    """1-4 name tokens (particles allowed inside), none a title, organisation or place head,
    none an acronym: shaped like a person's name."""
    if parts[0][0] in CONNECTORS:
        return False
    names = 0
    for word, _, _ in parts:
        if word in PERSON_PARTICLES:
            continue  # (the particles are connectors: not counted)
        if word in _NOT_PERSON_WORDS or (word.isupper() and len(word) > 1):
            return False  # (every connector that is no particle is in the set)
        names += 1
    return names <= 4


class _Reader:
    """Typing state for one text: runs, known person names and acronyms."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[NameSpan] = []
        self.persons: dict[str, str] = {}  # surname or full name -> full name
        self.acronyms: set[str] = set()
        self.untyped: list[tuple[str, int, int]] = []  # (words, start, end) of a run
        self.org_names: set[str] = set()  # runs a text calls "newspaper X", "firm X"
        self.org_found: dict[str, bool] = {}  # `called_org`'s scans of the text

    def emit(self, kind: str, parts: list[_Part]) -> None:
        self.spans.append((kind, parts[0][1], parts[-1][2]))
        if kind == "ORG":  # "World Health Organization (WHO)": WHO is that organisation
            acr = ACRONYM_AFTER_RE.match(self.text, parts[-1][2])
            if acr and acr.group(1) == _initials(p[0] for p in parts if _is_token(p[0])):
                self.acronyms.add(acr.group(1))
        if kind == "PERSON":
            names = [p[0] for p in parts if _is_token(p[0])]
            if len(names) >= 2:
                full = _words(parts)
                self.persons[full] = full
                self.persons.setdefault(names[-1], full)

    def org_or_place(
        self, parts: list[_Part], gpe: frozenset[str], words: list[str] | None = None
    ) -> str | None:
        """The type a run's own words give it: an organisation or place head, a country;
        "EVENT" for a run that names an event ("Gulf War"), which is then not emitted.
        (``words``: the parts' words when the caller has them.)"""
        if words is None:
            words = [p[0] for p in parts]
        phrase = " ".join(words)
        if phrase in gpe:
            return "GPE"
        if phrase in FIXED:
            return FIXED[phrase]
        last = words[-1]
        if last in EVENT_TAILS:
            return "EVENT"
        if phrase in ORG_BLOCK:
            return None
        if last in LOC_TAILS and "of" not in words and _n_tokens(words) >= 2:
            return "LOC"
        if words[0] in LOC_HEADS and _n_tokens(words) >= 2:
            return "LOC"
        cut = -1
        if "of" in words or "for" in words:
            cut = next(i for i, w in enumerate(words) if w == "of" or w == "for")
            if (
                cut > 0
                and (words[cut - 1] in ORG_HEADS or words[cut - 1] in ORG_TAILS)
                and last not in BOARD_MEMBERS
            ):
                return "ORG"  # "Ministry of Defence", "Supreme Court of Israel"
        if cut < 0 and last in ORG_TAILS and _n_tokens(words) >= 2:
            before = self.text[max(0, parts[0][1] - 3) : parts[0][1]]
            if before in ("'s ", "’s "):  # "Murdoch Children's Research Institute"
                return None
            return "ORG"
        return None

    def title_split(self, parts: list[_Part], gpe: frozenset[str], words: list[str]) -> bool:
        """A title inside the run ("... President Joe Biden"): the words after it are a
        person, the words before it an employer or a country when they say so."""
        head = -1
        for i in range(len(words) - 1):
            w = words[i]
            if w[-1] != "." and w not in _TITLE_CUES:
                continue  # (no dot to strip: only these words can pass the tests below)
            bare = w.rstrip(".")
            if (
                bare in TITLE_HEADS
                or (bare == "General" and i > 0 and parts[i - 1][0] in GENERAL_BEFORE)
                or (bare == "State" and i > 1 and parts[i - 2][0] == "Secretary")
            ):
                head = i
        if head < 0:
            return False
        tail = parts[head + 1 :]
        if not _person_tail(tail) or self.org_or_place(tail, gpe):
            return False
        self.emit("PERSON", tail)
        # the words before the title: drop title words, keep an employer or country
        pre = parts[:head]
        while pre and (pre[-1][0].rstrip(".") in TITLE_HEADS or pre[-1][0] in _TITLE_QUALIFIERS):
            pre = pre[:-1]
        while pre and not _is_token(pre[-1][0]):
            pre = pre[:-1]
        if pre:
            kind = self.org_or_place(pre, gpe)
            if kind:
                if kind != "EVENT":
                    self.emit(kind, pre)
            elif (
                parts[head][0] in EMPLOYER_TITLES
                and len(pre) <= 2
                and not pre[-1][0].endswith(_DEMONYM_ENDINGS)
                and pre[-1][0].lower() not in common_words("en")
                and all(_is_token(p[0]) for p in pre)
            ):
                self.emit("ORG", pre)
        return True

    def classify(self, parts: list[_Part], gpe: frozenset[str]) -> None:
        """Type one run from its words and its neighbours, or keep it for the second pass."""
        if len(parts) == 1:
            self.classify_word(*parts[0], gpe)
            return
        words = [p[0] for p in parts]
        if self.title_split(parts, gpe, words):
            return
        kind = self.org_or_place(parts, gpe, words)
        if kind:
            if kind != "EVENT":
                self.emit(kind, parts)
            return
        text = self.text
        start, end = parts[0][1], parts[-1][2]
        prev = _word_before(text, start)
        after = AFTER_RE.match(text, end)
        phrase = " ".join(words)
        tokens = [w for w in words if w not in CONNECTORS]
        n_tokens = len(tokens)
        connectors = n_tokens < len(words)
        person_shaped = _person_tail(parts) and not any(t.isupper() for t in tokens)
        if prev in ORG_NOUNS and n_tokens <= 4 and not any(w in TITLE_HEADS for w in tokens):
            self.emit("ORG", parts)
            self.org_names.add(phrase)
            return
        if person_shaped and prev.lower() in ROLE_NOUNS and prev.islower():
            self.emit("PERSON", parts)
            return
        if person_shaped and n_tokens >= 2 and BYLINE_RE.search(text, max(0, start - 30), start):
            self.emit("PERSON", parts)
            return
        if after and (after.group("based") or "") == "-based":
            self.emit("GPE" if phrase in gpe else "LOC", parts)
            return
        if prev == "of" and not connectors and n_tokens <= 3 and self.place_noun_of(start):
            self.emit("GPE" if phrase in gpe else "LOC", parts)
            return
        if (
            after
            and after.group("region") in gpe
            and not connectors
            and prev in ("in", "from", "near", "of", "at")
            and n_tokens <= 3
        ):
            self.emit("LOC", parts)
            return
        two_plus = (
            person_shaped
            and n_tokens >= 2
            and prev not in ("the", "The", "a", "an")
            and not self.called_org(phrase)
        )
        if two_plus and after and (after.group("said") or after.group("who") or after.group("age")):
            self.emit("PERSON", parts)
            return
        if two_plus and prev in ("said", "says"):
            self.emit("PERSON", parts)
            return
        if connectors and ("of" in words or "for" in words):
            # "Sen. Tim Scott of South Carolina": each side of "of" on its own
            cut = next(i for i, w in enumerate(words) if w in ("of", "for"))
            left, right = parts[:cut], parts[cut + 1 :]
            while right and (right[0][0] in CONNECTORS or right[0][0] in _ARTICLES):
                right = right[1:]
            for piece in (left, right):
                if piece:
                    self.classify(piece, gpe)
            return
        self.untyped.append((phrase, start, end))

    def called_org(self, words: str) -> bool:
        """Whether the text calls ``words`` "newspaper X", "firm X"... anywhere: then
        "X said" is no evidence of a person."""
        if words in self.org_names:
            return True
        found = self.org_found.get(words)
        if found is None:  # the scan depends on the text alone: once per words
            found = False
            text = self.text
            pos = text.find(words)
            while pos >= 0:
                if _org_noun_before(text, pos):
                    found = True
                    break
                pos = text.find(words, pos + len(words))
            self.org_found[words] = found
        if found:
            self.org_names.add(words)
        return found

    def place_noun_of(self, start: int) -> bool:
        """``start`` follows "city of", "town of", "province of"..."""
        return _word_before(self.text, self.text.rfind("of", 0, start)) in PLACE_NOUNS

    def classify_word(self, word: str, start: int, end: int, gpe: frozenset[str]) -> None:
        """The one-word case of `classify`, kept cheap: most runs are one word."""
        if word in gpe:
            self.spans.append(("GPE", start, end))
            return
        text = self.text
        prev = _word_before(text, start)
        nxt = text[end : end + 1]
        if prev:
            if prev in ORG_NOUNS and word not in TITLE_HEADS:
                self.spans.append(("ORG", start, end))
                self.org_names.add(word)
                return
            if prev in ROLE_NOUNS and _person_tail([(word, start, end)]) and not word.isupper():
                self.spans.append(("PERSON", start, end))
                return
            if prev == "of" and self.place_noun_of(start):
                self.spans.append(("LOC", start, end))
                return
        if nxt == "-" and text.startswith("-based", end):
            self.spans.append(("LOC", start, end))
            return
        if nxt == "," and prev in ("in", "from", "near", "of", "at"):
            after = AFTER_RE.match(text, end)
            if after and after.group("region") in gpe:
                self.spans.append(("LOC", start, end))
                return
        if _CAMEL_RE.match(word) and not word.startswith(_NAME_PREFIXES):
            self.spans.append(("ORG", start, end))  # TotalEnergies, ExxonMobil, BlackRock
            return
        self.untyped.append((word, start, end))

    def second_pass(self, gpe: frozenset[str]) -> None:
        """Runs with no evidence of their own: a person already named in full (or by
        surname after the full name), an acronym the text defined."""
        persons, acronyms, org_names = self.persons, self.acronyms, self.org_names
        for words, start, end in self.untyped:
            if words in persons:
                self.spans.append(("PERSON", start, end))
            elif words in acronyms or words in org_names:
                self.spans.append(("ORG", start, end))


# One word with a capital inside after lower-case letters: a company's name written as
# one word ("TotalEnergies", "ExxonMobil"), unless the inner capital follows a surname
# prefix ("McDonald", "DeSantis", "LaGuardia", "MacArthur", "VanderBilt").
_CAMEL_RE = re.compile(r"[A-Z][a-z]{2,}[A-Z][a-z]{2,}(?:[A-Z][a-z]+)*$")


_NAME_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "Du", "La", "Le", "Van", "Von", "Fitz", "O")


def _n_tokens(words: list[str]) -> int:
    return sum(1 for w in words if w not in CONNECTORS)


_TITLE_QUALIFIERS = wordset(
    """Prime Vice Deputy Foreign Finance Defence Defense Interior Home Health Justice
    Education Trade Economy Energy Environment Culture Transport Labor Labour Chief First
    Senior Junior Former Acting Interim State Attorney Surgeon of the"""
)


_DEMONYM_ENDINGS = ("an", "ish", "ese", "ic", "i")


_ORG_NOUN_MIN = min(len(w) for w in ORG_NOUNS)  # (at least 3: `_org_noun_before`)


_ORG_NOUN_ENDS = frozenset(w[-3:] for w in ORG_NOUNS)


# Every word `_word_before` is compared with, and the letters they end in.
_CUE_WORDS = (
    ORG_NOUNS
    | ROLE_NOUNS
    | PLACE_NOUNS
    | frozenset(("of", "in", "from", "near", "at", "the", "The", "a", "an", "said", "says"))
)


_CUE_ENDS = frozenset(w[-1] for w in _CUE_WORDS)


# Words that are no part of a person's name (`_person_tail`), particles aside.
_NOT_PERSON_WORDS = (
    ORG_TAILS
    | LOC_TAILS
    | TITLE_HEADS
    | STARTERS
    | _TITLE_QUALIFIERS
    | NOT_NAME_WORDS
    | (CONNECTORS - PERSON_PARTICLES)
)


_TITLE_CUES = TITLE_HEADS | frozenset(("General", "State"))


def _initials(tokens: Iterable[str]) -> str:
    return "".join(t[0] for t in tokens)


def latin_name_spans(text: str, language: str | None) -> list[NameSpan]:
    """Character spans ``(type, start, end)`` (end exclusive, sorted, non-overlapping) of
    proper names in Latin-script ``text``; type is PERSON, ORG, GPE or LOC.

    Only names whose type the text makes evident are returned (see the module docstring);
    for a ``language`` other than English only organisations with a legal-form suffix.
    """
    if not text:
        return []
    lang = (language or "").split("-")[0].split("_")[0].lower()
    if lang != "en":
        return _legal_form_orgs(text, lang)
    common = common_words("en")
    gpe = gpe_names()
    # words seen capitalised inside a sentence: a sentence-initial one is a name too
    runs: list[tuple[int, int, str, bool]] = []  # (start, end, text, sentence-initial)
    seen: set[str] = set()
    for m in capitalised_runs(text):
        start, end = m.span()
        whole = m.group()
        if start > 1 and text[start - 1] == " " and text[start - 2] not in OPENERS:
            initial = text[start - 2] in SENTENCE_END  # most runs: after one space
        else:
            initial = _sentence_initial(text, start)
        runs.append((start, end, whole, initial))
        if not initial:
            seen.update(whole.split())
    reader = _Reader(text)
    deferred: list[list[_Part]] = []  # runs on headline lines
    singles: list[_Part] = []  # the one-word runs, for `_surnames`
    line_end = -1  # where the line of the previous run ends: no run spans lines
    headline = False
    for start, end, whole, initial in runs:
        if start > line_end:
            line_end = text.find("\n", start)
            if line_end < 0:
                line_end = len(text)
            headline = _title_case_line(text, start, common)
        if " " not in whole and "\u00a0" not in whole:  # one word: most runs
            singles.append((whole, start, end))
            if headline:
                deferred.append(_parts(whole, start))
            elif whole not in _SKIPPED and not (
                initial
                and (
                    whole in STARTERS
                    or (whole.lower() in common and whole not in seen and whole not in gpe)
                )
            ):
                reader.classify_word(whole, start, end, gpe)
        elif headline:
            deferred.append(_parts(whole, start))
        else:
            for parts in _split(whole, start, initial, common, seen, gpe):
                reader.classify(parts, gpe)
    reader.second_pass(gpe)
    for m in AGENCY_RE.finditer(text):
        reader.spans.append(("ORG", m.start(1), m.end(1)))
    _known_in_headlines(reader, deferred, gpe)
    _surnames(reader, singles, gpe)
    return _non_overlapping(reader.spans)


def _known_in_headlines(reader: _Reader, runs: list[list[_Part]], gpe: frozenset[str]) -> None:
    """In a Title Case line only names known from elsewhere, countries and full persons:
    any sub-sequence of the run's words that is one."""
    for parts in runs:
        n = len(parts)
        i = 0
        while i < n:
            for j in range(min(n, i + 4), i, -1):
                phrase = _words(parts[i:j])
                if phrase in gpe:
                    reader.spans.append(("GPE", parts[i][1], parts[j - 1][2]))
                    break
                if phrase in reader.persons and (j - i >= 2 or phrase not in gpe):
                    reader.spans.append(("PERSON", parts[i][1], parts[j - 1][2]))
                    break
            else:
                i += 1
                continue
            i = j


def _surnames(reader: _Reader, singles: list[_Part], gpe: frozenset[str]) -> None:
    """A surname alone after the full name was found anywhere in the text: a one-word run
    (``singles``: word, start, end) that is a known surname."""
    persons = reader.persons
    if not persons:
        return
    for word, start, end in singles:
        if word in persons and word not in gpe:
            reader.spans.append(("PERSON", start, end))


def _non_overlapping(spans: list[NameSpan]) -> list[NameSpan]:
    """Sorted by start; where spans overlap the longer (then the earlier found) wins."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][1] - spans[i][2], i))
    taken: list[NameSpan] = []
    used = bytearray(max((e for _, _, e in spans), default=0))
    for i in order:
        kind, s, e = spans[i]
        if used.find(1, s, e) == -1:
            taken.append((kind, s, e))
            used[s:e] = b"\x01" * (e - s)
    return sorted(taken, key=lambda sp: sp[1])


def _legal_form_orgs(text: str, lang: str) -> list[NameSpan]:
    """Outside English, capitals mark nouns and titles too: only runs ending in a legal
    form ("Deutsche Bank AG", "Renault SA") are emitted."""
    out: list[NameSpan] = []
    for m in LEGAL_FORM_RE.finditer(text):
        if m.start() and text[m.start() - 1] in " \u00a0":
            break
    else:  # no legal form after a space: no run ends in one (most texts)
        return out
    common = common_words(lang) if lang.isalpha() and len(lang) in (2, 3) else frozenset()
    for m in RUN_RE.finditer(text):
        words = m.group().split()
        if len(words) < 2 or words[-1] not in LEGAL_FORMS:
            continue
        starts = [pm.start() for pm in re.finditer(r"\S+", m.group())]
        # the name is the capitalised words before the legal form, after any connector
        i = len(words) - 1
        while i > 0 and _is_token(words[i - 1]):
            i -= 1
        if (
            i == 0
            and len(words) > 2
            and _sentence_initial(text, m.start())
            and words[0].lower() in common
        ):
            i = 1
        if i < len(words) - 1:
            out.append(("ORG", m.start() + starts[i], m.end()))
    return out
