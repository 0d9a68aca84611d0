"""No secrets in the ``runs`` table: credentials in recorded settings and arguments are masked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from archive import Archive
from crawler.spiders.articles import ArticlesSpider
from pipelines.core.redact import MASK, redact_settings, redact_text, redact_url, redact_value
from pipelines.store import StorePipeline


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://user:hunter2@proxy.example:3128", "http://***@proxy.example:3128"),
        ("http://token@proxy.example:3128/", "http://***@proxy.example:3128/"),
        ("http://proxy.example:3128", "http://proxy.example:3128"),
        (
            "https://news.example/a?api_key=abc123&page=2",
            "https://news.example/a?api_key=***&page=2",
        ),
        ("https://news.example/a?token=xyz", "https://news.example/a?token=***"),
        ("https://news.example/story?id=7", "https://news.example/story?id=7"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("HTTPPROXY_AUTH_ENCODING", "latin-1", MASK),  # name says auth: masked whole
        ("SOME_PASSWORD", "hunter2", MASK),
        ("API_TOKEN", "abc", MASK),
        ("DOWNLOAD_DELAY", 0.25, 0.25),
        ("ROBOTSTXT_OBEY", True, True),
        ("JOBDIR", None, None),
        ("USER_AGENT", "morgue/0.1 (+https://x.example)", "morgue/0.1 (+https://x.example)"),
        ("PROXIES", {"http": "http://u:p@127.0.0.1:3128"}, {"http": "http://***@127.0.0.1:3128"}),
        ("start_urls", ["http://bob:pw@a.example/"], ["http://***@a.example/"]),
    ],
)
def test_redact_value(name: str, value: Any, expected: Any) -> None:
    assert redact_value(name, value) == expected


def test_redact_text_finds_credentials_inside_longer_strings() -> None:
    text = "via http://u:secret@10.0.0.1:8080 and https://ok.example/"
    assert redact_text(text) == "via http://***@10.0.0.1:8080 and https://ok.example/"


def test_the_runs_row_holds_no_proxy_or_seed_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", "http://alice:s3cr3t-proxy@127.0.0.1:3128")
    monkeypatch.setenv("https_proxy", "http://alice:s3cr3t-proxy@127.0.0.1:3128")
    db = tmp_path / "a.db"
    crawler = get_crawler(
        ArticlesSpider,
        {"ARCHIVE_PATH": str(db), "STORE_FLUSH_SECONDS": 0, "JOBDIR": str(tmp_path / "job")},
    )
    crawler.spider = crawler._create_spider(
        start_urls="http://bob:hunter2@127.0.0.1:8000/a/?api_key=k3y"
    )
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    store.close_spider()
    store.spider_closed(crawler.spider, "finished")  # type: ignore[arg-type]
    with Archive(db, readonly=True) as archive:
        (row,) = archive.query("SELECT args, settings, stats FROM runs")
    text = json.dumps(row)
    for secret in ("s3cr3t-proxy", "alice", "hunter2", "bob", "k3y"):
        assert secret not in text
    settings = json.loads(row["settings"])
    assert settings["PROXIES"]["http"] == "http://***@127.0.0.1:3128"
    assert json.loads(row["args"])["start_urls"] == ["http://***@127.0.0.1:8000/a/?api_key=***"]


def test_redact_settings_keeps_every_name() -> None:
    recorded = {"A": 1, "B_PASSWORD": "x", "C": "http://u:p@h/"}
    assert set(redact_settings(recorded)) == set(recorded)
