"""decode_html: right text, a count of replaced bytes, or a `charset` error; never mojibake."""

from __future__ import annotations

import codecs
import gzip
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newsflow.core.errors import PipelineError
from newsflow.extraction.decode import Decoded, _nearly, decode_html

ARABIC = (
    "اعتبر الرئيس الإيراني، خلال محادثة هاتفية مع نظيره الروسي، حضور إيران وروسيا "
    "في المنظمات الإقليمية المهمة مثل شنغهاي وبريكس فرصة مناسبة لتعزيز التعاون."
)
ARABIC_2 = "وأكد الجانبان على ضرورة تطوير العلاقات الاقتصادية والتجارية بين البلدين."
ENGLISH = (
    "The minister said \u201cwe\u2019ll see\u201d \u2014 and left. "
    "It\u2019s the \u2018last\u2019 word on the matter."
)
FRENCH = (
    "Le caf\u00e9 cr\u00e8me et la cr\u00e8me br\u00fbl\u00e9e \u00e0 la fran\u00e7aise, "
    "disait-il \u2014 \u00ab na\u00efvement \u00bb \u2014 co\u00fbtent trop cher "
    "\u00e0 Besan\u00e7on."
)


def _page(text: str, head: str = "", title: str = "خبر") -> str:
    return f"<html><head>{head}<title>{title}</title></head><body><p>{text}</p></body></html>"


def _with_byte(body: bytes, bad: bytes, before: str) -> bytes:
    """``body`` with ``bad`` inserted just before the UTF-8 bytes of ``before``."""
    i = body.index(before.encode("utf-8"))
    return body[:i] + bad + body[i:]


META_UTF8 = '<meta charset="utf-8">'
ARABIC_UTF8 = _page(f"{ARABIC}</p><p>{ARABIC_2}", META_UTF8).encode("utf-8")
ENGLISH_UTF8 = _page(ENGLISH).encode("utf-8")
FRENCH_1252 = _page(FRENCH * 3, META_UTF8, "Presse").encode("cp1252")
SJIS = _page("日本語のニュース記事です。" * 20, '<meta charset="shift_jis">', "記事").encode(
    "shift_jis"
)


@dataclass(frozen=True)
class Case:
    id: str
    body: bytes
    encoding: str  # expected codec
    errors: int = 0  # expected replaced sequences
    charset: str | None = None  # as the HTTP response declared it
    content_type: str | None = None
    has: tuple[str, ...] = ()
    lacks: tuple[str, ...] = field(default=("\ufffd", "â€", "Ø"))  # soup and mojibake


CASES = [
    Case("utf-8", _page(ARABIC).encode(), "utf-8", has=(ARABIC,)),
    Case(
        "utf-8 beats a wrong declaration",
        _page(ARABIC).encode(),
        "utf-8",
        charset="windows-1256",
        has=(ARABIC,),
    ),
    # UTF-16/32 without a byte-order mark: recognised from where the NUL bytes fall
    *(
        Case(f"{lang} {enc} without BOM", _page(text).encode(enc), enc, has=(text, "<title>"))
        for enc in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
        for lang, text in (("Arabic", ARABIC), ("English", ENGLISH))
    ),
    Case(
        "utf-16-le prose with little markup",
        ("<p>" + ARABIC * 8).encode("utf-16-le"),
        "utf-16-le",
        has=(ARABIC,),
    ),
    Case(
        "HTTP utf-16 without endianness, BE bytes",
        _page(ARABIC).encode("utf-16-be"),
        "utf-16-be",
        charset="utf-16",
        has=(ARABIC,),
    ),
    Case(
        "HTTP utf-16le but the bytes say BE",
        _page(ENGLISH).encode("utf-16-be"),
        "utf-16-be",
        content_type="text/html; charset=UTF-16LE",
        has=(ENGLISH,),
    ),
    Case(
        "HTTP utf-16le on a UTF-8 page is ignored",
        _page(ARABIC).encode(),
        "utf-8",
        charset="utf-16le",
        has=(ARABIC,),
    ),
    Case(
        "utf-16-le with an odd last byte",
        _page(ARABIC).encode("utf-16-le") + b"\n",
        "utf-16-le",
        errors=1,
        has=(ARABIC,),
        lacks=(),
    ),
    Case(
        "<meta charset=utf-16> in an 8-bit page",
        _page(FRENCH * 3, '<meta charset="utf-16">', "Presse").encode("cp1252"),
        "cp1252",
        has=(FRENCH,),
    ),
    # nearly-valid UTF-8: replacement, not a refusal and not an 8-bit reading
    Case(
        "Arabic UTF-8, one bad byte, <meta> utf-8",
        _with_byte(ARABIC_UTF8, b"\xff", ARABIC_2),
        "utf-8",
        errors=1,
        has=(ARABIC, ARABIC_2, f"<p>\ufffd{ARABIC_2}"),
        lacks=("Ø",),
    ),
    Case(
        "Arabic UTF-8, one bad byte, HTTP utf-8",
        _with_byte(_page(f"{ARABIC}</p><p>{ARABIC_2}").encode(), b"\xd8", ARABIC_2),
        "utf-8",
        errors=1,
        charset="utf-8",
        has=(ARABIC, ARABIC_2),
        lacks=("Ø",),
    ),
    Case(
        "Arabic UTF-8, one bad byte, undeclared",
        _with_byte(_page(f"{ARABIC}</p><p>{ARABIC_2}").encode(), b"\x80", ARABIC_2),
        "utf-8",
        errors=1,
        has=(ARABIC, ARABIC_2),
        lacks=("Ø",),
    ),
    Case(
        "Arabic UTF-8 cut inside the last character",
        ARABIC.encode()[:-2],  # "ن." without its last byte and the dot
        "utf-8",
        errors=1,
        has=(ARABIC[:-2] + "\ufffd",),
        lacks=("Ø",),
    ),
    Case(
        "English UTF-8 curly quotes, one cp1252 byte",
        _with_byte(ENGLISH_UTF8, b"\x92", "left"),
        "utf-8",
        errors=1,
        has=("we\u2019ll", "\u2014 and \ufffdleft", "It\u2019s"),
        lacks=("â€",),
    ),
    Case(
        "English UTF-8 curly quotes, one bad byte, HTTP utf-8",
        _with_byte(ENGLISH_UTF8, b"\xe9", "left"),
        "utf-8",
        errors=1,
        content_type="text/html; charset=utf-8",
        has=("we\u2019ll", "It\u2019s"),
        lacks=("â€",),
    ),
    Case(
        "UTF-8 BOM and one bad byte",
        codecs.BOM_UTF8 + _with_byte(ARABIC_UTF8, b"\xc0", ARABIC_2),
        "utf-8",
        errors=1,
        has=(ARABIC, ARABIC_2),
        lacks=(),
    ),
    # 8-bit text mislabelled UTF-8 still goes to its 8-bit charset, not to U+FFFD soup
    Case("windows-1252 page with <meta> utf-8", FRENCH_1252, "cp1252", has=(FRENCH,)),
    Case(
        "windows-1252 page with HTTP utf-8",
        FRENCH_1252,
        "cp1252",
        content_type="text/html; charset=utf-8",
        has=(FRENCH,),
    ),
    Case(
        "windows-1256 Arabic with <meta> utf-8",
        _page(ARABIC * 3, META_UTF8).encode("cp1256"),
        "cp1256",
        has=(ARABIC,),
    ),
    Case(
        "windows-1256 Arabic, <meta> windows-1256",
        _page(
            ARABIC, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
        ).encode("cp1256"),
        "cp1256",
        has=(ARABIC,),
    ),
    Case(
        "windows-1256 Arabic, HTTP charset",
        _page(ARABIC).encode("cp1256"),
        "cp1256",
        charset="windows-1256",
        has=(ARABIC,),
    ),
    Case(
        "windows-1256 Arabic, content-type charset",
        _page(ARABIC).encode("cp1256"),
        "cp1256",
        content_type="text/html; charset=Windows-1256",
        has=(ARABIC,),
    ),
    Case(
        "<meta> beats a Latin-1 server default",
        _page(ARABIC, '<meta charset="windows-1256">').encode("cp1256"),
        "cp1256",
        charset="ISO-8859-1",
        has=(ARABIC,),
    ),
    Case(
        "iso-8859-1 read as windows-1252",
        b'<html><head><meta charset="iso-8859-1"></head><body>'
        + "Grüße aus München".encode("latin-1")
        + b"</body></html>",
        "cp1252",
        has=("Grüße aus München",),
    ),
    # a declared charset that leaves a few bytes undefined or invalid
    Case(
        "windows-1252 declared, one undefined byte",
        _page(FRENCH * 3, '<meta charset="windows-1252">', "Presse")
        .encode("cp1252")
        .replace(b"disait", b"dis\x81ait", 1),
        "cp1252",
        errors=1,
        has=("dis\ufffdait", FRENCH),
        lacks=("â€",),
    ),
    Case(
        "Shift_JIS declared, one invalid sequence",
        SJIS.replace("す。".encode("shift_jis"), "す。".encode("shift_jis") + b"\x80", 1),
        "shift_jis",
        errors=1,
        has=("日本語のニュース記事です。",),
        lacks=(),
    ),
    Case(
        "unknown declared label is ignored",
        _page("hello").encode(),
        "utf-8",
        charset="x-bogus",
        has=("hello",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_decode(case: Case) -> None:
    got = decode_html(case.body, declared_charset=case.charset, content_type=case.content_type)
    assert (got.encoding, got.errors) == (case.encoding, case.errors)
    assert got.text.count("\ufffd") == case.errors
    for snippet in case.has:
        assert snippet in got.text
    for snippet in case.lacks:
        assert snippet not in got.text


REFUSED = [
    # the integration test's page: every byte 0x80–0xFF, 400 times, no charset
    ("high bytes, no charset", b"<html><body><p>" + bytes(range(0x80, 0x100)) * 400, None),
    ("random high bytes", b"<html><body>" + bytes(b | 0x80 for b in os.urandom(4000)), None),
    (
        "random high bytes, declared utf-8",
        b"<p>" + bytes(b | 0x80 for b in os.urandom(4000)),
        "utf-8",
    ),
    ("UTF-8 BOM before windows-1252", codecs.BOM_UTF8 + FRENCH_1252, None),
]


@pytest.mark.parametrize(("body", "charset"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refused_when_no_charset_fits(body: bytes, charset: str | None) -> None:
    with pytest.raises(PipelineError) as err:
        decode_html(body + b"</p></body></html>", declared_charset=charset, content_type=None)
    assert err.value.kind == "charset"


@pytest.mark.parametrize(
    ("valid", "errors", "per_error", "kept"),
    [(2, 1, 2, True), (1, 1, 2, False), (1, 1, 1, True), (0, 1, 1, False), (39, 20, 2, False)],
)
def test_replacement_needs_enough_valid_characters(
    valid: int, errors: int, per_error: int, kept: bool
) -> None:
    body = b"<p>" + "\u00e9".encode() * valid + b"\xff" * errors + b"</p>"
    got = _nearly(body, "utf-8", per_error)
    assert (got == Decoded(body.decode("utf-8", "replace"), "utf-8", errors)) is kept
    if not kept:
        assert got is None


def test_a_literal_replacement_character_is_not_an_error() -> None:
    body = _with_byte(_page("\ufffd " + ARABIC + " " + ARABIC_2).encode(), b"\xff", ARABIC_2)
    got = decode_html(body, declared_charset=None, content_type=None)
    assert (got.encoding, got.errors) == ("utf-8", 1)


def test_a_few_nul_bytes_do_not_make_utf16() -> None:
    body = _page(ARABIC).encode().replace(b"<p>", b"<p>\x00a\x00b\x00", 1)
    assert decode_html(body, declared_charset=None, content_type=None).encoding == "utf-8"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_bom(bom: bytes, codec: str) -> None:
    got = decode_html(bom + _page(ARABIC).encode(codec), declared_charset=None, content_type=None)
    assert got == Decoded(_page(ARABIC), codec, 0)


def test_windows_1256_undeclared_is_right_or_refused() -> None:
    body = _page(ARABIC * 3).encode("cp1256")
    try:
        got = decode_html(body, declared_charset=None, content_type=None)
    except PipelineError as exc:
        assert exc.kind == "charset"
    else:
        assert ARABIC in got.text


@pytest.mark.parametrize("body", [b"", b"   \n\t "])
def test_empty(body: bytes) -> None:
    with pytest.raises(PipelineError) as err:
        decode_html(body, declared_charset="utf-8", content_type=None)
    assert err.value.kind == "empty"


def test_c1_controls_make_a_decoding_implausible() -> None:
    from newsflow.extraction.decode import _plausible

    assert _plausible("plain text " * 100)
    assert _plausible("a\x85b")  # a couple are tolerated
    assert not _plausible("text \x93quoted\x94 and \x96 dash \ufffd " * 20)
    assert _plausible("text \ufffd " * 20, replaced=20)  # judged by _nearly instead


def test_corpus_pages_decode_cleanly(corpus: Path) -> None:
    """No real page is taken for UTF-16/32 or needs a replacement: the new paths only
    fire on the bytes they are for."""
    seen = 0
    for path in sorted(corpus.glob("*/pages/*.html.gz")):
        got = decode_html(
            gzip.decompress(path.read_bytes()), declared_charset=None, content_type=None
        )
        assert got.errors == 0 and not got.encoding.startswith("utf-16"), path.name
        assert not got.encoding.startswith("utf-32"), path.name
        seen += 1
    assert seen > 400


def test_body_b64_with_line_breaks_still_decodes() -> None:
    import base64

    from newsflow.extraction.parse import _b64decode

    body = _page(ARABIC).encode("utf-8")
    wrapped = base64.encodebytes(body).decode("ascii")  # a line break every 76 characters
    assert "\n" in wrapped
    assert _b64decode(wrapped) == body
    assert _b64decode(base64.b64encode(body).decode("ascii")) == body


@pytest.mark.parametrize("pad", [0, 5, 4090, 4100, 9000])
def test_page_head_checks_without_copying(pad: int) -> None:
    from newsflow.extraction.parse import _blank, _lstripped_head

    text = " \n" * pad + "<html>" + "x" * 3000
    assert _lstripped_head(text, 2048) == text.lstrip()[:2048]
    assert _lstripped_head(text.encode(), 8) == text.encode().lstrip()[:8]
    assert not _blank(text)
    assert _blank(" \n" * pad) is (not (" \n" * pad).strip())
    assert _blank(b"") and _blank(b" \t\r\n")
