# ruff: noqa: E501 - pinned texts are whole paragraphs
"""Extraction of the seed page: a WordPress viral-site theme built around the project's seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.extraction import extract
from pipelines.extraction.parse import parse_html
from pipelines.extraction.related import find_next_page, find_related

PAGES = Path(__file__).parent / "fixtures" / "pages"
URL = "http://127.0.0.1:8123/prison-scandal-female-officers-busted-in-secret-inmate-romances/"
BASE = "http://127.0.0.1:8123"

SUBHEADS = [
    "Breaking the Code: Relationships Behind Bars",
    "A Pattern of Misconduct",
    "What Drives These Actions?",
    "Consequences and Accountability",
    "Reforms and Preventive Measures",
]
CONSEQUENCES = [
    "Criminal charges (including sexual assault if the inmate cannot legally consent)",
    "Termination and loss of pensions",
    "Public shame and damaged reputations",
    "Civil lawsuits from victims or the state",
]
RELATED = [
    (
        "/middle-schooler-suspended-when-principal-sees-his-veterans-memorial/",
        "Middle Schooler Suspended When Principal Sees His Veterans Memorial",
        "Middle Schooler Suspended When Principal Sees His Veterans Memorial",
        "When an Ohio student arrived at middle school with his history project, the office "
        "immediately called him in. As soon as the principal took one look at…",
    ),
    (
        "/japan-on-edge-scientists-warn-82-chance-of-megaquake-that-could-kill-300000/",
        "Japan On Edge: Scientists Warn 82% Chance Of Megaquake That Could Kill 300,000",
        "Japan On Edge: Scientists Warn 82% Chance Of Megaquake That Could Kill 300,000",
        "In order to lower the estimated death toll of up to 300,000 people, the Japanese "
        "government stated that much more work needs to be done in preparation…",
    ),
    (
        "/trump-deploys-us-marines-to-florida-to-assist-ice/",
        "Trump Deploys U.S. Marines to Florida to Assist ICE",
        "Trump Deploys U.S. Marines to…See More",
        "The U.S. military has confirmed a controversial new deployment: 200 U.S. Marines are "
        "being sent to Florida to assist Immigration and Customs Enforcement (ICE) with "
        "logistical and…",
    ),
    (
        "/these-are-the-first-symptoms-of-cr/",
        "These Are The First Symptoms Of Creeping Insulin Resistance",
        "These Are The First Symptoms Of Cr…See More",
        "Have You Noticed Dark, Velvety Skin Patches? Don’t Ignore This Warning Sign Have you "
        "or someone you know noticed dark, velvety patches of skin on the back…",
    ),
    (
        "/i-found-butter-on-the-counter-and-it-melted-more-than-i-expected/",
        "I FOUND BUTTER ON THE COUNTER—AND IT MELTED MORE THAN I EXPECTED",
        "I FOUND BUTTER ON THE COUNTER—AND IT MELTED MORE THAN I EXPECTED",
        "What starts as a small quarrel about butter—softening on a floral dish beside the "
        "toaster—can sometimes melt into something far deeper. And in my case, it did….",
    ),
    (
        "/three-sisters-passed-away-after-visiting-their-father/",
        "Three sisters passed away after visiting their father, details of the case are exposed",
        "Three sisters passed away after visiting their father, details of the case are exposed",
        "Three young sisters who were found dead near a Washington campground after they left "
        "home for a “planned visitation” with their father died from suffocation, authorities "
        "said…",
    ),
]
#: Page chrome around the article; none of it may reach the body.
NOT_IN_BODY = [
    "Share this",
    "Share on Facebook",
    "Tweet",
    "Advertisement",
    "About Jenna Morales",
    "rescue dogs",
    "Who is supervising the supervisors",
    "training is a joke",
    "Leave a Reply",
    "We use cookies",
    "Related Posts",
    "See More",
    "Trending Now",
    "Dog Saves Family From Fire",
    "daily newsletter",
    "All rights reserved",
    "Cat Refuses To Leave Hospital Bed",
    "Skip to content",
    "Contact Us",
    "Tagged",
]

EXPECTED_BLOCKS = [
    (
        "paragraph",
        None,
        "When we think of prison, we imagine tight security, clear boundaries, and firm control. But even in the most controlled environments, human emotions can twist the rules—and sometimes, completely shatter them.",
    ),
    (
        "paragraph",
        None,
        "Over the past few years, a wave of scandals involving female correctional officers and prison inmates has shocked the public and raised serious questions about the dynamics inside correctional facilities. These are not just stories of misconduct—they are tales of blurred lines, power struggles, forbidden romance, and betrayal of public trust.",
    ),
    ("heading", 2, "Breaking the Code: Relationships Behind Bars"),
    (
        "paragraph",
        None,
        "In one high-profile case, a 28-year-old corrections officer at a maximum-security prison in California was arrested after it was discovered she had been engaging in a sexual relationship with a convicted gang member. Investigators say the officer not only had physical encounters with the inmate inside the prison but also allegedly smuggled in a cellphone so they could stay in contact outside of their meetings.",
    ),
    (
        "paragraph",
        None,
        "According to court documents, surveillance footage and intercepted text messages provided undeniable evidence of their secret relationship. The officer later admitted to falling in love and claimed she was manipulated by the inmate’s “charm” and emotional tactics.",
    ),
    ("paragraph", None, "But this is just one of many similar cases."),
    ("heading", 2, "A Pattern of Misconduct"),
    (
        "paragraph",
        None,
        "Across the United States, there have been multiple incidents involving female officers caught up in inappropriate relationships with inmates—ranging from consensual affairs to bribery, smuggling contraband, and in some cases, full-blown escape attempts.",
    ),
    (
        "paragraph",
        None,
        "In another shocking event, a female officer from New York helped an inmate escape by smuggling tools hidden in frozen meat. The case inspired the 2018 Showtime series Escape at Dannemora, which dramatized the real-life scandal that captivated the nation.",
    ),
    ("heading", 2, "What Drives These Actions?"),
    (
        "paragraph",
        None,
        "Experts say the environment within prisons can be a pressure cooker for emotional vulnerability. Inmates, especially those serving long sentences, may develop deep psychological bonds with guards—sometimes referred to as “emotional grooming.” For some officers, long shifts, isolation, and emotional stress can lead to poor judgment and blurred professional boundaries.",
    ),
    (
        "quote",
        None,
        "“It’s a power dynamic that’s often misunderstood,” says Dr. Karen Ellis, a criminal psychologist. “In some cases, inmates exploit officers’ emotional weaknesses. In others, officers themselves cross lines due to loneliness, thrill-seeking, or genuine emotional connection. But none of these justify such actions in a law enforcement setting.”",
    ),
    ("heading", 3, "Consequences and Accountability"),
    (
        "paragraph",
        None,
        "While some of these relationships may seem like “harmless affairs” on the surface, the consequences are severe. Officers involved in misconduct often face:",
    ),
    (
        "list_item",
        1,
        "Criminal charges (including sexual assault if the inmate cannot legally consent)",
    ),
    ("list_item", 1, "Termination and loss of pensions"),
    ("list_item", 1, "Public shame and damaged reputations"),
    ("list_item", 1, "Civil lawsuits from victims or the state"),
    (
        "paragraph",
        None,
        "Inmates involved also face disciplinary action—often including solitary confinement, revoked privileges, and delayed parole.",
    ),
    ("heading", 2, "Reforms and Preventive Measures"),
    (
        "paragraph",
        None,
        "Many prison systems are now enforcing stricter training, mental health support, and surveillance protocols to prevent these incidents. Female officers—who make up a growing percentage of correctional staff—often request better support systems and more structured emotional safety training to deal with the high-pressure environment.",
    ),
    (
        "paragraph",
        None,
        "Yet, with every new case, the public is left wondering: How much goes unnoticed? And what will it take to restore full integrity behind prison walls?",
    ),
    (
        "paragraph",
        None,
        "These stories are more than salacious headlines—they are warning signs of cracks in the system. They reveal the very human struggles of people in high-stakes environments, and they challenge us to rethink how we train, support, and monitor the individuals entrusted with authority.",
    ),
    (
        "paragraph",
        None,
        "The badge comes with responsibility. And when that trust is broken—even behind locked doors—the ripple effect can reach far beyond the bars.",
    ),
]


@pytest.fixture(scope="module")
def article():
    return extract((PAGES / "seed_viral.html").read_bytes(), URL, fetched_at="2025-06-13T00:00:00Z")


def test_exact_block_list(article):
    assert [(b.kind, b.level, b.text) for b in article.blocks] == EXPECTED_BLOCKS


def test_five_subheads_are_heading_blocks(article):
    headings = [b.text for b in article.blocks if b.kind == "heading"]
    assert headings == SUBHEADS
    assert all(b.level in (2, 3) for b in article.blocks if b.kind == "heading")


def test_four_consequences_are_list_items(article):
    assert [b.text for b in article.blocks if b.kind == "list_item"] == CONSEQUENCES


def test_ellis_quote_is_a_quote_or_paragraph(article):
    hits = [b for b in article.blocks if "Dr. Karen Ellis" in b.text]
    assert len(hits) == 1
    assert hits[0].kind in ("quote", "paragraph")
    assert hits[0].text.startswith("“It’s a power dynamic")
    assert hits[0].text.endswith("in a law enforcement setting.”")


def test_body_text_is_blocks_joined(article):
    assert article.body_text == "\n\n".join(b.text for b in article.blocks)
    assert article.body_text.startswith("When we think of prison")
    assert article.body_text.endswith("can reach far beyond the bars.")
    assert "Escape at Dannemora" in article.body_text


@pytest.mark.parametrize("fragment", NOT_IN_BODY)
def test_page_chrome_stays_out_of_body(article, fragment):
    assert fragment not in article.body_text
    assert fragment not in article.body_html


@pytest.mark.parametrize("index", range(6))
def test_no_related_title_or_teaser_in_body(article, index):
    _, title, anchor, teaser = RELATED[index]
    for text in (title, anchor, teaser):
        assert text not in article.body_text


def test_six_related_links_in_order_with_teasers_and_full_titles(article):
    got = [(r.url, r.title, r.anchor_text, r.teaser) for r in article.related]
    assert got == [(BASE + path, title, anchor, teaser) for path, title, anchor, teaser in RELATED]
    assert all(
        r.image_url and r.image_url.startswith(BASE + "/wp-content/") for r in article.related
    )


def test_menus_comments_share_and_sidebar_are_not_related(article):
    urls = {r.url for r in article.related}
    for path in (
        "/category/news/",
        "/dog-saves-family-from-fire/",
        "/woman-finds-ring-in-garden/",
        "/cat-refuses-to-leave-hospital-bed/",
        "/tag/prison/",
        "/privacy-policy/",
    ):
        assert BASE + path not in urls
    assert not any("share=" in u or "replytocom" in u for u in urls)


def test_metadata(article):
    assert article.title == "Prison Scandal: Female Officers Busted in Secret Inmate Romances…"
    assert article.authors == ["Jenna Morales"]
    assert article.site == "127.0.0.1:8123"
    assert article.canonical_url == URL
    assert article.site_name == "Daily Buzz Stories"
    assert article.language == "en-US"
    assert article.section == "News"
    assert article.tags == ["prison", "scandal"]
    assert article.published_at == "2025-06-12T09:41:07Z"
    assert article.published_raw == "2025-06-12T09:41:07+00:00"
    assert article.modified_at == "2025-06-12T10:02:55Z"
    assert article.image_url == BASE + "/wp-content/uploads/2025/06/prison-officers.jpg"
    assert article.next_page_url is None
    assert article.field_sources["title"] == "h1"  # the visible headline (issue 16)
    assert article.field_sources["published_at"] == "jsonld"
    assert article.field_sources["authors"] == "jsonld"
    assert article.warnings == []


def test_body_html_is_sanitised(article):
    html = article.body_html
    assert "<h2>Breaking the Code: Relationships Behind Bars</h2>" in html
    assert "<li>Termination and loss of pensions</li>" in html
    assert "<blockquote>" in html
    for bad in ("<script", "<style", "<iframe", "onclick", "pixel.gif", "adsbygoogle"):
        assert bad not in html


def test_find_related_and_next_page_on_an_uncleaned_tree():
    from lxml import etree

    root, _ = parse_html((PAGES / "seed_viral.html").read_text(encoding="utf-8"))
    before = etree.tostring(root)
    related = find_related(root, URL)
    assert [r.url for r in related] == [BASE + path for path, *_ in RELATED]
    assert find_next_page(root, URL) is None  # the post navigation's rel=next is another post
    assert etree.tostring(root) == before
