"""decode_html: right text or a `charset` error, never mojibake."""

from __future__ import annotations

import codecs
import os

import pytest

from newsflow.core.decode import decode_html
from newsflow.core.errors import PipelineError

ARABIC = (
    "اعتبر الرئيس الإيراني، خلال محادثة هاتفية مع نظيره الروسي، حضور إيران وروسيا "
    "في المنظمات الإقليمية المهمة مثل شنغهاي وبريكس فرصة مناسبة لتعزيز التعاون."
)


def _page(text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>خبر</title></head><body><p>{text}</p></body></html>"


def test_utf8_plain() -> None:
    text, enc = decode_html(_page(ARABIC).encode("utf-8"), declared_charset=None, content_type=None)
    assert ARABIC in text
    assert enc == "utf-8"


def test_utf8_wins_over_wrong_declaration() -> None:
    body = _page(ARABIC).encode("utf-8")
    text, enc = decode_html(body, declared_charset="windows-1256", content_type=None)
    assert ARABIC in text and enc == "utf-8"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom(bom: bytes, codec: str) -> None:
    text, enc = decode_html(
        bom + _page(ARABIC).encode(codec), declared_charset=None, content_type=None
    )
    assert ARABIC in text and enc == codec


def test_windows_1256_with_meta_charset() -> None:
    body = _page(
        ARABIC, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
    )
    text, enc = decode_html(body.encode("cp1256"), declared_charset=None, content_type=None)
    assert ARABIC in text and enc == "cp1256"


def test_windows_1256_with_http_charset() -> None:
    body = _page(ARABIC).encode("cp1256")
    text, _ = decode_html(body, declared_charset="windows-1256", content_type=None)
    assert ARABIC in text
    text2, _ = decode_html(
        body, declared_charset=None, content_type="text/html; charset=Windows-1256"
    )
    assert ARABIC in text2


def test_meta_beats_latin1_server_default() -> None:
    body = _page(ARABIC, '<meta charset="windows-1256">').encode("cp1256")
    text, _ = decode_html(body, declared_charset="ISO-8859-1", content_type=None)
    assert ARABIC in text


def test_windows_1256_undeclared_is_right_or_refused() -> None:
    body = _page(ARABIC * 3).encode("cp1256")
    try:
        text, _ = decode_html(body, declared_charset=None, content_type=None)
    except PipelineError as exc:
        assert exc.kind == "charset"
    else:
        assert ARABIC in text


def test_latin1_declared() -> None:
    body = (
        b'<html><head><meta charset="iso-8859-1"></head><body>'
        + "Grüße aus München".encode("latin-1")
        + b"</body></html>"
    )
    text, enc = decode_html(body, declared_charset=None, content_type=None)
    assert "Grüße aus München" in text and enc == "cp1252"


def test_random_bytes_undeclared_is_charset_error() -> None:
    rnd = bytes(b | 0x80 for b in os.urandom(4000))
    with pytest.raises(PipelineError) as err:
        decode_html(
            b"<html><body>" + rnd + b"</body></html>", declared_charset=None, content_type=None
        )
    assert err.value.kind == "charset"


@pytest.mark.parametrize("body", [b"", b"   \n\t "])
def test_empty(body: bytes) -> None:
    with pytest.raises(PipelineError) as err:
        decode_html(body, declared_charset="utf-8", content_type=None)
    assert err.value.kind == "empty"


def test_unknown_declared_label_is_ignored() -> None:
    text, _ = decode_html(_page("hello").encode(), declared_charset="x-bogus", content_type=None)
    assert "hello" in text


def test_c1_controls_make_a_decoding_implausible() -> None:
    from newsflow.core.decode import _plausible

    assert _plausible("plain text " * 100)
    assert _plausible("a\x85b")  # a couple are tolerated
    assert not _plausible("text \x93quoted\x94 and \x96 dash \ufffd " * 20)


def test_body_b64_with_line_breaks_still_decodes() -> None:
    import base64

    from newsflow.core.parse import _b64decode

    body = _page(ARABIC).encode("utf-8")
    wrapped = base64.encodebytes(body).decode("ascii")  # a line break every 76 characters
    assert "\n" in wrapped
    assert _b64decode(wrapped) == body
    assert _b64decode(base64.b64encode(body).decode("ascii")) == body


@pytest.mark.parametrize("pad", [0, 5, 4090, 4100, 9000])
def test_page_head_checks_without_copying(pad: int) -> None:
    from newsflow.core.parse import _blank, _lstripped_head

    text = " \n" * pad + "<html>" + "x" * 3000
    assert _lstripped_head(text, 2048) == text.lstrip()[:2048]
    assert _lstripped_head(text.encode(), 8) == text.encode().lstrip()[:8]
    assert not _blank(text)
    assert _blank(" \n" * pad) is (not (" \n" * pad).strip())
    assert _blank(b"") and _blank(b" \t\r\n")
