# ruff: noqa: E501 - pinned texts are whole paragraphs
"""Date parsing: formats, time zones, day/month order, relative forms, garbage."""

from __future__ import annotations

import pytest

from pipelines.extraction import extract
from pipelines.extraction.dates import find_dates, header_date, parse_date, split_dateline
from pipelines.extraction.parse import parse_html
from pipelines.extraction.zones import header_zone

FETCHED = "2025-06-10T12:00:00Z"

# (raw, dayfirst, expected value or None, has_tz)
CASES = [
    # ISO-8601 with zones
    ("2024-05-01T10:00:00+02:00", None, "2024-05-01T08:00:00Z", True),
    ("2024-05-01T10:00:00Z", None, "2024-05-01T10:00:00Z", True),
    ("2024-05-01T10:00:00.000Z", None, "2024-05-01T10:00:00Z", True),
    ("2024-05-01T23:30:00-05:00", None, "2024-05-02T04:30:00Z", True),
    ("2024-05-01T10:00:00+0530", None, "2024-05-01T04:30:00Z", True),
    ("2024-12-31T23:59:59-01:00", None, "2025-01-01T00:59:59Z", True),
    ("2024-05-01 10:00:00+00:00", None, "2024-05-01T10:00:00Z", True),
    # issue 16: a space before the offset keeps the zone; nanoseconds are read
    ("2024-05-09 00:00:00 +0000", None, "2024-05-09T00:00:00Z", True),
    # Go's time format (Hugo and other Go sites): the offset after a space, then the zone's name
    ("2025-12-13 00:00:00 +0000 UTC", None, "2025-12-13T00:00:00Z", True),
    ("2025-12-13 10:00:00 -0500 EST", None, "2025-12-13T15:00:00Z", True),
    ("2024-05-01T10:00:00.123456789Z", None, "2024-05-01T10:00:00Z", True),
    # no zone: stored as given, flagged
    ("2024-05-01T10:00:00", None, "2024-05-01T10:00:00", False),
    ("2024-05-01 10:00", None, "2024-05-01T10:00:00", False),
    ("2024-05-01", None, "2024-05-01", False),
    ("2025/06/03", None, "2025-06-03", False),
    # month names, US style, named zones
    ("June 3, 2025 at 4:12 pm EDT", None, "2025-06-03T20:12:00Z", True),
    ("June 3, 2025 4:12 PM PDT", None, "2025-06-03T23:12:00Z", True),
    ("Jun. 3, 2025 10 a.m. ET", None, "2025-06-03T14:00:00Z", True),
    ("Jan. 3, 2025 10 a.m. ET", None, "2025-01-03T15:00:00Z", True),
    ("December 1, 2024 9:00 PM PT", None, "2024-12-02T05:00:00Z", True),
    ("Mon, 02 Jun 2025 14:00:00 GMT", None, "2025-06-02T14:00:00Z", True),
    ("Tue, 3 Jun 2025 08:15:00 +0100", None, "2025-06-03T07:15:00Z", True),
    ("March 5th, 2024", None, "2024-03-05", False),
    ("Posted on March 5th, 2024 11:04 AM", None, "2024-03-05T11:04:00", False),
    ("Published: 3 June 2025", None, "2025-06-03", False),
    ("3rd of June 2025", None, "2025-06-03", False),
    ("12 Sep 2023 14:05 UTC", None, "2023-09-12T14:05:00Z", True),
    ("Updated 5:27 am CST, Wednesday, November 20, 2019", None, "2019-11-20T11:27:00Z", True),
    ("Nov 20, 2019 | 4:00 am CST", None, "2019-11-20T10:00:00Z", True),
    # day-first versus month-first
    ("05/03/2024", None, "2024-05-03", False),
    ("05/03/2024", True, "2024-03-05", False),
    ("05/03/2024", False, "2024-05-03", False),
    ("13/03/2024", None, "2024-03-13", False),
    ("03/13/2024", True, "2024-03-13", False),
    ("03.06.2025 14:30", None, "2025-06-03T14:30:00", False),
    ("03.06.2025", False, "2025-03-06", False),
    # relative forms, resolved against fetched_at
    ("2 hours ago", None, "2025-06-10T10:00:00Z", True),
    ("45 minutes ago", None, "2025-06-10T11:15:00Z", True),
    ("an hour ago", None, "2025-06-10T11:00:00Z", True),
    ("3 days ago", None, "2025-06-07T12:00:00Z", True),
    ("1 week ago", None, "2025-06-03T12:00:00Z", True),
    ("2 months ago", None, "2025-04-10T12:00:00Z", True),
    ("Updated 5 mins ago", None, "2025-06-10T11:55:00Z", True),
    ("yesterday", None, "2025-06-09T12:00:00Z", True),
    ("yesterday at 5:30 pm", None, "2025-06-09T17:30:00Z", True),
    ("Today 08:05", None, "2025-06-10T08:05:00Z", True),
    ("just now", None, "2025-06-10T12:00:00Z", True),
    # unix timestamps
    ("1700000000", None, "2023-11-14T22:13:20Z", True),
    ("1700000000000", None, "2023-11-14T22:13:20Z", True),
    # garbage and implausible values
    ("garbage", None, None, None),
    ("", None, None, None),
    ("Share on Facebook", None, None, None),
    ("Comments (12)", None, None, None),
    ("June 3", None, None, None),
    ("1850-01-01", None, None, None),
    ("2024-13-45", None, None, None),
    ("99999999999999", None, None, None),
    ("x" * 400, None, None, None),
    # issue 16: a year-first dotted date is read whole, not as its "25.12.17" tail
    ("Published: 2025.12.17 |", None, "2025-12-17", False),
    # a year or a month alone is not a day (it used to become January 1st)
    ("2019", None, None, None),
    ("January, 2024", None, None, None),
    ("Last Updated January, 2025", None, None, None),
]


@pytest.mark.parametrize(("raw", "dayfirst", "expected", "has_tz"), CASES)
def test_parse_date(raw, dayfirst, expected, has_tz):
    parsed = parse_date(raw, fetched_at=FETCHED, dayfirst=dayfirst)
    if expected is None:
        assert parsed is None
    else:
        assert parsed is not None
        assert parsed.value == expected
        assert parsed.raw == raw
        assert parsed.has_tz is has_tz


def test_relative_date_without_fetched_at_is_not_guessed():
    assert parse_date("2 hours ago") is None


@pytest.mark.parametrize(
    ("line", "published", "updated"),
    [
        ("Published June 3, 2025 | Updated June 4, 2025", "2025-06-03", "2025-06-04"),
        ("Updated June 4, 2025", None, "2025-06-04"),
        ("June 3, 2025", "2025-06-03", None),
        ("Last updated: 4 June 2025, published 3 June 2025", "2025-06-03", "2025-06-04"),
    ],
)
def test_split_dateline_updated_versus_published(line, published, updated):
    pub, upd = split_dateline(line)
    got_pub = parse_date(pub).value if pub and parse_date(pub) else None
    got_upd = parse_date(upd).value if upd and parse_date(upd) else None
    assert (got_pub, got_upd) == (published, updated)


def _found(html: str, url: str = "https://example.com/a/", **kw):
    root, _ = parse_html(html)
    return find_dates(root, {}, None, url, **kw)


def test_find_dates_prefers_time_element_then_dateline_then_url():
    found = _found(
        '<html><body><time datetime="2024-02-01T08:00:00+01:00">1 Feb</time></body></html>'
    )
    assert (found["published"].date.value, found["published"].source) == (
        "2024-02-01T07:00:00Z",
        "time",
    )
    found = _found(
        '<html><body><div class="post-date">Published March 2, 2024 | Updated March 3, 2024</div></body></html>'
    )
    assert (found["published"].date.value, found["published"].source) == ("2024-03-02", "text")
    assert found["modified"].date.value == "2024-03-03"
    found = _found(
        "<html><body><p>No dates here at all.</p></body></html>",
        url="https://example.com/2023/07/09/a-story/",
    )
    assert (found["published"].date.value, found["published"].source) == ("2023-07-09", "url")


def test_find_dates_microdata_and_relative_dateline():
    html = '<html><body><meta itemprop="datePublished" content="2021-01-02T03:04:05Z"><span class="date">3 hours ago</span></body></html>'
    found = _found(html)
    assert (found["published"].date.value, found["published"].source) == (
        "2021-01-02T03:04:05Z",
        "meta",
    )
    found = _found(
        '<html><body><span class="date">3 hours ago</span></body></html>', fetched_at=FETCHED
    )
    assert found["published"].date.value == "2025-06-10T09:00:00Z"


# --- issue 16: zones by name, the dateline beside the headline, refusals ------------------


@pytest.mark.parametrize(
    ("raw", "language", "value", "day"),
    [
        ("November 19, 2019 01:38:07 PM IST", None, "2019-11-19T08:08:07Z", "2019-11-19"),
        ("November 19, 2019 01:38:07 PM IST", "en-IE", "2019-11-19T12:38:07Z", "2019-11-19"),
        ("19 November 2019, 13:38 AMT", None, "2019-11-19T09:38:00Z", "2019-11-19"),
        ("19 November 2019, 13:38 AMT", "pt-BR", "2019-11-19T17:38:00Z", "2019-11-19"),
        ("June 3, 2025 10 a.m. ET", None, "2025-06-03T14:00:00Z", "2025-06-03"),
        ("January 3, 2025 10 a.m. ET", None, "2025-01-03T15:00:00Z", "2025-01-03"),
        ("Mar 3, 2025 5:00 pm CST", "zh-CN", "2025-03-03T09:00:00Z", "2025-03-03"),
        ("3 June 2025 23:30 CEST", None, "2025-06-03T21:30:00Z", "2025-06-03"),
        # the page's day, not UTC's: a late-evening time west of Greenwich
        ("2025-06-03T23:30:00-05:00", None, "2025-06-04T04:30:00Z", "2025-06-03"),
        # no zone: kept as given, and flagged
        ("2019-11-19T09:02:00", None, "2019-11-19T09:02:00", "2019-11-19"),
        ("June 3, 2025", None, "2025-06-03", "2025-06-03"),
    ],
)
def test_zone_names_and_the_pages_own_day(raw, language, value, day):
    parsed = parse_date(raw, language=language)
    assert parsed is not None
    assert (parsed.value, parsed.date) == (value, day)
    assert parsed.has_tz is value.endswith("Z")


@pytest.mark.parametrize(
    ("zone_after", "expected", "not_taken"),
    [
        ("By Ann Lee • Published June 3, 2025 • Updated June 9, 2025", "2025-06-03", "2025-06-09"),
        ("By Ann Lee • Updated June 9, 2025", "2025-06-09", None),
        (
            "Medically reviewed on May 1, 2025 • Written by Ann Lee on June 3, 2025",
            "2025-06-03",
            "2025-05-01",
        ),
        ("Elliot Raba • 23.07.2025 • 6 min read", "2025-07-23", None),
        ("Last updated: • August 19, 2025 • See comments", "2025-08-19", None),
        ("No date in this header at all", None, None),
    ],
)
def test_the_dateline_beside_the_headline(zone_after, expected, not_taken):
    from pipelines.extraction.zones import Zone

    found = header_date(Zone(before="", headline="A headline", after=zone_after))
    got = found[0].date if found else None
    assert got == expected
    if not_taken:
        assert got != not_taken


@pytest.mark.parametrize(
    ("raw", "why"),
    [("1994-12-31", "before 1995"), ("2031-01-01T00:00:00Z", "later than the fetch time")],
)
def test_implausible_dates_are_refused_with_a_warning(raw, why):
    html = f'<html><head><meta property="article:published_time" content="{raw}"></head></html>'
    notes: list[str] = []
    root, _ = parse_html(html)
    found = find_dates(
        root,
        {"article:published_time": [raw]},
        None,
        "https://e.com/x",
        fetched_at=FETCHED,
        warnings=notes,
    )
    assert found.get("published") is None or found["published"].date.raw != raw
    assert any(why in note for note in notes)


def test_a_date_in_the_header_dates_a_page_without_structured_dates():
    html = (
        "<html><body><nav>Home • News</nav><h1>The council votes on the budget</h1>"
        "<p>By Ann Lee • March 2, 2024</p><p>The council met on Tuesday...</p></body></html>"
    )
    root, _ = parse_html(html)
    zone = header_zone(root)
    found = find_dates(root, {}, None, "https://e.com/x", fetched_at=FETCHED, zone=zone)
    assert (found["published"].date.value, found["published"].source) == ("2024-03-02", "text")


def test_extract_sets_published_date_and_flags_a_zoneless_time():
    html = (
        b'<html><head><meta property="article:published_time" content="2019-11-19T09:02:00">'
        b"</head><body><h1>A story with a local time</h1><p>Text.</p></body></html>"
    )
    article = extract(html, "https://e.com/a", fetched_at=FETCHED)
    assert (article.published_at, article.published_date) == ("2019-11-19T09:02:00", "2019-11-19")
    assert article.published_local is True
    assert article.published_raw == "2019-11-19T09:02:00"
    zoned = extract(html.replace(b"09:02:00", b"09:02:00+02:00"), "https://e.com/a")
    assert (zoned.published_at, zoned.published_local) == ("2019-11-19T07:02:00Z", False)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # meta names that CMSs use for the published date beside article:published_time
        ("published", "May 17, 2025", "2025-05-17"),
        ("published-date", "2021-02-16", "2021-02-16"),
        ("publisheddate", "2024-11-14T00:00:00Z", "2024-11-14T00:00:00Z"),
        ("og:publish_date", "2024-12-13 00:00:00 +0000 UTC", "2024-12-13T00:00:00Z"),
        # a modified date is not a published one
        ("og:modified_time", "2024-10-14T16:46:33-04:00", None),
        ("modified-date", "2024-07-30", None),
        # a value that is no date dates nothing
        ("published", "yes", None),
    ],
)
def test_published_meta_names(name, content, expected):
    root, _ = parse_html(f'<html><head><meta name="{name}" content="{content}"></head></html>')
    found = find_dates(root, {name: [content]}, None, "https://e.com/x", fetched_at=FETCHED)
    got = found.get("published")
    assert (got.date.value if got else None) == expected
    if expected is None and content[:1].isdigit():
        assert found["modified"].source == "meta"
