"""URL canonicalization, the article id derived from it, and the page-URL check.

Two fetches of one article (with tracking parameters, a fragment, ``www.`` in a
different case, an explicit default port) must land on one id, so every stage keys
articles by ``article_id(canonicalize_url(url))``.

`canonicalize_url` never raises and accepts anything (links found inside pages are
junk often enough); `page_url` is the gate for the URL a page was fetched from:
absolute http(s) with a valid host, or ``PipelineError("url")``.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from newsflow.core.errors import PipelineError

# Query parameters that only say where a click came from; they never change content.
_TRACKING_EXACT = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ocid",
        "cmpid",
        "ito",
        "ref_src",
        "ref_url",
        "spm",
        "s_cid",
        "soc_src",
        "soc_trk",
        "at_medium",
        "at_campaign",
        "__twitter_impression",
        "amp",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Path characters left as they are; everything else is percent-encoded (upper-case hex),
# so that a raw UTF-8 Arabic path and its %-encoded form give the same URL.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/:@!$'()*+,;=-._~?"


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in _TRACKING_EXACT or low.startswith(_TRACKING_PREFIXES)


def _normalize_path(path: str) -> str:
    # unquote then quote: one spelling for percent-encoding (hex case, encoded
    # unreserved characters, raw non-ASCII).
    path = quote(unquote(path), safe=_PATH_SAFE)
    if not path:
        return "/"
    # Collapse "//" runs and resolve "." / ".." segments.
    segments: list[str] = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if segments:
                segments.pop()
            continue
        segments.append(seg)
    out = "/" + "/".join(segments)
    # Trailing slash: dropped except for the root ("/news/1/" and "/news/1" are one page).
    return out


def canonicalize_url(url: str) -> str:
    """Return one spelling of ``url`` for identity: see the module docstring.

    Lower-cases scheme and host (``www.`` is kept: some sites serve different
    content there), drops the fragment, default ports, userinfo, tracking parameters
    (``utm_*``, ``fbclid``, ``gclid``…), empty query, trailing slashes and dot
    segments; sorts the remaining query parameters; normalizes percent-encoding.
    A string without a scheme is taken as ``http://``.

    Never raises: a string that cannot be split (``http://[::1``, a lone surrogate)
    comes back stripped and otherwise unchanged. It does not judge whether the URL
    is acceptable (``javascript:…`` gets a canonical form too): that is `page_url`.
    """
    url = url.strip()
    if not url:
        return url
    try:
        return _canonicalize(url)
    except (ValueError, UnicodeError):
        return url


def _canonicalize(url: str) -> str:
    if "://" not in url:
        url = "http://" + url.lstrip("/")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    host = host.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    netloc = host
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{host}:{port}"
    path = _normalize_path(parts.path)
    query_pairs = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    query_pairs.sort()
    query = urlencode(query_pairs, safe=_QUERY_SAFE, quote_via=quote)
    return urlunsplit((scheme, netloc, path, query, ""))


_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")


def _valid_host(host: str, bracketed: bool) -> bool:
    """A DNS name (ASCII after IDNA; ``_`` allowed, as real hosts use it), an IPv4
    address, or a bracketed IPv6 address without a zone (``%eth0`` is local to a machine)."""
    if bracketed or ":" in host:
        if "%" in host:
            return False
        try:
            return isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address)
        except ValueError:
            return False
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    host = host.lower()
    return len(host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in host.split("."))


def page_url(url: str) -> str:
    """The canonical form of ``url`` if it can name a fetched page, else ``PipelineError("url")``.

    Accepted: absolute ``http``/``https`` URLs with a host that is a domain name
    (internationalized names included) or an IP address (IPv6 in brackets). Refused,
    with a message saying why: blank, relative or scheme-less URLs, other schemes
    (``javascript:``, ``mailto:``, ``ftp:``, ``file:``), no host, an unparsable host
    or port (``http://[::1``). Without this gate ``javascript:alert(1)`` and
    ``javascript:void(0)`` would both canonicalize to ``http://javascript`` and share
    one article id.
    """
    text = url.strip()
    shown = repr(text if len(text) <= 200 else text[:200] + "…")
    if not text:
        raise PipelineError("url", "the page URL is blank")
    try:
        text.encode("utf-8")
    except UnicodeError:
        raise PipelineError("url", f"the page URL is not valid Unicode: {shown}") from None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise PipelineError("url", f"not a valid URL ({exc}): {shown}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        what = f"scheme {scheme!r}" if scheme else "no scheme"
        raise PipelineError(
            "url", f"a page URL must be absolute http(s), this one has {what}: {shown}"
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise PipelineError("url", f"the page URL has no host: {shown}")
    if not _valid_host(host, "[" in parts.netloc):
        raise PipelineError("url", f"the page URL's host {host!r} is not a valid host name")
    return canonicalize_url(text)


def article_id(canonical_url: str) -> str:
    """Stable article id: the first 20 hex digits (80 bits) of SHA-256 of the canonical URL.

    The URL is canonicalized again first (idempotent), so callers may pass either form.
    """
    canon = canonicalize_url(canonical_url)
    return hashlib.sha256(canon.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def site_of(url: str) -> str:
    """Host of ``url`` in lower case without a leading ``www.`` (``ar.mehrnews.com``)."""
    host = (urlsplit(url if "://" in url else "http://" + url).hostname or "").lower()
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host


def host_matches(host: str, suffix: str) -> bool:
    """True when ``host`` is ``suffix`` or a subdomain of it."""
    host = host.lower()
    suffix = suffix.lower().lstrip(".")
    return host == suffix or host.endswith("." + suffix)


# An absolute http(s) URL with a host that ``urljoin`` returns unchanged: printable
# ASCII (no whitespace or controls, which urlsplit strips, no non-ASCII host to
# check), no "?", "#" or ";" (whose empty parts the split-and-join round trip
# drops), no "[" / "]" (IPv6 hosts, validated and maybe refused).
_PLAIN_ABSOLUTE = re.compile(r'https?://[!"$-.0-:<->@-Z\\^-~][!"$-:<->@-Z\\^-~]*')


def join_url(base: str, url: str) -> str:
    """``urllib.parse.urljoin(base, url)``, without parsing ``base`` and ``url`` when
    ``url`` is a plain absolute link (most image and canonical links are): urljoin
    costs ~8 µs a call and a page joins a few dozen links. A link urljoin cannot parse
    (``http://[::1``) joins to ``""``, no link: one broken ``<img src>`` or canonical
    link must not fail the page."""
    if _PLAIN_ABSOLUTE.fullmatch(url):
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return ""
