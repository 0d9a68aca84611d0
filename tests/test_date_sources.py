"""Which date a page gets when its sources disagree (issue 16): the labels beside the
headline, a day/month order settled by a structured date, htmldate's modified-date guess."""

from __future__ import annotations

import pytest

from pipelines.extraction.dates import (
    find_dates,
    header_dates,
    parse_date,
    same_day,
    shown_on_page,
    swapped,
)
from pipelines.extraction.parse import parse_html
from pipelines.extraction.zones import Zone, header_zone

FETCHED = "2026-03-20T12:00:00Z"


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        # "Updated on" / "Last updated on" are updated dates, not unlabelled ones
        ("By Jane Roe • Last updated on March 12, 2026 • 36 comments", [("updated", "2026-03-12")]),
        ("By Mirel Zaman • Updated on June 18, 2025 at 12:35 PM", [("updated", "2025-06-18")]),
        ("Last Updated on • April 8, 2024 • by Amanda Brooks", [("updated", "2024-04-08")]),
        # the nearest label wins: the reviewer's name comes before an "Updated" date
        (
            "By Shelby Loos, DVM . Reviewed by • Molly Price, DVM • Updated Feb. 27, 2025",
            [("updated", "2025-02-27")],
        ),
        ("Medically reviewed by Ann Lee, MD on May 1, 2025", [("reviewed", "2025-05-01")]),
        ("Published: 2025.12.17 | programming", [("published", "2025-12-17")]),
        ("Essay • 2019 • 5 min read", []),
    ],
)
def test_header_labels(text, labels):
    got = [(label, parsed.date) for label, parsed in header_dates(text, FETCHED)]
    assert got == labels


@pytest.mark.parametrize(
    ("raw", "other"),
    [
        ("09.10.2024", "2024-09-10"),  # read day first: 9 October; or September 10
        ("03/10/2023", "2023-10-03"),
        ("13/10/2023", "2023-10-13"),  # only one reading
        ("2024-09-10", "2024-09-10"),
        ("Oct 3, 2025", "2025-10-03"),
    ],
)
def test_the_other_reading_of_a_numeric_date(raw, other):
    parsed = parse_date(raw)
    assert parsed is not None
    assert swapped(parsed).value == other


def _dates(html: str, url: str = "https://example.com/guides/a-page", notes=None):
    root, _ = parse_html(html)
    assert root is not None
    metas: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        key = el.get("property") or el.get("name")
        if key and el.get("content"):
            metas.setdefault(key.lower(), []).append(el.get("content"))
    zone = header_zone(root)
    return find_dates(root, metas, None, url, FETCHED, zone=zone, warnings=notes)


def test_a_structured_date_settles_the_day_month_order_of_the_dateline():
    html = (
        '<html><head><meta property="article:published_time" content="2024-09-10T16:07:00Z">'
        "</head><body><h1>Understanding renovation phases and timelines</h1>"
        "<p>By Block Renovation • 09.10.2024</p><p>Body text.</p></body></html>"
    )
    found = _dates(html)
    assert found["published"].date.value == "2024-09-10T16:07:00Z"
    assert found["published"].source == "meta"
    assert found["published"].date.value[:10] != "2024-10-09"


def test_htmldate_guessing_only_the_modified_date_dates_nothing():
    html = (
        '<html><head><meta property="article:modified_time" content="2024-12-05T16:35:49Z">'
        "</head><body><h1>History of coffee</h1><p>The history of coffee is a bit of a "
        "delicious mystery.</p></body></html>"
    )
    notes: list[str] = []
    found = _dates(html, notes=notes)
    assert "published" not in found
    assert found["modified"].date.value == "2024-12-05T16:35:49Z"
    assert any("modified date" in note for note in notes)


def test_a_page_that_shows_only_its_updated_date_is_dated_by_it():
    html = (
        "<html><body><h1>The best gaming laptops under $1,000</h1>"
        "<p>Products are chosen independently by our editors.</p>"
        '<div class="post-date">Updated March 13, 2024</div><p>Body text.</p></body></html>'
    )
    found = _dates(html)
    assert found["published"].date.value == "2024-03-13"


def test_a_bare_year_in_a_dateline_is_not_a_date():
    found = find_dates(
        parse_html('<html><body><span class="date">2019</span></body></html>')[0],
        {},
        None,
        "https://example.com/blog/kitchen-trends",
        FETCHED,
        zone=Zone(before="", headline="Kitchen trends", after="2019"),
    )
    got = found.get("published")
    assert got is None or got.date.value != "2019-01-01"


def test_the_same_day_in_the_pages_zone_or_in_utc():
    local = parse_date("2025-05-14T22:30:03-04:00")
    assert local is not None
    assert local.value == "2025-05-15T02:30:03Z"
    for other in ("2025-05-14", "2025-05-15"):
        day = parse_date(other)
        assert day is not None
        assert same_day(local, day)
    day = parse_date("2025-05-16")
    assert day is not None
    assert not same_day(local, day)


@pytest.mark.parametrize(
    ("dateline", "expected", "source"),
    [
        # an "Updated" dateline displaces the structured published date only where
        # htmldate sides with it (here htmldate reads the 2022 meta date: it does not)
        ("Ryan Carrigan • Last Updated: Dec 17, 2025 • 5 min read", "2025-12-01", "jsonld"),
        # an unlabelled one wins unless htmldate sides with the structured date
        ("Ryan Carrigan • Dec 17, 2025 • 5 min read", "2025-12-17", "text"),
    ],
)
def test_an_updated_dateline_needs_htmldate_to_displace_a_structured_date(
    dateline, expected, source
):
    html = (
        '<html><head><meta property="article:published_time" content="2022-05-26T15:20:28Z">'
        f"</head><body><h1>Best movers in New York</h1><p>{dateline}</p>"
        "<p>Body text.</p></body></html>"
    )
    root, _ = parse_html(html)
    found = find_dates(
        root,
        {"article:published_time": ["2022-05-26T15:20:28Z"]},
        {"@type": "Article", "datePublished": "2025-12-01"},
        "https://example.com/movers/ny/",
        FETCHED,
        zone=header_zone(root),
    )
    assert (found["published"].date.value, found["published"].source) == (expected, source)
    assert found["published"].date.value[:4] != "2022"


@pytest.mark.parametrize(
    ("article", "expected"),
    [
        ({"@type": "NewsArticle", "datePublished": "2024-05-01T10:00:00Z"}, "2024-05-01T10:00:00Z"),
        # the Article nested in a WebPage as its main entity
        (
            {
                "@type": "WebPage",
                "mainEntity": {"@type": "Article", "datePublished": "2024-05-01T10:00:00Z"},
            },
            "2024-05-01T10:00:00Z",
        ),
        ({"@type": "BlogPosting", "datePublished": ["2024-05-01"]}, "2024-05-01"),
        ({"@type": "BlogPosting", "datePublished": {"@value": "2024-05-01"}}, "2024-05-01"),
        ({"@type": "BlogPosting", "datePublished": ""}, None),
        ({"@type": "BlogPosting", "datePublished": 12}, None),
    ],
)
def test_json_ld_published_dates(article, expected):
    root, _ = parse_html("<html><body><p>No visible date.</p></body></html>")
    found = find_dates(root, {}, article, "https://example.com/a", FETCHED)
    got = found.get("published")
    assert (got.date.value if got else None) == expected
    if got:
        assert got.source == "jsonld"


_LONG = "<p>" + "The history of coffee is a bit of a delicious mystery. " * 16 + "</p>"


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        # htmldate reads the day from a script's data: the page never shows it
        (
            '<script>window.__DATA__={"title":"x","publish_at":"2025-05-27T09:02:00Z"}</script>',
            None,
        ),
        # the same day shown in a byline far below the headline is taken
        (
            '<div class="author-details"><p>Luke Kim</p><small>May 27, 2025</small></div>',
            "2025-05-27",
        ),
        # shown in another form than the one htmldate read
        (
            '<script>window.__DATA__={"publish_at":"2025-05-27T09:02:00Z"}</script>'
            '<div class="author-details"><p>Luke Kim</p><small>27/05/2025</small></div>',
            "2025-05-27",
        ),
    ],
)
def test_htmldates_last_guess_must_be_a_day_the_page_shows(tail, expected):
    html = f"<html><body><h1>History of coffee</h1>{_LONG}{_LONG}{tail}</body></html>"
    notes: list[str] = []
    found = _dates(html, notes=notes)
    got = found.get("published")
    assert (got.date.value[:10] if got else None) == expected
    if got:
        assert got.source == "htmldate"
    else:
        assert any("not shown on the page" in note for note in notes)


@pytest.mark.parametrize(
    ("text", "day", "shown"),
    [
        ("<p>Posted on the 15/12/2025 at 19:00</p>", "2025-12-15", True),
        ("<p>December 17, 2025</p>", "2025-12-17", True),
        ("<p>December 17, 2025</p>", "2025-12-18", False),
        ("<script>var d = 'December 17, 2025';</script><p>No date.</p>", "2025-12-17", False),
        ('<img src="/Blog-Background-2023-04-04T091036.png"><p>Text.</p>', "2023-04-04", False),
    ],
)
def test_shown_on_page(text, day, shown):
    root, _ = parse_html(f"<html><body>{text}</body></html>")
    assert shown_on_page(root, day, None, None) is shown
