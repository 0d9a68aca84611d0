"""The real ``scrapy crawl`` against the hostile site, with canaries on other loopback hosts.

One crawl (module fixture); each test checks one case: its captures row(s), its
stats counters, and what the servers were and were not asked.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import scrapy_crawl
from hostile.server import RecordingServer, canary, serving
from hostile.site import ARTICLES, LONG_URL_LENGTH, MAXSIZE, hostile_handler

from archive import Archive

RETRY_AFTER_MAX = 0.4
BACKOFF_BASE = 0.1
SETTINGS = {
    "DOWNLOAD_TIMEOUT": "1",
    "DOWNLOAD_MAXSIZE": str(MAXSIZE),
    "DOWNLOAD_WARNSIZE": "0",
    "DOWNLOAD_DELAY_JITTER": "0",
    "RETRY_AFTER_MAX": str(RETRY_AFTER_MAX),
    "RETRY_BACKOFF_BASE": str(BACKOFF_BASE),
    "RETRY_BACKOFF_MAX": "0.4",
    "TRAP_MAX_QUERY_VARIANTS": "5",
    "TRAP_SITE_BUDGET": "50",
    "DEPTH_LIMIT": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
}


@dataclass
class Crawl:
    site: RecordingServer
    canaries: list[RecordingServer]
    captures: list[dict[str, Any]]
    articles: dict[str, dict[str, Any]]
    stats: dict[str, Any]
    finish_reason: str
    db: Path

    def rows(self, path: str) -> list[dict[str, Any]]:
        url = self.site.url(path)
        return [c for c in self.captures if c["url"] == url]

    def row(self, path: str) -> dict[str, Any]:
        (row,) = self.rows(path)
        return row


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    db = tmp_path_factory.mktemp("hostile") / "hostile.db"
    with (
        serving(hostile_handler) as site,
        serving(canary, "127.0.0.2") as canary4,
        serving(canary, "::1") as canary6,
    ):
        site.state["canary_links"] = [canary4.url("/linked/"), canary6.url("/linked/")]
        site.state["canary_redirect"] = canary4.url("/redirected/")
        args = ["-a", f"start_urls={site.url('/')}", "-a", "follow=all"]
        args += ["-a", "allowed_domains=127.0.0.2,::1"]
        for name, value in SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        result = scrapy_crawl(*args, archive=db, timeout=120)
        assert result.returncode == 0, result.stderr[-4000:]
        with Archive(db, readonly=True) as archive:
            captures = archive.query(
                "SELECT id, url, final_url, status, error, article_id, body_size FROM captures"
            )
            articles = {row["url"]: row for row in archive.iter_articles()}
            (run,) = archive.stats()["runs"]
        yield Crawl(
            site, [canary4, canary6], captures, articles, run["stats"], run["finish_reason"], db
        )


def test_the_crawl_finishes(crawl: Crawl) -> None:
    assert crawl.finish_reason == "finished"


def test_no_canary_received_a_request(crawl: Crawl) -> None:
    for server in crawl.canaries:
        assert server.hits == [], server.base_url
    assert crawl.stats["morgue/netguard/refused/loopback"] == 3  # 2 links and a redirect
    refused = [c for c in crawl.captures if "private-network guard" in (c["error"] or "")]
    assert len(refused) == 3
    assert {c["status"] for c in refused} == {0}
    assert crawl.stats["morgue/failure/netguard"] == 3


def test_articles_behind_slow_flaky_and_redirecting_pages_are_archived(crawl: Crawl) -> None:
    archived = {crawl.site.url(path) for path in ARTICLES}
    assert archived <= set(crawl.articles) | {
        row["final_url"] for row in crawl.captures if row["article_id"]
    }
    for path in ("/slow/", "/busy/", "/flaky/", "/sjis/", "/nocharset/"):
        row = crawl.row(path)
        assert (row["status"], row["error"]) == (200, None), path
        assert row["article_id"], path


def test_a_redirect_chain_is_one_capture_of_its_end(crawl: Crawl) -> None:
    row = crawl.row("/chain/1")
    assert row["final_url"] == crawl.site.url("/chain/end/")
    assert row["status"] == 200 and row["article_id"]
    assert [h.path for h in crawl.site.hits if h.path.startswith("/chain/")] == [
        "/chain/1",
        "/chain/2",
        "/chain/3",
        "/chain/end/",
    ]


def test_a_redirect_loop_is_a_recorded_failure(crawl: Crawl) -> None:
    row = crawl.row("/loop/a")
    assert row["status"] == 0
    assert "redirect loop" in row["error"]
    assert crawl.stats["morgue/redirect/loop"] == 1
    assert crawl.stats["morgue/failure/redirect_loop"] == 1
    assert len(crawl.site.hits_for("/loop/a")) == 1


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/missing/", 404, "HTTP 404"),
        ("/gone/", 410, "HTTP 410"),
        ("/broken/", 500, "HTTP 500"),
        ("/unavailable/", 503, "HTTP 503"),
    ],
)
def test_http_errors_are_captures_with_status_and_error(
    crawl: Crawl, path: str, status: int, error: str
) -> None:
    row = crawl.row(path)
    assert (row["status"], row["error"]) == (status, error)
    assert crawl.stats[f"morgue/failure/http_{status}"] == 1


def test_500_bursts_and_429_are_retried_with_backoff(crawl: Crawl) -> None:
    assert len(crawl.site.hits_for("/flaky/")) == 3  # 500, 500, 200
    assert len(crawl.site.hits_for("/busy/")) == 2  # 429, 200
    assert len(crawl.site.hits_for("/broken/")) == 3  # RETRY_TIMES=2, then given up
    assert len(crawl.site.hits_for("/unavailable/")) == 3
    assert crawl.stats["morgue/backoff/reason/status_500"] == 5
    assert crawl.stats["morgue/backoff/reason/status_503"] == 3
    assert crawl.stats["morgue/backoff/reason/status_429"] == 1
    assert len(crawl.site.hits_for("/stall/")) == 3  # timeouts are retried too
    assert crawl.stats["retry/max_reached"] == 3


def test_retry_after_is_honoured_up_to_the_cap(crawl: Crawl) -> None:
    # 503 with Retry-After: 3600 -> each retry waits the cap, not an hour and not zero.
    times = [hit.at for hit in crawl.site.hits_for("/unavailable/")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(RETRY_AFTER_MAX * 0.9 <= gap < 5 for gap in gaps), gaps
    assert crawl.stats["morgue/backoff/retry_after_capped"] >= 3
    assert crawl.stats["morgue/backoff/max_delay"] == RETRY_AFTER_MAX
    # 429 (Retry-After: 1, capped at 0.4): the retry waited too.
    busy = [hit.at for hit in crawl.site.hits_for("/busy/")]
    assert busy[1] - busy[0] >= RETRY_AFTER_MAX * 0.9


def test_the_domain_slows_down_rather_than_hammering(crawl: Crawl) -> None:
    # After each 503 (Retry-After: 3600, capped at 0.4 s) the site gets at most the
    # requests that were already on their way, not a burst.
    hits = sorted(crawl.site.hits, key=lambda h: h.at)
    for failure in crawl.site.hits_for("/unavailable/"):
        soon = [h for h in hits if failure.at < h.at < failure.at + RETRY_AFTER_MAX * 0.9]
        assert len(soon) <= 2, (failure, soon)
    # And never much faster than robots.txt's Crawl-delay (0.05 s). These are arrival
    # times at the server, so one request sent late (a busy machine) can land just
    # before the next one sent on time: two arrivals may come close, but no stretch
    # of the crawl may run faster than the delay allows, give or take that jitter.
    gaps = [b.at - a.at for a, b in itertools.pairwise(hits[1:])]
    assert len(hits) > 30
    assert sum(gaps) / len(gaps) >= 0.05
    window = 0.5  # seconds: 10 requests at the Crawl-delay, hammering would be dozens
    busiest = max(sum(1 for h in hits[1:] if a.at <= h.at < a.at + window) for a in hits[1:])
    assert busiest <= window / 0.05 + 5, busiest
    assert crawl.stats["morgue/robots/crawl_delay"] == 0.05


def test_a_stalled_response_times_out_into_a_capture(crawl: Crawl) -> None:
    row = crawl.row("/stall/")
    assert row["status"] == 0
    assert row["error"].startswith("DownloadTimeoutError")
    assert crawl.stats["morgue/failure/timeout"] == 1


@pytest.mark.parametrize("path", ["/huge/", "/huge-stream/", "/bomb/"])
def test_oversized_and_bombs_are_cancelled_into_captures(crawl: Crawl, path: str) -> None:
    row = crawl.row(path)
    assert row["status"] == 0
    assert row["body_size"] == 0
    assert "size" in row["error"].lower(), row["error"]


def test_size_cancellations_are_counted(crawl: Crawl) -> None:
    assert crawl.stats["morgue/failure/max_size"] == 3


def test_binary_truncated_and_deeply_nested_pages_are_kept_without_crashing(
    crawl: Crawl,
) -> None:
    for path in ("/binary/", "/truncated/", "/nested/"):
        row = crawl.row(path)
        assert (row["status"], row["error"]) == (200, None), path
        assert row["body_size"] > 0
    assert crawl.row("/binary/")["article_id"] is None
    assert crawl.stats["morgue/extract/skipped/binary"] == 1
    assert not crawl.stats.get("spider_exceptions/count")
    assert not crawl.stats.get("log_count/ERROR"), crawl.stats


def test_mislabelled_and_unlabelled_charsets_are_kept_byte_exact(crawl: Crawl) -> None:
    from hostile.site import hostile_handler as handler

    expected = handler(crawl.site, "/sjis/").body
    with Archive(crawl.db, readonly=True) as archive:
        assert archive.capture_body(crawl.row("/sjis/")["id"]) == expected
    assert crawl.row("/sjis/")["article_id"]  # extracted, with a decode warning
    assert crawl.stats["morgue/extract/warnings"] >= 1
    plain = crawl.articles[crawl.site.url("/nocharset/")]
    assert "paragraph 1 of a plain article" in plain["body_text"]


def test_shift_jis_labelled_utf8_decodes_to_japanese(crawl: Crawl) -> None:
    sjis = crawl.articles[crawl.site.url("/sjis/")]
    assert "東京の港で新しいフェリーが就航した" in sjis["body_text"]


def test_robots_disallowed_pages_are_never_requested(crawl: Crawl) -> None:
    assert not [p for p in crawl.site.paths() if p.startswith("/private/")]
    row = crawl.row("/private/secret/")
    assert row["status"] == 0 and "robots.txt" in row["error"]
    assert crawl.stats["morgue/failure/robots"] == 1
    assert crawl.stats["robotstxt/forbidden"] == 1


def test_long_urls_are_cut_before_they_are_requested(crawl: Crawl) -> None:
    assert max(len(p) for p in crawl.site.paths()) < 2000
    (row,) = [c for c in crawl.captures if "/long/" in c["url"]]
    assert len(row["url"]) >= LONG_URL_LENGTH
    assert row["status"] == 0 and row["error"] == "Refused by trap rule url_length"
    assert crawl.stats["morgue/trap/url_length"] == 1


def test_page_and_session_traps_are_cut_by_query_limits(crawl: Crawl) -> None:
    archive_pages = [p for p in crawl.site.paths() if p.startswith("/archive/?page=")]
    sessions = [p for p in crawl.site.paths() if p.startswith("/session/?sid=")]
    assert 1 <= len(archive_pages) <= 5
    assert 1 <= len(sessions) <= 5
    assert crawl.stats["morgue/trap/query_params"] == 2  # one cut per chain
    cut = [c for c in crawl.captures if c["error"] == "Refused by trap rule query_params"]
    assert len(cut) == 2


def test_path_loops_are_cut_by_the_repeated_segment_rule(crawl: Crawl) -> None:
    loopdir = [p for p in crawl.site.paths() if p.startswith("/loopdir/")]
    assert loopdir == ["/loopdir/", "/loopdir/a/", "/loopdir/a/a/", "/loopdir/a/a/a/"]
    assert crawl.stats["morgue/trap/repeated_segment"] == 1


def test_an_infinite_calendar_is_cut_by_the_site_budget(crawl: Crawl) -> None:
    hops = {"/chain/2", "/chain/3", "/chain/end/", "/loop/b"}  # redirects: not yielded links
    requested = [p for p in crawl.site.paths() if p != "/robots.txt"]
    assert len(set(requested) - hops) <= 50
    assert crawl.stats["morgue/trap/site_budget"] == 1
    assert [p for p in requested if p.startswith("/calendar/")]


def test_pseudo_url_links_are_never_followed(crawl: Crawl) -> None:
    schemes = {c["url"].split(":", 1)[0] for c in crawl.captures}
    assert schemes == {"http"}


def test_every_failure_is_counted_in_the_run_stats(crawl: Crawl) -> None:
    failed = [c for c in crawl.captures if c["error"]]
    counted = sum(v for k, v in crawl.stats.items() if k.startswith("morgue/failure/"))
    traps = sum(v for k, v in crawl.stats.items() if k.startswith("morgue/trap/"))
    assert len(failed) == counted + traps
    assert crawl.stats["morgue/store/failed_fetches"] == len(failed)
    assert json.dumps(crawl.stats)  # recorded whole in runs.stats


def test_robots_txt_is_asked_once(crawl: Crawl) -> None:
    assert crawl.site.paths().count("/robots.txt") == 1


def test_only_the_site_was_asked(crawl: Crawl, tmp_path: Path) -> None:
    assert all(hit.headers.get("User-Agent", "").startswith("morgue/") for hit in crawl.site.hits)
