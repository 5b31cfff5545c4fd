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

Word lists that are facts about English (titles, organisation heads) are constants here;
"is this a common word?" comes from ``wordfreq`` (its data ships in its wheel), read once.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

NameSpan = tuple[str, int, int]


def _wordset(words: str) -> frozenset[str]:
    """The whitespace-separated words of ``words``: long word lists stay readable."""
    return frozenset(words.split())


# --- characters and tokens ----------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_LO = "a-zß-öø-ÿā-ž"
_L = _UP + _LO

# Abbreviated titles keep their dot inside the token so "Mr. Smith" stays one run.
_ABBREV = (
    r"(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|Capt|Sgt|Maj|Cpl|Adm|Cmdr|Det|Supt|"
    r"Insp|Rev|Fr|Jr|Sr|Sec|Pres|St)\."
)
_TOKEN = (
    rf"(?:{_ABBREV}"
    rf"|[{_UP}](?:\.[{_UP}])+\.?"  # U.S., U.K.
    rf"|[{_UP}]\.(?=[ \u00a0][{_UP}])"  # a middle initial: John F. Kennedy
    rf"|(?:al|el)-[{_UP}][{_L}]+"  # al-Assad
    rf"|[{_UP}][{_L}]+(?:['’][{_UP}][{_L}]+|-[{_UP}][{_L}]*)*)"  # O'Brien, Jean-Luc
)
_CONNECTORS = _wordset(
    "of for the and & de da del della di du des dos van von der den la le bin ibn bint y"
)
_SEP = r"[ \u00a0]"
_RUN_RE = re.compile(
    rf"(?<![{_L}0-9'’.-])"
    rf"{_TOKEN}(?:(?:{_SEP}(?:of|for|the|and|&|de|da|del|della|di|du|des|dos|van|von|"
    rf"der|den|la|le|bin|ibn|bint|y)){{0,2}}{_SEP}{_TOKEN})*"
    rf"(?![{_L}0-9])"
)
_PART_RE = re.compile(rf"{_TOKEN}|[^ \u00a0]+")
_AFTER_RE = re.compile(
    r"(?P<poss>['’]s?\b)?[ \u00a0]*"
    r"(?:(?P<said>said|says|told|added|explained|wrote|insisted|tweeted)\b"
    r"|,[ \u00a0]*(?P<who>who)\b"
    r"|,[ \u00a0]*(?P<age>\d{1,3}),"
    r"|(?P<based>-based|-born)\b"
    r"|,[ \u00a0]*(?P<region>[A-Z][a-z]+(?:[ \u00a0][A-Z][a-z]+)?)\b(?![ \u00a0]*[A-Z]))?"
)
_ACRONYM_AFTER_RE = re.compile(r"[ \u00a0]*\(([A-Z]{2,6})\)")
_SENTENCE_END = frozenset(".!?:;\n\r")
_OPENERS = frozenset(" \u00a0\t\"'“‘«([—–-•*")

# --- word lists (English facts) -----------------------------------------------------------

# A title right before a name makes the name a person ("Prime Minister Keir Starmer").
_TITLE_HEADS = _wordset(
    """Mr Mrs Ms Mx Dr Prof Professor Sir Dame Lord Lady Baroness Rev Reverend Fr
    President Minister Secretary Senator Sen Rep Representative Congressman Congresswoman
    Gov Governor Mayor Judge Justice Chancellor King Queen Prince Princess Pope Sheikh
    Emir Ayatollah Gen Lt Col Colonel Capt Captain Sgt Sergeant Maj Cpl Adm Admiral Cmdr
    Commander Det Detective Supt Superintendent Insp Inspector Officer Constable Chairman
    Chairwoman Chair CEO Executive Founder Ambassador Commissioner Speaker Premier Pres
    Coach Archbishop Bishop Cardinal Rabbi Imam Deputy Spokesman Spokeswoman Spokesperson
    Councillor Councilman Councilwoman Trustee Director Dean Chef Administrator"""
)
# Titles after which the text before the title names the employer ("Apple CEO Tim Cook").
_EMPLOYER_TITLES = _wordset(
    "CEO Executive Founder Chairman Chairwoman Chair Spokesman Spokeswoman Director"
)
# "General" is a title only in compounds ("Attorney General Merrick Garland"), never
# alone ("General Motors", "General Assembly").
_GENERAL_BEFORE = _wordset("Attorney Surgeon Solicitor Inspector Governor Secretary")
# A lower-case word right before a capitalised run that makes it a person.
_ROLE_NOUNS = _wordset(
    """teenager actor actress singer rapper songwriter musician star coach manager striker
    midfielder defender goalkeeper quarterback pitcher forward winger player captain
    spokesman spokeswoman spokesperson minister president senator governor mayor
    chancellor premier secretary director author writer novelist poet journalist
    reporter correspondent columnist editor photographer lawyer attorney judge
    professor economist analyst researcher scientist doctor nurse officer detective
    founder co-founder chairman chairwoman ceo boss chief leader candidate deputy
    comedian presenter filmmaker producer designer artist influencer
    wife husband son daughter mother father brother sister grandson granddaughter
    grandmother grandfather uncle aunt nephew niece cousin girlfriend boyfriend partner
    fiancé fiancée widow friend colleague teammate suspect defendant starring
    chairperson entrepreneur billionaire businessman businesswoman
    lawmaker congressman congresswoman senator-elect president-elect mp mep"""
)
# Last word of an organisation's name.
_ORG_TAILS = _wordset(
    """Inc Inc. Ltd Ltd. Corp Corp. Corporation Co. LLC LLP PLC Plc plc AG GmbH SA S.A. NV
    Group Holdings Bank Bancorp Party Council Agency Authority Commission Committee
    Association Institute Foundation Fund University College Academy Society Union
    Federation League Club FC News Times Post Journal Herald Gazette Telegraph Tribune
    Press Network Media Studios Records Pictures Images Airlines Airways Motors
    Systems Technologies Labs Laboratories Pharmaceuticals Partners Capital Ventures
    Investments Reserve Department Office Police Service Services Army Navy Guard
    Court Parliament Congress Senate Assembly Cabinet Government Church Hospital
    Company Board Bureau Organization Organisation Alliance Coalition Movement Brigade
    Brigades Trust Exchange Administration Tribunal Forum Ministry Magazine Broadcasting
    Industries Enterprises Foods Brands Stores Hotels Resorts Communications Solutions
    Products Resources Logistics Pharma Therapeutics Electronics"""
)
# First word of an organisation's name when "of"/"for" follows ("Ministry of Defence").
_ORG_HEADS = _wordset(
    """Ministry Department University Bank Bureau Office Council Church Institute Court
    House Federation Union Organization Organisation League Association Commission
    Centers Centres Society Academy College School Party Army"""
)
_BOARD_MEMBERS = frozenset(("Directors", "Trustees", "Governors"))
# Words that end a capitalised run which is an event, not a place or organisation
# ("Gulf War", "World Cup"), and words no person's name contains ("Ranking Member").
_EVENT_TAILS = _wordset("War Wars Cup Games Olympics Championship Championships Crisis Revolution")
_NOT_NAME_WORDS = _wordset("General Member Wing Street Avenue Road Square Bridge Building")
_ORG_BLOCK = frozenset({"Oval Office", "White House", "Board of Directors"})
# Names whose last word misleads the head rules.
_FIXED = {"West Bank": "LOC", "Gaza Strip": "LOC", "Soviet Union": "GPE"}
# Legal forms: an organisation in any language.
_LEGAL_FORMS = _wordset(
    "Inc Inc. Ltd Ltd. Corp Corp. LLC LLP PLC plc AG GmbH SA S.A. SpA S.p.A. NV BV SE SAS"
)
_LOC_TAILS = _wordset(
    """River Mountains Mountain Valley Island Islands County Province Sea Ocean Lake Bay
    Peninsula Desert Strait Heights Hills Beach Falls Canyon Gulf Coast Borough Township
    Parish Archipelago Glacier Plateau Basin Delta Highlands Prefecture Oblast"""
)
_LOC_HEADS = _wordset("Mount Mt. Lake Gulf Strait Cape Isle Lake Gulf")
_PLACE_NOUNS = _wordset("city town village province state region county suburb capital district")
_CALENDAR = _wordset(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
    April May June July August September October November December Jan Feb Mar Apr Jun
    Jul Aug Sep Sept Oct Nov Dec"""
)
# Closed-class words that start sentences; after an abbreviation's dot they start a new one.
_STARTERS = _wordset(
    """The A An This That These Those He She It They We I You His Her Its Their Our My
    But And Or So Yet If When While As After Before Since In On At For From With By To
    There Here What Why How Who Where Which Some Many Most All Both Each No Not Now Then
    Also Still Even Only Just However Meanwhile"""
)
_PERSON_PARTICLES = _wordset("de da del della di du dos van von der den la le bin ibn bint y")
_BYLINE_RE = re.compile(
    r"(?:^|\n)[ \u00a0]*(?:By|BY|Photo(?:graph)?:?(?:[ \u00a0]by)?|Credit:|Words:|Written by)"
    r"[ \u00a0]+$"
)
_AGENCY_RE = re.compile(r"\((Reuters|AP|AFP|Bloomberg|UPI|dpa|Xinhua|PA|EFE|ANSA)\)")
_US_STATES = _wordset(
    """Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida
    Georgia Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland
    Massachusetts Michigan Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio
    Oklahoma Oregon Pennsylvania Tennessee Texas Utah Vermont Virginia
    Wisconsin Wyoming Ontario Quebec Alberta Manitoba Saskatchewan Queensland Victoria
    Tasmania England Scotland Wales Bavaria Punjab Kerala Sindh"""
) | frozenset(
    [
        "New Hampshire",
        "New Jersey",
        "New Mexico",
        "New York State",
        "North Carolina",
        "North Dakota",
        "Rhode Island",
        "South Carolina",
        "South Dakota",
        "West Virginia",
        "British Columbia",
        "Nova Scotia",
        "New South Wales",
        "Western Australia",
        "South Australia",
        "Northern Ireland",
        "Northern Territory",
    ]
)
_COUNTRY_EXTRA = _wordset("US U.S. USA UK U.K. UAE Britain America Holland Burma") | frozenset(
    ["Great Britain", "Ivory Coast", "Czech Republic", "South Korea", "North Korea"]
)
# CLDR "territories" that are not countries (United Nations, European Union, Eurozone...).
_NOT_COUNTRIES = _wordset("UN EU EZ QO XA XB ZZ AQ")
# Country names that are also common words or first names.
_COUNTRY_DROP = frozenset({"Jersey", "Chad", "Guernsey", "Georgia", "Jordan", "Turkey"})


@functools.cache
def _gpe_names() -> frozenset[str]:
    """English country names (CLDR through babel, already a dependency) and the states and
    provinces that news names bare; built once."""
    from babel import Locale  # heavy import, only on first use

    names = set(_COUNTRY_EXTRA) | set(_US_STATES)
    for code, name in Locale.parse("en").territories.items():
        if code not in _NOT_COUNTRIES and code.isalpha() and "(" not in name and "&" not in name:
            names.add(name)
    return frozenset(names - _COUNTRY_DROP)


@functools.cache
def _common_words(language: str) -> frozenset[str]:
    """The 20,000 most frequent words of ``language`` (lower case), from wordfreq: a
    sentence-initial word among them is probably not a name. Loaded once per language."""
    import wordfreq  # its word lists load on first use

    if language not in wordfreq.available_languages():
        return frozenset()  # not a near match ("la" read as Italian): no list at all
    return frozenset(wordfreq.top_n_list(language, 20000))


# --- reading one text ---------------------------------------------------------------------


@dataclass
class _Run:
    """One capitalised run split into parts: name tokens and the connectors between."""

    start: int
    parts: list[tuple[str, int, int]]  # (text, start, end) in the original text
    initial: bool  # the run starts a sentence


def _is_token(part: str) -> bool:
    return part[:1].isupper() or part[:3] in ("al-", "el-")


def _sentence_initial(text: str, pos: int) -> bool:
    """True when only openers (quotes, brackets, bullets, spaces) separate ``pos`` from the
    start of the text or from a sentence end."""
    i = pos - 1
    while i >= 0 and text[i] in _OPENERS:
        if text[i] in "\n\r":
            return True
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def _title_case_line(text: str, pos: int, common: frozenset[str]) -> bool:
    """Whether the line around ``pos`` is written in Title Case or ALL CAPS (a headline, a
    subhead), where a capital letter says nothing about names: no final full stop, at most
    one lower-case word of four letters or more, and at least three capitalised common
    words ("Following", "Hits")."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end >= 0 else len(text)].rstrip()
    if len(line) > 200 or line.endswith("."):
        return False
    words = [w.strip(".,:;!?'’\"“”()") for w in line.split()[1:]]
    words = [w for w in words if len(w) > 3 and w[0].isalpha()]
    caps = [w for w in words if w[0].isupper()]
    return (
        len(caps) >= 0.75 * len(words)
        and len(words) - len(caps) <= 1
        and sum(1 for w in caps if w.lower() in common) >= 3
    )


def _split(
    text: str, m: re.Match[str], initial: bool, common: frozenset[str], seen: frozenset[str]
) -> list[_Run]:
    """A regex run as one or more runs: calendar words and "I" removed, a new run after an
    abbreviation's dot when a sentence starter follows, and at "and" / "&"."""
    whole = m.group()
    if " " not in whole and "\u00a0" not in whole:  # one word: most runs
        if whole in _CALENDAR or whole in _ARTICLES:
            return []
        if initial and (
            whole in _STARTERS
            or (whole.lower() in common and whole not in seen and whole not in _gpe_names())
        ):
            return []
        return [_Run(m.start(), [(whole, m.start(), m.end())], initial)]
    runs: list[_Run] = []
    cur: list[tuple[str, int, int]] = []
    cur_initial = initial
    base = m.start()
    # "Department of Health and Human Services": "and" inside an organisation's name
    # (but not "Ceres Robotics and Tyvak Systems Inc", nor "the US and the European Union")
    after_and = whole.rpartition(" and ")[2] if " and " in whole else whole.rpartition(" & ")[2]
    before_and = whole.partition(" and ")[0].rsplit(None, 1)[-1]
    keep_and = (
        whole.rsplit(None, 1)[-1] in _ORG_TAILS
        and before_and not in _ORG_TAILS
        and before_and not in _ORG_HEADS
        and len(after_and.split()) <= 3
        and not after_and.lower().startswith("the ")
    )
    for pm in _PART_RE.finditer(m.group()):
        part, s, e = pm.group(), base + pm.start(), base + pm.end()
        new_sentence = bool(cur) and cur[-1][0].endswith(".") and part in _STARTERS
        if part in _CALENDAR or (part in ("and", "&") and not keep_and) or new_sentence:
            if cur:
                runs.append(_Run(cur[0][1], cur, cur_initial))
            cur = []
            cur_initial = new_sentence
            continue
        cur.append((part, s, e))
    if cur:
        runs.append(_Run(cur[0][1], cur, cur_initial))
    out: list[_Run] = []
    for run in runs:
        parts = run.parts
        if run.initial:  # a sentence's first word is capitalised whatever it is
            first = parts[0][0]
            if first in _STARTERS or (
                first.lower() in common and first not in seen and first not in _gpe_names()
            ):
                parts = parts[1:]
        while parts and (not _is_token(parts[0][0]) or parts[0][0] in _ARTICLES):
            parts = parts[1:]
        while parts and not _is_token(parts[-1][0]):
            parts = parts[:-1]
        if parts:
            out.append(_Run(parts[0][1], parts, run.initial and parts is run.parts))
    return out


_ARTICLES = frozenset(("The", "A", "An"))


def _word_before(text: str, pos: int) -> str:
    """The word right before ``pos`` (a comma or colon between allowed), or ""."""
    chunk = text[max(0, pos - 30) : pos].rstrip(" \u00a0,:")
    if not chunk or not chunk[-1].isalpha():
        return ""
    word = chunk.rsplit(None, 1)[-1]
    i = len(word)
    while i > 0 and (word[i - 1].isalpha() or word[i - 1] == "-"):
        i -= 1
    return word[i:]


def _words(parts: list[tuple[str, int, int]]) -> str:
    return " ".join(p[0] for p in parts)


def _person_tail(parts: list[tuple[str, int, int]]) -> bool:
    """1-4 name tokens (particles allowed inside), none a title, organisation or place head,
    none an acronym: shaped like a person's name."""
    names = [p[0] for p in parts if _is_token(p[0])]
    if not 1 <= len(names) <= 4 or not _is_token(parts[0][0]):
        return False
    for word, _, _ in parts:
        if word in _PERSON_PARTICLES:
            continue
        if not _is_token(word) or word in _ORG_TAILS or word in _LOC_TAILS:
            return False
        if word in _TITLE_HEADS or word in _STARTERS or word in _TITLE_QUALIFIERS:
            return False
        if word in _NOT_NAME_WORDS or (word.isupper() and len(word) > 1):
            return False
    return True


class _Reader:
    """Typing state for one text: runs, known person names and acronyms."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[NameSpan] = []
        self.persons: dict[str, str] = {}  # surname or full name -> full name
        self.acronyms: set[str] = set()
        self.untyped: list[_Run] = []
        self.org_names: set[str] = set()  # runs a text calls "newspaper X", "firm X"

    def emit(self, kind: str, parts: list[tuple[str, int, int]]) -> None:
        self.spans.append((kind, parts[0][1], parts[-1][2]))
        if kind == "ORG":  # "World Health Organization (WHO)": WHO is that organisation
            acr = _ACRONYM_AFTER_RE.match(self.text, parts[-1][2])
            if acr and acr.group(1) == _initials(p[0] for p in parts if _is_token(p[0])):
                self.acronyms.add(acr.group(1))
        if kind == "PERSON":
            names = [p[0] for p in parts if _is_token(p[0])]
            if len(names) >= 2:
                full = _words(parts)
                self.persons[full] = full
                self.persons.setdefault(names[-1], full)

    def org_or_place(self, parts: list[tuple[str, int, int]], gpe: frozenset[str]) -> str | None:
        """The type a run's own words give it: an organisation or place head, a country;
        "EVENT" for a run that names an event ("Gulf War"), which is then not emitted."""
        words = [p[0] for p in parts]
        phrase = " ".join(words)
        if phrase in gpe:
            return "GPE"
        if phrase in _FIXED:
            return _FIXED[phrase]
        if words[-1] in _EVENT_TAILS:
            return "EVENT"
        if phrase in _ORG_BLOCK:
            return None
        tokens = [w for w in words if _is_token(w)]
        if len(tokens) >= 2 and words[-1] in _LOC_TAILS and "of" not in words:
            return "LOC"
        if len(tokens) >= 2 and words[0] in _LOC_HEADS:
            return "LOC"
        cut = next((i for i, w in enumerate(words) if w in ("of", "for")), -1)
        if (
            cut > 0
            and (words[cut - 1] in _ORG_HEADS or words[cut - 1] in _ORG_TAILS)
            and words[-1] not in _BOARD_MEMBERS
        ):
            return "ORG"  # "Ministry of Defence", "Supreme Court of Israel"
        if len(tokens) >= 2 and words[-1] in _ORG_TAILS and cut < 0:
            before = self.text[max(0, parts[0][1] - 3) : parts[0][1]]
            if before in ("'s ", "’s "):  # "Murdoch Children's Research Institute"
                return None
            return "ORG"
        return None

    def title_split(self, run: _Run, gpe: frozenset[str]) -> bool:
        """A title inside the run ("... President Joe Biden"): the words after it are a
        person, the words before it an employer or a country when they say so."""
        parts = run.parts
        head = -1
        for i, (w, _, _) in enumerate(parts[:-1]):
            bare = w.rstrip(".")
            if (
                bare in _TITLE_HEADS
                or (bare == "General" and i > 0 and parts[i - 1][0] in _GENERAL_BEFORE)
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
        while pre and (pre[-1][0].rstrip(".") in _TITLE_HEADS or pre[-1][0] in _TITLE_QUALIFIERS):
            pre = pre[:-1]
        while pre and not _is_token(pre[-1][0]):
            pre = pre[:-1]
        if pre:
            kind = self.org_or_place(pre, gpe)
            if kind:
                if kind != "EVENT":
                    self.emit(kind, pre)
            elif (
                parts[head][0] in _EMPLOYER_TITLES
                and len(pre) <= 2
                and not pre[-1][0].endswith(_DEMONYM_ENDINGS)
                and pre[-1][0].lower() not in _common_words("en")
                and all(_is_token(p[0]) for p in pre)
            ):
                self.emit("ORG", pre)
        return True

    def classify(self, run: _Run, gpe: frozenset[str]) -> None:
        """Type one run from its words and its neighbours, or keep it for the second pass."""
        text = self.text
        parts = run.parts
        if len(parts) == 1:
            self.classify_word(run, gpe)
            return
        if self.title_split(run, gpe):
            return
        kind = self.org_or_place(parts, gpe)
        if kind:
            if kind != "EVENT":
                self.emit(kind, parts)
            return
        start, end = parts[0][1], parts[-1][2]
        prev = _word_before(text, start)
        after = _AFTER_RE.match(text, end)
        tokens = [p[0] for p in parts if _is_token(p[0])]
        connectors = [p[0] for p in parts if not _is_token(p[0])]
        person_shaped = _person_tail(parts) and not any(t.isupper() for t in tokens)
        if prev in _ORG_NOUNS and len(tokens) <= 4 and not any(w in _TITLE_HEADS for w in tokens):
            self.emit("ORG", parts)
            self.org_names.add(_words(parts))
            return
        if person_shaped and prev.lower() in _ROLE_NOUNS and prev.islower():
            self.emit("PERSON", parts)
            return
        if (
            _BYLINE_RE.search(text, max(0, start - 30), start)
            and person_shaped
            and len(tokens) >= 2
        ):
            self.emit("PERSON", parts)
            return
        if after and (after.group("based") or "") == "-based":
            self.emit("GPE" if _words(parts) in gpe else "LOC", parts)
            return
        if prev == "of" and not connectors and len(tokens) <= 3 and self.place_noun_of(start):
            self.emit("GPE" if _words(parts) in gpe else "LOC", parts)
            return
        if (
            after
            and after.group("region") in gpe
            and not connectors
            and prev in ("in", "from", "near", "of", "at")
            and len(tokens) <= 3
        ):
            self.emit("LOC", parts)
            return
        two_plus = (
            person_shaped
            and len(tokens) >= 2
            and prev not in ("the", "The", "a", "an")
            and not self.called_org(_words(parts))
        )
        if two_plus and after and (after.group("said") or after.group("who") or after.group("age")):
            self.emit("PERSON", parts)
            return
        if two_plus and prev in ("said", "says"):
            self.emit("PERSON", parts)
            return
        if "of" in connectors or "for" in connectors:
            # "Sen. Tim Scott of South Carolina": each side of "of" on its own
            cut = next(i for i, p in enumerate(parts) if p[0] in ("of", "for"))
            left, right = parts[:cut], parts[cut + 1 :]
            while right and (not _is_token(right[0][0]) or right[0][0] in _ARTICLES):
                right = right[1:]
            for piece in (left, right):
                if piece:
                    self.classify(_Run(piece[0][1], piece, run.initial and piece is left), gpe)
            return
        self.untyped.append(run)

    def called_org(self, words: str) -> bool:
        """Whether the text calls ``words`` "newspaper X", "firm X"... anywhere: then
        "X said" is no evidence of a person."""
        if words in self.org_names:
            return True
        pos = self.text.find(words)
        while pos >= 0:
            if _word_before(self.text, pos) in _ORG_NOUNS:
                self.org_names.add(words)
                return True
            pos = self.text.find(words, pos + len(words))
        return False

    def place_noun_of(self, start: int) -> bool:
        """``start`` follows "city of", "town of", "province of"..."""
        return _word_before(self.text, self.text.rfind("of", 0, start)) in _PLACE_NOUNS

    def classify_word(self, run: _Run, gpe: frozenset[str]) -> None:
        """The one-word case of `classify`, kept cheap: most runs are one word."""
        word, start, end = run.parts[0]
        if word in gpe:
            self.spans.append(("GPE", start, end))
            return
        text = self.text
        prev = _word_before(text, start)
        nxt = text[end : end + 1]
        if prev:
            if prev in _ORG_NOUNS and word not in _TITLE_HEADS:
                self.spans.append(("ORG", start, end))
                self.org_names.add(word)
                return
            if prev in _ROLE_NOUNS and _person_tail(run.parts) and not word.isupper():
                self.spans.append(("PERSON", start, end))
                return
            if prev == "of" and self.place_noun_of(start):
                self.spans.append(("LOC", start, end))
                return
        if nxt == "-" and text.startswith("-based", end):
            self.spans.append(("LOC", start, end))
            return
        if nxt == "," and prev in ("in", "from", "near", "of", "at"):
            after = _AFTER_RE.match(text, end)
            if after and after.group("region") in gpe:
                self.spans.append(("LOC", start, end))
                return
        self.untyped.append(run)

    def second_pass(self, gpe: frozenset[str]) -> None:
        """Runs with no evidence of their own: a person already named in full (or by
        surname after the full name), an acronym the text defined."""
        for run in self.untyped:
            words = _words(run.parts)
            if words in self.persons:
                self.spans.append(("PERSON", run.parts[0][1], run.parts[-1][2]))
            elif words in self.acronyms or words in self.org_names:
                self.spans.append(("ORG", run.parts[0][1], run.parts[-1][2]))


# A lower-case noun right before a capitalised run that makes it an organisation.
_ORG_NOUNS = _wordset(
    """newspaper broadcaster magazine firm company startup start-up carrier airline automaker
    carmaker retailer lender insurer conglomerate website outlet publisher
    regulator watchdog charity manufacturer label studio tabloid daily"""
)
_TITLE_QUALIFIERS = _wordset(
    """Prime Vice Deputy Foreign Finance Defence Defense Interior Home Health Justice
    Education Trade Economy Energy Environment Culture Transport Labor Labour Chief First
    Senior Junior Former Acting Interim State Attorney Surgeon of the"""
)
_DEMONYM_ENDINGS = ("an", "ish", "ese", "ic", "i")


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
    common = _common_words("en")
    gpe = _gpe_names()
    headline: dict[int, bool] = {}  # line start -> is a headline
    matches = list(_RUN_RE.finditer(text))
    # words seen capitalised inside a sentence: a sentence-initial one is a name too
    initials = [_sentence_initial(text, m.start()) for m in matches]
    seen = frozenset(
        p for m, ini in zip(matches, initials, strict=True) if not ini for p in m.group().split()
    )
    line_starts = [0]
    line_starts.extend(i + 1 for i in _newlines(text))
    reader = _Reader(text)
    deferred: list[_Run] = []
    for m, initial in zip(matches, initials, strict=True):
        line = line_starts[bisect.bisect_right(line_starts, m.start()) - 1]
        if line not in headline:
            headline[line] = _title_case_line(text, m.start(), common)
        if headline[line]:
            parts = [
                (p.group(), m.start() + p.start(), m.start() + p.end())
                for p in _PART_RE.finditer(m.group())
            ]
            deferred.append(_Run(m.start(), parts, False))
            continue
        for run in _split(text, m, initial, common, seen):
            reader.classify(run, gpe)
    reader.second_pass(gpe)
    for m in _AGENCY_RE.finditer(text):
        reader.spans.append(("ORG", m.start(1), m.end(1)))
    _known_in_headlines(reader, deferred, gpe)
    _surnames(reader, matches)
    return _non_overlapping(reader.spans)


def _newlines(text: str) -> Iterable[int]:
    """Positions of the line breaks of ``text``."""
    pos = text.find("\n")
    while pos >= 0:
        yield pos
        pos = text.find("\n", pos + 1)


def _known_in_headlines(reader: _Reader, runs: list[_Run], gpe: frozenset[str]) -> None:
    """In a Title Case line only names known from elsewhere, countries and full persons:
    any sub-sequence of the run's words that is one."""
    for run in runs:
        parts = run.parts
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


def _surnames(reader: _Reader, matches: list[re.Match[str]]) -> None:
    """A surname alone after the full name was found anywhere in the text: the last word
    of a run, or a one-word run, that is a known surname."""
    if not reader.persons:
        return
    gpe = _gpe_names()
    for m in matches:
        words = m.group().split()
        last = words[-1]
        if len(words) == 1 and last in reader.persons and last not in gpe:
            reader.spans.append(("PERSON", m.start(), m.end()))


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
    common = _common_words(lang) if lang.isalpha() and len(lang) in (2, 3) else frozenset()
    for m in _RUN_RE.finditer(text):
        words = m.group().split()
        if len(words) < 2 or words[-1] not in _LEGAL_FORMS:
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
