"""Selectors and word lists as data, kept apart from the code that applies them.

Changing what counts as boilerplate, a date container or an end marker is an edit
here, not in ``extract.py`` (the split trafilatura uses in ``xpaths.py``).
"""

from __future__ import annotations

import re

# Elements dropped before any text is read.
DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "iframe",
        "object",
        "embed",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "label",
        "nav",
        "aside",
        "footer",
        "dialog",
        "menu",
        "link",
        "meta",
        "head",
        "audio",
        "video",
        "map",
    }
)

# What an element's class and id say about it, as data. Values are lower-cased; roles:
# ``boilerplate`` (dropped when it holds less than half of the page's text),
# ``protect`` (never boilerplate: "article-body main"), ``content0``…``content5`` (known article
# containers, most specific first), ``lead``, ``date``, ``tags``, ``crumb``,
# ``byline``, ``author`` (metadata), ``chrome`` (banners, popups, sidebars: never
# the lead). Match kinds:
#   ``token``: the value split on whitespace, "_" and "-"; a literal with hyphens
#              matches consecutive parts ("share-bar" also matches "share_bar");
#   ``contains``: a substring of the value; ``exact``: the whole value.
_BOILERPLATE_TOKENS = [
    "comment",
    "comments",
    "commentlist",
    "respond",
    "reply",
    "share",
    "sharing",
    "social",
    "sharebar",
    "share-bar",
    "related",
    "relatednews",
    "more-news",
    "morenews",
    "read-more",
    "readmore",
    "also-read",
    "recommend",
    "recommended",
    "popular",
    "most-read",
    "mostread",
    "trending",
    "tag",
    "tags",
    "tag-list",
    "taglist",
    "keywords",
    "breadcrumb",
    "breadcrumbs",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "banner",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "sign-up",
    "promo",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "ad-slot",
    "adslot",
    "sponsor",
    "sponsored",
    "sidebar",
    "widget",
    "captcha",
    "recaptcha",
    "footer",
    "header",
    "masthead",
    "navbar",
    "nav",
    "menu",
    "pagination",
    "pager",
    "print",
    "toolbar",
    "byline",
    "author-box",
    "authorbox",
    "author-bio",
    "meta-data",
    "modal",
    "popup",
    "overlay",
    "hidden",
    "sr-only",
    "visually-hidden",
    "skip",
    "login",
    "teaser-list",
    "outbrain",
    "taboola",
    "disqus",
    "jp-relatedposts",
    "wp-caption-text",
    "caption",
    "figcaption",
    "credit",
    "copyright",
    "rating",
    "vote",
    "poll",
    "newsticker",
    "ticker",
    "services",
    "item-code",
    "news-code",
    "shortlink",
    "short-link",
    "short-url",
    "gallery-nav",
    # links to the previous/next article, reading-time badges
    "prev-next",
    "next-prev",
    "next-article",
    "prev-article",
    "previous-article",
    "next-post",
    "prev-post",
    "previous-post",
    "post-navigation",
    "read-next",
    "up-next",
    "time-to-read",
    "reading-time",
    "read-time",
    "readtime",
    "readingtime",
]
_PROTECT_TOKENS = [
    "article-body",
    "articlebody",
    "story-body",
    "storybody",
    "entry-content",
    "post-content",
    "item-text",
    "news-text",
    "article-content",
    "main-content",
    "content-body",
    "body-text",
    "articletext",
    "article-text",
    "story-content",
    "text-content",
    "field-name-body",
]
# Page chrome that never holds the article's lead or byline (a cookie banner's text
# in a ``.summary`` is not the lead).
_CHROME_TOKENS = (
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "modal",
    "popup",
    "overlay",
    "newsletter",
    "subscribe",
    "subscription",
    "promo",
    "advert",
    "advertisement",
    "sidebar",
    "widget",
    "related",
    "comment",
    "comments",
    "banner",
    "paywall",
)
CLASS_VOCAB: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("boilerplate", "token", tuple(_BOILERPLATE_TOKENS)),
    ("protect", "token", tuple(_PROTECT_TOKENS)),
    # The whole class token: as a phrase it also matches teaser cards
    # ("summary-item--text-align-left"), as a substring navigation ("NavigationItem-text").
    ("content1", "exact", ("item-text", "item_text")),
    ("content2", "contains", ("article-body", "articlebody", "article__body")),
    ("content3", "contains", ("story-body", "storybody", "story__body")),
    (
        "content4",
        "contains",
        ("entry-content", "post-content", "article-content", "article__content"),
    ),
    (
        "lead",
        "contains",
        (
            "summary",
            "introtext",
            "standfirst",
            "subtitle",
            "sub-title",
            "teaser-text",
            "article-intro",
            "excerpt",
            "subheadline",
            "leadtext",
            "lead-text",
            "article-lead",
            "article__lead",
        ),
    ),
    ("lead", "token", ("lead", "lede", "intro", "dek", "deck")),
    ("date", "contains", ("date", "time", "publish")),
    ("tags", "token", ("tags",)),
    (
        "tags",
        "contains",
        ("tag-list", "tags-list", "article-tags", "post-tags", "entry-tags", "keywords"),
    ),
    ("crumb", "contains", ("breadcrumb",)),
    ("byline", "contains", ("byline",)),
    ("author", "contains", ("author-name", "authorname", "author__name", "author-link")),
    ("chrome", "token", _CHROME_TOKENS),
)
ID_VOCAB: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("boilerplate", "token", tuple(_BOILERPLATE_TOKENS)),
    ("protect", "token", tuple(_PROTECT_TOKENS)),
    (
        "content5",
        "exact",
        (
            "article-body",
            "articlebody",
            "story-body",
            "article-content",
            "content-body",
            "bodycontent",
        ),
    ),
    ("date", "contains", ("date",)),
    ("tags", "exact", ("tags",)),
    ("crumb", "contains", ("breadcrumb",)),
    ("chrome", "token", _CHROME_TOKENS),
)
# ``itemprop`` tokens (lower-cased) and their roles.
ITEMPROP_VOCAB = {"articlebody": "content0", "datepublished": "date", "description": "lead"}
CONTENT_LEVELS = 6

# Inline tags: their text joins the paragraph around them. Every other element is a
# block boundary and a candidate container for scoring.
INLINE_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "ins",
        "kbd",
        "mark",
        "picture",
        "q",
        "s",
        "samp",
        "small",
        "source",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
    }
)
# Structural tags dropped unless they hold half of the page's text (an ASP.NET page
# wraps everything in one form).
GUARDED_TAGS = frozenset({"form", "aside", "header"})

# Tags whose blocks keep their own tag (paragraph kinds); every non-inline tag is a block.
PARAGRAPH_TAGS = frozenset({"p", "blockquote", "pre", "li", "dd", "dt", "td", "th", "figcaption"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# End-of-article markers: the paragraph that is (or starts with) one of these, and
# everything after it, is dropped. Matched on normalize_for_matching() text.
END_MARKER_RE = re.compile(
    r"^\s*(?:[/(\[]\s*انتهي\s*[/)\]]?|[/(\[]?\s*end\s*[)\]/]|پايان\s*پيام|انتهي\s*/|"
    r"/\s*انتهي)\s*[.\s]*$",
    re.IGNORECASE,
)
# A marker at the end of a paragraph's text ("... في هذا المجال. /انتهى/").
END_MARKER_TAIL_RE = re.compile(r"(?:/\s*انتهى\s*/?|\(END\)|پایان پیام)\s*\.?\s*$")
# One of these literals is in every END_MARKER_TAIL_RE match (a cheap pre-check).
END_MARKER_TAIL_HINTS = ("انتهى", "(END)", "پایان پیام")

# Paragraphs that are boilerplate wherever they appear (matched normalized, whole line).
JUNK_LINE_RE = re.compile(
    r"^\s*(?:share( this)?( article)?|tweet|print|email|advertisement|اعلان|إعلان|"
    r"شارك|مشاركه|اقرا ايضا|اقرا المزيد|اقرا كذلك|المزيد|اخبار ذات صله|"
    r"خبرهاي مرتبط|بيشتر بخوانيد|بخوانيد|read more|related( articles| stories)?|"
    r"also read|see also|you are replying to:?\s*\.?|captcha|تعليقك|ارسال|"
    r"رمز الخبر\s*:?\s*\d+|كد خبر\s*:?\s*\d+|سمات|برچسب ها|برچسبها|tags?:?|"
    r"subscribe( now)?|sign up.*newsletter.*|advert|"
    # "read also" and advertisement labels of European news sites
    r"(?:[aà] )?lire aussi|publicit[eé]|auch interessant|mehr zum thema|"
    r"lesen sie (?:auch|mehr)|anzeige|werbung|czytaj (?:te[zż]|tak[zż]e|wi[eę]cej)|reklama?|"
    r"lee (?:tambi[eé]n|m[aá]s)|leer m[aá]s|leia (?:tamb[eé]m|mais)|pubblicit[aà]|"
    r"leggi anche|lees ook|advertentie)\s*:?\s*$",
    re.IGNORECASE,
)

# Comment-section guidelines ("We welcome lively discussion… read the terms of use",
# "ترحب شبكة … مراجعة التعليقات … إرشادات الاستخدام") closing an article: a short
# paragraph naming both comments and a policy ends the text. Written to match the
# raw (casefolded) and the normalized forms alike.
COMMENT_WORDS_RE = re.compile(
    r"comment|kommentar|commentaire|comentario|تعليق|نظرات|د[یي]د[گك]اه", re.IGNORECASE
)
# Literals one of which every COMMENT_WORDS_RE match holds, in the lower-cased forms
# ``_filter_blocks`` searches (only ASCII letters match c, o, m, e, n, t, a, r when
# case is ignored; "i" and "k" are avoided): the regex, which tries every position,
# then runs only on the few paragraphs that hold one.
COMMENT_WORDS_HINTS = ("comment", "coment", "ommentar", "تعليق", "نظرات", "دید", "ديد")
POLICY_WORDS_RE = re.compile(
    r"terms of (?:use|service)|privacy policy|community (?:guidelines|standards)|"
    r"house rules|guidelines|netiquette|nutzungsbedingungen|datenschutz|"
    r"شروط الاستخدام|[إا]رشادات|سياس[ةه] الخصوصي[ةه]|قوان[یي]ن|حر[یي]م خصوص[یي]",
    re.IGNORECASE,
)
POLICY_PARAGRAPH_MAX_CHARS = 600

# Headings of tag blocks (normalized): "سمات" on the Mehr News Arabic site.
TAG_HEADINGS = frozenset(
    {
        "سمات",
        "الوسوم",
        "وسوم",
        "كلمات مفتاحيه",
        "برچسب ها",
        "برچسبها",
        "كليدواژه ها",
        "tags",
        "topics",
    }
)
# Words of tag-block headings (the page text is searched for them first; the short
# elements holding one are then checked against TAG_HEADINGS after normalization).
TAG_HEADING_WORDS = ("سمات", "وسوم", "برچسب", "کلیدواژه", "كليدواژه", "كلمات مفتاحية")
TAG_HEADING_WORDS_ANY_CASE = ("tags", "topics")  # also "Tags", "TAGS"

# Agency news codes printed on the page.
# Literal keywords searched first (fast), then EXTERNAL_ID_RE is matched at each hit.
EXTERNAL_ID_KEYWORDS = (
    "رمز الخبر",
    "رقم الخبر",
    "کد خبر",
    "كد خبر",
    "شناسه خبر",
    "شماره خبر",
    "news id",
    "newsid",
    "news code",
    "story id",
)
EXTERNAL_ID_RE = re.compile(
    r"(?:رمز الخبر|رقم الخبر|كد خبر|کد خبر|شناسه خبر|شماره خبر|news ?id|news ?code|story ?id)"
    r"\s*[:：#]?\s*([0-9٠-٩۰-۹]{3,12})",
    re.IGNORECASE,
)
EXTERNAL_ID_URL_RES = (
    re.compile(
        r"/(?:news|fa/news|ar/news|en/news|story|article|articles|item|doc)/(\d{4,12})(?:/|$|\?)"
    ),
    re.compile(r"[/,-](\d{6,12})(?:\.html?|/)?$"),
)

DATE_CONTAINER_MAX_CHARS = 120
# A date element, <time> or line at most this many tree steps from the headline
# (through their closest common ancestor) is "near" it: the article's own date
# line. Teasers, "most read" lists and comment dates are further away.
DATE_NEAR_STEPS = 6
# A date inside a link or another heading this many levels up is a teaser's.
DATE_TEASER_STEPS = 4
DATE_TEASER_EXTRA_CHARS = 20
# Headings looked at when finding the headline.
DATE_ANCHOR_MAX_HEADINGS = 50
# Text nodes just around the headline (in the siblings of it and of its nearest
# DATE_HEADER_STEPS ancestors) are read as date lines even without a date class
# ("<li>27 juin 2019</li>"); only short ones: a caption that ends in a date is
# no date line.
DATE_HEADER_STEPS = 3
DATE_HEADER_LINES_BEFORE = 3
DATE_HEADER_LINES_AFTER = 8
DATE_LINE_WINDOW_CHARS = 200  # characters read per wanted line around the headline
DATE_HEADER_LINE_MAX_CHARS = 60
# Whole-page fallback (only when nothing above gave a date): short lines with a
# year, at most this many tried.
DATE_FALLBACK_MAX_CHARS = 100
DATE_FALLBACK_MAX_LINES = 40
# A line that names itself the publication date.
DATE_LABEL_RE = re.compile(
    r"\W*(?:date|dated|published|posted|written|created|publication date|datum"
    r"|veröffentlicht|erstellt|erschienen|publié|publie|publicado|publicada|pubblicato"
    r"|gepubliceerd|yayınlanma|yayın tarihi|تاريخ النشر|تاريخ|نشر|نشرت|تاریخ انتشار|انتشار"
    r"|منتشر شده|تاریخ)(?!\w)",
    re.IGNORECASE,
)
# A publication date in the page source outside any loaded JSON-LD.
DATE_SOURCE_PUBLISHED_RE = re.compile(r'"(?:datePublished|dateCreated)"\s*:\s*"([^"]{8,40})"')
DATE_SOURCE_MAX_CHARS = 5_000_000
DATE_MIN_YEAR = 1990  # a fallback line's date before the web is history, not publication
DATE_IN_TEXT_RE = re.compile(r"(?<!\d)(?:19[9]\d|20\d\d)(?!\d)")
DATE_COPYRIGHT_RE = re.compile(r"©|&copy;|\(c\)\s*\d|copyright", re.IGNORECASE)
# Date lines without digits that may still be dates ("منذ ساعتين", "yesterday", "دیروز").
RELATIVE_DATE_HINT_RE = re.compile(
    r"منذ|قبل|پیش|ago|yesterday|today|أمس|امس|البارحة|دیروز|امروز|اليوم", re.IGNORECASE
)


# Meta names/properties for each field, in order of trust.
META_TITLE = ("og:title", "twitter:title", "dc.title", "title", "sailthru.title", "parsely-title")
META_DESCRIPTION = ("og:description", "description", "twitter:description", "dc.description")
META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "og:published_time",
    "published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.created",
    "dcterms.date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
    "originalpublicationdate",
    "og:updated_time",
)
# Any ``namespace:name`` meta whose name is one of these is a publication date
# too ("video:release_date", a platform's own "…:uploaded"); tried after the above.
DATE_META_SUFFIXES = frozenset(
    {"published_time", "publish_date", "published", "pubdate", "uploaded", "release_date"}
)
META_MODIFIED = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
    "lastmod",
)
META_AUTHOR = (
    "author",
    "article:author",
    "og:article:author",
    "dc.creator",
    "sailthru.author",
    "parsely-author",
    "byl",
    "twitter:creator",
)
META_SECTION = ("article:section", "og:article:section", "section", "parsely-section", "category")
META_TAGS = ("article:tag", "og:article:tag", "news_keywords", "parsely-tags", "keywords")
META_IMAGE = (
    "og:image",
    "og:image:url",
    "og:image:secure_url",
    "twitter:image",
    "twitter:image:src",
)
META_SITE_NAME = ("og:site_name", "application-name", "publisher", "twitter:site")

JSONLD_ARTICLE_TYPES = frozenset(
    {
        "newsarticle",
        "article",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "report",
        "techarticle",
        "scholarlyarticle",
        "webpage",
    }
)

# Separators between a title and the site name in <title> / og:title.
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · ", " / ", " ~ ", " :")

# Removed from <body> in C before its text is measured: never article text and holding
# text of their own (the walk skips the other DROP_TAGS).
STRIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "nav",
        "footer",
        "button",
        "select",
        "textarea",
        "label",
        "menu",
        "dialog",
    }
)


# Elements the classification pass looks at (one CSS query run by Lexbor): anything
# with a class, id, itemprop or rel=author, <time datetime>, and hidden candidates.
CLASSIFY_CSS = (
    "[class], [id], [itemprop], [rel=author], time[datetime], [hidden],"
    " [aria-hidden=true i], [style*=none i], [style*=hidden i]"
)
# Short elements whose text may be a tag-block heading; the CSS is built per page from
# the TAG_HEADING_WORDS its text contains (``div`` is left out: its text is
# costly to compute).
TAG_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "span", "strong", "b", "p", "dt", "label")


#: Printed date lines that name an update or an access, not publication: they
#: never stand for ``published_at`` ("Last updated 15 hours ago", "Retrieved 17
#: February 2008", "آخر تحديث", "به‌روزرسانی", "Aktualisiert", "mis à jour").
NOT_PUBLISHED_LINE_RE = re.compile(
    r"^\W*(?:last\s+)?(?:updated|modified|edited|retrieved|accessed)\b"
    r"|^\W*(?:آخر\s+تحديث|تم\s+التحديث|تاريخ\s+التحديث|آخرین\s+به\W?روز|به\W?روز\s*رسانی|بروزرسانی)"
    r"|^\W*(?:zuletzt\s+)?aktualisiert\b|^\W*mis\s+à\s+jour\b|^\W*actualizado\b",
    re.IGNORECASE,
)
