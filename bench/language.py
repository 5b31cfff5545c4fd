"""Language identification benchmark: ``newsflow.extraction.language`` against its candidates.

Run from the repository root::

    .venv/bin/python bench/language.py              # all sets, every installed candidate
    .venv/bin/python bench/language.py --prefix 2000 --rounds 3
    .venv/bin/python bench/language.py --only newsflow --verbose

Sets
  corpus     labelled pages of ../shared/corpus (arfa-dev and readability-dev ``lang``,
             fundus-dev by publisher/country), examples/pages and ../shared/seeds; text
             = ``parse_page`` body (or title), pages under 200 characters skipped;
  synthetic  sentences in the 8 core languages (ar fa ur en ru fr de tr), Persian and
             Urdu rewritten with Arabic letter forms, and longer joined paragraphs;
  hard       Arabic-script fragments (20-300 chars and whole bodies) of the corpus:
             Arabic rewritten with Persian ی/ک, Persian rewritten with Arabic ي/ك.

Candidates are run only when their package is installed (``pycld2``, ``py3langid``,
``gcld3`` from cld3-py, ``lingua`` from lingua-language-detector); ``newsflow`` is
``detect_language`` itself (CLD2 + Arabic-script refinement, no hint given). Time is
the mean per call in µs over the set (one warm-up call first), text preloaded.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
sys.path.insert(0, str(ROOT))

from newsflow.extraction.language import detect_language  # noqa: E402

Detector = Callable[[str], str | None]


@dataclass(frozen=True)
class Item:
    set: str
    id: str
    label: str
    text: str


# fundus-dev has no language field: by country, with publishers that differ.
_FUNDUS_COUNTRY = {
    **dict.fromkeys(("de", "at", "ch", "li", "lu"), "de"),
    **dict.fromkeys(("us", "uk", "ca", "za", "na", "ind", "my", "tw", "tz"), "en"),
    "fr": "fr",
    "ru": "ru",
    "tr": "tr",
    "es": "es",
    "py": "es",
    "it": "it",
    "jp": "ja",
    "no": "no",
    "pl": "pl",
    "id": "id",
    "isl": "is",
    "lt": "lt",
    "se": "sv",
    "vn": "vi",
}
_FUNDUS_PUBLISHER: dict[str, str | None] = {
    "Nieuwsblad": "nl",
    "PoliticoEu": "en",
    "Sermitsiaq": None,  # Danish/Greenlandic mix
    "EyethuNews": "zu",
    "Heise": None,  # the extracted body of the dev page starts with script text
    "Wochenblatt": "de",  # German-language weekly in Paraguay
}
# Pages whose ``lang`` is not the language of the text.
_RELABEL: dict[str, str | None] = {
    "hidden-nodes": "la",  # lorem ipsum
    "missing-paragraphs": "la",
    "archive-of-our-own": None,  # a list of user names
}

SYNTHETIC: dict[str, list[str]] = {
    "ar": [
        "أعلنت وزارة الخارجية اليوم أن الوفد سيصل إلى العاصمة يوم الأحد المقبل لإجراء "
        "محادثات حول التعاون الاقتصادي.",
        "قال المتحدث باسم الحكومة إن الأسعار ارتفعت بشكل ملحوظ خلال الشهر الماضي.",
        "شهدت المدينة أمطاراً غزيرة أدت إلى إغلاق عدد من الطرق الرئيسية.",
    ],
    "fa": [
        "وزارت امور خارجه امروز اعلام کرد که هیئت روز یکشنبه برای گفتگو درباره "
        "همکاری‌های اقتصادی به پایتخت می‌رسد.",
        "سخنگوی دولت گفت قیمت‌ها در ماه گذشته به طور چشمگیری افزایش یافته است.",
        "باران شدید در شهر باعث بسته شدن چند جاده اصلی شد.",
        "رئیس‌جمهور ایران در گفتگوی تلفنی با همتای روس خود بر گسترش روابط دوجانبه تأکید کرد.",
        "این خبرگزاری گزارش داد که مذاکرات هفته آینده در تهران برگزار خواهد شد.",
    ],
    "ur": [
        "وزارت خارجہ نے آج اعلان کیا کہ وفد اتوار کو اقتصادی تعاون پر بات چیت کے لیے "
        "دارالحکومت پہنچے گا۔",
        "حکومت کے ترجمان نے کہا کہ پچھلے مہینے قیمتوں میں نمایاں اضافہ ہوا ہے۔",
        "شہر میں شدید بارش کی وجہ سے کئی اہم سڑکیں بند ہو گئیں۔",
        "پاکستان کے وزیر اعظم نے کہا ہے کہ ملک کی معیشت بہتری کی طرف جا رہی ہے اور عوام کو "
        "جلد ریلیف ملے گا۔",
        "کراچی میں پولیس نے ایک مشتبہ شخص کو گرفتار کر لیا ہے جس کے قبضے سے اسلحہ برآمد ہوا۔",
        "ایران اور روس کے صدور نے ٹیلی فون پر گفتگو میں دو طرفہ تعلقات کو وسعت دینے پر زور دیا۔",
    ],
    "en": [
        "The foreign ministry announced today that the delegation will arrive in the capital "
        "on Sunday for talks on economic cooperation.",
        "A government spokesman said prices had risen noticeably over the past month.",
        "Heavy rain in the city led to the closure of several main roads.",
    ],
    "ru": [
        "Министерство иностранных дел сегодня сообщило, что делегация прибудет в столицу "
        "в воскресенье для переговоров об экономическом сотрудничестве.",
        "Представитель правительства заявил, что цены заметно выросли за последний месяц.",
        "Сильный дождь в городе привёл к закрытию нескольких главных дорог.",
    ],
    "fr": [
        "Le ministère des Affaires étrangères a annoncé aujourd'hui que la délégation "
        "arrivera dans la capitale dimanche pour des discussions sur la coopération économique.",
        "Le porte-parole du gouvernement a déclaré que les prix avaient nettement augmenté "
        "le mois dernier.",
        "De fortes pluies ont entraîné la fermeture de plusieurs routes principales de la ville.",
    ],
    "de": [
        "Das Außenministerium teilte heute mit, dass die Delegation am Sonntag zu Gesprächen "
        "über die wirtschaftliche Zusammenarbeit in der Hauptstadt eintreffen wird.",
        "Der Regierungssprecher sagte, die Preise seien im vergangenen Monat deutlich gestiegen.",
        "Starke Regenfälle haben in der Stadt zur Sperrung mehrerer Hauptstraßen geführt.",
    ],
    "tr": [
        "Dışişleri Bakanlığı bugün yaptığı açıklamada, heyetin ekonomik iş birliği görüşmeleri "
        "için pazar günü başkente ulaşacağını duyurdu.",
        "Hükümet sözcüsü, fiyatların geçen ay belirgin şekilde arttığını söyledi.",
        "Şehirde etkili olan şiddetli yağmur nedeniyle birkaç ana yol trafiğe kapatıldı.",
    ],
}


def arabic_forms(text: str) -> str:
    """Persian/Urdu text as some sites write it, with Arabic ي and ك."""
    return text.replace("ی", "ي").replace("ک", "ك")


def persian_forms(text: str) -> str:
    """Arabic text as an Iranian agency's Arabic edition may write it, with ی and ک."""
    return text.replace("ي", "ی").replace("ك", "ک")


def _norm(code: str | None) -> str | None:
    if not code:
        return None
    code = code.lower().replace("_", "-").split("-")[0]
    return {"nb": "no", "nn": "no", "iw": "he"}.get(code, code)


def _lxml_text(body: bytes) -> str:
    """Visible text of <body> without scripts/styles (fallback when parse_page fails)."""
    import re

    from lxml import html as lxml_html

    from newsflow.extraction.decode import decode_html

    text = decode_html(body, declared_charset=None, content_type=None).text
    tree = lxml_html.fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", text))
    for el in tree.xpath("//script|//style|//noscript|//head"):
        el.drop_tree()
    return " ".join(str(tree.text_content()).split())


def _parse_text(url: str, body: bytes) -> str:
    """The article text as the parse stage extracts it (body, else title)."""
    from newsflow.extraction.parse import parse_page
    from newsflow.inputs import raw_page

    raw = raw_page(url, now=datetime(2026, 1, 1, tzinfo=UTC), source="bench", body=body)
    try:
        art = parse_page(raw)
    except Exception as exc:  # noqa: BLE001 - the parse stage may be mid-edit; fall back
        print(f"parse_page failed for {url}: {exc}; using lxml text", file=sys.stderr)
        return _lxml_text(body)
    return art["body"] or art["title"] or ""


def corpus_items() -> list[Item]:
    items: list[Item] = []
    for name in ("arfa-dev", "readability-dev", "fundus-dev"):
        expected = CORPUS / name / "expected.jsonl"
        if not expected.is_file():
            continue
        for line in expected.read_text(encoding="utf-8").splitlines():
            row: dict[str, Any] = json.loads(line)
            label: str | None
            if name == "fundus-dev":
                pub = row.get("publisher") or ""
                label = (
                    _FUNDUS_PUBLISHER[pub]
                    if pub in _FUNDUS_PUBLISHER
                    else _FUNDUS_COUNTRY.get(row.get("country") or "")
                )
            else:
                label = _RELABEL.get(row["id"], _norm(row.get("lang")))
            if not label:
                continue
            body = gzip.decompress((CORPUS / name / row["file"]).read_bytes())
            text = _parse_text(row.get("url") or f"https://example.com/{row['id']}", body)
            if len(text) >= 200:
                items.append(Item(name, row["id"], label, text))
    for page in sorted((ROOT / "examples" / "pages").glob("*.html")):
        label = "ar" if "-ar-" in page.name else "fa" if "-fa-" in page.name else "en"
        text = _parse_text(f"https://example.com/{page.name}", page.read_bytes())
        items.append(Item("examples", page.name, label, text))
    for seed in sorted((SHARED / "seeds").glob("*.txt")):
        items.append(Item("seeds", seed.name, "ar", seed.read_text(encoding="utf-8")))
    return items


def synthetic_items() -> list[Item]:
    items = [
        Item("synthetic", f"{lang}{i}", lang, s)
        for lang, sentences in SYNTHETIC.items()
        for i, s in enumerate(sentences)
    ]
    for lang in ("fa", "ur"):
        items += [
            Item("synthetic", f"{lang}{i}-arabic-forms", lang, arabic_forms(s))
            for i, s in enumerate(SYNTHETIC[lang])
        ]
        joined = " ".join(SYNTHETIC[lang])
        items.append(Item("synthetic", f"{lang}-paragraph", lang, joined))
        items.append(
            Item("synthetic", f"{lang}-paragraph-arabic-forms", lang, arabic_forms(joined))
        )
    return items


def hard_items(corpus: list[Item]) -> list[Item]:
    items: list[Item] = []
    for it in corpus:
        if it.label == "ar":
            variants = {"": it.text, "persian-forms": persian_forms(it.text)}
        elif it.label == "fa":
            variants = {"": it.text, "arabic-forms": arabic_forms(it.text)}
        else:
            continue
        for tag, text in variants.items():
            for n in (40, 80, 150, 300, 0):
                items.append(
                    Item(
                        "hard",
                        f"{it.id}{'-' + tag if tag else ''}:{n}",
                        it.label,
                        text[:n] if n else text,
                    )
                )
    return items


def candidates() -> dict[str, Detector]:
    found: dict[str, Detector] = {"newsflow": lambda t: detect_language(t)}

    def maybe(module: str) -> Any:
        try:
            return importlib.import_module(module)
        except ImportError:
            return None

    cld2 = maybe("pycld2")
    if cld2 is not None:

        def f_cld2(t: str) -> str | None:
            try:
                code: str = cld2.detect(t)[2][0][1]
            except cld2.error:
                return None
            return None if code == "un" else code

        found["pycld2"] = f_cld2
    langid = maybe("py3langid")
    if langid is not None:
        found["py3langid"] = lambda t: str(langid.classify(t)[0])
    cld3 = maybe("gcld3")
    if cld3 is not None:
        ident = cld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=4000)
        found["gcld3"] = lambda t: str(ident.FindLanguage(t).language)
    lingua = maybe("lingua")
    if lingua is not None:
        det = (
            lingua.LanguageDetectorBuilder.from_all_languages()
            .with_preloaded_language_models()
            .build()
        )

        def f_lingua(t: str) -> str | None:
            lang = det.detect_language_of(t)
            return None if lang is None else str(lang.iso_code_639_1.name).lower()

        found["lingua"] = f_lingua
    return found


def run(
    name: str, fn: Detector, items: list[Item], prefix: int, rounds: int
) -> tuple[int, float, list[str]]:
    fn("warm up call")
    texts = [it.text[:prefix] if prefix else it.text for it in items]
    times: list[float] = []
    preds: list[str | None] = []
    for _ in range(rounds):
        preds = []
        t0 = time.perf_counter()
        for t in texts:
            preds.append(_norm(fn(t)))
        times.append((time.perf_counter() - t0) / max(1, len(texts)))
    wrong = [
        f"{it.id}:{it.label}->{p}" for it, p in zip(items, preds, strict=True) if p != it.label
    ]
    return len(items) - len(wrong), statistics.median(times) * 1e6, wrong


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--prefix", type=int, default=0, help="give detectors only N chars")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--only", action="append", help="candidate name (repeatable)")
    ap.add_argument("--verbose", action="store_true", help="list every miss")
    args = ap.parse_args(argv)
    corpus = corpus_items()
    articles = [it for it in corpus if 2048 <= len(it.text.encode("utf-8")) <= 5120]
    sets = {
        "corpus": corpus,
        "2-5KB": articles,
        "synthetic": synthetic_items(),
        "hard": hard_items(corpus),
    }
    sizes = [len(it.text.encode("utf-8")) for it in corpus]
    if sizes:
        print(f"corpus: {len(corpus)} texts, median {statistics.median(sizes) / 1024:.1f} KB")
    print(f"| candidate | {' | '.join(f'{k} ok | {k} µs' for k in sets)} |")
    print(f"|---|{'---|---|' * len(sets)}")
    misses: list[str] = []
    for name, fn in candidates().items():
        if args.only and name not in args.only:
            continue
        cells = []
        for set_name, items in sets.items():
            ok, us, wrong = run(name, fn, items, args.prefix, args.rounds)
            cells.append(f"{ok}/{len(items)} | {us:.0f}")
            misses += [f"{name} {set_name} {w}" for w in wrong]
        print(f"| {name} | {' | '.join(cells)} |")
    if args.verbose:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
