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

# class/id words that mark boilerplate containers (matched on the lower-cased
# "class id" string of an element). Checked against whole tokens or token parts.
BOILERPLATE_RE = re.compile(
    r"(?:^|[\s_-])(?:comment|comments|commentlist|respond|reply|share|sharing|social|"
    r"sharebar|share-bar|related|relatednews|more-news|morenews|read-more|readmore|"
    r"also-read|recommend|recommended|popular|most-read|mostread|trending|tags?|tag-list|"
    r"taglist|keywords|breadcrumbs?|cookie|cookies|consent|gdpr|banner|newsletter|subscribe|"
    r"subscription|signup|sign-up|promo|advert|advertisement|ads?|ad-slot|adslot|sponsor|"
    r"sponsored|sidebar|widget|captcha|recaptcha|footer|header|masthead|navbar|nav|menu|"
    r"pagination|pager|print|toolbar|byline|author-box|authorbox|author-bio|meta-data|"
    r"paywall|modal|popup|overlay|hidden|sr-only|visually-hidden|skip|login|"
    r"teaser-list|outbrain|taboola|disqus|jp-relatedposts|wp-caption-text|caption|"
    r"figcaption|credit|copyright|rating|vote|poll|newsticker|ticker|services|"
    r"item-code|news-code|shortlink|short-link|short-url|gallery-nav)(?:$|[\s_-])"
)
# Never drop these even when BOILERPLATE_RE matches (an article wrapper called
# "post-header-content" or "article-body main" must survive).
PROTECT_RE = re.compile(
    r"(?:^|[\s_-])(?:article-?body|articlebody|story-?body|entry-content|post-content|"
    r"item-text|news-text|article-content|main-content|content-body|body-text|"
    r"articletext|article-text|story-content|text-content|field-name-body)(?:$|[\s_-])"
)

# Containers that usually hold exactly the article text, most specific first.
CONTENT_XPATHS = (
    "//*[@itemprop='articleBody']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' item-text ')]",
    "//*[contains(@class, 'article-body') or contains(@class, 'articleBody')"
    " or contains(@class, 'article__body') or contains(@class, 'ArticleBody')]",
    "//*[contains(@class, 'story-body') or contains(@class, 'storyBody')"
    " or contains(@class, 'story__body')]",
    "//*[contains(@class, 'entry-content') or contains(@class, 'post-content')"
    " or contains(@class, 'article-content') or contains(@class, 'article__content')]",
    "//*[@id='article-body' or @id='articleBody' or @id='story-body' or @id='article-content'"
    " or @id='content-body' or @id='bodyContent']",
)

# Block-level tags whose text becomes one paragraph.
PARAGRAPH_TAGS = frozenset({"p", "blockquote", "pre", "li", "dd", "dt", "td", "th", "figcaption"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "li",
        "dl",
        "dd",
        "dt",
        "table",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "figure",
        "figcaption",
        "header",
        "footer",
        "hr",
        "br",
        "center",
        "address",
        "details",
        "summary",
        *HEADING_TAGS,
    }
)

# End-of-article markers: the paragraph that is (or starts with) one of these, and
# everything after it, is dropped. Matched on normalize_for_matching() text.
END_MARKER_RE = re.compile(
    r"^\s*(?:[/(\[]\s*انتهي\s*[/)\]]?|[/(\[]?\s*end\s*[)\]/]|پايان\s*پيام|انتهي\s*/|"
    r"/\s*انتهي)\s*[.\s]*$",
    re.IGNORECASE,
)
# A marker at the end of a paragraph's text ("... في هذا المجال. /انتهى/").
END_MARKER_TAIL_RE = re.compile(r"(?:/\s*انتهى\s*/?|\(END\)|پایان پیام)\s*\.?\s*$")

# Paragraphs that are boilerplate wherever they appear (matched normalized, whole line).
JUNK_LINE_RE = re.compile(
    r"^\s*(?:share( this)?( article)?|tweet|print|email|advertisement|اعلان|إعلان|"
    r"شارك|مشاركه|اقرا ايضا|اقرا المزيد|اقرا كذلك|المزيد|اخبار ذات صله|"
    r"خبرهاي مرتبط|بيشتر بخوانيد|بخوانيد|read more|related( articles| stories)?|"
    r"also read|see also|you are replying to:?\s*\.?|captcha|تعليقك|ارسال|"
    r"رمز الخبر\s*:?\s*\d+|كد خبر\s*:?\s*\d+|سمات|برچسب ها|برچسبها|tags?:?|"
    r"subscribe( now)?|sign up.*newsletter.*)\s*$",
    re.IGNORECASE,
)

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
# Short text nodes that may be a tag-block heading (checked against TAG_HEADINGS after
# normalization); a literal pre-filter in XPath keeps this in C.
TAG_HEADING_TEXT_XPATH = (
    "//body//text()[string-length(normalize-space(.)) <= 25 and ("
    "contains(., 'سمات') or contains(., 'وسوم') or contains(., 'برچسب')"
    " or contains(., 'کلیدواژه') or contains(., 'كليدواژه') or contains(., 'كلمات مفتاحية')"
    " or contains(translate(., 'TAGSOPIC', 'tagsopic'), 'tags')"
    " or contains(translate(., 'TAGSOPIC', 'tagsopic'), 'topics'))]"
)
TAG_CONTAINER_XPATH = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' tags ')"
    " or contains(@class, 'tag-list') or contains(@class, 'tags-list')"
    " or contains(@class, 'article-tags') or contains(@class, 'post-tags')"
    " or contains(@class, 'entry-tags') or @id='tags' or contains(@class, 'keywords')]"
)

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

# Elements whose text is a printed publication date.
DATE_XPATHS = (
    "//*[contains(@class, 'item-date') or contains(@class, 'news-date')"
    " or contains(@class, 'publish') or contains(@class, 'pubdate') or contains(@class, 'date')"
    " or contains(@class, 'time') or contains(@id, 'date') or @itemprop='datePublished']",
)
DATE_CONTAINER_MAX_CHARS = 120
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
