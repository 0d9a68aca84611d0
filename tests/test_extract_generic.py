# ruff: noqa: E501 - HTML snippets read best on one line
"""Bodies from structure every site shares (issue 15): sibling sections, chrome tags that
swallow the page, the density fallback, bold-only subheads. Pages written for this test."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.extraction import extract

PAGES = Path(__file__).parent / "fixtures" / "pages"


def _page(name: str, url: str = "https://www.example.test/story/"):
    return extract((PAGES / f"{name}.html").read_bytes(), url)


def _html(body: str) -> bytes:
    return f"<html><head><title>T</title></head><body>{body}</body></html>".encode()


# --- Dotdash Meredith (mntl-sc-block): a menu button left open swallows the page --------


@pytest.fixture(scope="module")
def dotdash():
    return _page("dotdash_mntl", "https://www.gardenhowto.test/grow-tomatoes-in-pots-5093342")


def test_dotdash_body_survives_the_unclosed_menu_button(dotdash):
    kinds = [(b.kind, b.text) for b in dotdash.blocks]
    assert kinds[0][1].startswith("Tomatoes grow well in containers")
    assert ("heading", "Choosing a Container") in kinds
    assert ("heading", "Watering and Feeding") in kinds
    assert ("list_item", "Fabric grow bags prune roots with air and store flat.") in kinds
    assert kinds[-1][1].startswith("Uneven watering causes blossom end rot")
    assert dotdash.field_sources["body"] == "selector"
    assert not [w for w in dotdash.warnings if w.startswith("body")]


@pytest.mark.parametrize(
    "chrome",
    [
        "Menu",
        "Vegetables",
        "Grow Something Good",
        "Read Next",
        "Peppers in Pots",
        "All rights reserved",
        "Rosa Delgado",
    ],
)
def test_dotdash_chrome_stays_out(dotdash, chrome):
    assert chrome not in dotdash.body_text


# --- a guide written as one wrapper per section ------------------------------------------


@pytest.fixture(scope="module")
def guide():
    return _page("sections_guide", "https://www.greenyard.test/guides/composting/")


def test_every_section_of_a_guide_is_kept(guide):
    headings = [(b.level, b.text) for b in guide.blocks if b.kind == "heading"]
    assert headings == [
        (2, "What composting is"),
        (2, "Choosing a bin"),
        (2, "Getting the mix right"),
        (3, "Signs of trouble"),
    ]
    assert guide.blocks[-1].text.startswith("Aim for roughly equal volumes")
    assert "Plastic dalek 330 litres Small gardens" in guide.body_text  # the table, as text
    assert [b.text for b in guide.blocks if b.kind == "list_item"] == [
        "A bad smell means too many greens; add torn cardboard.",
        "A dry, slow heap needs water and a few greens.",
    ]


@pytest.mark.parametrize(
    "chrome",
    [
        "What composting is\n\nWhat",
        "Choosing a bin\n\nGetting",
        "Popular guides",
        "Worm farms",
        "You might also like",
        "Bokashi",
        "Orchard Lane",
        "Shop",
    ],
)
def test_guide_leaves_toc_sidebar_related_and_footer_out(guide, chrome):
    assert chrome not in guide.body_text


# --- the density fallback ------------------------------------------------------------------


def test_text_in_divs_with_br_is_found_by_the_density_fallback():
    article = _page("div_text", "https://www.riversideweekly.test/news/old-mill-bridge/")
    text = article.body_text
    assert text.startswith("The Old Mill Bridge will close to all traffic on 3 March")
    assert "temporary footbridge" in text and "four miles through Hatton" in text
    assert text.endswith("said the county's head of highways, Joan Pryce.")
    for chrome in ("Riverside Weekly", "More news", "School roof", "Privacy", "Local"):
        assert chrome not in text
    assert article.field_sources["body"] == "density"
    assert any("density fallback used" in w for w in article.warnings)


def test_a_caption_picked_for_want_of_paragraphs_gives_way_to_the_density_winner():
    story = "".join(
        f"Sentence {i} of the story, which runs on for a while, with commas, like prose does.<br><br>"
        for i in range(30)
    )
    html = _html(
        '<div class="hero"><p>A short caption under the hero image, forty chars.</p></div>'
        f'<div class="story">{story}</div>'
    )
    article = extract(html, "https://www.example.test/a/")
    assert "Sentence 0 of the story" in article.body_text
    assert "Sentence 29 of the story" in article.body_text
    assert article.field_sources["body"] == "density"
    assert any(
        w.startswith("body: ") and "by the scored method; density fallback used" in w
        for w in article.warnings
    )


def test_a_page_without_article_text_keeps_an_empty_body_and_a_warning():
    html = _html(
        '<div class="menu"><a href="/a">Home</a> <a href="/b">World</a> <a href="/c">Sport</a></div>'
        "<h1>Sign in</h1><form><input name=q></form>"
    )
    article = extract(html, "https://www.example.test/login")
    assert article.body_text == ""
    assert "body: no text blocks found" in article.warnings
    assert "body" not in article.field_sources


def test_the_primary_method_is_named_and_silent_when_it_finds_the_body():
    para = "<p>A paragraph of the article, long enough to count, with a comma or two, and more.</p>"
    article = extract(_html(f'<div class="entry-content">{para * 6}</div>'), "https://x.test/a")
    assert article.field_sources["body"] == "selector"
    assert not [w for w in article.warnings if w.startswith("body")]
    article = extract(_html(f'<div class="zz">{para * 6}</div>'), "https://x.test/a")
    assert article.field_sources["body"] == "scored"


# --- chrome classes that are not chrome ---------------------------------------------------


@pytest.mark.parametrize(
    ("wrapper", "kept"),
    [
        ('<div class="sidebar-layout"><div class="sidebar-content">{}</div></div>', True),
        ('<div class="content-sidebar-wrap"><main class="content">{}</main></div>', True),
        (
            '<div class="entry-content"><div class="so-panel widget widget_text">{}</div></div>',
            True,
        ),
        (
            '<div class="entry-content"><p>Lead paragraph of the piece, as it opens.</p><div class="comments">{}</div></div>',
            False,
        ),
    ],
)
def test_layout_and_widget_classes_around_prose(wrapper, kept):
    prose = "".join(
        f"<p>Paragraph {i} of the article body, with commas, clauses, and enough words to be prose.</p>"
        for i in range(8)
    )
    body = extract(_html(wrapper.format(prose)), "https://x.test/a").body_text
    assert ("Paragraph 7 of the article body" in body) is kept


def test_a_comment_thread_is_not_taken_for_the_body():
    story = "<div class='p'>" + "The story itself, told in one long run of text. " * 20 + "</div>"
    comment = "<p>" + "A reader's long comment, with opinions, asides, and more. " * 8 + "</p>"
    thread = "".join(
        f'<li class="comment"><div class="commentBody">{comment}</div></li>' for _ in range(5)
    )
    article = extract(
        _html(f'<article class="story">{story}</article><ul class="comments">{thread}</ul>'),
        "https://x.test/a",
    )
    assert "The story itself" in article.body_text
    assert "A reader's long comment" not in article.body_text


# --- bold-only paragraphs -------------------------------------------------------------------

P = "<p>An ordinary paragraph of the article, number {}, with a full sentence in it.</p>"


@pytest.mark.parametrize(
    ("html", "kind"),
    [
        ("<p><strong>What Drives These Actions?</strong></p>{P}", "heading"),
        ("<p><b>A Pattern of Misconduct</b></p>{P}", "heading"),
        ("<p><strong>Step two: let it rest.</strong></p><ul><li>one</li></ul>", "heading"),
        ("<p><strong>Bold lead</strong> and then plain text of the paragraph.</p>{P}", "paragraph"),
        ("<p><strong>Note.</strong></p><p><strong>Another bold line.</strong></p>{P}", "paragraph"),
        ("<p><strong>Thanks for reading, and see you next week.</strong></p>", "paragraph"),
    ],
)
def test_bold_only_paragraph_heads_a_section_when_it_stands_alone(html, kind):
    lead = "".join(P.format(i) for i in range(4))
    page = f'<div class="entry-content">{lead}{html.format(P=P.format(9))}</div>'
    blocks = extract(_html(page), "https://x.test/a").blocks
    bold = [
        b
        for b in blocks
        if b.text.startswith(("What", "A Pattern", "Step", "Bold", "Note", "Thanks"))
    ]
    assert bold and {b.kind for b in bold} == {kind}
