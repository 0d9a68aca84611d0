"""URL canonicalisation rules, as a table (docs/urls.md shows the same examples)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pipelines.core.urls import (
    canonical_url,
    clean_page_url,
    clean_url,
    is_tracking_param,
    same_site,
)

#: The link cleaner and the page-URL one apply the same rules; only their caches differ.
CLEANERS = pytest.mark.parametrize("clean", [clean_url, clean_page_url], ids=["link", "page"])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/a/", "http://example.com/a/"),
        ("https://EXAMPLE.com:443/a/", "https://example.com/a/"),
        ("http://example.com:80/a/", "http://example.com/a/"),
        ("http://example.com:8080/a/", "http://example.com:8080/a/"),
        ("https://example.com:80/a/", "https://example.com:80/a/"),
        ("http://127.0.0.1:8765/x/", "http://127.0.0.1:8765/x/"),
        ("http://[::1]:8080/x/", "http://[::1]:8080/x/"),
        ("https://example.com/a/#comments", "https://example.com/a/"),
        ("https://example.com/a/?utm_source=fb&utm_medium=social", "https://example.com/a/"),
        ("https://example.com/a/?UTM_Campaign=x", "https://example.com/a/"),
        ("https://example.com/a/?fbclid=IwAR0abc", "https://example.com/a/"),
        ("https://example.com/a/?gclid=1&mc_cid=2&mc_eid=3", "https://example.com/a/"),
        ("https://example.com/a/?ref=homepage", "https://example.com/a/"),
        ("https://example.com/a/?amp=1", "https://example.com/a/"),
        ("https://example.com/a/?amp", "https://example.com/a/"),
        ("https://example.com/a/?p=42&utm_source=x", "https://example.com/a/?p=42"),
        ("https://example.com/a/?b=2&a=1", "https://example.com/a/?a=1&b=2"),
        ("https://example.com/a/?page=2&utm_term=z#top", "https://example.com/a/?page=2"),
        ("https://example.com/a/?q=", "https://example.com/a/?q="),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/caf%C3%A9/", "https://example.com/caf%C3%A9/"),
        ("https://example.com/café/", "https://example.com/caf%C3%A9/"),
        ("https://example.com/a%7e/", "https://example.com/a~/"),
        ("  https://example.com/a/  ", "https://example.com/a/"),
        ("https://user:pw@Example.com/a/", "https://user:pw@example.com/a/"),
    ],
)
@CLEANERS
def test_clean_url(clean: Callable[[str], str], url: str, expected: str) -> None:
    assert clean(url) == expected


@CLEANERS
@pytest.mark.parametrize("url", ["http://example.com:99999/", "http://[::1/"])
def test_clean_url_returns_unparsable_urls_unchanged(clean: Callable[[str], str], url: str) -> None:
    assert clean(url) == url


def test_a_pages_own_url_stays_out_of_the_link_cache() -> None:
    """The URL of the page being processed is cleaned through its own small cache: in the
    link cache it held an entry for thousands of pages of an import (issue 18)."""
    from pipelines.core.article import Article
    from pipelines.core.pages import page_part

    clean_url.cache_clear()
    url = "https://example.com/story/a-long-slug/2/?utm_source=x"
    article = Article(url=url, canonical_url=url, site="example.com")
    article.next_page_url = "https://example.com/story/a-long-slug/3/"
    assert canonical_url(url) == "https://example.com/story/a-long-slug/2/"
    assert page_part(article) is not None
    assert clean_url.cache_info().currsize == 0
    assert clean_page_url.cache_info().currsize > 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("utm_source", True),
        ("utm_whatever", True),
        ("fbclid", True),
        ("pk_campaign", True),
        ("p", False),
        ("page", False),
        ("id", False),
        ("utmost", False),
    ],
)
def test_is_tracking_param(name: str, expected: bool) -> None:
    assert is_tracking_param(name) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("https://example.com/a", "http://www.example.com/b", True),
        ("https://example.com/a", "https://news.example.com/b", False),
        ("https://example.com/a", "https://example.org/a", False),
        ("http://127.0.0.1:1/a", "http://127.0.0.1:2/b", True),
        ("not a url", "not a url", False),
    ],
)
def test_same_site(a: str, b: str, expected: bool) -> None:
    assert same_site(a, b) is expected
