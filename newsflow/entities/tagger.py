"""A CRF sequence tagger for names the gazetteer does not know.

The gazetteer only finds names someone listed; most misses on newswire are
people and organisations never seen before.  A linear-chain CRF over cheap
token features generalises to those from a small labelled corpus and tags
thousands of sentences per second, with a model file small enough to ship.

Features of a token: its surface and normalized forms, affixes, the stem under
Arabic proclitics, a coarse shape, and features that transfer to unseen names
and to Persian: membership in given-name / family-name lexicons, the word's
frequency bucket in general text (frequent words are rarely names — the
capital letters Arabic script lacks), and trigger classes (titles before a
person, heads of organisation names); the same for the ±1 neighbours, plus the
±2 neighbours' forms and gazetteer matches when given.  Per-word features are
cached, so a sentence costs little more than a few dict look-ups per token.

The lexicons and frequencies (``data/tagger-lexicon.json.gz``) are extracted
from pinned packages by ``scripts/build_tagger_lexicon.py``.  Nothing here reads
files at import: the lexicon is loaded on first use, the model by ``Tagger``.
"""

from __future__ import annotations

import functools
import gzip
import json
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any

import pycrfsuite  # type: ignore[import-untyped]

from newsflow.core.normalize import normalize_for_matching
from newsflow.entities import tagger_fa
from newsflow.entities.crf import DecomposedCRF
from newsflow.entities.forms import ALL_PROCLITICS, ARTICLE_PROCLITICS
from newsflow.entities.matching import gazetteer_spans
from newsflow.entities.spans import Span

__all__ = [
    "ARABIC_FEATURE_GROUPS",
    "BASE_FEATURE_GROUPS",
    "DEFAULT_FEATURE_GROUPS",
    "FEATURE_GROUPS",
    "LEXICON_PATH",
    "MODEL_PATH",
    "TRANSFER_LANGUAGES",
    "FeatureExtractor",
    "Lexicon",
    "Tagger",
    "configured_languages",
    "gazetteer_tags",
    "iob_to_spans",
    "lexicon",
    "model_groups",
    "model_path",
    "sentence_features",
    "shipped_model",
    "span_iob",
    "strip_clitics",
    "use_models",
]

_DATA = Path(__file__).resolve().parent.parent / "data"
MODEL_PATH = _DATA / "tagger-ar.crfsuite"
LEXICON_PATH = _DATA / "tagger-lexicon.json.gz"
# Models a user trained (`newsflow tagger train`), by language, set once per process by
# `use_models` (from NEWSFLOW_TAGGER_MODELS); they win over the shipped ones.
_configured: dict[str, Path] = {}


def shipped_model(language: str) -> Path:
    """Where the model shipped for ``language`` lives (it may not exist)."""
    return _DATA / f"tagger-{language}.crfsuite"


def use_models(paths: Mapping[str, str | Path]) -> None:
    """Use these model files for these languages instead of the shipped ones.

    Checked here, at start-up, so a wrong path fails the worker with a clear message
    instead of every article.
    """
    for language, path in paths.items():
        if not Path(path).is_file():
            raise FileNotFoundError(f"tagger model for {language!r} not found: {path}")
    _configured.clear()
    _configured.update({lang: Path(path) for lang, path in paths.items()})


def configured_languages() -> frozenset[str]:
    """Languages a user model was configured for."""
    return frozenset(_configured)


def model_path(language: str) -> Path | None:
    """The model that tags ``language``: a configured one, else the shipped one, else None."""
    configured = _configured.get(language)
    if configured is not None:
        return configured
    return _present_shipped(language)


@functools.cache
def _present_shipped(language: str) -> Path | None:
    """The shipped model when installed: looked up once per language, not per article
    (a file-system call per article cost 1-2 % of the enrich stage)."""
    shipped = shipped_model(language)
    return shipped if shipped.is_file() else None


# Persian plural and ezafe/indefinite endings (ZWNJ is already dropped by the folding).
_SUFFIXES: tuple[str, ...] = ("هاي", "ها", "ي")
_MIN_STEM = 3  # short words are more often whole words than clitic + stem
_NAME_SCORE = 8  # a lexicon name counts as a word of Zipf 4 when choosing a stem

# Gazetteer types folded onto the three types the corpora annotate.
_GAZ_TYPE = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}

# Trigger classes, in normalized spelling (Arabic and Persian): a title or role before a
# person, a head noun that starts an organisation name, one that starts a place name.
_TRIGGER_WORDS: dict[str, str] = {
    "PER": (
        "رئيس رئيسة الرئيس الرئيسة وزير وزيرة الوزير الوزيرة الشيخ شيخ السيد السيدة سيد "
        "سيدة الدكتور دكتور الأمير أمير الملك ملك الملكة الجنرال اللواء العقيد العميد "
        "الفريق المشير الزعيم القاضي المستشار النائب نائب الناطق المتحدث مبعوث المبعوث "
        "السفير سفير الحاج الأستاذ أستاذ الإمام إمام آية اللاعب المدرب الفنان الكاتب "
        "الشاعر البابا "
        "آقای آقا خانم دکتر مهندس حجت‌الاسلام آیت‌الله سردار سرلشکر سرتیپ رهبر سخنگوی"
    ),
    "ORG": (
        "وزارة الوزارة شركة الشركة جامعة الجامعة حزب الحزب منظمة المنظمة مجلس المجلس "
        "هيئة الهيئة وكالة الوكالة جمعية الجمعية بنك البنك نادي النادي مؤسسة المؤسسة "
        "اتحاد الاتحاد حركة الحركة جبهة الجبهة صندوق الصندوق مركز المركز معهد المعهد "
        "محكمة المحكمة لجنة اللجنة جيش الجيش قوات صحيفة الصحيفة "
        "سازمان وزارت دانشگاه شرکت بانک مجلس خبرگزاری روزنامه باشگاه انجمن دانشکده "
        "بنیاد ستاد سپاه کمیته دادگاه"
    ),
    "LOC": (
        "مدينة المدينة محافظة المحافظة ولاية الولاية إقليم الإقليم منطقة المنطقة بحر البحر "
        "جزيرة جزر نهر قرية بلدة عاصمة العاصمة "
        "شهر استان شهرستان روستای کشور دریای رود بندر"
    ),
}
_TRIGGERS: dict[str, str] = {
    normalize_for_matching(word): kind
    for kind, words in _TRIGGER_WORDS.items()
    for word in words.split()
}

# Which feature groups a FeatureExtractor computes (for measuring what each one brings).
# "words" are the word forms and affixes (what a model learns its training vocabulary
# from); a model without them keeps only classes that carry over to another language.
BASE_FEATURE_GROUPS: frozenset[str] = frozenset(
    {"words", "lexicon", "freq", "trigger", "smartstrip"}
)
# The ``fa_*`` groups are Persian morphology and word lists (`newsflow.entities.tagger_fa`),
# computed for Persian tokens only; the shipped Persian model is trained with them.
# Groups added for Arabic (issue 10). Computed for Arabic words only (`_arabic_classes`):
# compound-name parts and nisba adjectives ("namepat"), four-letter affixes ("affix4"),
# more role nouns and organisation/place heads ("trig2").
# Widening the window, for every language: triggers seen three tokens away ("window3"),
# the gazetteer's tags two tokens away ("gazwide").
ARABIC_FEATURE_GROUPS: frozenset[str] = frozenset(
    {"namepat", "window3", "affix4", "gazwide", "trig2"}
)
# Every group a FeatureExtractor knows.
FEATURE_GROUPS: frozenset[str] = BASE_FEATURE_GROUPS | tagger_fa.FA_GROUPS | ARABIC_FEATURE_GROUPS
# The groups the shipped models are trained with (and a FeatureExtractor's default): the
# base ones and Persian's. The Arabic groups above were measured (README "Entities") and
# not kept: +0.005 micro F1 on the dev blocks they were tuned on, -0.006 on other held-out
# blocks, -0.014 on Persian, and slower; word clusters built from the training blocks were
# measured too and dropped. They stay selectable for training variants.
DEFAULT_FEATURE_GROUPS: frozenset[str] = BASE_FEATURE_GROUPS | tagger_fa.FA_GROUPS
# Languages the shipped model tags without word-form features (it is trained on Arabic
# only, with delexicalised copies of its sentences for these).
TRANSFER_LANGUAGES: frozenset[str] = frozenset()


# Per-language feature hooks: a language listed here takes its word features and its
# tokens' context strings (in place of the bare gazetteer tag) from a module of its own.
_WordFeatures = Callable[[str], tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]
# (tokens, gazetteer tags or None, the caller's second tag channel or None) -> contexts
_ContextTags = Callable[[Sequence[str], Sequence[str] | None, Sequence[str] | None], list[str]]
_ContextAttrs = Callable[[str], Mapping[int, Sequence[str]]]


@functools.cache
def _language_hook(language: str | None) -> tuple[_WordFeatures, _ContextTags] | None:
    """English: ``newsflow.entities.tagger_en`` (imported on first use)."""
    if language == "en":
        from newsflow.entities import tagger_en

        return tagger_en.word_features, tagger_en.context_tags
    return None


def _context_attrs(tag: str) -> Mapping[int, Sequence[str]] | None:
    """The attributes of a language hook's context string, None for a gazetteer tag."""
    if tag.startswith("en|"):
        from newsflow.entities.tagger_en import context_attrs

        return context_attrs(tag)
    return None


@dataclass(frozen=True)
class Lexicon:
    """Name lexicons and word frequencies, all in normalized spelling."""

    given: frozenset[str]
    surname: frozenset[str]
    zipf_ar: Mapping[str, int]  # Zipf frequency x 2, rounded down (6..16)
    zipf_fa: Mapping[str, int]
    given_ar: frozenset[str] = frozenset()  # the two sources of `given`, apart
    given_fa: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> Lexicon:
        data = json.loads(gzip.decompress(path.read_bytes()))
        given_ar, given_fa = frozenset(data["given_ar"]), frozenset(data["given_fa"])
        return cls(
            given=given_ar | given_fa,
            surname=frozenset(data["surname_ar"]),
            zipf_ar=data["zipf_ar"],
            zipf_fa=data["zipf_fa"],
            given_ar=given_ar,
            given_fa=given_fa,
        )

    def zipf2(self, word: str, language: str | None = None) -> int:
        """Twice the Zipf frequency of a normalized word in that language (0: rare)."""
        if language == "ar":
            return self.zipf_ar.get(word, 0)
        if language == "fa":
            return self.zipf_fa.get(word, 0)
        return max(self.zipf_ar.get(word, 0), self.zipf_fa.get(word, 0))

    def word_score(self, word: str, language: str | None = None) -> int:
        """How much a form looks like a word of its own: frequency, or a known name."""
        score = max(self.zipf2(word, language), self.zipf2("ال" + word, language))
        if word in self.given or word in self.surname:
            score = max(score, _NAME_SCORE)
        return score


@functools.cache
def lexicon() -> Lexicon:
    """The shipped lexicon, read on first use."""
    return Lexicon.load()


def strip_clitics(norm: str, lex: Lexicon | None = None, language: str | None = None) -> str:
    """The stem under Arabic proclitics and Persian suffixes, so ``وبموسكو`` meets ``موسكو``.

    Of the proclitics that leave a known word or name at least as frequent as the
    whole form, the one leaving the best-known stem is taken off (``وبالموسكو`` →
    ``موسكو``, ``فقال`` → ``قال``), and none otherwise: ``فلاديمير`` stays (neither
    ``لاديمير`` nor ``اديمير`` is a word), so does
    ``لبنان`` (more frequent than the name ``بنان``).  For an unknown form only an article
    sequence (``ال``, ``وال``, ``بال``, ``لل``…) is stripped.  Persian text takes no
    Arabic proclitics.  A suffix is stripped when the stem is clearly more frequent
    than the whole form (``شهرها`` → ``شهر``).  Frequencies are those of ``language``
    (both languages' when None, Arabic for proclitics); ``lex`` None: the shipped lexicon.
    """
    lex = lex if lex is not None else lexicon()
    stem = norm
    if language != "fa":
        ar = language or "ar"  # proclitics are Arabic: judge them by Arabic frequencies
        whole = lex.word_score(norm, ar)
        best = (0, 0)  # (score, proclitic length): the best-known stem, the shorter on a tie
        for pre in ALL_PROCLITICS:
            if norm.startswith(pre) and len(norm) - len(pre) >= _MIN_STEM:
                score = (lex.word_score(norm[len(pre) :], ar), len(pre))
                if score[0] and score[0] >= whole and score > best:
                    best, stem = score, norm[len(pre) :]
        if stem == norm and not whole:
            for pre in ARTICLE_PROCLITICS:
                if norm.startswith(pre) and len(norm) - len(pre) >= _MIN_STEM:
                    stem = norm[len(pre) :]
                    break
    base = lex.word_score(stem, language)
    for suf in _SUFFIXES:
        if stem.endswith(suf) and len(stem) - len(suf) >= _MIN_STEM:
            if lex.word_score(stem[: -len(suf)], language) > base + 1:
                return stem[: -len(suf)]
            break
    return stem


def _strip_clitics_greedy(norm: str) -> str:
    """The first version: longest proclitic, then a suffix, with no word check."""
    stem = norm
    for pre in ALL_PROCLITICS:
        if stem.startswith(pre) and len(stem) - len(pre) >= _MIN_STEM:
            stem = stem[len(pre) :]
            break
    for suf in _SUFFIXES:
        if stem.endswith(suf) and len(stem) - len(suf) >= _MIN_STEM:
            stem = stem[: -len(suf)]
            break
    return stem


def _shape(word: str) -> str:
    """A coarse class: Latin capitals mark names, digits mark numbers and dates."""
    if word.isdigit():
        return "digit"
    if any(ch.isdigit() for ch in word):
        return "hasdigit"
    if word.isascii() and word.isalpha():
        if word.isupper():
            return "upper"
        if word[0].isupper():
            return "title"
        return "lower"
    if all(not ch.isalnum() for ch in word):
        return "punct"
    return "other"


def gazetteer_tags(tokens: Sequence[str], language: str | None) -> list[str]:
    """IOB tags from gazetteer matches on the joined sentence, ``O`` where nothing matched.

    A match is given to every token its character span overlaps, so a match
    inside a cliticised token (``بموسكو``) still marks that token.
    """
    bounds: list[tuple[int, int]] = []
    pos = 0
    for tok in tokens:
        bounds.append((pos, pos + len(tok)))
        pos += len(tok) + 1
    text = " ".join(tokens)
    if not text.strip():
        return ["O"] * len(tokens)
    return span_iob(bounds, gazetteer_spans({"body": text}, language))


_END = itemgetter(1)  # of a token's (start, end, ...) bounds


def span_iob(bounds: Sequence[tuple[Any, ...]], spans: Iterable[Span]) -> list[str]:
    """IOB gazetteer tags for tokens at character ``(start, end, ...)`` bounds: each span
    marks the tokens it overlaps (the first span to reach a token keeps it), typed as the
    corpora type them. The one rule for training (`gazetteer_tags`) and for tagging an
    article whose spans are already found (`newsflow.entities.ner`)."""
    tags = ["O"] * len(bounds)
    j = 0
    for sp in sorted(spans, key=lambda s: s.start):
        kind = _GAZ_TYPE.get(sp.type)
        if kind is None:
            continue
        # the first token ending after the span's start (bounds are in text order): by
        # bisection, not a step per token passed over
        j = bisect_right(bounds, sp.start, j, key=_END)
        first = True
        k = j
        while k < len(bounds) and bounds[k][0] < sp.end:
            if tags[k] == "O":
                tags[k] = ("B-" if first else "I-") + kind
                first = False
            k += 1
    return tags


_OFFSETS = (-2, -1, 1, 2)
_OFFSETS3 = (-3, -2, -1, 1, 2, 3)  # the "window3" group
# A word's own features ("bias" first) and what it gives the tokens it is the -2, -1, +1,
# +2 neighbour of, in the order of the extractor's offsets.
_Word = tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]


# --- Arabic features (issue 10): names never seen in training -------------------------
# Kept apart from the shared features above: they are computed for Arabic text only.

# Words inside compound Arabic names: "بن"/"ابن"/"بنت" (son/daughter of), kunya "أبو",
# "آل" (family; folded like the article), "عبد" before a divine name, and the second
# half of such compounds ("الدين", "الله").
_AR_NAME_LINKS = frozenset(
    normalize_for_matching(w) for w in ["بن", "ابن", "بنت", "أبو", "أبي", "أبا", "آل", "أم"]
)
_AR_NAME_SECOND = frozenset(
    normalize_for_matching(w)
    for w in ["الدين", "الله", "الرحمن", "الرحيم", "العزيز", "الكريم", "الإسلام"]
)
# More role nouns before a person and heads of organisation and place names than the
# shared trigger lists carry (Arabic only; "atrig=" classes).
_AR_TRIGGER_WORDS: dict[str, str] = {
    "PER": (
        "الأمين المدير مدير المدرب مدرب النجم نجم المهاجم المدافع الحارس لاعب الفنانة "
        "الممثل الممثلة المطرب المطربة المغني المغنية المخرج الكاتبة الروائي المؤرخ "
        "الصحفي الصحافي المراسل الزميل السيناتور المرشح المرشحة الشهيد القس الأب "
        "البطريرك المطران الخليفة السلطان سلطان العاهل عاهل ولي الحاكم حاكم المحافظ "
        "القائد قائد زعيم المستشارة الوزيرة الآنسة المهندس المحامي البروفيسور "
        "الدكتورة الشيخة الإعلامي الإعلامية الداعية المفتي مفتي المتحدثة الناطقة "
        "نائبة الرئيسة مساعد المساعد المبعوثة السفيرة عميد العميدة رئيسة"
    ),
    "ORG": (
        "مستشفى مصرف المصرف كلية الكلية نقابة النقابة رابطة الرابطة تنظيم التنظيم جماعة "
        "الجماعة مجموعة المجموعة منتخب المنتخب فريق دائرة مديرية سلطة مكتب برلمان "
        "البرلمان قناة القناة إذاعة تلفزيون مجلة المجلة جريدة الجريدة كتائب ألوية لواء "
        "فيلق مفوضية المفوضية ائتلاف الائتلاف تحالف التحالف شركات مجمع أكاديمية "
        "الأكاديمية مؤتمر المؤتمر بعثة البعثة مصلحة دار"
    ),
    "LOC": (
        "شمال جنوب شرق غرب وسط ريف مخيم حي شارع ميدان ساحة جبل جبال وادي صحراء خليج "
        "مضيق قضاء بلدية ضاحية مطار ميناء سهل بحيرة شبه جزيرة دولة مملكة جمهورية إمارة"
    ),
}
_AR_TRIGGERS: dict[str, str] = {
    normalize_for_matching(word): kind
    for kind, words in _AR_TRIGGER_WORDS.items()
    for word in words.split()
}
_COMMON_NAME_ZIPF2 = 9  # a name that is also a frequent word (Zipf >= 4.5): "كريم", "أمين"


def _arabic_classes(
    norm: str, stem: str, clitic: str, lex: Lexicon, groups: frozenset[str]
) -> list[str]:
    """Classes of an Arabic word that carry over to names never seen in training (shared
    with the ±1 neighbours, like the lexicon classes): compound-name parts ("بن", "عبد…",
    "…الدين"), nisba adjectives ("الأيوبي"), the article before a known name
    ("الظواهري"), a name that is also a frequent word ("كريم") or a rare one."""
    out: list[str] = []
    if "namepat" in groups:
        if norm in _AR_NAME_LINKS:
            out.append("np=link")
        elif norm.startswith("عبد"):
            out.append("np=abd")
        elif norm in _AR_NAME_SECOND:
            out.append("np=second")
        elif norm.startswith("ال") and len(norm) >= 6:
            if norm.endswith("ي"):
                out.append("np=nisba")  # الأيوبي, القضاعي, المصري
            if norm[2:] in lex.given or norm[2:] in lex.surname:
                out.append("np=alname")  # الحسن, الظواهري
        name = stem if "ال" not in clitic and "لل" not in clitic else norm
        if name in lex.given or name in lex.surname:
            common = lex.zipf2(name, "ar") >= _COMMON_NAME_ZIPF2
            out.append("np=commonname" if common else "np=rarename")
    return out


def _arabic_trigger(norm: str, stem: str) -> str | None:
    return _AR_TRIGGERS.get(norm) or _AR_TRIGGERS.get(stem)


# The attribute prefixes that show a model was trained with an optional group.
_GROUP_SIGNS: dict[str, tuple[str, ...]] = {
    "window3": ("-3:", "3:"),
    "gazwide": ("-2:gaz=", "2:gaz="),
    "affix4": ("p4=", "s4="),
    "namepat": ("np=",),
    "trig2": ("atrig=",),
}


def model_groups(attributes: Iterable[str]) -> frozenset[str]:
    """The feature groups a model was trained with, read off its attributes: the default
    groups always (the base ones leave no sign of their own; Persian's apply to Persian
    tokens only), each group of
    :data:`ARABIC_FEATURE_GROUPS` whose attributes it has. So a model is tagged with its
    own groups whatever :data:`DEFAULT_FEATURE_GROUPS` says (an older model, a variant
    being measured, a user's); a group whose every weight L1 pruned is left out, which
    tags the same."""
    found = set(DEFAULT_FEATURE_GROUPS)
    for attr in attributes:
        for group, signs in _GROUP_SIGNS.items():
            if group not in found and attr.startswith(signs):
                found.add(group)
    return frozenset(found)


class FeatureExtractor:
    """Token features for the CRF, cached per (word, language).

    ``groups`` selects the optional feature groups of :data:`FEATURE_GROUPS`; a model
    must be tagged with the groups it was trained with (the shipped one:
    :data:`DEFAULT_FEATURE_GROUPS`).
    ``known``: the attributes a model has weights for; the per-word features are cut
    down to those once, when cached, so crfsuite is not handed strings it would ignore
    (a third of them, and most of the tagging time is spent passing strings).
    ``transfer``: languages the model was not trained on; their tokens get no word-form
    features (``words``), only the classes that carry over (the model must have been
    trained with delexicalised copies of its sentences, ``sentence(..., delex=True)``).
    """

    _MAX_CACHE = 200_000

    def __init__(
        self,
        groups: Collection[str] = DEFAULT_FEATURE_GROUPS,
        known: Collection[str] | None = None,
        transfer: Collection[str] = (),
    ) -> None:
        unknown = set(groups) - FEATURE_GROUPS
        if unknown:
            raise ValueError(f"unknown feature groups: {sorted(unknown)}")
        self.groups = frozenset(groups)
        self.known = frozenset(known) if known is not None else None
        self.transfer = frozenset(transfer)
        self._cache: dict[tuple[str, str | None, bool], _Word] = {}
        # the neighbours a token takes features from (its own: offset 0)
        self.offsets: tuple[int, ...] = _OFFSETS3 if "window3" in self.groups else _OFFSETS
        self.reach = max(abs(d) for d in self.offsets)
        self._edge: _Word = ((), tuple((f"{d}:edge",) for d in self.offsets))
        self._gaz_offsets = (-2, -1, 1, 2) if "gazwide" in self.groups else (-1, 1)

    def _word(self, word: str, language: str | None, delex: bool) -> _Word:
        key = (word, language, delex)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        hook = _language_hook(language)
        if hook is not None:
            own_h, ctx_h = hook[0](word)
            if self.offsets != _OFFSETS:  # the hook lends to the ±2 neighbours only
                by_offset = dict(zip(_OFFSETS, ctx_h, strict=True))
                ctx_h = tuple(by_offset.get(d, ()) for d in self.offsets)
            if (known_h := self.known) is not None:
                own_h = tuple(f for f in own_h if f in known_h)
                ctx_h = tuple(tuple(f for f in fs if f in known_h) for fs in ctx_h)
            if len(self._cache) >= self._MAX_CACHE:
                self._cache.clear()
            self._cache[key] = (own_h, ctx_h)
            return own_h, ctx_h
        lex = lexicon()
        g = self.groups - {"words"} if delex else self.groups
        norm = normalize_for_matching(word)
        if "smartstrip" in g:
            stem = strip_clitics(norm, lex, language)
        else:
            stem = _strip_clitics_greedy(norm)
        clitic = norm[: len(norm) - len(stem)] if norm.endswith(stem) else "x"
        shape = _shape(word)
        own = ["shape=" + shape, "len=" + str(min(len(norm), 8))]
        if "words" in g:
            own += ["n=" + norm, "stem=" + stem]
            if word != norm:  # the surface form adds nothing where it is the normalized one
                own.append("w=" + word)
            for k in (1, 2, 3):
                if len(norm) > k:
                    own.append(f"p{k}={norm[:k]}")
                    own.append(f"s{k}={norm[-k:]}")
        if stem != norm:
            own.append("clitic=" + clitic)
        # Language-independent classes, shared with the neighbours' features.
        classes: list[str] = []
        if "lexicon" in g:
            # The stem only under a conjunction or preposition: "الوزير" is no name.
            name = stem if "ال" not in clitic and "لل" not in clitic else norm
            if norm in lex.given or name in lex.given:
                classes.append("given")
            if norm in lex.surname or name in lex.surname:
                classes.append("surname")
        if "freq" in g and shape in ("other", "lower", "title", "upper"):
            classes.append(f"zf={lex.zipf2(norm, language)}")
            classes.append(f"zfs={lex.zipf2(stem, language)}")
        trig = None
        if "trigger" in g:
            trig = _TRIGGERS.get(norm) or _TRIGGERS.get(stem)
            if trig:
                classes.append("trig=" + trig)
        far: list[str] = []  # what the ±2 (and ±3) neighbours get besides word forms
        if trig:
            far.append("trig=" + trig)
        if language == "fa" and (fa_groups := g & tagger_fa.FA_GROUPS):
            fa_own, fa_classes, fa_far = tagger_fa.word_features(word, lex, fa_groups)
            own += fa_own
            classes += fa_classes
            far += fa_far
        if language == "ar" and g & ARABIC_FEATURE_GROUPS:
            if "affix4" in g and "words" in g and len(norm) > 4:
                own += [f"p4={norm[:4]}", f"s4={norm[-4:]}"]
            if "trig2" in g and (atrig := _arabic_trigger(norm, stem)):
                classes.append("atrig=" + atrig)
                far.append("atrig=" + atrig)
            classes += _arabic_classes(norm, stem, clitic, lex, g)
        own += classes
        ctx: list[tuple[str, ...]] = []
        for d in self.offsets:
            if abs(d) == 1:
                feats = [f"{d}:n={norm}", f"{d}:stem={stem}"] if "words" in g else []
                feats.append(f"{d}:shape={shape}")
                feats += [f"{d}:{c}" for c in classes]
            elif abs(d) == 2:
                feats = [f"{d}:n={norm}", f"{d}:stem={stem}"] if "words" in g else []
                feats += [f"{d}:{c}" for c in far]
            else:
                feats = [f"{d}:{c}" for c in far]
            ctx.append(tuple(feats))
        if (known := self.known) is not None:
            own = [f for f in own if f in known]
            ctx = [tuple(f for f in fs if f in known) for fs in ctx]
        out = (("bias", *own), tuple(ctx))
        if len(self._cache) >= self._MAX_CACHE:
            self._cache.clear()
        self._cache[key] = out
        return out

    def word_attrs(self, word: str, language: str | None) -> dict[int, Sequence[str]]:
        """A word's attributes by the offset of the token that receives them (0: its
        own; -1: those it gives the token after it, as that token's "-1:" features...),
        the decomposition `DecomposedCRF` decodes from."""
        own, ctx = self._word(word, language, language in self.transfer)
        return {0: own, **{d: ctx[k] for k, d in enumerate(self.offsets)}}

    def gaz_attrs(self, tag: str) -> Mapping[int, Sequence[str]]:
        """What one gazetteer tag (or a language hook's context string) gives its own token
        and its neighbours (see `sentence`)."""
        if (attrs := _context_attrs(tag)) is not None:
            return attrs
        own = ["gaz=" + tag] + (["gaztype=" + tag[2:]] if tag != "O" else [])
        return {0: own, **{d: [f"{d}:gaz={tag}"] for d in self._gaz_offsets}}

    def position_attrs(self, before: int, after: int) -> list[str]:
        """Attributes of a token with `before`/`after` tokens on each side (see `sentence`)."""
        attrs = [f"{d}:edge" for d in self.offsets if (before < -d if d < 0 else after < d)]
        if before == 0:
            attrs.append("BOS")
        if after == 0:
            attrs.append("EOS")
        return attrs

    def sentence(
        self,
        tokens: Sequence[str],
        gaz: Sequence[str] | None = None,
        language: str | None = None,
        delex: bool | None = None,
        extra: Sequence[str] | None = None,
    ) -> list[list[str]]:
        """Feature names (each with value 1) for each token, the form crfsuite takes.

        ``delex``: leave the word forms out (default: for the ``transfer`` languages).
        ``extra``: a second tag per token for a language hook (English: the Latin rules'
        IOB tags on the whole text).
        """
        if delex is None:
            delex = language in self.transfer
        hook = _language_hook(language)
        if hook is not None:  # the hook's context strings stand in for the gazetteer tags
            gaz = hook[1](tokens, gaz, extra)
        cache = self._cache
        reach, offsets = self.reach, self.offsets
        words = [self._edge] * reach
        for t in tokens:
            words.append(cache.get((t, language, delex)) or self._word(t, language, delex))
        words += [self._edge] * reach
        n = len(tokens)
        out: list[list[str]] = []
        for i in range(n):
            # words[i + reach] is token i; it takes from its neighbour at i + d the
            # features that word lends at offset d
            feats = list(words[i + reach][0])
            for k, d in enumerate(offsets):
                feats += words[i + reach + d][1][k]
            if i == 0:
                feats.append("BOS")
            if i == n - 1:
                feats.append("EOS")
            if gaz is not None and (attrs := _context_attrs(gaz[i])) is not None:
                feats += attrs[0]
                if i > 0:
                    feats += _context_attrs(gaz[i - 1])[-1]  # type: ignore[index]
                if i < n - 1:
                    feats += _context_attrs(gaz[i + 1])[1]  # type: ignore[index]
            elif gaz is not None:
                g = gaz[i]
                feats.append("gaz=" + g)
                if g != "O":
                    feats.append("gaztype=" + g[2:])
                for d in self._gaz_offsets:
                    if 0 <= i + d < n:
                        feats.append(f"{d}:gaz={gaz[i + d]}")
            out.append(feats)
        return out


@functools.cache
def _default_extractor() -> FeatureExtractor:
    return FeatureExtractor()


def sentence_features(
    tokens: Sequence[str], gaz: Sequence[str] | None = None, language: str | None = None
) -> list[dict[str, float]]:
    """Features for each token (name → 1.0): its own, its neighbours', gazetteer tags if given."""
    return [dict.fromkeys(f, 1.0) for f in _default_extractor().sentence(tokens, gaz, language)]


def iob_to_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """(type, start, end) token spans, end exclusive; a stray ``I-`` opens a span (CoNLL rule)."""
    spans: list[tuple[str, int, int]] = []
    kind: str | None = None
    start = 0
    last = -1
    # only the tokens not tagged "O" are read (most sentences have none, the rest a few);
    # an "O" ends the span open before it, as the sentinel "O" ends the last
    for i in compress(range(len(tags)), map("O".__ne__, tags)):
        if kind is not None and i > last + 1:
            spans.append((kind, start, last + 1))
            kind = None
        prefix, _, label = tags[i].partition("-")
        continues = prefix == "I" and label == kind
        if kind is not None and not continues:
            spans.append((kind, start, i))
            kind = None
        if prefix in ("B", "I") and label and not continues:
            kind, start = label, i
        last = i
    if kind is not None:
        spans.append((kind, start, last + 1))
    return spans


class Tagger:
    """A trained crfsuite model; ``use_gazetteer`` and ``features`` must match its training.

    ``features`` None: the groups the model's attributes show it was trained with
    (`model_groups`), cut down to those attributes.
    """

    def __init__(
        self,
        path: str | Path = MODEL_PATH,
        *,
        use_gazetteer: bool = True,
        features: FeatureExtractor | None = None,
    ) -> None:
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))
        self.use_gazetteer = use_gazetteer
        if features is None:
            known = {attr for attr, _ in self._tagger.info().state_features}
            features = FeatureExtractor(
                model_groups(known), known=known, transfer=TRANSFER_LANGUAGES
            )
        self.features = features
        self._crf = DecomposedCRF(
            path,
            offsets=tuple(sorted({0, *features.offsets})),
            word_attrs=features.word_attrs,
            gaz_attrs=features.gaz_attrs,
            position_attrs=features.position_attrs,
        )

    def tag(
        self,
        tokens: Sequence[str],
        language: str | None = None,
        gaz: Sequence[str] | None = None,
    ) -> list[str]:
        """IOB tags (``B-PER``, ``I-LOC``, ``O``…) for one sentence of tokens.

        ``gaz``: the gazetteer's IOB tags for these tokens when the caller already has
        them (the layered extractor matches the whole article once); otherwise they are
        computed here if the model uses them.
        """
        if not tokens:
            return []
        checked = self._gaz(tokens, language, gaz)
        return self.tag_many([tokens], language, [checked] if checked is not None else None)[0]

    def _gaz(
        self, tokens: Sequence[str], language: str | None, gaz: Sequence[str] | None
    ) -> Sequence[str] | None:
        """The gazetteer tags the model expects: none if it was trained without them, the
        caller's (checked) or computed here."""
        if not self.use_gazetteer:
            return None
        if gaz is None:
            return gazetteer_tags(tokens, language)
        if len(gaz) != len(tokens):
            raise ValueError(f"{len(gaz)} gazetteer tags for {len(tokens)} tokens")
        return gaz

    def tag_many(
        self,
        sentences: Sequence[Sequence[str]],
        language: str | None = None,
        gaz: Sequence[Sequence[str]] | None = None,
        extra: Sequence[Sequence[str]] | None = None,
    ) -> list[list[str]]:
        """`tag` for all sentences of an article at once (one decoding pass). ``extra``:
        per sentence, the second tag channel of a language hook (`FeatureExtractor.sentence`)."""
        if not self.use_gazetteer:
            gaz = None
        elif gaz is None:
            gaz = [gazetteer_tags(tokens, language) for tokens in sentences]
        hook = _language_hook(language)
        if hook is not None:  # context strings in place of the gazetteer tags
            gaz = [
                hook[1](
                    tokens,
                    gaz[k] if gaz is not None else None,
                    extra[k] if extra is not None else None,
                )
                for k, tokens in enumerate(sentences)
            ]
        return self._crf.tag_many(sentences, gaz, language)

    def tag_crfsuite(
        self,
        tokens: Sequence[str],
        language: str | None = None,
        gaz: Sequence[str] | None = None,
    ) -> list[str]:
        """The same labels computed by crfsuite itself from feature strings: the
        reference `tag` is tested against (and the path training evaluation takes)."""
        if not tokens:
            return []
        gaz = self._gaz(tokens, language, gaz)
        tags: list[str] = self._tagger.tag(self.features.sentence(tokens, gaz, language))
        return tags
