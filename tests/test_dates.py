# ruff: noqa: E501 - pinned texts are whole paragraphs
"""Date parsing: formats, time zones, day/month order, relative forms, garbage."""

from __future__ import annotations

import pytest

from pipelines.extraction.dates import find_dates, parse_date, split_dateline
from pipelines.extraction.parse import parse_html

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
