"""Text normalization for matching (never for display).

Arabic and Persian pages spell one word with different code points: Persian
`ی`/`ک` inside Arabic text, alef with or without hamza, tatweel for justification,
optional diacritics, zero-width non-joiners, and three digit systems. Every later
stage that compares text (dates, gazetteers, routing rules) goes through
`normalize_for_matching`, so one spelling decision is made in one place.
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹",
    "01234567890123456789",
)

# One-to-one character folds: Persian/Urdu letter forms onto the Arabic ones,
# alef variants onto bare alef, alef maqsura onto yeh, teh marbuta onto heh,
# Arabic punctuation onto ASCII.
_FOLD: dict[int, str] = {
    ord("ی"): "ي",  # FARSI YEH
    ord("ى"): "ي",  # ALEF MAQSURA
    ord("ې"): "ي",
    ord("ۍ"): "ي",
    ord("ک"): "ك",  # KEHEH
    ord("ڪ"): "ك",
    ord("گ"): "ك",  # GAF: folded so that Persian and Arabic spellings of names meet
    ord("أ"): "ا",
    ord("إ"): "ا",
    ord("آ"): "ا",
    ord("ٱ"): "ا",
    ord("ٲ"): "ا",
    ord("ٳ"): "ا",
    ord("ة"): "ه",
    ord("ۀ"): "ه",
    ord("ە"): "ه",
    ord("ھ"): "ه",
    ord("ہ"): "ه",
    ord("ؤ"): "و",
    ord("ئ"): "ي",
    ord("،"): ",",
    ord("؛"): ";",
    ord("؟"): "?",
    ord("٪"): "%",
    ord("٫"): ".",
    ord("٬"): ",",
}
_FOLD.update({ord(a): b for a, b in zip("٠١٢٣٤٥٦٧٨٩", "0123456789", strict=True)})
_FOLD.update({ord(a): b for a, b in zip("۰۱۲۳۴۵۶۷۸۹", "0123456789", strict=True)})

# Characters removed outright: tatweel, zero-width (non-)joiners and marks,
# bidi controls. Combining marks (harakat, shadda…) are removed by category.
_DROP = {
    "\u0640",  # TATWEEL
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\ufeff",
}


def to_ascii_digits(text: str) -> str:
    """Map Eastern Arabic and Persian digits to ASCII, leaving everything else alone."""
    return text.translate(_DIGITS)


def _fold_char(ch: str, casefold: bool) -> str:
    if ch in _DROP:
        return ""
    cp = ord(ch)
    if cp in _FOLD:
        return _FOLD[cp]
    if unicodedata.combining(ch):
        return ""
    if casefold:
        return ch.casefold()
    return ch


# Code points kept per table: every script a news stream carries fits many times
# over; past it (text made of random code points) characters are folded uncached.
_MAX_TABLE = 65_536


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that folds each code point once, on first sight,
    and keeps it for every later call: building a table per call from the
    text's character set cost more than the translation itself (these
    functions run some twenty times per parsed page, mostly on short strings).
    """

    __slots__ = ("casefold",)

    def __init__(self, casefold: bool) -> None:
        super().__init__()
        self.casefold = casefold

    def __missing__(self, cp: int) -> str:
        out = _fold_char(chr(cp), self.casefold)
        if len(self) < _MAX_TABLE:
            self[cp] = out
        return out


_TABLES = (_FoldTable(casefold=False), _FoldTable(casefold=True))


def _table(text: str, casefold: bool) -> dict[int, str]:
    """The entries of ``text``'s characters, for ``normalize_with_offsets`` (which
    needs to know whether any character folds to other than one character)."""
    table = _TABLES[casefold]
    return {cp: table[cp] for cp in map(ord, set(text))}


def normalize_for_matching(text: str, *, casefold: bool = True) -> str:
    """Fold spelling variants so that equal words compare equal.

    Not for display: it drops diacritics, tatweel and ZWNJ, merges `ي/ی/ى`,
    `ك/ک`, alef forms, `ة` into `ه`, and maps every digit system to ASCII.
    Latin and Cyrillic are case-folded unless ``casefold`` is false.
    """
    return text.translate(_TABLES[casefold])


def normalize_with_offsets(text: str, *, casefold: bool = True) -> tuple[str, list[int]]:
    """Normalize and return, for each output character, its index in ``text``.

    The extra entry at the end maps the end of the normalized string to
    ``len(text)``, so a half-open span ``[s, e)`` found in the normalized text is
    ``[offsets[s], offsets[e - 1] + 1)`` in the original.
    """
    table = _table(text, casefold)
    folded = text.translate(table)
    odd = [cp for cp, v in table.items() if len(v) != 1]
    if not odd:
        offsets = list(range(len(text)))  # the common case: one character for one
    else:
        # Only the characters that fold to none or several ("ß", diacritics, ZWNJ) need
        # a look; the runs between them map one to one.
        offsets = []
        last = 0
        for m in re.finditer("[" + "".join(re.escape(chr(cp)) for cp in odd) + "]", text):
            i = m.start()
            offsets.extend(range(last, i))
            offsets.extend([i] * len(table[ord(text[i])]))
            last = i + 1
        offsets.extend(range(last, len(text)))
    offsets.append(len(text))
    return folded, offsets
