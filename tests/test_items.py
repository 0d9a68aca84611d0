"""How a page item reads in a log (crawler/items.py): a line, never its body or article."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.logformatter import LogFormatter

from crawler.items import RawPage
from pipelines.core.records import PackedBody
from pipelines.extraction import extract

URL = "https://coastline.example/story/"
BODY = b"<html><body><article><p>" + b"Harbour news. " * 80_000 + b"</p></article></body></html>"


def page(**changes: object) -> RawPage:
    item = RawPage(
        url=URL,
        final_url=URL,
        status=200,
        headers={"content-type": "text/html"},
        body=BODY,
        fetched_at="2026-01-06T09:00:00.000000Z",
    )
    for name, value in changes.items():
        setattr(item, name, value)
    return item


@pytest.mark.parametrize(
    ("changes", "shown", "hidden"),
    [
        ({}, [f"url='{URL}'", "status=200", f"body={len(BODY):,} bytes", "'seed'"], []),
        (
            {"body": b"", "packed": PackedBody.pack(BODY)},
            [f"body={len(BODY):,} bytes"],
            ["packed"],
        ),
        (
            {"article": extract(BODY, URL), "article_id": "f7d59e6300b88645", "action": "new"},
            ["article_id='f7d59e6300b88645'", "action='new'"],
            ["Article(", "body_text"],
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
    text = repr(page(**changes))
    assert text.startswith("RawPage(") and "\n" not in text
    assert len(text) < 300
    assert "Harbour news" not in text
    for part in shown:
        assert part in text
    for part in hidden:
        assert part not in text


def test_scrapys_log_of_a_failed_item_is_a_line_not_the_page() -> None:
    logged = LogFormatter().item_error(page(), RuntimeError("x"), None, Spider(name="articles"))
    message = logged["msg"] % logged["args"]
    assert message.startswith("Error processing RawPage(")
    assert len(message) < 300
