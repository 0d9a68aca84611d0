"""AMP -> canonical mapping and the canonical URL rule (the table in docs/urls.md)."""

from __future__ import annotations

import pytest

from pipelines.core.urls import amp_to_canonical, canonical_url, is_amp_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/story/amp/", "https://example.com/story/"),
        ("https://example.com/story/amp", "https://example.com/story/"),
        ("https://example.com/amp/story/", "https://example.com/story/"),
        ("https://example.com/story.amp.html", "https://example.com/story.html"),
        ("https://example.com/story.amp", "https://example.com/story"),
        ("https://amp.example.com/story/", "https://example.com/story/"),
        ("https://example.com/story/", "https://example.com/story/"),  # not AMP
        ("https://example.com/amp/", "https://example.com/amp/"),  # a section called amp
        ("https://example.com/ampere-prize/", "https://example.com/ampere-prize/"),
        ("https://example.com/camp/", "https://example.com/camp/"),
        ("https://amp.com/story/", "https://amp.com/story/"),  # a host called amp.com
    ],
)
def test_amp_to_canonical(url: str, expected: str) -> None:
    assert amp_to_canonical(url) == expected


@pytest.mark.parametrize(
    ("url", "declared", "expected"),
    [
        # no declaration: the URL, cleaned, AMP mapped
        ("https://Example.com/a/amp/?utm_source=x", None, "https://example.com/a/"),
        ("https://example.com/a/?amp=1", None, "https://example.com/a/"),
        ("https://example.com/a/?outputType=amp", None, "https://example.com/a/"),
        # rel=canonical on the same site wins, and is cleaned too
        ("https://example.com/a/amp/", "https://example.com/b/?fbclid=1", "https://example.com/b/"),
        ("https://www.example.com/a/", "https://example.com/a/", "https://example.com/a/"),
        # a canonical on another site is ignored
        ("https://example.com/a/", "https://other.example/a/", "https://example.com/a/"),
    ],
)
def test_canonical_url(url: str, declared: str | None, expected: str) -> None:
    assert canonical_url(url, declared) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a/amp/", True),
        ("https://example.com/a/?amp=1", False),  # a tracking flag: clean_url drops it
        ("https://example.com/a/", False),
    ],
)
def test_is_amp_url(url: str, expected: bool) -> None:
    assert is_amp_url(url) is expected
