"""What the Latin-script rules know about words: the characters and capitalised runs of a
text, and the word lists that are facts about English (titles, organisation and place
heads, role nouns, legal forms...); "is this a common word?" comes from ``wordfreq``
(its data ships in its wheel), read once. The rules themselves are `names_latin`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator


def wordset(words: str) -> frozenset[str]:
    """The whitespace-separated words of ``words``: long word lists stay readable."""
    return frozenset(words.split())


_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"


_LO = "a-zß-öø-ÿā-ž"


_L = _UP + _LO


# Abbreviated titles keep their dot inside the token so "Mr. Smith" stays one run.
ABBREV_WORDS = [
    *("Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Capt"),
    *("Sgt", "Maj", "Cpl", "Adm", "Cmdr", "Det", "Supt", "Insp", "Rev", "Fr", "Jr", "Sr"),
    *("Sec", "Pres", "St"),
]  # (in the order the regex alternation tries them)


# (The lookaheads in these patterns only let the regex engine give up sooner: a capital
# and 1-3 letters before the dot, a token's first letter, a connector's first letter.)
_ABBREV = rf"(?=[A-Z][a-z]{{1,3}}\.)(?:{'|'.join(ABBREV_WORDS)})\."


# A token after its first letter, when that is a capital: the alternatives of `_TOKEN`.
_AFTER_CAPITAL = (
    rf"(?:\.[{_UP}])+\.?",  # U.S., U.K.
    rf"\.(?=[ \u00a0][{_UP}])",  # a middle initial: John F. Kennedy
    rf"[{_L}]+(?:['’][{_UP}][{_L}]+|-[{_UP}][{_L}]*)*",  # O'Brien, Jean-Luc
)


_TOKEN = (
    rf"(?=[{_UP}ae])(?:{_ABBREV}"
    rf"|[{_UP}]{_AFTER_CAPITAL[0]}"
    rf"|[{_UP}]{_AFTER_CAPITAL[1]}"
    rf"|(?:al|el)-[{_UP}][{_L}]+"  # al-Assad
    rf"|[{_UP}]{_AFTER_CAPITAL[2]})"
)


CONNECTORS = wordset(
    "of for the and & de da del della di du des dos van von der den la le bin ibn bint y"
)


_SEP = r"[ \u00a0]"


_NOT_BEFORE_RUN = rf"[{_L}0-9'’.-]"


# After the first token: more tokens, up to two connectors between two of them.
_RUN_REST = (
    rf"(?:(?:{_SEP}(?=[&abdfilotvy])(?:of|for|the|and|&|de|da|del|della|di|du|des|dos|van|"
    rf"von|der|den|la|le|bin|ibn|bint|y)){{0,2}}{_SEP}{_TOKEN})*"
    rf"(?![{_L}0-9])"
)


RUN_RE = re.compile(rf"(?<!{_NOT_BEFORE_RUN}){_TOKEN}{_RUN_REST}")


def _expand(chars: str) -> list[str]:
    """The characters of a character-class body with ranges ("A-ZÀ-Ö...")."""
    out: list[str] = []
    i = 0
    while i < len(chars):
        if i + 2 < len(chars) and chars[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(chars[i]), ord(chars[i + 2]) + 1))
            i += 3
        else:
            out.append(chars[i])
            i += 1
    return out


_CAPITALS = frozenset(_expand(_UP))


def _capital_branch(cap: str) -> str:
    alts = [_AFTER_CAPITAL[0], _AFTER_CAPITAL[1], _AFTER_CAPITAL[2]]
    abbrevs = [w[1:] for w in ABBREV_WORDS if w[0] == cap]
    if abbrevs:
        alts.insert(0, rf"(?:{'|'.join(abbrevs)})\.")
    return rf"{re.escape(cap)}(?<!{_NOT_BEFORE_RUN}.)(?:{'|'.join(alts)})"


# `RUN_RE` for a text where no token can start with "al-"/"el-", so every run starts
# with a capital: one branch per capital, each led by that letter, lets the regex engine
# skip to the next capital instead of trying a match at every character; the branch is
# the alternatives of `_TOKEN` in their order, so the matches are the same.
_RUN_CAPITAL_RE = re.compile(
    rf"(?:{'|'.join(_capital_branch(c) for c in sorted(_CAPITALS))}){_RUN_REST}"
)


def capitalised_runs(text: str) -> Iterator[re.Match[str]]:
    """The matches of `RUN_RE` in ``text``: the capitalised runs."""
    i = text.find("l-")
    while i >= 0:
        if i and text[i - 1] in "ae" and text[i + 2 : i + 3] in _CAPITALS:
            return RUN_RE.finditer(text)  # a token may start with "al-"/"el-"
        i = text.find("l-", i + 1)
    return _RUN_CAPITAL_RE.finditer(text)


PART_RE = re.compile(rf"{_TOKEN}|[^ \u00a0]+")


AFTER_RE = re.compile(
    r"(?P<poss>['’]s?\b)?[ \u00a0]*"
    r"(?:(?P<said>said|says|told|added|explained|wrote|insisted|tweeted)\b"
    r"|,[ \u00a0]*(?P<who>who)\b"
    r"|,[ \u00a0]*(?P<age>\d{1,3}),"
    r"|(?P<based>-based|-born)\b"
    r"|,[ \u00a0]*(?P<region>[A-Z][a-z]+(?:[ \u00a0][A-Z][a-z]+)?)\b(?![ \u00a0]*[A-Z]))?"
)


ACRONYM_AFTER_RE = re.compile(r"[ \u00a0]*\(([A-Z]{2,6})\)")


SENTENCE_END = frozenset(".!?:;\n\r")


OPENERS = frozenset(" \u00a0\t\"'“‘«([—–-•*")


# A title right before a name makes the name a person ("Prime Minister Keir Starmer").
TITLE_HEADS = wordset(
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
EMPLOYER_TITLES = wordset(
    "CEO Executive Founder Chairman Chairwoman Chair Spokesman Spokeswoman Director"
)


# "General" is a title only in compounds ("Attorney General Merrick Garland"), never
# alone ("General Motors", "General Assembly").
GENERAL_BEFORE = wordset("Attorney Surgeon Solicitor Inspector Governor Secretary")


# A lower-case word right before a capitalised run that makes it a person.
ROLE_NOUNS = wordset(
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
ORG_TAILS = wordset(
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
ORG_HEADS = wordset(
    """Ministry Department University Bank Bureau Office Council Church Institute Court
    House Federation Union Organization Organisation League Association Commission
    Centers Centres Society Academy College School Party Army"""
)


BOARD_MEMBERS = frozenset(("Directors", "Trustees", "Governors"))


# Words that end a capitalised run which is an event, not a place or organisation
# ("Gulf War", "World Cup"), and words no person's name contains ("Ranking Member").
EVENT_TAILS = wordset("War Wars Cup Games Olympics Championship Championships Crisis Revolution")


NOT_NAME_WORDS = wordset("General Member Wing Street Avenue Road Square Bridge Building")


ORG_BLOCK = frozenset({"Oval Office", "White House", "Board of Directors"})


# Names whose last word misleads the head rules.
FIXED = {"West Bank": "LOC", "Gaza Strip": "LOC", "Soviet Union": "GPE"}


# Legal forms: an organisation in any language.
LEGAL_FORMS = wordset(
    "Inc Inc. Ltd Ltd. Corp Corp. LLC LLP PLC plc AG GmbH SA S.A. SpA S.p.A. NV BV SE SAS"
)


# A legal form before no letter or digit: the last word of a run when a space precedes.
LEGAL_FORM_RE = re.compile(
    rf"(?:{'|'.join(re.escape(w) for w in sorted(LEGAL_FORMS))})(?![{_L}0-9])"
)


LOC_TAILS = wordset(
    """River Mountains Mountain Valley Island Islands County Province Sea Ocean Lake Bay
    Peninsula Desert Strait Heights Hills Beach Falls Canyon Gulf Coast Borough Township
    Parish Archipelago Glacier Plateau Basin Delta Highlands Prefecture Oblast"""
)


LOC_HEADS = wordset("Mount Mt. Lake Gulf Strait Cape Isle Lake Gulf")


PLACE_NOUNS = wordset("city town village province state region county suburb capital district")


CALENDAR = wordset(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
    April May June July August September October November December Jan Feb Mar Apr Jun
    Jul Aug Sep Sept Oct Nov Dec"""
)


# Closed-class words that start sentences; after an abbreviation's dot they start a new one.
STARTERS = wordset(
    """The A An This That These Those He She It They We I You His Her Its Their Our My
    But And Or So Yet If When While As After Before Since In On At For From With By To
    There Here What Why How Who Where Which Some Many Most All Both Each No Not Now Then
    Also Still Even Only Just However Meanwhile"""
)


PERSON_PARTICLES = wordset("de da del della di du dos van von der den la le bin ibn bint y")


BYLINE_RE = re.compile(
    r"(?:^|\n)[ \u00a0]*(?:By|BY|Photo(?:graph)?:?(?:[ \u00a0]by)?|Credit:|Words:|Written by)"
    r"[ \u00a0]+$"
)


AGENCY_RE = re.compile(r"\((Reuters|AP|AFP|Bloomberg|UPI|dpa|Xinhua|PA|EFE|ANSA)\)")


_US_STATES = wordset(
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


_COUNTRY_EXTRA = wordset("US U.S. USA UK U.K. UAE Britain America Holland Burma") | frozenset(
    ["Great Britain", "Ivory Coast", "Czech Republic", "South Korea", "North Korea"]
)


# CLDR "territories" that are not countries (United Nations, European Union, Eurozone...).
_NOT_COUNTRIES = wordset("UN EU EZ QO XA XB ZZ AQ")


# Country names that are also common words or first names.
_COUNTRY_DROP = frozenset({"Jersey", "Chad", "Guernsey", "Georgia", "Jordan", "Turkey"})


@functools.cache
def gpe_names() -> frozenset[str]:
    """English country names (CLDR through babel, already a dependency) and the states and
    provinces that news names bare; built once."""
    from babel import Locale  # heavy import, only on first use

    names = set(_COUNTRY_EXTRA) | set(_US_STATES)
    for code, name in Locale.parse("en").territories.items():
        if code not in _NOT_COUNTRIES and code.isalpha() and "(" not in name and "&" not in name:
            names.add(name)
    return frozenset(names - _COUNTRY_DROP)


@functools.cache
def common_words(language: str) -> frozenset[str]:
    """The 20,000 most frequent words of ``language`` (lower case), from wordfreq: a
    sentence-initial word among them is probably not a name. Loaded once per language."""
    import wordfreq  # its word lists load on first use

    if language not in wordfreq.available_languages():
        return frozenset()  # not a near match ("la" read as Italian): no list at all
    return frozenset(wordfreq.top_n_list(language, 20000))


# A lower-case noun right before a capitalised run that makes it an organisation.
ORG_NOUNS = wordset(
    """newspaper broadcaster magazine firm company startup start-up carrier airline automaker
    carmaker retailer lender insurer conglomerate website outlet publisher
    regulator watchdog charity manufacturer label studio tabloid daily"""
)
