"""Language identification (``newsflow.extraction.language.detect_language``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.extraction.language import detect_language

SEEDS = Path(__file__).parents[2] / ".." / "shared" / "seeds"

SENTENCES: dict[str, list[str]] = {
    "ar": [
        "أعلنت وزارة الخارجية اليوم أن الوفد سيصل إلى العاصمة يوم الأحد المقبل لإجراء "
        "محادثات حول التعاون الاقتصادي.",
        "قال المتحدث باسم الحكومة إن الأسعار ارتفعت بشكل ملحوظ خلال الشهر الماضي.",
    ],
    "fa": [
        "وزارت امور خارجه امروز اعلام کرد که هیئت روز یکشنبه برای گفتگو درباره "
        "همکاری‌های اقتصادی به پایتخت می‌رسد.",
        "سخنگوی دولت گفت قیمت‌ها در ماه گذشته به طور چشمگیری افزایش یافته است.",
    ],
    "ur": [
        "وزارت خارجہ نے آج اعلان کیا کہ وفد اتوار کو اقتصادی تعاون پر بات چیت کے لیے "
        "دارالحکومت پہنچے گا۔",
        "حکومت کے ترجمان نے کہا کہ پچھلے مہینے قیمتوں میں نمایاں اضافہ ہوا ہے۔",
    ],
    "en": [
        "The foreign ministry announced today that the delegation will arrive in the capital "
        "on Sunday for talks on economic cooperation.",
        "A government spokesman said prices had risen noticeably over the past month.",
    ],
    "ru": [
        "Министерство иностранных дел сегодня сообщило, что делегация прибудет в столицу "
        "в воскресенье для переговоров об экономическом сотрудничестве.",
        "Представитель правительства заявил, что цены заметно выросли за последний месяц.",
    ],
    "fr": [
        "Le ministère des Affaires étrangères a annoncé aujourd'hui que la délégation "
        "arrivera dans la capitale dimanche pour des discussions sur la coopération.",
        "Le porte-parole du gouvernement a déclaré que les prix avaient nettement augmenté.",
    ],
    "de": [
        "Das Außenministerium teilte heute mit, dass die Delegation am Sonntag zu Gesprächen "
        "über die wirtschaftliche Zusammenarbeit in der Hauptstadt eintreffen wird.",
        "Der Regierungssprecher sagte, die Preise seien im vergangenen Monat deutlich gestiegen.",
    ],
    "tr": [
        "Dışişleri Bakanlığı bugün yaptığı açıklamada, heyetin ekonomik iş birliği görüşmeleri "
        "için pazar günü başkente ulaşacağını duyurdu.",
        "Hükümet sözcüsü, fiyatların geçen ay belirgin şekilde arttığını söyledi.",
    ],
}
CASES = [(lang, s) for lang, sentences in SENTENCES.items() for s in sentences]

# The opening of the seed article (ar.mehrnews.com): Arabic with a Persian ی in هاتفی.
SEED_EXCERPT = (
    "١٩/٠٣/٢٠٢٤، ٢:٣٧ م\n\nخلال اتصال هاتفی؛\n\n"
    "الرئيس الإيراني والروسي يؤكدان على اهمية توسيع العلاقات الثنائية والتعاون في القضايا "
    "الدولية\n\nاعتبر الرئيس الإيراني، خلال محادثة هاتفية مع نظيره الروسي، حضور إيران "
    "وروسيا في المنظمات الإقليمية المهمة مثل شنغهاي وبريكس ومساعيهما المشتركة لتنفيذ "
    "الاتفاقيات المبرمة، بمثابة فرص مناسبة لتعزيز التعاون بين البلدين."
)
PERSIAN = (
    "به گزارش خبرگزاری مهر، رئیس‌جمهور ایران در گفتگوی تلفنی با همتای روس خود بر گسترش "
    "روابط دوجانبه تأکید کرد. این خبرگزاری گزارش داد که مذاکرات هفته آینده در تهران "
    "برگزار خواهد شد."
)
URDU = (
    "پاکستان کے وزیر اعظم نے کہا ہے کہ ملک کی معیشت بہتری کی طرف جا رہی ہے اور عوام کو "
    "جلد ریلیف ملے گا۔ کراچی میں پولیس نے ایک مشتبہ شخص کو گرفتار کر لیا ہے۔"
)


def arabic_forms(text: str) -> str:
    return text.replace("ی", "ي").replace("ک", "ك")


def persian_forms(text: str) -> str:
    return text.replace("ي", "ی").replace("ك", "ک")


@pytest.mark.parametrize(("lang", "text"), CASES, ids=[f"{c[0]}{i}" for i, c in enumerate(CASES)])
def test_core_languages(lang: str, text: str) -> None:
    assert detect_language(text) == lang


def test_seed_article_is_arabic() -> None:
    assert detect_language(SEED_EXCERPT) == "ar"
    assert detect_language(SEED_EXCERPT, hint="fa-IR") == "ar"
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    for seed in seeds:
        text = seed.read_text(encoding="utf-8")
        assert detect_language(text) == "ar", seed.name
        assert detect_language(text, hint="fa") == "ar", seed.name
        assert detect_language(text[:300]) == "ar", seed.name


def test_arabic_written_with_persian_letter_forms_is_arabic() -> None:
    text = persian_forms(SEED_EXCERPT)
    assert "ی" in text and "ي" not in text
    assert detect_language(text) == "ar"
    assert detect_language(text[:120]) == "ar"
    assert detect_language(persian_forms(SENTENCES["ar"][1])) == "ar"


def test_persian_with_arabic_letter_forms_is_persian() -> None:
    assert detect_language(PERSIAN) == "fa"
    text = arabic_forms(PERSIAN)
    assert "ي" in text and "ی" not in text
    assert detect_language(text) == "fa"
    assert detect_language(text, hint="ar") == "fa"
    for sentence in SENTENCES["fa"]:
        assert detect_language(arabic_forms(sentence)) == "fa"


def test_urdu() -> None:
    assert detect_language(URDU) == "ur"
    assert detect_language(URDU, hint="fa") == "ur"
    assert detect_language(URDU, hint="ar") == "ur"
    assert detect_language(arabic_forms(URDU)) == "ur"


def test_other_arabic_script_languages_are_not_forced_into_ar_fa_ur() -> None:
    pashto = "د افغانستان حکومت ویلي چې په کابل کې امنیتي وضعیت ښه شوی دی او خلک خوشحاله دي."
    sorani = "حکوومەتی هەرێمی کوردستان ڕایگەیاند کە کۆبوونەوەکە سبەی دەبێت لە هەولێر."
    assert detect_language(pashto) == "ps"
    assert detect_language(sorani) == "ku"


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("", None, None),
        ("", "ar-IR", "ar"),
        ("Hi", None, None),
        ("Hi", "en-US", "en"),
        ("خبر", "fa", "fa"),
        ("خبر", None, None),
        ("Новости", "ru", "ru"),
        ("OK", "fa_IR", "fa"),
        ("OK", "EN", "en"),
        ("OK", "iw", "he"),
        ("OK", "x-default", None),
        ("OK", "", None),
        ("OK", "  ", None),
        ("١٩/٠٣/٢٠٢٤، ٢:٣٧ م", "ar", "ar"),
        ("2024-03-19 14:37", None, None),
        ("۱۴۰۲/۱۲/۲۹ " * 40, None, None),
        ("١٩/٠٣/٢٠٢٤ " * 40, "ar-IR", "ar"),
        ("12:30 — 2024 " * 40, "en", "en"),
    ],
)
def test_too_short_returns_the_hint_or_none(text: str, hint: str | None, expected: str) -> None:
    assert detect_language(text, hint=hint) == expected


@pytest.mark.parametrize(
    ("lang", "hint"),
    [("en", "ar"), ("en", "fa-IR"), ("de", "en"), ("fr", "de"), ("ru", "en"), ("tr", "en")],
)
def test_hint_never_overrides_clear_evidence(lang: str, hint: str) -> None:
    for sentence in SENTENCES[lang]:
        assert detect_language(sentence, hint=hint) == lang


def test_hint_never_overrides_clear_arabic_script_evidence() -> None:
    assert detect_language(SENTENCES["ar"][0], hint="fa") == "ar"
    assert detect_language(SENTENCES["fa"][1], hint="ar") == "fa"
    assert detect_language(SENTENCES["ur"][1], hint="fa") == "ur"
    assert detect_language(SENTENCES["ar"][0], hint="en") == "ar"
    assert detect_language(SENTENCES["en"][0], hint="ur") == "en"


def test_hint_breaks_a_near_tie() -> None:
    name = "دونالد ترامب"  # a name: the same in Arabic and Persian
    assert detect_language(name, hint="ar") == "ar"
    assert detect_language(name, hint="fa") == "fa"
    assert detect_language(name) is None


def test_long_text_is_sampled() -> None:
    """Speed is measured by bench/language.py; here only that long texts still answer."""
    body = "\n\n".join(SENTENCES["ar"] * 400)  # ~80 KB
    assert detect_language(body) == "ar"
    assert detect_language(" ".join(SENTENCES["fa"] * 20)) == "fa"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\t\r",
        "0123456789",
        "١٢٣٤٥٦٧٨٩٠",
        "۱۲۳۴۵۶۷۸۹۰",
        "😀😀😀 🎉🎉",
        "😀" * 5000,
        "!!!???...,,,",
        "abc\x00def\x01ghi\x7f\x85" * 20,
        "\ud800 broken surrogate \udfff" * 10,
        "\ufdd0\ufffe\uffff\U0010ffff\U000dffff" * 10,
        "The president قال الرئيس Президент сказал 总统说 大統領は言った" * 5,
        "a" * 100_000,
        "<html><body><script>var x = 1;</script></body></html>",
        "\u200c\u200d\u200e\u200f\ufeff" * 50,
        "\u0640" * 100,
    ],
)
def test_never_raises_on_odd_input(text: str) -> None:
    for hint in (None, "", "ar", "en-US", "zzzz", "-", "_fa"):
        result = detect_language(text, hint=hint)
        assert result is None or (len(result) == 2 and result.isalpha() and result.islower())


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400), hint=st.none() | st.text(max_size=12))
def test_never_raises_property(text: str, hint: str | None) -> None:
    result = detect_language(text, hint=hint)
    assert result is None or (len(result) == 2 and result.isascii() and result.islower())
