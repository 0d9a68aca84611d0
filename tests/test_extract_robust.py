"""extract() never raises, records what went wrong, and copes with odd but real input."""

from __future__ import annotations

import pytest

from pipelines.extraction import extract
from pipelines.extraction.decode import header_charset
from pipelines.extraction.parse import parse_html

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


ARTICLE_PARAGRAPHS = "".join(
    f"<p>Paragraph {i} of the article, long enough to be read as prose, with commas, "
    f"clauses and a full stop at the end of it.</p>"
    for i in range(8)
)


@pytest.mark.parametrize(
    "html",
    [
        # a theme that closes the document, then prints the article (seen on WordPress)
        "<html><head><title>T</title></head><body><header>Site</header></body></html>"
        f"<div class='blog-detail-page'><h1>Title</h1>{ARTICLE_PARAGRAPHS}</div>",
        # a whole second document after the first
        "<html><body><nav>menu</nav></body></html>"
        f"<html><head><meta name='author' content='Jane Doe'></head><body><article>"
        f"<h1>Title</h1>{ARTICLE_PARAGRAPHS}</article></body></html>",
        # bare text and paragraphs after </html>
        f"<html><body><p>Lead.</p></body></html>Trailing words {ARTICLE_PARAGRAPHS}",
    ],
)
def test_markup_after_the_end_of_the_document_is_part_of_the_page(html: str) -> None:
    """A browser reads what follows ``</html>`` into the body; libxml2 made a second root
    that nothing read, and such a page came out with an empty body (#15)."""
    root, notes = parse_html(html)
    assert root is not None and notes == []
    assert "Paragraph 7 of the article" in root.find("body").text_content()
    assert list(root.itersiblings()) == [] or all(
        len(extra) == 0 and not (extra.text or "").strip() for extra in root.itersiblings()
    )
    article = extract(html.encode(), "https://blog.example/post/")
    assert "Paragraph 0 of the article" in article.body_text
    assert "Paragraph 7 of the article" in article.body_text
    assert "menu" not in article.body_text
    assert not any("no text blocks" in w for w in article.warnings)
