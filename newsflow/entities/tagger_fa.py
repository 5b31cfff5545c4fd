"""Persian token features for the CRF tagger (`newsflow.entities.tagger`).

Why a module of its own: Persian names are not told from words by capitals (Arabic
script has none) but by what surrounds and ends them, and that evidence is Persian
morphology the Arabic features do not see:

* verbs (``برشمرد``, ``می‌کنند``, ``کرده‌اند``), light verbs after an abstract noun
  (``حمایت کرد``) and auxiliaries are never names, and the word before a light verb is
  the verb's noun, not a name;
* a possessive or plural ending (``عملکردشان``, ``سخنانش``, ``ها``) or a comparative
  (``دموکراتیک‌تر``) on a known word makes a common noun or adjective;
* organisation heads (``وزارت``, ``دانشگاه``, ``حزب``…) open long ORG names, role
  words (``آقای``, ``سخنگوی``, ``حجت‌الاسلام``…) stand before a person, place heads
  (``استان``, ``دریای``…) before a place; family names end in ``زاده``, ``پور``, ``نژاد``…;
* a zero-width non-joiner (ZWNJ) marks where a prefix or suffix meets its stem
  (``می‌``, ``‌ها``, ``‌ای``, ``‌تر``), information the matching normalization drops.

`word_features` gives a token's own features and its classes (shared with the ±1
neighbours by the extractor), one feature group of :data:`FA_GROUPS` at a time so each
can be measured alone: ``fa_verb``, ``fa_suffix``, ``fa_org`` (heads and the words
inside institution names), ``fa_role`` (roles before a person, heads before a place),
``fa_names`` (a known given name by how common a word it also is; family-name endings),
``fa_common`` (word frequency bands). Word lists are in Persian spelling and compared
on `fa_fold` forms (Arabic ي/ك folded onto Persian ی/ک, marks and tatweel dropped, ZWNJ
kept). Nothing is read from disk; the table of verb forms is built on first use.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Collection, Mapping
from typing import Protocol

from newsflow.core.normalize import normalize_for_matching

__all__ = [
    "FA_GROUPS",
    "fa_fold",
    "split_zwnj",
    "verb_analysis",
    "word_features",
]

ZWNJ = "\u200c"

# The feature groups of this module (names shared with tagger.FEATURE_GROUPS).
FA_GROUPS: frozenset[str] = frozenset(
    {"fa_verb", "fa_suffix", "fa_org", "fa_role", "fa_names", "fa_common"}
)

_FOLD = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "ـ": None,  # tatweel
        "\u200d": None,  # ZWJ
        "\u200e": None,
        "\u200f": None,
        "\u200b": None,
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
    }
)


def fa_fold(word: str) -> str:
    """A Persian spelling to compare word lists on: one yeh, one kaf, no marks; ZWNJ kept
    (it tells a suffix from a stem), doubled or edge ZWNJs dropped."""
    out = "".join(ch for ch in word.translate(_FOLD) if not unicodedata.combining(ch))
    while ZWNJ * 2 in out:
        out = out.replace(ZWNJ * 2, ZWNJ)
    return out.strip(ZWNJ)


def split_zwnj(folded: str) -> tuple[str, str, str]:
    """(part before the first ZWNJ, middle, part after the last ZWNJ) of a folded word;
    ``("", word, "")`` without one: ``می‌کنند`` → ``("می", "کنند", "")``,
    ``دموکراتیک‌تر`` → ``("", "دموکراتیک", "تر")`` when the first part is a prefix, else
    the first part is the stem."""
    parts = folded.split(ZWNJ)
    if len(parts) == 1:
        return "", folded, ""
    if parts[0] in _VERB_PREFIXES:
        return parts[0], "".join(parts[1:-1]) or parts[-1], parts[-1] if len(parts) > 2 else ""
    return "", "".join(parts[:-1]), parts[-1]


def _words(text: str) -> frozenset[str]:
    return frozenset(fa_fold(w) for w in text.split())


# --- verbs ---------------------------------------------------------------------------

# Past stems (the third person singular past) of common verbs. Left out on purpose:
# stems that are also frequent names or places (رشت Rasht, هشت eight is a number).
_PAST_STEMS = _words(
    """
    کرد شد داد گفت رفت آمد گرفت زد داشت بود خواست توانست دید یافت ساخت کشت نوشت
    شناخت دانست رسید ماند برد آورد گذاشت نشست خورد کشید پرسید نمود افزود شمرد گشت
    بست شکست فروخت خرید پرداخت انداخت ریخت سوخت آموخت پذیرفت گذشت افتاد فرستاد
    ایستاد زیست کاست پیوست خواند راند پرید ترسید خندید جنگید کوشید بخشید
    رسانید کشاند گردید شنید چید دوید آفرید پوشید نامید اندیشید فهمید بارید خوابید
    طلبید تابید لرزید کاشت پنداشت گماشت افراشت بافت شتافت سپرد فشرد گسترد پرورد
    زدود ستود فرمود آزمود پیمود آسود ربود سرود گشود زاد خاست آراست گریست نگریست
    جست شست گسست دوخت اندوخت باخت تاخت نواخت آویخت گریخت آمیخت انگیخت پخت نهفت
    کوبید رقصید چرخید غلتید جوشید کاوید پاشید تراشید خراشید نوشید چشید مکید رنجید
    بلعید دزدید پسندید رهانید خشکید ورزید گنجید ارزید لغزید وزید تپید کوبید
    پیچید سنجید آرامید تنید شورید گزید مالید نالید پرستید پوسید کشانید نشاند
    جهید رویید گرایید فزود سرود آلود پالود
    """
)
# Present stems; a present form needs a prefix (می، نمی، ب، ن), except the modal and
# light verbs of _BARE_PRESENT (``دارد``, ``کند``, ``شود``…), as bare present forms of
# other stems are nouns too often (``رود`` river, ``زند`` a dynasty).
_PRESENT_STEMS = _words(
    """
    کن شو ده گو رو آ آی گیر زن دار باش خواه توان بین یاب ساز کش نویس شناس دان رس مان
    بر آور گذار نشین خور پرس نما افزا شمار گرد بند شکن فروش خر پرداز انداز ریز سوز
    آموز پذیر گذر افت فرست ایست نه زی کاه پیوند خوان ران پر ترس خند جنگ کوش بخش رسان
    شنو چین دو آفرین پوش نام اندیش فهم بار خواب طلب گشا ستا فرما آزما پیما آسا ربا
    سرا جو باف شتاب سپار میر فشار گستر پرور نگر گری آرا خیز تاز باز نواز آویز گریز
    آمیز انگیز پز کوب رقص چرخ جوش پاش نوش چش رنج پسند رهان ورز ارز لغز پیچ سنج گزین
    گرا رو
    """
)
_BARE_PRESENT = _words("دار کن شو توان خواه باش گیر ده گرد نما یاب آی")
# Verbs as whole tokens: auxiliaries, copulas, modals, the future auxiliary.
_AUXILIARIES = _words(
    """
    است نیست هست هستند هستیم هستید هستم نیستند نیستیم باید نباید شاید نشاید
    خواهد خواهند خواهیم خواهید خواهم نخواهد نخواهند بوده نبوده باشد نباشد باشند
    نباشند شده نشده گردیده استند ایم اید اند ام
    """
)
# Light verbs: after a noun they make a compound verb (``حمایت کرد``), so the noun
# before them is no name (past stems; their present stems in _LIGHT_PRESENT).
_LIGHT_PAST = _words("کرد شد نمود گشت گردید داد زد گرفت یافت داشت ساخت آورد کشید خورد")
_LIGHT_PRESENT = _words("کن شو نما گرد ده زن گیر یاب دار ساز آور کش خور")
_VERB_PREFIXES = _words("می نمی همی")
# Preverbs of compound verbs (``برشمرد``, ``درگذشت``, ``بازگشت``).
_PREVERBS = ("فرو", "فرا", "باز", "پیش", "بر", "در", "وا")
_PAST_ENDINGS = ("", "م", "ی", "یم", "ید", "ند")
_PRESENT_ENDINGS = ("م", "ی", "د", "یم", "ید", "ند")
_PERFECT_ENDINGS = ("ه", "ه‌ام", "ه‌ای", "ه‌است", "ه‌ایم", "ه‌اید", "ه‌اند", "هام", "هاند", "هایم")


@functools.cache
def _verb_forms() -> dict[str, str]:
    """Every analysable verb form (ZWNJ removed) → its kind: ``past``, ``present``,
    ``perfect`` (participle or perfect), ``inf`` (infinitive), ``light`` (a light verb's
    form). Built once: about 200 stems times endings and prefixes."""
    forms: dict[str, str] = {}

    def add(form: str, kind: str) -> None:
        form = form.replace(ZWNJ, "")
        if len(form) >= 2:
            forms.setdefault(form, kind)

    preverbs = ("", *_PREVERBS)
    for stem in _PAST_STEMS:
        light = stem in _LIGHT_PAST
        for pv in preverbs:
            base = pv + stem
            for neg in ("", "ن"):
                for pre in ("", "می", "نمی") if not neg else ("",):
                    for end in _PAST_ENDINGS:
                        add(pre + neg + base + end, "light" if light and not pv else "past")
                    if not pre:
                        for end in _PERFECT_ENDINGS:
                            add(neg + base + end, "perfect")
                        add(neg + base + "ن", "inf")
    for stem in _PRESENT_STEMS:
        light = stem in _LIGHT_PRESENT
        for pv in preverbs:
            base = pv + stem
            prefixes = ["می", "نمی", "ب", "ن"]
            if stem in _BARE_PRESENT or pv:
                prefixes.append("")
            for pre in prefixes:
                for end in _PRESENT_ENDINGS:
                    kind = "light" if light and not pv and pre in ("", "می", "نمی") else "present"
                    add(pre + base + end, kind)
    for aux in _AUXILIARIES:
        forms[aux.replace(ZWNJ, "")] = "aux"
    return forms


def verb_analysis(folded: str) -> str | None:
    """The kind of verb form a folded token is (see `_verb_forms`), or None."""
    bare = folded.replace(ZWNJ, "")
    kind = _verb_forms().get(bare)
    if kind is None and folded.split(ZWNJ)[0] in _VERB_PREFIXES and ZWNJ in folded:
        kind = "present"  # ``می‌X``: a continuous or present form of a verb not listed
    return kind


# --- suffixes --------------------------------------------------------------------------

# Endings that make a common word of a known stem: possessives, plurals, ezafe and
# indefinite yeh, comparative and superlative, adverb/adjective and abstract endings.
_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        _words(
            """
            هایشان هایش هایم هایمان هایتان هاشان ها های هایی ترین تر شان تان مان ش اش
            ام ات ای یی انه گی ات ان ی
            """
        ),
        key=len,
        reverse=True,
    )
)
# Of those, the ones a name does not take: a known word with one is a common word.
_COMMON_SUFFIXES = _words("هایشان هایش هایم هاشان ترین تر شان تان مان ش اش ام انه گی")
_MIN_STEM = 3


def _suffix(folded: str, zipf: Mapping[str, int], key: str) -> tuple[str, str] | None:
    """(suffix, stem) of a folded word: the part after the last ZWNJ when it is a known
    suffix, else the longest suffix whose stem is a known word (Zipf ≥ 3 in Persian)
    more frequent than the whole form. ``key``: the whole form's frequency key."""
    _, stem, after = split_zwnj(folded)
    if after:
        return (after, stem) if after in _SUFFIXES else None
    whole = zipf.get(key, 0)
    for suf in _SUFFIXES:
        if folded.endswith(suf) and len(folded) - len(suf) >= _MIN_STEM:
            base = folded[: -len(suf)]
            score = zipf.get(_match_key(base), 0)
            if score >= 6 and score > whole:
                return suf, base
    return None


def _match_key(folded: str) -> str:
    """The lexicon's key for a folded form (normalize_for_matching's alphabet)."""
    return normalize_for_matching(folded)


# --- triggers --------------------------------------------------------------------------

# Heads that open an organisation name (ParsTwiNER types the whole "وزارت امور خارجه").
_ORG_HEADS = _words(
    """
    وزارت وزارتخانه سازمان دانشگاه دانشکده پژوهشگاه پژوهشکده آموزشگاه شرکت بانک حزب
    مجلس شورا شورای خبرگزاری روزنامه هفته‌نامه ماهنامه نشریه باشگاه انجمن بنیاد ستاد سپاه
    کمیته کمیسیون دادگاه دادسرا دیوان اتحادیه جبهه جنبش فدراسیون مرکز موسسه مؤسسه
    نیروی نیروهای قرارگاه هیئت هیات اداره اداره‌کل دفتر صندوق ارتش پلیس فرمانداری
    استانداری شهرداری بخشداری بیمارستان درمانگاه کانون جمعیت آژانس پارلمان کنگره سنا
    اتاق بورس نهاد کارخانه گروه گروهک تیم شبکه رادیو تلویزیون خبرگزاری‌های مدرسه
    حوزه جامعه مجمع فرهنگستان کتابخانه موزه انتشارات نشر هلدینگ گروه‌های قوه دولت
    کابینه کنسرسیوم بسیج کمیساریا دبیرخانه معاونت اتحاد ائتلاف سندیکا
    """
)
# Words inside the long names of Iranian and international institutions after their head
# ("وزارت امور اقتصادی و دارایی", "سازمان حفاظت محیط زیست", "دانشگاه علوم پزشکی"):
# common words, so only a class of their own says they continue a name.
_ORG_WORDS = _words(
    """
    اسلامی ملی عالی مرکزی کل امور خارجه داخله اقتصاد اقتصادی دارایی بهداشت درمان آموزش
    پرورش عالی پزشکی علوم تحقیقات صنعت صنایع معدن تجارت بازرگانی نفت نیرو ارتباطات
    فناوری اطلاعات دفاع پشتیبانی مسلح نیروهای راه شهرسازی جهاد کشاورزی فرهنگ ارشاد
    ورزش جوانان کار تعاون رفاه اجتماعی دادگستری میراث فرهنگی گردشگری انقلاب پاسداران
    حفاظت محیط زیست برنامه بودجه استاندارد بهزیستی هلال احمر امداد انرژی اتمی هسته‌ای
    هواپیمایی بنادر دریانوردی گمرک مالیاتی تامین تأمین ثبت اسناد املاک نظام مهندسی صدا
    سیما قضاییه قضائیه مقننه مجریه نگهبان خبرگان مصلحت تشخیص امنیت انتظامی سپاه بسیج
    مستضعفین شهید شهدا ایثارگران مسکن توسعه سرمایه‌گذاری بیمه مرکزی ملت ملل متحد
    امنیت اروپا اروپایی آمریکا ناتو پیمان همکاری شانگهای بین‌المللی بین‌الملل جهانی
    پول صندوق سلامت خبرنگاران جوان دانشجویان دانشجو کارگران کارگری معلمان اصناف اتاق
    حمایت مصرف‌کننده تولیدکنندگان نمایندگان ریاست‌جمهوری جمهوری راهبردی استراتژیک
    مطالعات پژوهش پژوهش‌های آمار ثبت‌احوال هواشناسی زمین‌شناسی شیلات منابع طبیعی آبخیزداری
    """
)
# Titles and roles before a person (``سخنگوی وزارت`` opens an ORG after the role, so
# the role itself is outside every name).
_ROLES = _words(
    """
    آقای آقا خانم دکتر مهندس حجت‌الاسلام حجت‌الاسلام‌والمسلمین آیت‌الله آیت‌الله‌العظمی
    سردار سرلشکر سرتیپ سرهنگ سرگرد سروان ارتشبد دریادار امیر ژنرال رهبر سخنگو سخنگوی
    رئیس رییس رئیس‌جمهور رئیس‌جمهوری رییس‌جمهور وزیر نماینده معاون دبیرکل مدیرعامل
    مدیر استاندار فرماندار شهردار سفیر کاردار فرمانده نخست‌وزیر شیخ سید سیده امام
    شهید مرحوم استاد پروفسور مربی سرمربی بازیکن هافبک مهاجم مدافع دروازه‌بان خواننده
    بازیگر کارگردان نویسنده شاعر خبرنگار وکیل قاضی دادستان ملکه پادشاه شاه شاهزاده
    پاپ اسقف مفتی حاج حاجی ملا سلطان امیرالمؤمنین صدراعظم دبیر عضو همسر پسر دختر
    برادر خواهر پدر مادر آقازاده جناب سرکار بانو کاپیتان قهرمان رئیس‌کل
    """
)
# Heads before a place name.
_PLACE_HEADS = _words(
    """
    شهر استان شهرستان روستا روستای کشور کشورهای دریا دریای رود رودخانه بندر جزیره
    جزایر کوه کوه‌های کوهستان منطقه خیابان میدان بزرگراه دره خلیج تنگه اقیانوس قاره
    ایالت پایتخت بخش دهستان محله شهرک فرودگاه دریاچه صحرای بیابان جنگل تالاب
    """
)
# Endings of Persian family names (``احمدی‌نژاد``, ``قالیباف``-like names need the model).
_SURNAME_ENDINGS: tuple[str, ...] = tuple(
    sorted(
        _words("زاده پور نژاد فر نیا وند لو یان زاد خانی آبادی دوست منش راد کیا مهر فرد ئی"),
        key=len,
        reverse=True,
    )
)


class NameLexicon(Protocol):
    """What the features read of the tagger's lexicon (`newsflow.entities.tagger.Lexicon`)."""

    @property
    def zipf_fa(self) -> Mapping[str, int]: ...
    @property
    def given(self) -> Collection[str]: ...
    @property
    def given_ar(self) -> Collection[str]: ...
    @property
    def given_fa(self) -> Collection[str]: ...


def word_features(
    word: str, lex: NameLexicon, groups: Collection[str]
) -> tuple[list[str], list[str], list[str]]:
    """(own features, classes, far classes) of one Persian token for the feature
    ``groups`` of :data:`FA_GROUPS` asked for. ``lex``: Persian word frequencies
    (normalized keys, Zipf x 2) and given names (normalized) by source. The caller gives
    the classes to the ±1 neighbours too, the far classes to the ±2 ones (an
    organisation head two words back still opens the name)."""
    zipf, given = lex.zipf_fa, lex.given
    own: list[str] = []
    classes: list[str] = []
    far: list[str] = []
    folded = fa_fold(word)
    if not folded or not any(ch.isalpha() for ch in folded):
        return own, classes, far
    key = _match_key(folded)
    before, _, after = split_zwnj(folded)
    if "fa_suffix" in groups:
        if ZWNJ in folded:
            own.append("fa_zwnj")
            if before:
                own.append("fa_zpre=" + before)
            if after:
                own.append("fa_zsuf=" + (after if after in _SUFFIXES else "other"))
        found = _suffix(folded, zipf, key)
        if found is not None:
            suf, stem = found
            own.append("fa_suf=" + suf)
            if suf in _COMMON_SUFFIXES:
                classes.append("fa_commonsuf")
            own.append(f"fa_sufstem={min(zipf.get(_match_key(stem), 0), 12) // 2}")
    if "fa_verb" in groups:
        kind = verb_analysis(folded)
        if kind is not None:
            classes += ["fa_verb", "fa_verb=" + kind]
    if "fa_org" in groups:
        if folded in _ORG_HEADS or key in _org_keys():
            classes.append("fa_orghead")
            far.append("fa_orghead")
        elif folded in _ORG_WORDS or key in _org_word_keys():
            classes.append("fa_orgword")
    if "fa_role" in groups and (folded in _ROLES or key in _role_keys()):
        classes.append("fa_role")
    if "fa_role" in groups and (folded in _PLACE_HEADS or key in _place_keys()):
        classes.append("fa_placehead")
    if "fa_names" in groups:
        if key in given:
            # the name lists hold many common words ("حمایت", "ایران"): a given name is
            # evidence in proportion to how rare a word it is otherwise
            # and to whether both lists have it (Wikidata's Arabic-script given names, the
            # Persian list): on ParsTwiNER train a rare word of both lists is a person
            # six times in ten, one of the Persian list alone a quarter of the time
            z = zipf.get(key, 0)
            band = "rare" if z < 8 else "mid" if z < 10 else "common"
            src = ("ar" if key in lex.given_ar else "") + ("fa" if key in lex.given_fa else "")
            classes += ["fa_given=" + band, f"fa_given={band}.{src or 'other'}"]
        for end in _SURNAME_ENDINGS:
            base = folded[: -len(end)].rstrip(ZWNJ)
            if folded.endswith(end) and len(base) >= _MIN_STEM:
                own.append("fa_surend=" + end)
                if _match_key(base) in given:
                    classes.append("fa_given+end")
                break
    if "fa_common" in groups:
        z = zipf.get(key, 0)
        if z >= 9:
            classes.append("fa_common")  # Zipf 4.5 and up: a common word or a famous name
        elif not z:
            classes.append("fa_rare")
    return own, classes, far


@functools.cache
def _org_keys() -> frozenset[str]:
    return frozenset(_match_key(w) for w in _ORG_HEADS)


@functools.cache
def _org_word_keys() -> frozenset[str]:
    return frozenset(_match_key(w) for w in _ORG_WORDS)


@functools.cache
def _role_keys() -> frozenset[str]:
    return frozenset(_match_key(w) for w in _ROLES)


@functools.cache
def _place_keys() -> frozenset[str]:
    return frozenset(_match_key(w) for w in _PLACE_HEADS)
