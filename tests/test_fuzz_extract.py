"""Fuzzing ``extract()`` with generated malformed documents (hypothesis).

It must never raise, must not fall back to its blanket "extract: failed" guard
(that would be a bug it swallowed), and no input may take 2 s or more. A few
hundred documents run by default; ``-m slow`` runs 20,000.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.extraction import Article, extract

LIMIT_SECONDS = 2.0  # CPU seconds per input
WALL_LIMIT_SECONDS = 10.0  # a runaway input is interrupted (and fails) after this

_TAGS = [
    "html", "head", "body", "article", "main", "div", "p", "span", "h1", "h2", "a", "ul", "li",
    "table", "tr", "td", "script", "style", "template", "svg", "math", "noscript", "iframe",
    "time", "meta", "link", "title", "figure", "img", "br", "section", "aside", "nav", "form",
]  # fmt: skip
_ATTRS = [
    'href="{}"', 'src="{}"', 'rel="{}"', 'class="{}"', 'content="{}"', 'datetime="{}"',
    'property="{}"', 'name="{}"', 'charset={}', 'http-equiv="{}"', "itemprop={}", "{}",
]  # fmt: skip
_JUNK = [
    "<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE html>", '<?xml version="1.0" encoding="x"?>',
    "&#0;", "&#xD800;", "&#x110000;", "&nbsp", "&amp;", "&", "<", ">", "</", "<a", "\x00",
    "\ufeff", "\u202e", "\r", '<script type="application/ld+json">', "</script>",
    '{"@type": "NewsArticle", "headline": ', '"datePublished": "', "9999-99-99T99:99",
    '<meta charset="', '<link rel="canonical" href="', "javascript:", "data:,", "http://[::1",
]  # fmt: skip
_URLS = [
    "https://news.example/story/",
    "http://127.0.0.1:8000/a/",
    "https://xn--n3h.example/ü/?q=1#frag",
    "http://[::1]:1/",
    "not a url",
    "",
    "https://news.example/" + "a" * 3000,
]
_ENCODINGS = ["utf-8", "utf-16", "latin-1", "shift_jis", "cp1252", "gb18030", "koi8-r"]

text = st.text(max_size=80)
attr = st.builds(lambda t, v: t.format(v), st.sampled_from(_ATTRS), text)
open_tag = st.builds(
    lambda tag, attrs, close: f"<{tag} {' '.join(attrs)}{'/' if close else ''}>",
    st.sampled_from(_TAGS),
    st.lists(attr, max_size=3),
    st.booleans(),
)
close_tag = st.builds(lambda tag: f"</{tag}>", st.sampled_from(_TAGS))
piece = st.one_of(open_tag, close_tag, text, st.sampled_from(_JUNK))


@st.composite
def nested(draw: st.DrawFn) -> str:
    # Not tables: nested tables take exponential time (test_nested_tables_stay_fast below).
    tag = draw(st.sampled_from(["div", "p", "span", "a", "b", "li", "section", "blockquote"]))
    depth = draw(st.integers(min_value=1, max_value=3000))
    inner = draw(text)
    closed = draw(st.booleans())
    return f"<{tag}>" * depth + inner + (f"</{tag}>" * depth if closed else "")


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.one_of(piece, piece, piece, nested()), max_size=60))
    markup = "".join(parts)
    kind = draw(st.integers(min_value=0, max_value=9))
    if kind == 0:
        return draw(st.binary(max_size=4000))
    encoding = draw(st.sampled_from(_ENCODINGS))
    data = markup.encode(encoding, errors="replace")
    if kind == 1:  # cut anywhere, even inside a multi-byte character
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    if kind == 2:
        data = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + data
    if kind == 3:  # binary spliced into markup
        data += draw(st.binary(max_size=500)) + data
    return data


class _TooSlow(Exception):
    pass


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt a runaway call (extract records the interruption as "extract: failed")."""

    def interrupt(signum: int, frame: object) -> None:
        raise _TooSlow(f"over {seconds}s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _timed(html: bytes, url: str, headers: dict[str, str] | None) -> tuple[Article, float]:
    """The article and the CPU seconds it took (CPU time: other processes do not count)."""
    start = time.process_time()
    with _time_limit(WALL_LIMIT_SECONDS):
        article = extract(html, url, headers=headers)
    return article, time.process_time() - start


def _check(html: bytes, url: str, headers: dict[str, str] | None) -> None:
    article, elapsed = _timed(html, url, headers)
    if elapsed >= LIMIT_SECONDS:  # the input, not a hiccup: it must be slow twice
        article, elapsed = _timed(html, url, headers)
    assert elapsed < LIMIT_SECONDS, f"{elapsed:.2f}s for {html[:200]!r}"
    failed = [w for w in article.warnings if w.startswith("extract: failed")]
    assert not failed, f"{failed} for {html[:300]!r} at {url!r}"
    assert isinstance(article.body_text, str)


headers_st = st.one_of(
    st.none(),
    st.builds(
        lambda ctype: {"content-type": ctype},
        st.sampled_from(
            [
                "text/html",
                "text/html; charset=utf-8",
                "text/html; charset=shift_jis",
                "text/html; charset=nonsense",
                "text/html; charset=",
                "application/xhtml+xml; charset=utf-16",
            ]
        ),
    ),
)

_COMMON = {
    "database": None,
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


@settings(max_examples=300, **_COMMON)  # type: ignore[arg-type]
@given(documents(), st.sampled_from(_URLS), headers_st)
def test_extract_never_raises_and_stays_fast(
    html: bytes, url: str, headers: dict[str, str] | None
) -> None:
    _check(html, url, headers)


@settings(max_examples=20_000, **_COMMON)  # type: ignore[arg-type]
@given(documents(), st.sampled_from(_URLS), headers_st)
def _fuzz_20000(html: bytes, url: str, headers: dict[str, str] | None) -> None:
    _check(html, url, headers)


@pytest.mark.slow
def test_extract_survives_20000_malformed_documents(request: pytest.FixtureRequest) -> None:
    if "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("20,000 documents take minutes: run with -m slow")
    _fuzz_20000()


@pytest.mark.parametrize(
    "html",
    [
        b"<div>" * 10_000 + b"deep" + b"</div>" * 10_000,
        b"<p>" * 10_000,
        b"<html><body>" + b"<a href='/x'>x</a>" * 20_000,
        b"\x00" * 100_000,
        b"<" * 200_000,
        b"<!--" * 50_000,
        "<p>東京の港</p>".encode("shift_jis") * 2_000,
    ],
    ids=["div-10k", "p-10k", "links-20k", "nul-100k", "lt-200k", "comments", "sjis"],
)
def test_known_hostile_shapes(html: bytes) -> None:
    _check(html, "https://news.example/story/", {"content-type": "text/html; charset=utf-8"})


def test_nested_tables_stay_fast() -> None:
    _, elapsed = _timed(b"<table><tr><td>" * 20, "https://news.example/story/", None)
    assert elapsed < LIMIT_SECONDS


FINDINGS = Path(__file__).parent / "hostile" / "findings"


@pytest.mark.parametrize("path", sorted(FINDINGS.glob("*.html")), ids=lambda p: p.stem)
@pytest.mark.parametrize(
    "headers",
    [None, {"content-type": "application/xhtml+xml; charset=utf-16"}],
    ids=["no-header", "utf16-header"],
)
def test_inputs_the_fuzzer_found_stay_fixed(path: Path, headers: dict[str, str] | None) -> None:
    _check(path.read_bytes(), "https://news.example/story/", headers)
