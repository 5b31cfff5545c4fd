"""extract.py / urls.py units: metadata chains, boilerplate removal, language, URLs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.core.errors import PipelineError
from newsflow.extraction import extract as ex
from newsflow.extraction import walk
from newsflow.extraction.language import detect_language
from newsflow.extraction.parse import parse_page
from newsflow.extraction.urls import article_id, canonicalize_url, site_of
from newsflow.inputs import raw_page


def fresh() -> ex.Deadline:
    """A new budget per call: a module-level one would start ticking at collection."""
    return ex.Deadline(10.0)


def _meta(markup: str, url: str = "https://example.org/news/1") -> tuple[ex.DomHints, ex.PageMeta]:
    analysis = ex.analyze(ex.parse_tree(markup), url, fresh())
    return analysis.hints, analysis.meta


# ----------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.Example.COM:443/a/b/?utm_source=x&b=2&a=1#frag",
            "https://www.example.com/a/b?a=1&b=2",
        ),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com/a/./b/../c//d/", "https://example.com/a/c/d"),
        ("https://example.com/x?fbclid=1&gclid=2&utm_medium=y", "https://example.com/x"),
        (
            "https://ar.mehrnews.com/news/1942574/الرئيس",
            "https://ar.mehrnews.com/news/1942574/%D8%A7%D9%84%D8%B1%D8%A6%D9%8A%D8%B3",
        ),
        (
            "https://ar.mehrnews.com/news/1942574/%d8%a7%d9%84%d8%b1%d8%a6%d9%8a%d8%b3",
            "https://ar.mehrnews.com/news/1942574/%D8%A7%D9%84%D8%B1%D8%A6%D9%8A%D8%B3",
        ),
        ("example.com/path", "http://example.com/path"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected
    assert canonicalize_url(expected) == expected  # idempotent


def test_article_id_stable_across_spellings() -> None:
    a = article_id("https://ar.mehrnews.com/news/1942574/?utm_source=tg#top")
    b = article_id(canonicalize_url("HTTPS://ar.mehrnews.com/news/1942574"))
    assert a == b and len(a) == 20 and int(a, 16) >= 0
    assert article_id("https://ar.mehrnews.com/news/1942575") != a


def test_site_of() -> None:
    assert site_of("https://www.Example.com/x") == "example.com"
    assert site_of("https://ar.mehrnews.com/news/1") == "ar.mehrnews.com"


# ----------------------------------------------------------------------------- metadata


def test_jsonld_graph_and_entities() -> None:
    hints, pm = _meta(
        """<html><head><script type="application/ld+json">
        {"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Site"},
         {"@type":["ReportageNewsArticle"],"headline":"Headline &quot;quoted&quot;",
          "datePublished":"2024-03-19T14:37:00+03:30","articleSection":["World","Asia"],
          "author":[{"@type":"Person","name":"Ali Rezaei"},{"@type":"Organization","name":"Site"}],
          "keywords":"Iran, Russia"}]}
        </script></head><body><h1>Other</h1></body></html>"""
    )
    assert pm.ld_article is not None
    assert ex.extract_title(pm, "example.org") == 'Headline "quoted"'
    assert ex.extract_authors(hints, pm, "example.org") == ["Ali Rezaei"]
    assert ex.extract_section(pm, ex.extract_breadcrumbs(hints, pm, None)) == "World"
    assert ex.extract_tags(hints, pm) == ["Iran", "Russia"]


def test_broken_jsonld_is_ignored() -> None:
    _, pm = _meta(
        '<html><head><script type="application/ld+json">{"@type": </script></head></html>'
    )
    assert pm.ld_article is None


@pytest.mark.parametrize(
    ("title_tag", "site", "expected"),
    [
        ("Big news - وكالة مهر للأنباء", "وكالة مهر للأنباء", "Big news"),
        ("Big news | Example Times", "Example Times", "Big news"),
        ("Example Times | Big news", "Example Times", "Big news"),
        ("Big news - a subtitle", "Example Times", "Big news - a subtitle"),
        ("'I sell holidays - booking early could save you money'", "", None),
        ("Budget 3.0 | Tax office gets R4bn", "Times LIVE", None),
    ],
)
def test_title_site_suffix(title_tag: str, site: str, expected: str | None) -> None:
    _, pm = _meta(
        f'<html><head><title>{title_tag}</title><meta property="og:site_name" content="{site}">'
        "</head><body><p>x</p></body></html>"
    )
    # a two-letter label of the host ("co" in .co.uk) is not the site's name
    assert ex.extract_title(pm, "www.example.co.uk") == (expected or title_tag)


def test_h1_inside_padded_title() -> None:
    _, pm = _meta(
        '<html><head><meta property="og:title" '
        'content="Politics: Parliament votes on budget today">'
        "</head><body><h1>Parliament votes on budget today</h1></body></html>"
    )
    assert ex.extract_title(pm, "example.org") == "Parliament votes on budget today"


def test_authors_meta_and_byline() -> None:
    hints, pm = _meta(
        '<html><head><meta name="author" content="By Jane Doe and John Roe"></head>'
        "<body></body></html>"
    )
    assert ex.extract_authors(hints, pm, "example.org") == ["Jane Doe", "John Roe"]
    hints, pm = _meta(
        '<html><body><span class="byline"><a href="/a">Sara Ahmadi</a></span></body></html>'
    )
    assert ex.extract_authors(hints, pm, "example.org") == ["Sara Ahmadi"]
    hints, pm = _meta(
        '<html><head><meta name="author" content="Example"></head><body></body></html>'
    )
    assert ex.extract_authors(hints, pm, "example.org") == []  # the site is not an author


def test_tag_block_with_heading() -> None:
    hints, pm = _meta(
        """<html><body><section class="box"><header><h2>سمات</h2></header>
        <ul><li><a href="/t/1">إيران</a></li><li><a href="/t/2">روسيا</a></li></ul>
        </section></body></html>"""
    )
    assert ex.extract_tags(hints, pm) == ["إيران", "روسيا"]


def test_section_from_breadcrumbs() -> None:
    hints, pm = _meta(
        '<html><body><ol class="breadcrumb"><li><a href="/">الرئيسية</a></li>'
        '<li><a href="/politics">السياسة</a></li></ol></body></html>'
    )
    crumbs = ex.extract_breadcrumbs(hints, pm, "عنوان")
    assert crumbs == ["السياسة"]  # the home link is left out
    assert ex.extract_section(pm, crumbs) == "السياسة"


def test_breadcrumbs_from_jsonld_in_position_order() -> None:
    hints, pm = _meta(
        """<html><head><script type="application/ld+json">
        {"@context":"https://schema.org","@type":"BreadcrumbList","itemListElement":[
         {"@type":"ListItem","position":3,"name":"تحلیل انتخابات مجلس"},
         {"@type":"ListItem","position":1,"name":"خانه","item":"https://example.ir/"},
         {"@type":"ListItem","position":2,"item":{"@id":"https://example.ir/siasi","name":"سیاسی"}}
        ]}</script></head><body><h1>تحلیل انتخابات مجلس</h1></body></html>"""
    )
    crumbs = ex.extract_breadcrumbs(hints, pm, "تحلیل انتخابات مجلس")
    assert crumbs == ["سیاسی"]  # home and the article's own title left out
    assert ex.extract_section(pm, crumbs) == "سیاسی"


def test_dom_breadcrumbs_keep_every_level_once() -> None:
    hints, pm = _meta(
        '<html><body><div class="breadcrumbs"><a href="/">Home</a> › '
        '<a href="/news">News</a> › <span><a href="/news/business">Business</a></span>'
        " › <span>Markets rally as inflation cools</span></div>"
        "<h1>Markets rally as inflation cools</h1></body></html>"
    )
    crumbs = ex.extract_breadcrumbs(hints, pm, "Markets rally as inflation cools")
    assert crumbs == ["News", "Business"]
    assert ex.extract_section(pm, crumbs) == "Business"


def test_article_section_wins_over_breadcrumbs() -> None:
    hints, pm = _meta(
        '<html><head><meta property="article:section" content="Sport"></head><body>'
        '<ul class="breadcrumb"><li><a href="/">Home</a></li><li><a href="/x">World</a></li>'
        "</ul></body></html>"
    )
    crumbs = ex.extract_breadcrumbs(hints, pm, None)
    assert crumbs == ["World"]
    assert ex.extract_section(pm, crumbs) == "Sport"


@pytest.mark.parametrize(
    ("text", "url", "expected"),
    [
        ("... /انتهى/ رمز الخبر 1942574 سمات", "https://ar.mehrnews.com/x", "1942574"),
        ("کد خبر ۶۰۶۲۹۱۸", "https://www.mehrnews.com/x", "6062918"),
        ("nothing", "https://www.mehrnews.com/news/6062918/slug", "6062918"),
        ("nothing", "https://example.org/news/20240319/slug", None),
        ("nothing", "https://example.org/about", None),
    ],
)
def test_external_id(text: str, url: str, expected: str | None) -> None:
    assert ex.extract_external_id(text, url) == expected


# ----------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        (
            "الرئيس الإيراني والروسي يؤكدان على اهمية توسيع العلاقات في المنطقة من أجل التعاون",
            None,
            "ar",
        ),
        ("رئیسی و پوتین بر گسترش روابط دوجانبه تأکید کردند و این همکاری را مهم دانست", None, "fa"),
        ("رئیسی و پوتین بر گسترش روابط دوجانبه تأکید کردند", "ar", "fa"),
        ("The president said that the talks were useful for both of the countries", None, "en"),
        ("Der Präsident sagte, die Gespräche seien nützlich gewesen", "de-DE", "de"),
        ("", "ar", "ar"),
    ],
)
def test_detect_language(text: str, hint: str | None, expected: str) -> None:
    assert detect_language(text, hint=hint) == expected


# ----------------------------------------------------------------------------- body


def _body(markup: str) -> list[str]:
    page = ex.analyze(ex.parse_tree(markup), "https://example.org/a", fresh()).page
    return ex.extract_body(page, ex.find_content_roots(page, fresh()), fresh())


LONG = (
    "وأفادت وكالة مهر للأنباء، أن الرئيسين بحثا العلاقات الثنائية "
    "والتعاون في القضايا الدولية والإقليمية. "
)


@pytest.mark.parametrize("marker", ["/انتهى/", "/ انتهى", "(END)", "پایان پیام", "انتهى/"])
def test_end_marker_cuts_the_rest(marker: str) -> None:
    paras = _body(
        f'<html><body><div class="item-text"><p>{LONG * 3}</p><p>{LONG * 2}</p>'
        f"<p>{marker}</p><p>ما بعد العلامة لا ينتمي إلى النص</p></div></body></html>"
    )
    assert len(paras) == 2
    assert all("ما بعد العلامة" not in p for p in paras)


def test_end_marker_at_paragraph_end() -> None:
    paras = _body(
        f'<html><body><div class="item-text"><p>{LONG * 3} /انتهى/</p>'
        "<p>after</p></div></body></html>"
    )
    assert paras == [(LONG * 3).strip()]


def test_boilerplate_removed_and_headings_kept() -> None:
    paras = _body(
        f"""<html><body><nav><a href="/">Home</a></nav>
        <div id="cookie-banner">We use cookies</div>
        <article><p>{LONG * 2}</p><h2>عنوان فرعي</h2><p>{LONG * 2}</p>
        <div class="share-bar"><a href="#">شارك</a></div>
        <ul class="related"><li><a href="/1">خبر آخر</a></li></ul>
        <form class="comment-form"><textarea></textarea>captcha</form></article>
        <footer>© 2024</footer></body></html>"""
    )
    assert paras == [(LONG * 2).strip(), "عنوان فرعي", (LONG * 2).strip()]


def test_br_separated_text_and_hidden_nodes() -> None:
    paras = _body(
        f'<html><body><div class="article-body">{LONG}<br><br>{LONG}x'
        '<p style="display:none">hidden text</p></div></body></html>'
    )
    assert len(paras) == 2 and "hidden text" not in " ".join(paras)


def test_deadline_raises_timeout() -> None:
    dl = ex.Deadline(0.0)
    import time

    time.sleep(0.001)
    with pytest.raises(PipelineError) as err:
        dl.check()
    assert err.value.kind == "timeout"


def test_inline_elements_keep_word_spacing() -> None:
    paras = _body(
        f'<html><body><div class="article-body"><p>{LONG}<b>bold</b> <i>italic</i>, '
        "<a href='/x'>link</a>. Spli<b>t</b> word.</p></div></body></html>"
    )
    assert paras[0].endswith("bold italic, link. Split word.")


def test_boilerplate_wrapper_of_article_container_is_kept() -> None:
    # "header" marks boilerplate, but the wrapper holds the known article container.
    paras = _body(
        f'<html><body><div class="article-header"><h1>Title</h1>'
        f'<div class="entry-content"><p>{LONG * 2}</p><p>{LONG * 2}</p></div></div>'
        f'<div class="sidebar"><p>{LONG * 5}</p></div></body></html>'
    )
    assert paras == [(LONG * 2).strip(), (LONG * 2).strip()]


def test_link_with_container_class_does_not_split_paragraph() -> None:
    paras = _body(
        '<html><body><div class="story-body"><p>The investigation was '
        '<a class="story-body__link" href="/x">re-opened earlier this year</a> after his '
        f"eviction.</p><p>{LONG * 3}</p></div></body></html>"
    )
    assert paras[0] == "The investigation was re-opened earlier this year after his eviction."


@pytest.mark.parametrize(
    ("cls", "ident", "boiler", "content"),
    [
        ("share_bar", "", True, False),
        ("related-news list", "", True, False),
        ("col-md-8 article-body", "", False, True),
        ("post-header-content", "", True, False),
        ("entry-content clearfix", "", False, True),
        ("", "comments", True, False),
        ("", "articlebody", False, True),
        ("leaderboard", "", False, False),
        ("item-text", "", False, True),
        # a teaser card's BEM modifier and a navigation label are not the article
        ("summary-item summary-item--text-align-left", "", False, False),
        ("mainnavigationitem-text", "", False, False),
        # the subscriber text sits in the paywall container
        ("pmc-paywall", "", False, False),
        ("d-flex article_details_prev_next", "", True, False),
        ("", "main_next_prev_container", True, False),
        ("article_details_time_to_read_bar", "", True, False),
    ],
)
def test_class_vocabulary(cls: str, ident: str, boiler: bool, content: bool) -> None:
    flags, levels = walk._classify(cls, ident)
    assert bool(flags & ex.F_BOILER) is boiler
    assert bool(levels) is content


def test_deep_nesting_is_refused_quickly() -> None:
    markup = "<html><body>" + "<div>" * 30_000 + "x" + "</div>" * 30_000 + "</body></html>"
    with pytest.raises(PipelineError) as err:
        ex.parse_tree(markup)
    assert err.value.kind == "too_complex"


def test_lead_skips_cookie_banner_and_template_leftovers() -> None:
    hints, pm = _meta(
        '<html><head><meta name="description" content="| Example News"></head><body>'
        '<div class="cookie-consent"><p class="summary">We use cookies to make your '
        "experience on this website better, accept them.</p></div>"
        "<article><h1>Headline</h1><p>Body text.</p></article></body></html>"
    )
    assert ex.extract_lead(hints, pm) == (None, None)
    hints, pm = _meta(
        '<html><body><article><p class="article-lead">The printed standfirst of the story, '
        "long enough to be a lead.</p><p>Body.</p></article></body></html>"
    )
    lead, printed = ex.extract_lead(hints, pm)
    assert lead == printed and lead is not None and lead.startswith("The printed standfirst")


@pytest.mark.parametrize(
    "line",
    [
        "Last updated 15 hours ago",
        "Retrieved 17 February 2008",
        "آخر تحديث: 12/3/2024",
        "به‌روزرسانی: ۲۹ اسفند ۱۴۰۲",
        "Aktualisiert am 3. Mai 2024",
    ],
)
def test_update_and_access_lines_are_never_the_publication_date(line: str) -> None:
    html = (
        "<html><body><article><h1>T</h1><div class='date'>" + line + "</div>"
        "<p>" + "Words of the article body. " * 30 + "</p></article></body></html>"
    )
    raw = raw_page(
        "https://x.example/a", now=datetime(2026, 1, 1, tzinfo=UTC), source="t", html=html
    )
    assert parse_page(raw)["published_at"] is None


def test_table_row_is_one_paragraph() -> None:
    rows = "".join(
        f"<tr><td>{i}</td><td>Driver {i}</td><td>1</td><td>0</td></tr>" for i in range(1, 4)
    )
    paras = _body(
        f'<html><body><div class="article-body"><p>{LONG * 2}</p>'
        f"<table><tr><th>Pos.</th><th>Driver</th><th>Wins</th><th>Poles</th></tr>{rows}"
        "</table></div></body></html>"
    )
    assert paras[1:] == [
        "Pos. Driver Wins Poles",
        "1 Driver 1 1 0",
        "2 Driver 2 1 0",
        "3 Driver 3 1 0",
    ]


def _ld_page(ld_body: str, dom_text: str) -> str:
    import json

    ld = json.dumps({"@type": "NewsArticle", "headline": "A headline", "articleBody": ld_body})
    return (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body>'
        f'<h1>A headline</h1><div class="article-body"><p>{dom_text}</p></div></body></html>'
    )


def test_jsonld_body_replaces_a_truncated_page_body() -> None:
    first = "The first paragraph is the only one the page shows, the rest is hidden. " * 3
    rest = "Every later paragraph is only in the structured data of the page. " * 4
    ld_body = f"{first}\n\n{rest}\n{rest}\n{rest}"
    raw = raw_page(
        "https://example.org/a/1",
        now=datetime(2026, 1, 1, tzinfo=UTC),
        source="t",
        html=_ld_page(ld_body, first),
    )
    body = parse_page(raw)["body"]
    assert body.split("\n\n") == [first.strip(), rest.strip(), rest.strip(), rest.strip()]


def test_jsonld_body_does_not_replace_a_full_page_body() -> None:
    text = "The page shows the whole article text, longer than its summary. " * 8
    raw = raw_page(
        "https://example.org/a/1",
        now=datetime(2026, 1, 1, tzinfo=UTC),
        source="t",
        html=_ld_page(text[:600], text),
    )
    assert parse_page(raw)["body"] == text.strip()


def test_jsonld_body_markup_is_read_as_paragraphs() -> None:
    pm = ex.PageMeta(ld_article={"articleBody": "<p>One &amp; two.</p><p>Three<br>four</p>"})
    assert ex.ld_body_paragraphs(pm) == ["One & two.", "Three", "four"]


def test_repeated_sections_stay_and_repeated_labels_go() -> None:
    section = "<h3>Pre-workout meal</h3><p>Eat every two or three hours</p>"
    paras = _body(
        f'<html><body><div class="article-body"><p>{LONG * 2}</p>{section}'
        f"<p>Advertisement</p><p>{LONG}</p>{section}<p>Advertisement</p>"
        f"<p>{LONG}</p><p>Lire aussi :</p></div></body></html>"
    )
    assert paras.count("Pre-workout meal") == 2
    assert paras.count("Eat every two or three hours") == 2
    assert "Advertisement" not in paras and "Lire aussi :" not in paras


def test_comment_guidelines_end_the_article() -> None:
    rules = (
        "ترحب شبكة CNN بالنقاش الحيوي والمفيد، وكي لا نضطر إلى مراجعة التعليقات قبل "
        "نشرها. ننصحك بمراجعة إرشادات الاستخدام للتعرف إليها جيداً."
    )
    paras = _body(
        f'<html><body><div class="article-body"><p>{LONG * 2}</p><p>{LONG * 2}</p>'
        f"<div><p>{rules}</p><p>الآراء الواردة أدناه لا تعبر عن رأي الموقع.</p></div>"
        "</div></body></html>"
    )
    assert paras == [(LONG * 2).strip(), (LONG * 2).strip()]


def test_article_about_privacy_policy_keeps_its_text() -> None:
    text = "The regulator said the new privacy policy breaks the law, officials said. "
    paras = _body(
        f'<html><body><div class="article-body"><p>{text * 3}</p><p>{text * 3}</p>'
        f"<p>{text * 2}</p></div></body></html>"
    )
    assert len(paras) == 3


# ----------------------------------------------------------------------------- speed paths


def test_tree_from_utf8_bytes_is_the_tree_from_text() -> None:
    markup = "<html><body><p class='lead'>Café «خبر» ۱۴۰۲ — done</p></body></html>"
    from_text = ex.parse_tree(markup)
    from_bytes = ex.parse_tree(markup, markup.encode("utf-8"))
    assert from_bytes.html == from_text.html


def test_hidden_and_roles_are_per_element_though_classes_are_cached() -> None:
    # Same (class, id) three times: the cached role applies to each, the hidden style,
    # itemprop and rel=author only to the element that carries them.
    markup = (
        "<html><body>"
        '<div class="byline">Visible Author</div>'
        '<div class="byline" style="display:none">Hidden Author</div>'
        '<div class="byline" rel="author" itemprop="author">Third</div>'
        "</body></html>"
    )
    for _ in range(2):  # the second pass reads the cache filled by the first
        tree = ex.parse_tree(markup)
        nodes = tree.css("div")
        hints = ex.classify_nodes(tree, tree.body.text() if tree.body else "", fresh())
        flags = [hints.classes[n.mem_id][0] for n in nodes]
        assert all(f & ex.F_BYLINE for f in flags)
        assert [bool(f & ex.F_HIDDEN) for f in flags] == [False, True, False]
        assert [bool(f & ex.F_AUTHOR) for f in flags] == [False, False, True]


def test_walk_blocks_spaces_and_link_characters() -> None:
    markup = (
        "<html><body><div><p><b>one</b><i>two</i> three <a href='/x'>link text</a></p>"
        "<ul><li>first item</li><li>second<br>line</li></ul><script>var x;</script>"
        "<h2>Heading</h2>tail text</div></body></html>"
    )
    page = ex.analyze(ex.parse_tree(markup), "https://example.org/a", fresh()).page
    assert page.texts == [
        "one two three link text",
        "first item",
        "second",
        "line",
        "Heading",
        "tail text",
    ]
    assert page.tags == ["p", "li", "li", "li", "h2", "p"]
    assert page.links == [len("link text"), 0, 0, 0, 0, 0]
    assert [b.tag for b in page.boxes] == ["body", "div", "p", "ul", "li", "li", "h2"]
    ul = page.boxes[3]
    assert (ul.start, ul.end) == (1, 4)


def test_images_deduplicated_and_capped() -> None:
    imgs = "".join(f'<img src="/i/{i % 30}.jpg">' for i in range(60))
    markup = f"<html><body><article>{imgs}</article></body></html>"
    tree = ex.parse_tree(markup)
    pm = ex.read_meta(tree, "https://example.org/a", fresh())
    out = ex.extract_images(pm, tree.body, "https://example.org/a")
    assert out == [f"https://example.org/i/{i}.jpg" for i in range(20)]


def test_meta_query_keeps_its_attribute_rules() -> None:
    markup = (
        "<html><head><base><base href='/sub/'><link rel='canonical'>"
        "<link rel='canonical' href='/right'><meta name='description'>"
        "<meta name='description' content='The description'></head><body></body></html>"
    )
    pm = ex.read_meta(ex.parse_tree(markup), "https://example.org/a/b", fresh())
    assert pm.base_url == "https://example.org/sub/"
    assert pm.canonical == "/right"
    assert pm.first(("description",)) == "The description"
