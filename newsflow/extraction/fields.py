"""The article's fields besides its body, each from the most reliable source first
(JSON-LD, then meta, then the page): title, tags, section, external id, images, lead
(authors: ``authors``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from newsflow.core.normalize import normalize_for_matching, to_ascii_digits
from newsflow.extraction import selectors as sel
from newsflow.extraction.dom import clean_text, node_text
from newsflow.extraction.keyword_scan import KeywordScan
from newsflow.extraction.meta import PageMeta, ld_get, ld_str, ld_types, site_name
from newsflow.extraction.urls import join_url
from newsflow.extraction.walk import F_CHROME, NO_CLASS, DomHints, ancestor_tags


def _names_site(part: str, names: list[str]) -> bool:
    """Whether a title part names the site: equal to a name, or one contains the other
    when both have at least four characters ("co" from a host must not match "could")."""
    if not part:
        return False
    for n in names:
        if part == n or (len(n) >= 4 and len(part) >= 4 and (part in n or n in part)):
            return True
    return False


def _strip_site_suffix(title: str, names: list[str]) -> str:
    """Remove a ``| Site`` / ``- Site`` suffix (or prefix) when it names the site."""
    norm_names = [normalize_for_matching(n) for n in names if n]
    for sep in sel.TITLE_SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        if head.strip() and _names_site(normalize_for_matching(tail.strip()), norm_names):
            return head.strip()
        first, _, rest = title.partition(sep)
        if rest.strip() and _names_site(normalize_for_matching(first.strip()), norm_names):
            return rest.strip()
    return title


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "or", "ne", "go"})


def _host_label(host: str) -> str:
    """The registrable label of a host: "dailystar" for www.dailystar.co.uk."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else host


def extract_title(pm: PageMeta, host: str) -> str | None:
    """Title: JSON-LD ``headline`` → ``og:title`` → ``twitter:title`` → microdata
    ``headline`` → ``<h1>`` → ``<title>`` → other title meta.

    The site name (og:site_name, publisher, the host's main label) is removed as a
    suffix or prefix. When an ``<h1>`` is contained in the chosen title (a title
    padded with a site or section name), the ``<h1>`` wins.
    """
    names = [n for n in (site_name(pm), host, _host_label(host)) if n]
    h1s = pm.h1s
    candidates = [
        ld_get(pm, "headline"),
        pm.first(("og:title",)),
        pm.first(("twitter:title",)),
        pm.first(("microdata:headline",)),
        h1s[0] if h1s else None,
        pm.title_tag,
        pm.first(("dc.title", "title", "parsely-title", "sailthru.title")),
    ]
    for cand in candidates:
        if not cand:
            continue
        title = _strip_site_suffix(cand, names)
        for h in h1s:
            if h != title and len(h) >= 10 and h in title:
                return h
        return title
    return None


def _split_keywords(value: str) -> list[str]:
    return [clean_text(p) for p in re.split(r"[,،;]", value) if clean_text(p)]


def _link_texts(node: LexborNode) -> list[str]:
    return [x for x in (node_text(a) for a in node.css("a")[:100]) if x and len(x) <= 60]


def extract_tags(hints: DomHints, pm: PageMeta) -> list[str]:
    """Tags: DOM tag block (a heading such as ``سمات`` then links, or a ``.tags``
    list) → JSON-LD ``keywords`` → ``article:tag`` → ``news_keywords`` → ``keywords``.

    The visible block comes first because ``keywords`` meta is often SEO filler.
    """
    tags: list[str] = []
    for heading in hints.tag_headings:
        if heading.tag in ("a", "title", "option", "button"):
            continue
        text = normalize_for_matching(node_text(heading)).strip(": ")
        if text not in sel.TAG_HEADINGS:
            continue
        # the heading's parent, grandparent…: the first that holds links
        container = heading.parent
        for _ in range(3):
            if container is None:
                break
            links = _link_texts(container)
            if links:
                tags.extend(links)
                break
            container = container.parent
        if tags:
            break
    if not tags:
        for block in hints.tag_containers:
            tags.extend(x.lstrip("#") for x in _link_texts(block))
            if tags:
                break
    if not tags and pm.ld_article is not None:
        kw = pm.ld_article.get("keywords")
        if isinstance(kw, str):
            tags.extend(_split_keywords(kw))
        elif isinstance(kw, list):
            tags.extend(clean_text(k) for k in kw if isinstance(k, str) and clean_text(k))
    if not tags:
        tags.extend(pm.all(("article:tag", "og:article:tag")))
    if not tags:
        for v in pm.all(("news_keywords", "parsely-tags", "keywords")):
            tags.extend(_split_keywords(v))
            break
    out: list[str] = []
    seen: set[str] = set()
    for t in tags:
        key = normalize_for_matching(t)
        if key and key not in seen and len(t) <= 80:
            seen.add(key)
            out.append(t)
    return out[:50]


# Home links of breadcrumb trails, folded like the crumbs they are compared with.
_HOME_CRUMBS = frozenset(
    normalize_for_matching(w)
    for w in (
        "home",
        "home page",
        "homepage",
        "start",
        "startseite",
        "accueil",
        "inicio",
        "portada",
        "início",
        "главная",
        "anasayfa",
        "ana sayfa",
        "الرئيسية",
        "الصفحة الرئيسية",
        "خانه",
        "صفحه اصلی",
        "صفحه نخست",
    )
)


_MAX_CRUMBS = 10
_MAX_CRUMB_CHARS = 60
_CRUMB_SEPARATORS = frozenset(">/»›«‹|-→←•·:")


def extract_breadcrumbs(hints: DomHints, pm: PageMeta, title: str | None) -> list[str]:
    """The page's breadcrumb trail, outermost first: JSON-LD ``BreadcrumbList`` (in
    ``position`` order when every item has one), else the first DOM breadcrumb block
    (``nav.breadcrumb``, ``[class*=breadcrumb]``: its links, list items and spans).

    The home link and the article's own title are left out (they say nothing of the
    section), so are separators and repeats (a list item and its link are one crumb).
    Categories read the trail as the page's own section labels (`entities.sections`).
    """
    crumbs: list[str] = []
    for obj in pm.ld_objects:
        if "breadcrumblist" in ld_types(obj):
            items = obj.get("itemListElement")
            if isinstance(items, list):
                named: list[tuple[float, str]] = []
                for it in items[:50]:
                    if isinstance(it, dict):
                        name = ld_str(it.get("name")) or ld_str(it.get("item"))
                        if name:
                            pos = it.get("position")
                            order = float(pos) if isinstance(pos, int | float) else None
                            named.append((len(named) if order is None else order, name))
                if all(
                    isinstance(it, dict) and isinstance(it.get("position"), int | float)
                    for it in items[:50]
                ):
                    named.sort(key=lambda pn: pn[0])
                crumbs = [name for _, name in named]
            break
    if not crumbs:
        for bc in hints.crumb_nodes[:1]:
            crumbs = [node_text(a) for a in bc.css("a, li, span")[:50]]
    title_n = normalize_for_matching(title or "")
    out: list[str] = []
    seen: set[str] = set()
    for c in crumbs:
        c = clean_text(c)
        cn = normalize_for_matching(c)
        if (
            not c
            or len(c) > _MAX_CRUMB_CHARS
            or c in _CRUMB_SEPARATORS
            or cn in seen
            or cn in _HOME_CRUMBS
            or (title_n and (cn == title_n or (cn in title_n and len(cn) > 20)))
        ):
            continue
        seen.add(cn)
        out.append(c)
    return out[:_MAX_CRUMBS]


def extract_section(pm: PageMeta, breadcrumbs: list[str]) -> str | None:
    """Section: JSON-LD ``articleSection`` → ``article:section`` meta → microdata →
    the last breadcrumb (`extract_breadcrumbs`: neither the home link nor the title).
    """
    s = ld_get(pm, "articleSection") or pm.first(("article:section", "og:article:section"))
    if s:
        return s
    s = pm.first(("microdata:articlesection",))
    if s:
        return s
    return breadcrumbs[-1] if breadcrumbs else None


_ID_KEYWORDS = KeywordScan(sel.EXTERNAL_ID_KEYWORDS)


def extract_external_id(page_text: str, url: str) -> str | None:
    """Agency news code: printed ``رمز الخبر 1942574`` / ``کد خبر`` → number in the URL path."""
    # One scan for all keywords (not one ``find`` each in a lower-cased copy of the
    # page); the first keyword with a number after it still wins, as listed.
    for kw, starts in zip(sel.EXTERNAL_ID_KEYWORDS, _ID_KEYWORDS.starts(page_text), strict=True):
        for i in starts:
            m = sel.EXTERNAL_ID_RE.match(page_text, i, i + len(kw) + 30)
            if m:
                return to_ascii_digits(m.group(1))
    path = urlsplit(url).path
    for rx in sel.EXTERNAL_ID_URL_RES:
        m2 = rx.search(path)
        if m2 and not _YYYYMMDD.match(m2.group(1)):
            return m2.group(1)
    return None


_YYYYMMDD = re.compile(r"^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$")


_BAD_IMG = re.compile(r"(?:pixel|spacer|blank|logo|icon|avatar|sprite)\.|\.svg(?:$|\?)|/ads?/")


def _img_ok(src: str) -> bool:
    low = src.lower()
    return bool(src) and not low.startswith("data:") and not _BAD_IMG.search(low)


def extract_images(pm: PageMeta, body_root: LexborNode | None, base: str) -> list[str]:
    """Images, main first: ``og:image`` → JSON-LD ``image`` → ``twitter:image`` → body ``<img>``."""
    found: list[str] = []
    og = pm.all(("og:image", "og:image:url", "og:image:secure_url"))
    found.extend(og[:1])
    if pm.ld_article is not None:
        img = pm.ld_article.get("image")
        items = img if isinstance(img, list) else [img]
        for it in items[:20]:
            if isinstance(it, str):
                found.append(it)
            elif isinstance(it, dict):
                u = it.get("url") or it.get("contentUrl")
                if isinstance(u, str):
                    found.append(u)
    found.extend(pm.all(("twitter:image", "twitter:image:src"))[:1])
    if body_root is not None:
        for img_el in body_root.css("img")[:40]:
            attrs = img_el.attributes
            src = attrs.get("src") or attrs.get("data-src") or attrs.get("data-original") or ""
            w = attrs.get("width") or ""
            if w.isdigit() and int(w) < 50:
                continue
            found.append(src.strip())
    out: list[str] = []
    done: set[str] = set()  # a lazy-loading page repeats one placeholder src many times
    for src in found:
        src = src.strip()
        if src in done:
            continue
        done.add(src)
        if not _img_ok(src):
            continue
        absu = join_url(base, src)
        if absu.startswith(("http://", "https://")) and absu not in out:
            out.append(absu)
            if len(out) == 20:
                break
    return out


def _in_chrome(node: LexborNode, hints: DomHints, limit: int = 4) -> bool:
    """Whether ``node`` or a near ancestor is page chrome (cookie banner, popup…); page
    wrappers far up ("has-sidebar") do not count."""
    current: LexborNode | None = node
    while current is not None and limit:
        if hints.classes.get(current.mem_id, NO_CLASS)[0] & F_CHROME:
            return True
        current = current.parent
        limit -= 1
    return False


def extract_lead(hints: DomHints, pm: PageMeta) -> tuple[str | None, str | None]:
    """(lead, printed lead): DOM lead (``.summary``/``.lead``/``.standfirst``…,
    ``itemprop=description``) → JSON-LD ``description`` → ``og:description`` →
    ``description`` meta. The second value is the lead only when it was printed on
    the page (then the body must not repeat it); a description is metadata only.

    The printed lead wins because meta descriptions are often truncated.
    """
    desc = ld_get(pm, "description") or pm.first(sel.META_DESCRIPTION)
    if desc and desc[:1] in "|–—-:·»«/":
        desc = None  # "| Site News": an empty template field followed by the site name
    for node in hints.lead_nodes:
        if node.tag in ("meta", "html", "body", "section", "main", "article"):
            continue
        text = node_text(node)
        if not 40 <= len(text) <= 1200 or len(node.css("p")) > 2:
            continue
        if _in_chrome(node, hints) or ancestor_tags(node) & {"li", "aside"}:
            continue
        return text, text
    return desc, None
