"""Pure cleaning helpers, table-driven."""

from __future__ import annotations

import pytest

from pipelines.core.sanitize import is_tracking_pixel, safe_url
from pipelines.extraction.clean import (
    clean_authors,
    is_cut_title,
    normalize_space,
    slug_title,
    split_authors,
    strip_see_more,
    strip_title_suffix,
    strip_tracking,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  a \n\t b  ", "a b"),
        ("zero\u200bwidth", "zerowidth"),
        ("", ""),
        (None, ""),
        ("\xa0x\xa0", "x"),
    ],
)
def test_normalize_space(raw, expected):
    assert normalize_space(raw) == expected


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Big News Today | Daily Buzz", "Daily Buzz", "Big News Today"),
        ("Big News Today - Daily Buzz", "Daily Buzz", "Big News Today"),
        ("Daily Buzz | Big News Today", "Daily Buzz", "Big News Today"),
        ("Big News Today – The Courier", None, "Big News Today"),
        ("Left - right", None, "Left - right"),
        ("No separator here", "Daily Buzz", "No separator here"),
        ("Butter – Page 2", "Daily Buzz", "Butter"),
        ("How to Bake – Page 3 – The Kitchen Ledger", "The Kitchen Ledger", "How to Bake"),
        ("Guide (Page 2 of 3) | Daily Buzz", "Daily Buzz", "Guide"),
        ("Page 2", None, "Page 2"),
        ("Front Page News Today", None, "Front Page News Today"),
    ],
)
def test_strip_title_suffix(title, site, expected):
    assert strip_title_suffix(title, site) == expected


@pytest.mark.parametrize(
    ("text", "cut", "stripped"),
    [
        ("Trump Deploys U.S. Marines to…See More", True, "Trump Deploys U.S. Marines to"),
        (
            "These Are The First Symptoms Of Cr...See More",
            True,
            "These Are The First Symptoms Of Cr",
        ),
        (
            "New crosswalks planned near Harbor School after...",
            True,
            "New crosswalks planned near Harbor School after",
        ),
        ("A whole title", False, "A whole title"),
    ],
)
def test_cut_titles(text, cut, stripped):
    assert is_cut_title(text) is cut
    assert strip_see_more(text) == stripped


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://x.test/trump-deploys-marines/", "Trump Deploys Marines"),
        ("http://x.test/news/2024/05/big-story.html", "Big Story"),
        ("http://x.test/story-title-1234567", "Story Title"),
        ("http://x.test/", ""),
        ("http://x.test/12345/", ""),
    ],
)
def test_slug_title(url, expected):
    assert slug_title(url) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Ann Lee and Bo Park", ["Ann Lee", "Bo Park"]),
        ("by Ann Lee, Bo Park & Cy Diaz", ["Ann Lee", "Bo Park", "Cy Diaz"]),
        ("Written by Ann Lee", ["Ann Lee"]),
        ("Von Jürgen Weiß", ["Jürgen Weiß"]),
        ("Par Anne Roux", ["Anne Roux"]),
        ("", []),
    ],
)
def test_split_authors(raw, expected):
    assert split_authors(raw) == expected


@pytest.mark.parametrize(
    ("names", "site", "expected"),
    [
        (["Ann Lee", "ann lee", "By Ann Lee"], None, ["Ann Lee"]),
        (["Ann Lee", "Daily Buzz"], "Daily Buzz", ["Ann Lee"]),
        (["https://x.test/author/ann", "Ann Lee"], None, ["Ann Lee"]),
        (["admin", "Staff"], None, []),
        (["Ann Lee, Senior Reporter"], None, ["Ann Lee"]),
        (["Amy Kuperinsky | NJ Advance Media for NJ.com"], None, ["Amy Kuperinsky"]),
        (["STEVE PEOPLES, AP National Political Writer"], None, ["Steve Peoples"]),
        (["Troy L. Smith, Cleveland.com"], None, ["Troy L. Smith"]),
        (["Dr. Karen Ellis", "Mary-Jane Watson"], None, ["Dr. Karen Ellis", "Mary-Jane Watson"]),
        ([")", "Jeff Foust Monday", "Posted 3 hours ago"], None, []),
    ],
)
def test_clean_authors(names, site, expected):
    assert clean_authors(names, site) == expected


@pytest.mark.parametrize(
    ("src", "width", "height", "pixel"),
    [
        ("/img/photo.jpg", "800", "600", False),
        ("/stats/pixel.gif?x=1", None, None, True),
        ("/img/a.png", "1", "1", True),
        ("data:image/gif;base64,R0lGOD", None, None, True),
        ("", None, None, True),
    ],
)
def test_is_tracking_pixel(src, width, height, pixel):
    assert is_tracking_pixel(src, width, height) is pixel


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.test/a.jpg", "https://x.test/a.jpg"),
        ("/a.jpg", "/a.jpg"),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        (None, None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x/", "https://a.example/x/"),
        ("https://a.example/x/?utm_source=fb&utm_medium=social", "https://a.example/x/"),
        ("https://a.example/x/?ref=related", "https://a.example/x/"),
        ("https://a.example/x/amp/?amp=1", "https://a.example/x/amp/"),
        ("https://a.example/x/?relatedposts_hit=1&relatedposts_origin=7", "https://a.example/x/"),
        ("https://a.example/x/?p=42&fbclid=IwAR0&b=2", "https://a.example/x/?p=42&b=2"),
        ("https://a.example/x/?b=2&a=1", "https://a.example/x/?b=2&a=1"),  # order kept
        (None, None),
        ("", ""),
    ],
)
def test_strip_tracking_uses_the_crawlers_one_list(url: str | None, expected: str | None) -> None:
    assert strip_tracking(url) == expected
