"""extract() never raises, records what went wrong, and copes with odd but real input."""

from __future__ import annotations

import pytest

from pipelines.extraction import extract
from pipelines.extraction.decode import header_charset

URL = "http://127.0.0.1:8123/a/"
TEXT = "A paragraph long enough to count as the body of an article, with commas, and words."


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"   ",
        b"\x00\x00\x00",
        b"<",
        b"</p></div></html>",
        b"<?xml version='1.0' encoding='utf-8'?><html><body></body></html>",
        b"\xef\xbb\xbf",
        b"<html><head><script>var x = '</script>",
        bytes(range(256)) * 50,
    ],
)
def test_garbage_gives_empty_body_and_a_warning(html):
    article = extract(html, URL)
    assert article.url == URL and article.canonical_url == URL
    assert article.site == "127.0.0.1:8123"
    assert article.blocks == [] or article.body_text
    if not article.body_text:
        assert article.warnings


@pytest.mark.parametrize("depth", [50, 300, 600, 900])
def test_deep_nesting_keeps_the_text(depth):
    html = (
        b'<html><body><div class="entry-content"><p>'
        + b"<span>" * depth
        + TEXT.encode()
        + b"</span>" * depth
        + b"</p>"
        + b"<div>" * depth
        + b"<p>Second "
        + TEXT.encode()
        + b"</p>"
        + b"</div>" * depth
        + b"</div></body></html>"
    )
    assert [b.text for b in extract(html, URL).blocks] == [TEXT, "Second " + TEXT]


def test_bad_urls_do_not_raise():
    for url in ("", "not a url", "http://[::1", "javascript:alert(1)"):
        article = extract(f"<html><body><p>{TEXT}</p></body></html>".encode(), url)
        assert article.body_text == TEXT


def test_canonical_on_another_host_is_ignored():
    html = (
        '<html><head><link rel="canonical" href="https://other.test/x/"></head>'
        f"<body><p>{TEXT}</p></body></html>"
    ).encode()
    article = extract(html, "http://127.0.0.1:8123/a/#frag")
    assert article.canonical_url == "http://127.0.0.1:8123/a/"
    assert article.field_sources["canonical_url"] == "url"


def test_canonical_from_og_url_on_the_same_host():
    html = (
        '<html><head><meta property="og:url" content="http://www.example.test/story/"></head>'
        f"<body><p>{TEXT}</p></body></html>"
    ).encode()
    article = extract(html, "http://example.test/story/?utm_source=x")
    assert article.canonical_url == "http://www.example.test/story/"
    assert article.site == "www.example.test"
    assert article.field_sources["canonical_url"] == "og"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Content-Type": [b"text/html; charset=windows-1252"]}, "windows-1252"),
        ({b"content-type": b"text/html; charset=utf-8"}, "utf-8"),
        ({"Content-Type": []}, None),
    ],
)
def test_header_values_as_scrapy_gives_them(headers, expected):
    assert header_charset(headers) == expected


def test_text_after_dropped_elements_is_kept():
    html = (
        b"<html><body><article><p>Start of the sentence <svg><path d='M0'/></svg>and its end, "
        b"long enough to be the body.<script>var x = 1;</script> Then more after the script."
        b"</p></article></body></html>"
    )
    assert extract(html, URL).body_text == (
        "Start of the sentence and its end, long enough to be the body. Then more after the script."
    )
