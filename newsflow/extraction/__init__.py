"""The parse stage's pure core: from a fetched page to a structured article.

`parse` runs it: `decode` (bytes to text, charsets), `markup` (bounded-complexity check
before any tree is built, with its compiled scan `_markup`), `extract` (one Lexbor tree:
metadata, the body's blocks, every field; compiled walk `_lexwalk`), `selectors` (the
class and id vocabulary as data), `keyword_scan` (many keywords found in one pass,
whatever their case), `pubdate` and `dates` (publication dates, Jalali and Hijri
calendars included), `urls` (canonical URLs and article ids), `language`.
No Faust, no I/O.
"""
