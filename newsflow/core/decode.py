"""Bytes to text for HTML pages, refusing to guess when a guess would be mojibake.

Order (first that applies wins):

1. a byte-order mark (UTF-8, UTF-16 LE/BE);
2. strict UTF-8, when the bytes are valid UTF-8 (non-UTF-8 text in a legacy
   8-bit charset is practically never valid UTF-8, so this beats any declaration);
3. the declared charsets: the ``charset`` the HTTP response declared, the
   ``charset=`` parameter of ``content_type``, then ``<meta charset>`` /
   ``<meta http-equiv content-type>`` in the first 4 KiB. A Latin-1 family HTTP
   declaration (a common server default) yields to a different ``<meta>`` one;
   labels are mapped as browsers do (``iso-8859-1``/``ascii`` → ``windows-1252``);
4. detection by charset-normalizer, accepted only when confident
   (low "chaos" score);
5. otherwise ``PipelineError("charset")``: no mojibake ever leaves this module.
"""

from __future__ import annotations

import codecs
import re

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


def _declared(body: bytes, declared_charset: str | None, content_type: str | None) -> list[str]:
    http: list[str] = []
    for label in (declared_charset, _ct_charset(content_type)):
        name = _codec_name(label)
        if name and name not in http:
            http.append(name)
    meta_m = _META_CHARSET.search(body[:4096])
    meta = _codec_name(meta_m.group(1).decode("ascii", "ignore")) if meta_m else None
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
    if body.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if body.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    return None


def _plausible(text: str) -> bool:
    """Reject decodings full of C1 controls (typical of a wrong 8-bit charset)."""
    sample = text[:100_000]
    if not sample:
        return True
    bad = len(_SUSPECT.findall(sample))  # counted in C: a Python loop cost 5 ms a page
    return bad <= max(2, len(sample) // 1000)


def decode_html(
    body: bytes, *, declared_charset: str | None, content_type: str | None
) -> tuple[str, str]:
    """Decode page bytes; return ``(text, codec name used)``; see the module docstring."""
    if not body or body.isspace():  # not strip(): that copies the page
        raise PipelineError("empty", "page body is empty")
    bom = _bom(body)
    if bom is not None:
        enc, skip = bom
        try:
            return body[skip:].decode(enc), enc
        except UnicodeDecodeError as exc:
            raise PipelineError("charset", f"byte-order mark says {enc} but bytes differ") from exc
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in _declared(body, declared_charset, content_type):
        if enc in ("utf-8", "utf-16", "utf-32"):
            continue  # already failed strict UTF-8 / needs a BOM
        try:
            text = body.decode(enc)
        except (UnicodeError, LookupError):  # LookupError: zlib, base64… are no text codecs
            continue
        if _plausible(text):
            return text, enc
    best = from_bytes(body[:_DETECT_BYTES]).best()
    if best is not None and best.chaos <= _MAX_CHAOS:
        enc = _codec_name(best.encoding) or best.encoding
        if enc != "utf-8":
            try:
                text = body.decode(enc)
            except (UnicodeDecodeError, LookupError):
                text = ""
            if text and _plausible(text):
                return text, enc
    raise PipelineError(
        "charset", "bytes are not UTF-8, no usable charset declared, detection not confident"
    )
