"""How a page item reads in a log (crawler/items.py): a line, never its body or article."""

from __future__ import annotations

import dataclasses

import pytest
from pool_helpers import BODY, page
from scrapy import Spider
from scrapy.logformatter import LogFormatter

from crawler.items import RawPage
from pipelines.core.article import Article
from pipelines.core.records import PackedBody

URL = page(0).url
#: A piece of the page's text, which the line must not carry.
PAGE_TEXT = "coastline"
ARTICLE = Article(URL, URL, "coastline.example", title="Harbour", body_text="Harbour news. " * 99)


def item(**changes: object) -> RawPage:
    return dataclasses.replace(page(0), **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "shown", "hidden"),
    [
        ({}, [f"url='{URL}'", "status=200", f"body={len(BODY):,} bytes", "'seed'"], ["<html"]),
        (
            {"body": b"", "packed": PackedBody.pack(BODY)},
            [f"body={len(BODY):,} bytes"],
            ["packed"],
        ),
        (
            {"article": ARTICLE, "article_id": "f7d59e6300b88645", "action": "new"},
            ["article_id='f7d59e6300b88645'", "action='new'"],
            ["Article(", "body_text", "Harbour news"],
        ),
        (
            {"status": 0, "body": b"", "error": "dns: no such host", "final_url": URL + "x/"},
            ["status=0", "body=0 bytes", "error='dns: no such host'", f"final_url='{URL}x/'"],
            [],
        ),
    ],
    ids=["raw", "packed", "extracted", "failed"],
)
def test_a_page_reads_in_one_short_line(
    changes: dict[str, object], shown: list[str], hidden: list[str]
) -> None:
    assert PAGE_TEXT.encode() in BODY.lower()
    text = repr(item(**changes))
    assert text.startswith("RawPage(") and "\n" not in text
    assert len(text) < 300
    assert PAGE_TEXT not in text.replace(URL, "").lower()  # in the URLs only
    for part in shown:
        assert part in text
    for part in hidden:
        assert part not in text


def test_scrapys_log_of_a_failed_item_is_a_line_not_the_page() -> None:
    logged = LogFormatter().item_error(item(), RuntimeError("x"), None, Spider(name="articles"))
    message = logged["msg"] % logged["args"]
    assert message.startswith("Error processing RawPage(")
    assert len(message) < 300
