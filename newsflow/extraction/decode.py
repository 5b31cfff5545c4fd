"""Bytes to text for HTML pages, refusing to guess when a guess would be mojibake.

Order (first that applies wins):

1. a byte-order mark (UTF-8, UTF-32 LE/BE, UTF-16 LE/BE);
2. UTF-16/32 without a mark, recognised from where the NUL bytes of ASCII
   markup fall (HTML always has some), or declared by HTTP (``utf-16le``…) and
   confirmed by the same test with a lower bar; a ``<meta charset=utf-16>`` is
   read as UTF-8, as browsers do (a page whose ``<meta>`` bytes are readable as
   ASCII is not UTF-16);
3. strict UTF-8, when the bytes are valid UTF-8 (non-UTF-8 text in a legacy
   8-bit charset is practically never valid UTF-8, so this beats any declaration);
4. UTF-8 with U+FFFD for a few invalid sequences, when valid multi-byte
   sequences are at least twice as many (as many when HTTP or ``<meta>``
   declares UTF-8; see ``_VALID_PER_ERROR``); 8-bit text mislabelled UTF-8 has
   almost none and goes on to 5 and 6;
5. the declared charsets: the ``charset`` the HTTP response declared, the
   ``charset=`` parameter of ``content_type``, then ``<meta charset>`` /
   ``<meta http-equiv content-type>`` in the first 4 KiB. A Latin-1 family HTTP
   declaration (a common server default) yields to a different ``<meta>`` one;
   labels are mapped as browsers do (``iso-8859-1``/``ascii`` → ``windows-1252``).
   A declared charset that leaves a few bytes undefined or invalid is kept, with
   U+FFFD for them, by the same rule as 4;
6. detection by charset-normalizer, accepted only when confident
   (low "chaos" score), windows-1252 when it ties with other candidates;
7. otherwise ``PipelineError("charset")``: no mojibake ever leaves this module.

``Decoded.errors`` counts the byte sequences replaced by U+FFFD (0 for a clean
decode); the parse stage publishes it as ``Article.encoding_errors``.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

from charset_normalizer import from_bytes

from newsflow.core.errors import PipelineError

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""",
    re.IGNORECASE,
)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)

# WHATWG Encoding Standard label aliases that differ from Python's codec names.
_ALIASES = {
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "l1": "windows-1252",
    "ascii": "windows-1252",
    "us-ascii": "windows-1252",
    "iso-8859-9": "windows-1254",
    "latin5": "windows-1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "x-mac-roman": "mac-roman",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-user-defined": "windows-1252",
    "unicode": "utf-16-le",
    "ucs-2": "utf-16-le",
    "csunicode": "utf-16-le",
    "iso-10646-ucs-2": "utf-16-le",
    "unicodefeff": "utf-16-le",
    "unicodefffe": "utf-16-be",
}
_LATIN1_FAMILY = frozenset({"cp1252", "latin_1", "iso8859-1", "ascii"})
# Python text codecs that are no page encoding: a label naming one is ignored, as a
# browser ignores an unknown label (unicode_escape would read backslash escapes in the
# page as characters, lone surrogates included; HTML forbids UTF-7).
_NOT_PAGE_CODECS = frozenset(
    {"utf-7", "unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined"}
)
# Largest "chaos" (mess ratio) accepted from detection; above it we refuse.
_MAX_CHAOS = 0.12
_SUSPECT = re.compile("[\x80-\x9f\ufffd]")
_DETECT_BYTES = 262_144

# UTF-16/32 without a byte-order mark. Python's plain "utf-16"/"utf-32" codecs
# need a mark, so a label without endianness is resolved by the byte test.
_WIDE = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")
_WIDE_FAMILY = frozenset({*_WIDE, "utf-16", "utf-32"})
_WIDE_HEAD = 1024  # bytes looked at
# Share of the head's characters that must be ASCII when read as UTF-16/32. A
# UTF-16 HTML head is mostly tags and spaces (Arabic prose alone still has ~17%
# spaces); any other charset read so gives ~0, since an ASCII character needs a
# NUL byte at the right place, and neither UTF-8 nor 8-bit HTML has NULs.
_WIDE_MIN_ASCII = 0.1
_WIDE_MIN_ASCII_DECLARED = 0.02
_ASCII_TEXT = re.compile("[\t\n\r\x20-\x7e]")

# A charset that decodes all but a few byte sequences is kept (with U+FFFD for
# them) when it decoded at least this many non-ASCII characters per invalid
# sequence (for UTF-8: valid multi-byte sequences; for UTF-16/32: characters).
# Legacy text read as UTF-8 gives far fewer: re-encoding the corpus's 482 texts
# in 24 legacy charsets, the worst page with 300+ high bytes gave 0.65 (GBK/EUC
# over CJK text), 8-bit charsets at most 0.3 (TIS-620; windows-1256 0.11,
# windows-1252 0.03); only snippets of a dozen high bytes reached 1.3. When HTTP,
# <meta> or a byte-order mark declares the charset, half as much is enough: a
# mislabelled page is more often UTF-8 damaged by a few bytes than legacy text
# whose high bytes happen to pair up, and U+FFFD is counted in `errors` where an
# 8-bit reading of UTF-8 would be silent mojibake.
_VALID_PER_ERROR = 2
_VALID_PER_ERROR_DECLARED = 1


class Decoded(NamedTuple):
    """A decoded page: its text, the Python codec name, and the invalid byte
    sequences replaced by U+FFFD (0 when the bytes were clean)."""

    text: str
    encoding: str
    errors: int


def _codec_name(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    low = label.strip().strip("\"'").lower()
    low = _ALIASES.get(low, low)
    try:
        name = codecs.lookup(low).name
    except (LookupError, ValueError):  # ValueError: a NUL in the label
        return None
    return None if name in _NOT_PAGE_CODECS else name


def _http_charsets(declared_charset: str | None, content_type: str | None) -> list[str]:
    """Codec names declared by the HTTP response, most trusted first."""
    http: list[str] = []
    for label in (declared_charset, _ct_charset(content_type)):
        name = _codec_name(label)
        if name and name not in http:
            http.append(name)
    return http


def _declared(body: bytes, http: list[str]) -> list[str]:
    meta_m = _META_CHARSET.search(body[:4096])
    meta = _codec_name(meta_m.group(1).decode("ascii", "ignore")) if meta_m else None
    if meta in _WIDE_FAMILY:
        meta = "utf-8"  # what browsers do: the <meta> was readable, so not UTF-16
    out = list(http)
    if meta and meta not in out:
        if out and out[0] in _LATIN1_FAMILY:
            out.insert(0, meta)
        else:
            out.append(meta)
    return out


def _ct_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CT_CHARSET.search(content_type)
    return m.group(1) if m else None


def _bom(body: bytes) -> tuple[str, int] | None:
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if body.startswith(codecs.BOM_UTF32_LE):  # before UTF-16 LE, whose mark it starts with
        return "utf-32-le", 4
    if body.startswith(codecs.BOM_UTF32_BE):
        return "utf-32-be", 4
    if body.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if body.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    return None


def _plausible(text: str, replaced: int = 0) -> bool:
    """Reject decodings full of C1 controls (typical of a wrong 8-bit charset).

    ``replaced`` U+FFFD the decoder itself inserted are not held against the text:
    ``_nearly`` has judged them already.
    """
    sample = text[:100_000]
    if not sample:
        return True
    bad = len(_SUSPECT.findall(sample))  # counted in C: a Python loop cost 5 ms a page
    if replaced:
        bad -= min(replaced, sample.count("\ufffd"))
    return bad <= max(2, len(sample) // 1000)


def _nearly(body: bytes, enc: str, per_error: int) -> Decoded | None:
    """``body`` decoded as ``enc`` with U+FFFD for invalid sequences, when the valid
    non-ASCII characters are at least ``per_error`` times as many (else None)."""
    try:
        text = body.decode(enc, "replace")
    except LookupError:
        return None
    try:
        literal = body.count("\ufffd".encode(enc))  # U+FFFD the page itself contains
    except UnicodeEncodeError:
        literal = 0
    errors = text.count("\ufffd") - literal
    if errors <= 0:
        try:
            body.decode(enc)
        except UnicodeDecodeError:
            errors = 1  # U+FFFD bytes counted across two UTF-16 characters
        else:
            return Decoded(text, enc, 0)
    if enc in _WIDE:
        valid = len(text) - errors
    else:
        valid = len(text) - len(text.encode("ascii", "ignore")) - errors
    if valid < per_error * errors:
        return None
    return Decoded(text, enc, errors)


def _wide(body: bytes, http: list[str]) -> Decoded | None:
    """UTF-16/32 without a byte-order mark: the first width and endianness (the
    declared ones first) under which the head reads as markup, i.e. has a ``<`` and
    enough ASCII characters (each needs NUL bytes exactly where that codec puts them)."""
    head = body[:_WIDE_HEAD]
    declared = [e for e in _WIDE if any(e.startswith(d) for d in http if d in _WIDE_FAMILY)]
    if not declared and b"\x00" not in head:
        return None  # every ordinary page: one memchr
    for enc in [*declared, *(e for e in _WIDE if e not in declared)]:
        unit = 4 if enc.startswith("utf-32") else 2
        sample = head[: len(head) - len(head) % unit].decode(enc, "replace")
        min_ascii = _WIDE_MIN_ASCII_DECLARED if enc in declared else _WIDE_MIN_ASCII
        if "<" in sample and len(_ASCII_TEXT.findall(sample)) >= min_ascii * len(sample):
            per_error = _VALID_PER_ERROR_DECLARED if enc in declared else _VALID_PER_ERROR
            decoded = _nearly(body, enc, per_error)
            if decoded is not None:
                return decoded
    return None


def _detect(sample: bytes) -> str | None:
    """charset-normalizer's confident guess. On a tie (chaos and coherence as close
    as the library's own ordering calls a tie, as windows-1250/1252/1257 often are
    on Western text) windows-1252, the web's default legacy charset, is taken
    rather than whichever the library happened to list first."""
    matches = list(from_bytes(sample))
    if not matches or matches[0].chaos > _MAX_CHAOS:
        return None
    best = matches[0]
    for m in matches[1:]:
        if abs(m.chaos - best.chaos) >= 0.005 or abs(m.coherence - best.coherence) > 0.02:
            break
        if _codec_name(m.encoding) == "cp1252":
            return m.encoding
    return best.encoding


def decode_html(body: bytes, *, declared_charset: str | None, content_type: str | None) -> Decoded:
    """Decode page bytes; see the module docstring for the order.

    Raises ``PipelineError`` ``empty`` (nothing but whitespace) or ``charset``
    (no charset fits the bytes).
    """
    if not body or body.isspace():  # not strip(): that copies the page
        raise PipelineError("empty", "page body is empty")
    bom = _bom(body)
    if bom is not None:
        enc, skip = bom
        try:
            return Decoded(body[skip:].decode(enc), enc, 0)
        except UnicodeDecodeError:
            pass
        nearly = _nearly(body[skip:], enc, _VALID_PER_ERROR_DECLARED)
        if nearly is not None:
            return nearly
        raise PipelineError("charset", f"byte-order mark says {enc} but bytes differ")
    http = _http_charsets(declared_charset, content_type)
    wide = _wide(body, http)
    if wide is not None:
        return wide
    try:
        return Decoded(body.decode("utf-8"), "utf-8", 0)
    except UnicodeDecodeError:
        pass
    declared = _declared(body, http)
    utf8_declared = "utf-8" in declared
    nearly = _nearly(
        body, "utf-8", _VALID_PER_ERROR_DECLARED if utf8_declared else _VALID_PER_ERROR
    )
    if nearly is not None:
        return nearly
    for enc in declared:
        if enc == "utf-8" or enc in _WIDE_FAMILY:
            continue  # judged above
        try:
            text = body.decode(enc)
        except LookupError:  # zlib, base64… are codecs, but no text encodings
            continue
        except UnicodeError:
            nearly = _nearly(body, enc, _VALID_PER_ERROR_DECLARED)
            if nearly is not None and _plausible(nearly.text, nearly.errors):
                return nearly
            continue
        if _plausible(text):
            return Decoded(text, enc, 0)
    best = _detect(body[:_DETECT_BYTES])
    if best is not None:
        enc = _codec_name(best) or best
        if enc != "utf-8" and enc not in _WIDE_FAMILY:
            try:
                text = body.decode(enc)
            except (UnicodeDecodeError, LookupError):
                text = ""
            if text and _plausible(text):
                return Decoded(text, enc, 0)
    raise PipelineError(
        "charset", "bytes are not UTF-8, no usable charset declared, detection not confident"
    )
