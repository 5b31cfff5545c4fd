"""Date stamps at the start of a body: «طهران - 12 مارس 2024», "Updated: 18 Nov 2019,
19:11", «تهران - ۲۲ اسفند ۱۴۰۲». They belong to the page's metadata (the publication
date is read from the tree, never from the body), not to the article's text.

Why a line test and not a date parser: the question is only "does this line say
anything besides when (and where)?". A line is a date stamp when it is short, holds
a date (numbers with separators, a month name beside a number, or a clock time
beside a year or a month) and, once numbers, month names, date labels ("Published",
"Stand", «آخر تحديث», «تاریخ انتشار») and connectors are set aside, at most two
words are left (a weekday, a place). A first sentence that starts with a date
("12 March 2024 was the day …") leaves more words and is kept.
"""

from __future__ import annotations

import re

from newsflow.extraction import date_words

_MAX_LINE_CHARS = 90
_MAX_LEFT_WORDS = 2
_FIRST_PARAGRAPHS = 4  # only the start of the body is looked at
_MAX_DROPPED = 2
_REAL_PARAGRAPH_CHARS = 120  # a paragraph this long is text: nothing after it is dropped

_NUMERIC_DATE = re.compile(r"(?<!\d)\d{1,4}\s?[./\-]\s?\d{1,2}\s?[./\-]\s?\d{2,4}(?!\d)")
_CLOCK = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")
_NUMBER = re.compile(r"(?<!\d)\d{1,4}(?!\d)")
_YEAR = re.compile(r"(?<!\d)(?:1[34]\d\d|19\d\d|20\d\d)(?!\d)")
_TOKEN = re.compile(r"[^\W\d_]+(?:[’'.][^\W\d_]+)*", re.UNICODE)

# Words of date stamps besides the month names: labels, clock words, zones, connectors.
_STAMP_WORDS = frozenset(
    str.split(
        """published publish posted updated update last modified on at the of in by
    am pm a.m p.m utc gmt est edt cet cest pst pdt bst ist
    stand uhr am um vom veröffentlicht aktualisiert zuletzt
    publié publiée le mis à jour à de du
    publicado actualizado atualizado el de del a las às em
    pubblicato aggiornato il alle
    ago hours hour minutes minute min
    تاريخ النشر نشر في آخر اخر تحديث الساعة الساعه بتوقيت مكة المكرمة غرينتش
    تاریخ انتشار منتشر شده ساعت در به روز رسانی بروزرسانی به‌روزرسانی"""
    )
)


def _is_month(word: str) -> bool:
    word = word.casefold()
    k = date_words.key(word)
    return date_words.month_of(word, None) is not None or k in date_words.AMBIGUOUS_MONTHS


def is_date_line(text: str) -> bool:
    """Whether ``text`` is only a date stamp (with at most a weekday and a place)."""
    text = text.strip()
    if not text or len(text) > _MAX_LINE_CHARS or not any(c.isdigit() for c in text):
        return False
    words = _TOKEN.findall(text)
    months = [w for w in words if _is_month(w)]
    numeric = _NUMERIC_DATE.search(text) is not None
    clock = _CLOCK.search(text) is not None
    has_number = _NUMBER.search(text) is not None
    if not (numeric or (months and has_number) or (clock and (months or _YEAR.search(text)))):
        return False
    left = [w for w in words if w.casefold().rstrip(".") not in _STAMP_WORDS and not _is_month(w)]
    if len(left) > _MAX_LEFT_WORDS:
        return False
    # "In May 2019 we moved.": a sentence ends on a word, a stamp on its date or zone
    return not (left and text[-1] in ".!?؟" and text.rstrip(".!?؟").endswith(left[-1]))


def drop_date_lines(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the date stamps among the first few, before the first
    paragraph of real text (at most two are dropped, never the only paragraph)."""
    out: list[str] = []
    dropped = 0
    looking = True
    for i, p in enumerate(paragraphs):
        if looking and i < _FIRST_PARAGRAPHS and dropped < _MAX_DROPPED and is_date_line(p):
            dropped += 1
            continue
        if len(p) >= _REAL_PARAGRAPH_CHARS:
            looking = False
        out.append(p)
    return out if out else paragraphs
