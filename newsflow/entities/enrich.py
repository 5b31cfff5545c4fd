"""Enrichment stage: entities, categories, keywords and routes for one article.

Pure and deterministic given `now`; the Faust agent only calls `enrich_article`.

Categories come first from the page's own section labels when they name one (section,
breadcrumbs, URL path, tags: `entities.sections`), a strong prior; the text decides when
none does and adds a category it strongly supports: keyword lexicons (ar/fa/en/ru and a
few words of de/fr/es) matched on folded tokens, Arabic proclitics stripped, plus
category hints that the alias table attaches to salient entities
(`combine_category_scores` says how they are combined).
Keywords are the most frequent content words (field-weighted, stop words and entity
mentions left out), shown as written in the article. Neither needs any download.

Long texts: entities, categories and keywords are computed on at most the first
`MAX_ENRICH_CHARS` characters of each text field (title, lead, body), cut back to the
last whitespace before that, and the record says so in `enriched_chars` (null when every
field was read whole). Why: enrichment costs about 5 µs per Arabic character, so a
10 MB page would hold the stage for half a minute and several hundred MB (75 s and
800 MB for 5.4 MB of Arabic before two quadratic steps were fixed); 200,000 characters
keep the worst case near a second (bench/pathological.py), and are more than twice the
longest body of the development corpus (88,990 characters).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime
from itertools import filterfalse
from typing import NamedTuple

from newsflow.core.normalize import normalize_for_matching
from newsflow.core.routing import CATEGORIES
from newsflow.core.rules import RuleSet, default_rules, evaluate
from newsflow.core.types import ArticleDict, EnrichedArticleDict, EntityDict, RoutingDict
from newsflow.entities.coref import entity_categories
from newsflow.entities.forms import (
    AR_CONJUNCTIONS,
    AR_PREPOSITIONS,
    ARTICLE_PROCLITICS,
    TEXTSCAN,
    fold_with_offsets,
)
from newsflow.entities.ner import extract_entities, extractor_version
from newsflow.entities.sections import page_signals

SCHEMA_VERSION = 1
MAX_KEYWORDS = 10
MAX_ENRICH_CHARS = 200_000
_CUT_BACK = 1_000  # how far before the limit a whitespace is looked for
_FIELD_WEIGHT = {"title": 3.0, "lead": 2.0, "body": 1.0}
_MIN_CATEGORY_SCORE = 3.0
_RELATIVE_CATEGORY_SCORE = 0.35
_ENTITY_HINT_WEIGHT = 4.0
_MIN_TEXT_EVIDENCE = 2 * _MIN_CATEGORY_SCORE
_SIGNAL_WEIGHT = 0.7  # a page signal's part of a category's score (`combine_category_scores`)

# A trailing "*" makes an entry a prefix (stem); otherwise the folded token must be equal.
# Arabic entries are written without the article; tokens are matched with and without
# their proclitics.
_LEXICON_SOURCE: dict[str, str] = {
    "politics": """
        politic* president* minister* government* parliament* election* elected vote voters
        senat* congress* diplomat* embassy ambassador* sanction* treaty summit* cabinet
        opposition referendum campaign* legislat* negotiat* bilateral coalition democra*
        رئيس* رئاس* وزير* وزار* حكوم* برلمان* انتخاب* تصويت سياس* دبلوماس* سفير سفار*
        عقوبات معاهد* قمه حزب احزاب معارض* استفتاء مفاوضات ثنائي* علاقات اتفاقي* نظير*
        رئیس* وزیر* وزارت* دولت* مجلس انتخابات سیاس* دیپلمات* سفیر سفارت* تحریم* پارلمان*
        نماینده* مذاکر* توافق*
        президент* министр* правительств* парламент* выбор* политик* дипломат* посол*
        санкци* переговор* депутат* саммит*
        politi* regierung* kanzler* parlament* bundestag* landtag* wahl wahlen wahlkampf* partei*
        koalition* abgeordnet* diplomat* botschaft* sanktion* gesetz* präsident* spd cdu csu afd
        gouvernement* ministre* président* élection* député* sénat* ambassad* parti partis
        gobierno* presiden* parlament* congreso senado elecci* electoral* diputad* embajad*
        governo* elezion* eleiç* deputat* senator*
    """,
    "economy": """
        econom* market* trade trading tariff* inflation bank banks banking currenc* oil gas
        price* invest* export* import* gdp budget* stock* shares business* financ* tax taxes
        revenue* profit* dollar* rouble* ruble* debt* industr*
        اقتصاد* تجار* سوق اسواق اسعار سعر نفط غاز استثمار* صادرات واردات تضخم بنك بنوك
        مصرف* ميزانيه ضرائب ضريب* دولار يورو ريال روبل شركه شركات سلع صناع*
        تجارت* بازار* قیمت* نفت* سرمایه* تورم بانک* ارز دلار بودجه مالیات* شرکت* کالا*
        صنعت* صنایع
        экономи* рынк* рынок торгов* нефт* газ цен* инвест* экспорт* импорт* инфляци* банк*
        валют* бюджет* налог* компани* доллар* рубл*
        wirtschaft* unternehmen* konzern* markt märkte börse* aktie* banken zins* preis* umsatz*
        gewinn* handel* steuer* haushalt* investition* arbeitsmarkt* konjunktur* milliard*
        rezession* économi* entreprise* marché* bourse* banque* commerce* impôt* croissance*
        investiss* emploi* chômage* empresa* mercado* bolsa banco* inflación precio* comercio
        impuesto* presupuesto* inversi* empleo* desempleo* mercat* prezz* azienda* aziende
        empresas preço* jobs unemployment wage* retail* consumer* earnings
    """,
    "conflict": """
        war wars warfare military army troops attack* strike* airstrike* missile* drone*
        bomb* kill* wounded casualt* ceasefire truce invasion invad* occupation occupied
        shelling rocket* terror* militant* fighter* clash* battle* weapon* siege hostage*
        genocide massacre* raid*
        حرب حروب عسكري* جيش جنود قوات هجوم هجمات هجمه غاره غارات قصف صاروخ* صواريخ مسيرات
        قتل* قتيل قتلي شهيد شهداء جرحي احتلال اجتياح ارهاب* مسلح* اشتباك* معارك معركه
        سلاح اسلحه حصار رهائن اسري اباده مجزره مجازر عدوان جرائم اجرام*
        جنگ* نظامی* ارتش* حمله* حملات بمب* موشک* پهپاد* کشته* زخمی* شهید* شهدا اشغال*
        تروریس* درگیری* تسلیحات محاصره گروگان* جنایت* تجاوز
        войн* военн* арми* атак* удар* ракет* беспилотник* дрон* погиб* убит* ранен*
        обстрел* перемири* террор* боев* оккупац* оружи*
        krieg* militär* armee* soldat* angriff* anschlag* rakete* drohne* getötet* verletzt* waffe*
        waffenruhe offensive* kämpf* bundeswehr streitkräfte* guerre* militaire* armée* attaque*
        frappe* bombard* tués blessés armes cessez otage* terroris* combat* guerra* militar*
        ejército* soldado* ataque* misil* muertos heridos armas rehén* esercito* attacc* soldati
        exército* ataques
    """,
    "science_tech": """
        science* scientist* research* technolog* tech ai software internet cyber*
        satellite* spacecraft physics chemistry robot* digital computer* smartphone*
        semiconductor* startup* innovation*
        علم* علوم علماء تكنولوجي* تقني* اصطناعي* برمج* انترنت سيبراني* اقمار فضاء فضائي*
        رقمي* حاسوب* روبوت* رقائق ابتكار* اختراع*
        دانشمند* پژوهش* فناوری* فناوري* تکنولوژی* مصنوعی* نرمافزار* اینترنت* سایبری*
        ماهواره* فضایی* دیجیتال* رایانه* کامپیوتر* ربات* تراشه* نوآوری* دانشبنیان*
        наук* учен* исследован* технолог* искусственн* интернет* кибер* спутник* космос*
        космич* цифров* компьютер* робот*
        wissenschaft* forsch* studie studien technolog* technik* digital* software* künstliche ki
        computer* daten* satellit* raumfahrt* klima* physik* roboter* recherche* chercheur*
        numérique* logiciel* informati* spatial* climat* environnement* cienc* científic*
        investigaci* tecnolog* informátic* satélite* espacial* clima* scienz* ricerca* ricercator*
        iphone* ipad* macbook* android laptop* gadget* app apps chip chips processor* climate*
        environment* emissions carbon warming researchers nasa astronom* planet* telescope*
    """,
    "health": """
        health* hospital* medic* doctor* nurse* disease* virus* vaccin* pandemic* epidemic*
        covid* cancer* patient* drug* treatment* outbreak* infection* clinic* surgery
        صحه صحي* مستشفي* طبي* طبيب اطباء مرض امراض مرضي فيروس* لقاح* وباء جائحه كورونا
        سرطان علاج* دواء ادويه عدوي عياده
        سلامت* بهداشت* بیمارستان* پزشک* بیماری* بیمار* ویروس* واکسن* کرونا درمان* دارو*
        عفونت*
        здоров* больниц* врач* медицин* болезн* вирус* вакцин* пандеми* эпидеми*
        коронавирус* пациент* лечени* лекарств*
        gesundheit* krankenhaus* klinik* arzt ärzte* ärztin* medizin* krankheit* erkrank* impf*
        pandemie* therapie* behandlung* corona* krebs* infektion* pflege* santé médic* médecin*
        hôpita* malad* pandémie* épidémie* traitement* soins salud* enferm* vacun* pandemia*
        paciente* tratamiento* cáncer ospedal* malatti* saúde doença* nutrition* diet* obesity
        mental wellbeing
    """,
    "sports": """
        sport* football* soccer match matches league* tournament* championship* olympic*
        player* coach* goal goals team teams club clubs tennis basketball wrestling athlet*
        medal* stadium* striker* midfielder* goalkeeper*
        رياضه رياضي* مباراه مباريات دوري بطوله بطولات منتخب* لاعب* مدرب* ملعب اولمبي*
        ميداليه
        ورزش* فوتبال* والیبال مسابقه* مسابقات لیگ* قهرمان* بازیکن* مربی* باشگاه* المپیک*
        مدال* ورزشگاه*
        спорт* футбол* матч* чемпионат* турнир* олимпи* игрок* тренер* клуб* медал* стадион*
        хоккей* теннис*
        fußball* fussball* spieler* mannschaft* bundesliga* meisterschaft* turnier* olympi*
        weltmeister* stadion* saison* medaille* handball* marathon* leichtathlet* championnat*
        joueur* entraîneur* équipe* stade* tournoi* ligue fútbol futbol jugador* entrenador*
        equipo* campeonato* torneo* olímpic* medalla* estadio* gol goles calcio giocator*
        allenator* squadra* futebol* jogador* racing jockey* derby swim* cricket*
        rugby golf hockey nfl nba
    """,
    "culture": """
        culture* cultural film* movie* cinema* music* musician* art artist* museum* book
        books novel* festival* theatre* theater* exhibition* heritage literature* poet*
        poetry actor* actress*
        ثقاف* فيلم افلام سينما* موسيق* فنون فنان* متحف متاحف رواي* مهرجان* مسرح* معرض
        تراث* ادب*
        فرهنگ* فیلم* سینما* موسیقی* هنر* هنرمند* موزه* کتاب* رمان* جشنواره* تئاتر*
        نمایشگاه* میراث* ادبیات* شاعر*
        культур* фильм* кино* музык* искусств* художник* музе* книг* роман* фестивал* театр*
        выставк* литератур* поэт*
        kultur* kino* künstler* kunst ausstellung* theater* buch bücher festival* konzert*
        schauspiel* sänger* oper cinéma* musique* musicien* artiste* musée* livre* théâtre*
        exposition* chanteu* littérat* película* cine música* músico* artista* museo* libro*
        novela* teatro* exposición* cantante* musica* filme* celebrit* singer* album* song*
        concert* hollywood netflix episode* recipe* restaurant* chef* cuisine* dessert*
        مسلسل* مطرب* غناء اغني*
    """,
}

_STOPWORDS_SOURCE = """
    a an the and or but if then of to in on at by for with from into onto over under about
    after before during since until as is are was were be been being am has have had do does
    did will would shall should can could may might must not no nor so than that this these
    those there here it its they them their he him his she her we us our you your i me my
    who whom whose which what when where why how all any both each few more most other some
    such only own same too very just also said says say told according new one two three
    year years week day today yesterday mr mrs ms per via while
    من في على الى إلى عن مع ان أن إن هذا هذه ذلك تلك التي الذي الذين اللذين كان كانت يكون
    تكون قد لقد لم لن لا ما ماذا كما او أو ثم بين بعد قبل عند حتى خلال حول ضد منذ كل بعض غير
    اي أي هو هي هم هن نحن انه أنه انها أنها له لها لهم لهما به بها فيه فيها عليه عليها منه
    منها اليه إليه قال قالت اكد أكد اضاف أضاف اشار أشار اعلن أعلن وفق وفقا حيث ايضا أيضا
    اليوم امس أمس يوم العام عام السنه شهر تم يتم ضمن لدى لديه لديهما لديها مثل اطار إطار
    جانب جانبه هناك هنا ليس وهو وهي الي علي التي هذا بشكل اكثر أكثر اكبر أكبر مختلف كافه
    اعتبر واعتبر اعرب أعرب شدد وشدد اوضح أوضح ناقش يمكن عبر لقد اما أما سوف كذلك تلك
    از به با در برای که این آن را و یا تا بر هم نیز اما یک های ها است بود شد شده می کرد
    کرده کند کنند خواهد باید دارد داشت گفت گفته همه هر چه چون اگر پس پیش بین روی زیر درباره
    وی او ایشان ما شما آنها خود دیگر نیست هست بوده شود کرد کردند گفت امروز دیروز سال
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее
    мне было вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть был
    него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо
    ней для мы тебя их чем была сам без будто чего раз тоже себе под будет ж тогда кто этот
    того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были
    куда зачем всех никогда можно при наконец два об другой хоть после над больше тот через
    эти нас про всего них какая много разве три эту моя впрочем свою этой перед иногда лучше
    чуть том нельзя такой им более всегда конечно всю между также заявил сообщил года году
"""

# What keywords and categories strip (`forms` describes the proclitics): the article
# with at most one letter before it, else one letter; first match with a long enough stem.
_ARABIC_PREFIXES: tuple[str, ...] = (
    *(a for a in ARTICLE_PROCLITICS if len(a) == 3 and a[0] != "ل"),
    *(a for a in ARTICLE_PROCLITICS if len(a) == 2),
    *AR_CONJUNCTIONS,
    *AR_PREPOSITIONS,
)
_TOKEN_RE = re.compile(r"\w+")
_MIN_STEM = 3


@functools.lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    exact: dict[str, list[str]] = defaultdict(list)
    prefix: dict[str, list[str]] = defaultdict(list)
    for category, words in _LEXICON_SOURCE.items():
        for word in words.split():
            stem = word.endswith("*")
            folded = normalize_for_matching(word.rstrip("*"))
            target = prefix if stem else exact
            if category not in target[folded]:
                target[folded].append(category)
    return (
        {k: tuple(v) for k, v in exact.items()},
        {k: tuple(v) for k, v in prefix.items()},
    )


@functools.lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(normalize_for_matching(w) for w in _STOPWORDS_SOURCE.split())


def _is_arabic(token: str) -> bool:
    return "\u0600" <= token[0] <= "\u06ff"


@functools.lru_cache(maxsize=131072)
def _strip_clitics(token: str) -> str:
    """Remove Arabic proclitics when a stem of at least three letters remains."""
    if not _is_arabic(token):
        return token
    for p in _ARABIC_PREFIXES:
        if token.startswith(p) and len(token) - len(p) >= _MIN_STEM:
            return token[len(p) :]
    return token


@functools.lru_cache(maxsize=1)
def _longest_stem() -> int:
    return max(len(stem) for stem in _lexicon()[1])


@functools.lru_cache(maxsize=131072)
def _token_categories(token: str) -> tuple[str, ...]:
    exact, prefix = _lexicon()
    found: list[str] = []
    for form in {token, _strip_clitics(token)}:
        found.extend(exact.get(form, ()))
        # no stem is longer: prefixes of a 200,000-letter "word" are not all sliced
        for k in range(_MIN_STEM, min(len(form), _longest_stem()) + 1):
            found.extend(prefix.get(form[:k], ()))
    return tuple(dict.fromkeys(found))


def count_words_python(text: str) -> dict[str, int]:
    """How often each word (``\\w+``) of ``text`` occurs, in order of first occurrence
    (``_textscan.count_words`` is the same in C, without the list of every word)."""
    return dict(Counter(_TOKEN_RE.findall(text)))


_count_words: Callable[[str], dict[str, int]] = (
    count_words_python if TEXTSCAN is None else TEXTSCAN.count_words
)


class _FieldWords(NamedTuple):
    """A field's folded words as categories and keywords read them."""

    clean: str  # the folded text, the words of entity mentions blanked (`_blank_mentions`)
    counts: dict[str, int]  # the words of `clean`, in order of first occurrence
    mentioned: dict[str, int]  # the words blanked


@functools.lru_cache(maxsize=16)
def _field_words(text: str, spans: tuple[tuple[int, int], ...]) -> _FieldWords:
    """The words of ``text`` outside and inside the mentions at ``spans``, counted once
    for both categories (which read them all) and keywords (the outside ones): each
    word of the text is counted in one pass or the other. Cached for the fields of the
    article in hand; callers must not change what it returns."""
    norm, offsets = fold_with_offsets(text)
    clean, blanked = _blank_mentions(norm, offsets, spans)
    return _FieldWords(clean, _count_words(clean), _count_words(blanked) if blanked else {})


def _mention_spans(entities: list[EntityDict]) -> dict[str, tuple[tuple[int, int], ...]]:
    """Each field's mention spans (start, end), in the entities' order."""
    spans: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
    for ent in entities:
        for m in ent["mentions"]:
            spans[m["field"]].append((m["start"], m["end"]))
    return {name: tuple(found) for name, found in spans.items()}


class _WordInfo(NamedTuple):
    core: str | None  # the keyword under its clitics, None when it cannot be a keyword
    categories: tuple[str, ...]


# What categories and keywords need to know about each folded word, computed once per
# distinct word (pages repeat their words, and most are stop words); the words with a
# category and those that can be keywords are also kept apart, so that a page's words
# are matched against them by set operations instead of one Python step per word.
_WORD_INFO: dict[str, _WordInfo] = {}
_CATEGORIZED: dict[str, tuple[str, ...]] = {}
_CORES: dict[str, str] = {}
_WORD_INFO_LIMIT = 200_000  # distinct words remembered; reset beyond that


def _word_info(token: str) -> _WordInfo:
    stop = _stopwords()
    core: str | None = None
    if not token.isdigit() and token not in stop:
        stem = _strip_clitics(token)
        if len(stem) >= _MIN_STEM and stem not in stop:
            core = stem
    return _WordInfo(core, _token_categories(token))


def _learn_words(words: Mapping[str, int]) -> None:
    """Make every word of ``words`` known (`_WORD_INFO`, `_CATEGORIZED`, `_CORES`); the
    tables are reset before, never during, the words of one text."""
    # not `words.keys() - _WORD_INFO.keys()`: that walks the whole table
    new = list(filterfalse(_WORD_INFO.__contains__, words))
    if not new:
        return
    if len(_WORD_INFO) + len(new) > _WORD_INFO_LIMIT:
        _WORD_INFO.clear()
        _CATEGORIZED.clear()
        _CORES.clear()
        new = list(words)
    for token in new:
        info = _WORD_INFO[token] = _word_info(token)
        if info.categories:
            _CATEGORIZED[token] = info.categories
        if info.core is not None:
            _CORES[token] = info.core


def text_category_scores(fields: Mapping[str, str], entities: list[EntityDict]) -> dict[str, float]:
    """The text's evidence for each category: field-weighted counts of lexicon words
    plus the hints of salient entities (`_ENTITY_HINT_WEIGHT` times salience).

    Word scores are whole numbers (field weight times count), so the order the words
    are added in changes no score."""
    scores: defaultdict[str, float] = defaultdict(float)
    spans = _mention_spans(entities)
    for name, text in fields.items():
        weight = _FIELD_WEIGHT.get(name, 1.0)
        words = _field_words(text, spans.get(name, ()))
        for counts in (words.counts, words.mentioned):  # every word of the field
            _learn_words(counts)
            for token in counts.keys() & _CATEGORIZED.keys():
                n = counts[token]
                for cat in _CATEGORIZED[token]:
                    scores[cat] += weight * n
    for ent in entities:
        for cat in entity_categories(ent["id"]):
            scores[cat] += _ENTITY_HINT_WEIGHT * ent["salience"]
    return {c: scores[c] for c in CATEGORIES if scores.get(c)}


def combine_category_scores(
    text: Mapping[str, float], signals: Mapping[str, float]
) -> tuple[list[str], dict[str, float]]:
    """The categories, ordered by score, and every category's score in 0..1.

    - The text's share of a category is its evidence over the page's total, the total
      taken as at least `_MIN_TEXT_EVIDENCE` (one stray word is not a certainty).
    - A page signal (`entities.sections`) is a strong prior: when the page's own labels
      name a category, the score is `_SIGNAL_WEIGHT` times the signals' share plus the
      rest times the text's; without one, the text's share alone.
    - A category is kept when its score is at least `_RELATIVE_CATEGORY_SCORE` of the
      best one and a signal names it or its text evidence reaches `_MIN_CATEGORY_SCORE`.
      Without signals this is the text classifier's rule as it always was.
    """
    total_text = max(sum(text.values()), _MIN_TEXT_EVIDENCE)
    total_signal = sum(signals.values())
    scores: dict[str, float] = {}
    for cat in CATEGORIES:
        t = text.get(cat, 0.0) / total_text
        if total_signal > 0:
            score = _SIGNAL_WEIGHT * signals.get(cat, 0.0) / total_signal + (1 - _SIGNAL_WEIGHT) * t
        else:
            score = t
        if score > 0:
            scores[cat] = score
    if not scores:
        return [], {}
    top = max(scores.values())
    ranked = sorted(scores, key=lambda c: (-scores[c], CATEGORIES.index(c)))
    kept = [
        c
        for c in ranked
        if scores[c] >= _RELATIVE_CATEGORY_SCORE * top
        and (signals.get(c, 0.0) > 0 or text.get(c, 0.0) >= _MIN_CATEGORY_SCORE)
    ]
    rest = [c for c in ranked if c not in kept]
    return kept, {c: round(scores[c], 4) for c in (*kept, *rest)}


def categorize(
    fields: Mapping[str, str],
    entities: list[EntityDict],
    signals: Mapping[str, float] | None = None,
) -> tuple[list[str], dict[str, float]]:
    """Categories ordered by score, and the scores (the record's `category_scores`):
    the text's evidence (`text_category_scores`) combined with the page's own section
    labels, ``signals`` (`entities.sections.page_signals`; none: the text decides)."""
    return combine_category_scores(text_category_scores(fields, entities), signals or {})


def _blank_mentions(
    norm: str, offsets: list[int], spans: tuple[tuple[int, int], ...]
) -> tuple[str, str]:
    """`norm` with every word that touches an entity mention replaced by spaces (same
    length, so `offsets` still apply): entity names are not keywords. And the text
    blanked, its pieces joined by spaces (each piece is whole words: a word is either
    blanked or kept)."""
    if not spans:
        return norm, ""
    parts: list[str] = []
    blanked: list[str] = []
    last = 0
    n = len(norm)
    for start, end in sorted(spans):
        i0, i1 = bisect_left(offsets, start, 0, n), bisect_left(offsets, end, 0, n)
        if i0 >= i1:
            continue
        while i0 > 0 and _is_word_char(norm[i0 - 1]):
            i0 -= 1
        while i1 < n and _is_word_char(norm[i1]):
            i1 += 1
        i0 = max(i0, last)
        if i0 < i1:
            parts.append(norm[last:i0])
            parts.append(" " * (i1 - i0))
            blanked.append(norm[i0:i1])
            last = i1
    parts.append(norm[last:])
    return "".join(parts), " ".join(blanked)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what `\w` matches in a folded text


def extract_keywords(
    fields: Mapping[str, str], entities: list[EntityDict], limit: int = MAX_KEYWORDS
) -> list[str]:
    """Most frequent content words, field-weighted, as written; entity mentions left out.

    Counted per distinct word (pages repeat theirs); the written form is looked up only
    for the words that make the list."""
    spans = _mention_spans(entities)
    # core -> score, in order of first occurrence (ties keep that order)
    scores: dict[str, float] = {}
    forms: dict[str, list[str]] = {}  # core -> folded words
    blanked: dict[str, str] = {}
    cores = _CORES
    for name, text in fields.items():
        weight = _FIELD_WEIGHT.get(name, 1.0)
        clean, counts, _ = _field_words(text, spans.get(name, ()))
        blanked[name] = clean
        _learn_words(counts)
        for token in filter(cores.__contains__, counts):  # the words that can be keywords
            core = cores[token]
            if core in scores:
                scores[core] += weight * counts[token]
                if token not in forms[core]:
                    forms[core].append(token)
            else:
                scores[core] = weight * counts[token]
                forms[core] = [token]
    return _written_forms(_top(scores, limit), forms, fields, blanked)


def _top(scores: dict[str, float], limit: int) -> list[str]:
    """The ``limit`` keys of highest score, ties in the dict's order: the few above the
    ``limit``-th score are sorted, not every key of the page."""
    if limit <= 0:
        return []
    if len(scores) > limit:
        floor = sorted(scores.values(), reverse=True)[limit - 1]
        candidates = [k for k, v in scores.items() if v >= floor]
    else:
        candidates = list(scores)
    # a stable sort: equal scores keep the order of first occurrence
    return sorted(candidates, key=scores.__getitem__, reverse=True)[:limit]


def _written_forms(
    cores: list[str],
    forms: Mapping[str, list[str]],
    fields: Mapping[str, str],
    blanked: Mapping[str, str],
) -> list[str]:
    """Each keyword's most frequent spelling as the page writes it (clitics left out,
    the first seen on a tie), counted in text order."""
    if not cores:
        return []
    core_of = {token: core for core in cores for token in forms[core]}
    seen: dict[str, dict[str, int]] = {core: {} for core in cores}
    for name, text in fields.items():
        offsets = fold_with_offsets(text)[1]
        for fstart, fend, token in _find_words(blanked[name], core_of):
            core = core_of[token]
            skip = fend - fstart - len(core)
            surface = text[offsets[fstart + skip] : offsets[fend - 1] + 1]
            counts = seen[core]
            counts[surface] = counts.get(surface, 0) + 1
    return [max(seen[core].items(), key=lambda kv: kv[1])[0] for core in cores]


def find_words_python(text: str, words: Collection[str]) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` where one of ``words`` (each a run of word characters)
    stands in ``text`` as a whole word, in text order (``_textscan.find_words`` is the
    same in C).

    Found with `str.find` and a word-boundary check, not one regular expression of all
    the words: that expression would be new for every article, and compiling it cost
    more than the search (re's parser is Python)."""
    return sorted((start, end, word) for word in words for start, end in _whole_words(text, word))


_find_words: Callable[[str, Collection[str]], list[tuple[int, int, str]]] = (
    find_words_python if TEXTSCAN is None else TEXTSCAN.find_words
)


def _whole_words(text: str, word: str) -> Iterator[tuple[int, int]]:
    r"""Where ``word`` (a run of word characters) stands in ``text`` with no word
    character on either side: what ``(?<!\w)word(?!\w)`` matches."""
    n, size = len(text), len(word)
    find = text.find
    start = find(word)
    while start != -1:
        end = start + size
        if (start == 0 or not _is_word_char(text[start - 1])) and (
            end == n or not _is_word_char(text[end])
        ):
            yield start, end
            start = find(word, end)
        else:
            start = find(word, start + 1)


def article_fields(article: Mapping[str, object]) -> dict[str, str]:
    """The text fields that enrichment reads, empty ones left out."""
    out: dict[str, str] = {}
    for name in ("title", "lead", "body"):
        value = article.get(name)
        if isinstance(value, str) and value.strip():
            out[name] = value
    return out


def text_prefix(text: str, limit: int) -> str:
    """``text`` when it has at most ``limit`` characters, else its first ``limit`` or
    fewer: cut at the last whitespace within `_CUT_BACK` characters of the limit (so no
    word is cut in two), else at the limit."""
    if len(text) <= limit:
        return text
    for i in range(limit, max(0, limit - _CUT_BACK), -1):
        if text[i].isspace():
            return text[:i]
    return text[:limit]


def bounded_fields(
    fields: Mapping[str, str], limit: int = MAX_ENRICH_CHARS
) -> tuple[dict[str, str], int | None]:
    """The fields as enrichment reads them (each cut by `text_prefix`), and the limit
    when it cut one of them, else None (the record's `enriched_chars`)."""
    out = {name: text_prefix(text, limit) for name, text in fields.items()}
    cut = any(len(out[name]) < len(text) for name, text in fields.items())
    return out, limit if cut else None


def enrich_article(
    article: ArticleDict, *, now: datetime, tagger: bool = True, rules: RuleSet | None = None
) -> EnrichedArticleDict:
    """Entities, categories, keywords and routes for one article; `now` must be aware.

    Long fields are read up to `MAX_ENRICH_CHARS` (see the module docstring).
    `tagger=False` keeps the entity layers to the gazetteer (the benchmark's baseline).
    ``rules`` routes it (default: the shipped rule set); the record says which did."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("enrich_article needs a timezone-aware `now`")
    fields, enriched_chars = bounded_fields(article_fields(article), MAX_ENRICH_CHARS)
    language = article.get("language")
    entities = extract_entities(fields, language, tagger=tagger) if fields else []
    categories, category_scores = categorize(fields, entities, page_signals(article))
    keywords = extract_keywords(fields, entities)
    record: EnrichedArticleDict = {
        "schema_version": SCHEMA_VERSION,
        "id": article["id"],
        "article": article,
        "entities": entities,
        "categories": categories,
        "category_scores": category_scores,
        "keywords": keywords,
        "routes": [],
        "enriched_at": now.isoformat(),
        "extractor_version": extractor_version(),
        "enriched_chars": enriched_chars,
        "routing": None,
    }
    words = FieldWords(fields, _mention_spans(entities))
    record["routes"], record["routing"] = route(rules or default_rules(), record, now, words)
    return record


def field_words(text: str, spans: tuple[tuple[int, int], ...] = ()) -> frozenset[str]:
    """A field's folded words, as routing rules read them: the words categories counted
    (inside and outside mentions), so the rules need not fold the text again."""
    words = _field_words(text, spans)
    return frozenset(words.counts.keys() | words.mentioned.keys())


class FieldWords(Mapping[str, frozenset[str]]):
    """The fields' words for routing, each built only when a rule asks for it (most rule
    sets never read the text)."""

    def __init__(self, fields: Mapping[str, str], spans: Mapping[str, tuple[tuple[int, int], ...]]):
        self.fields = fields
        self.spans = spans

    def __getitem__(self, name: str) -> frozenset[str]:
        return field_words(self.fields[name], self.spans.get(name, ()))

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)


def route(
    rules: RuleSet,
    record: EnrichedArticleDict,
    now: datetime,
    words: Mapping[str, frozenset[str]] | None = None,
) -> tuple[list[str], RoutingDict]:
    """The routes of an enriched record under ``rules``, and how they were chosen."""
    decision = evaluate(rules, record, now, words=words)
    topics = rules.topics
    return list(decision.routes), {
        "version": decision.version,
        "topics": {name: topics[name] for name in decision.routes},
        "tags": list(decision.tags),
        "dropped": decision.dropped,
    }
