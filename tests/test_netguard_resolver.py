"""The private-network guard at connect time (DNS rebinding), issue 6.

The resolver's decision is tested on fake answers: its lookup is replaced, so no
name is resolved and nothing is connected to. The one crawl here (NetGuardMiddleware
off, so only the connect-time guard stands) runs on loopback servers only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from crawl_helpers import scrapy_crawl
from hostile.server import RecordingServer, Reply, canary, serving
from scrapy import Request, Spider
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.resolver import dnscache
from scrapy.statscollectors import StatsCollector
from scrapy.utils.test import get_crawler
from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from archive import Archive
from crawler.failures import failure_kind
from crawler.middlewares import connectguard
from crawler.middlewares.connectguard import ConnectGuardMiddleware, GuardedResolver
from crawler.middlewares.netguard import REFUSED, NetGuardMiddleware, literal_address

PUBLIC = "93.184.216.34"


@pytest.fixture(autouse=True)
def clean_state() -> Iterator[None]:
    """The DNS cache, refusals and proxy hosts are process-wide: each test starts empty."""
    limit = dnscache.limit
    dnscache.clear()
    connectguard.refusals.clear()
    connectguard.proxy_hosts.clear()
    yield
    dnscache.clear()
    dnscache.limit = limit
    connectguard.refusals.clear()
    connectguard.proxy_hosts.clear()


class FakeDNS:
    """Answers each name from a list, one answer per lookup; counts the lookups."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, name: str) -> defer.Deferred[str]:
        self.asked.append(name)
        queue = self.answers.get(name)
        if not queue:
            return defer.fail(DNSLookupError(f"no address for {name}"))
        return defer.succeed(queue.pop(0) if len(queue) > 1 else queue[0])


def make_crawler(settings: dict[str, Any] | None = None, seeds: list[str] | None = None) -> Crawler:
    crawler = get_crawler(Spider, settings)
    crawler.spider = Spider("t", start_urls=seeds or ["https://news.example/"])
    return crawler


def guarded(
    monkeypatch: pytest.MonkeyPatch, owner: Any, answers: dict[str, list[str]]
) -> tuple[GuardedResolver, FakeDNS]:
    resolver = GuardedResolver.from_crawler(owner, cast(Any, None))  # no reactor: lookups faked
    dns = FakeDNS(answers)
    monkeypatch.setattr(resolver, "_lookup", dns)
    return resolver, dns


def with_guard(crawler: Crawler, hosts: set[str], addresses: list[str]) -> NetGuardMiddleware:
    """The crawler's NetGuardMiddleware, its seeds loaded as on the crawl's first request."""
    guard = NetGuardMiddleware(crawler)
    guard.seed_hosts = hosts
    guard.seed_addresses = {a for a in map(literal_address, addresses) if a is not None}
    return guard


def answer(resolver: GuardedResolver, name: str) -> str | BaseException:
    results: list[Any] = []
    resolver.getHostByName(name).addBoth(results.append)
    (result,) = results
    return result.value if isinstance(result, Failure) else cast(str, result)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.1", "private"),
        ("169.254.169.254", "link_local"),
        ("192.168.1.1", "private"),
        ("127.0.0.2", "loopback"),
        ("100.64.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),
    ],
)
def test_a_non_public_answer_is_refused_at_connect(
    monkeypatch: pytest.MonkeyPatch, address: str, kind: str
) -> None:
    crawler = make_crawler()
    with_guard(crawler, {"news.example"}, [PUBLIC])
    resolver, _ = guarded(monkeypatch, crawler, {"evil.example": [address]})
    refused = answer(resolver, "evil.example")
    assert isinstance(refused, DNSLookupError)
    message = refused.args[0]  # str() adds Twisted's "DNS lookup failed: "
    assert message.startswith(REFUSED)
    assert f"evil.example resolves to {address} ({kind}) at connect time" in message
    assert connectguard.refusals["evil.example"] == (kind, message)
    assert "evil.example" not in dnscache  # a refused answer is not cached


def test_a_public_answer_is_allowed_and_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    crawler = make_crawler()
    resolver, dns = guarded(monkeypatch, crawler, {"news.example": [PUBLIC]})
    assert answer(resolver, "news.example") == PUBLIC
    assert answer(resolver, "news.example") == PUBLIC
    assert dns.asked == ["news.example"]  # the second answer came from the cache
    assert dnscache["news.example"] == PUBLIC


def test_rebinding_public_then_private_is_refused_the_second_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crawler = make_crawler({"DNSCACHE_ENABLED": False})
    resolver, dns = guarded(monkeypatch, crawler, {"rebind.example": [PUBLIC, "10.0.0.1"]})
    assert answer(resolver, "rebind.example") == PUBLIC
    refused = answer(resolver, "rebind.example")
    assert isinstance(refused, DNSLookupError) and refused.args[0].startswith(REFUSED)
    assert dns.asked == ["rebind.example", "rebind.example"]


def test_with_the_cache_the_checked_answer_is_the_one_connected_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crawler = make_crawler()
    resolver, dns = guarded(monkeypatch, crawler, {"rebind.example": [PUBLIC, "10.0.0.1"]})
    assert answer(resolver, "rebind.example") == PUBLIC
    assert answer(resolver, "rebind.example") == PUBLIC  # pinned: DNS is not asked again
    assert dns.asked == ["rebind.example"]


def test_a_refused_answer_is_asked_again_not_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    crawler = make_crawler()
    resolver, dns = guarded(monkeypatch, crawler, {"flip.example": ["10.0.0.1", PUBLIC]})
    assert isinstance(answer(resolver, "flip.example"), DNSLookupError)
    assert answer(resolver, "flip.example") == PUBLIC
    assert dns.asked == ["flip.example", "flip.example"]
    assert "flip.example" not in connectguard.refusals  # the good answer clears the refusal


def test_a_cached_answer_is_checked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """An answer cached while another crawl (with other seeds) ran cannot bypass the check."""
    crawler = make_crawler()
    resolver, dns = guarded(monkeypatch, crawler, {})
    dnscache["intranet"] = "10.0.0.7"
    refused = answer(resolver, "intranet")
    assert isinstance(refused, DNSLookupError) and refused.args[0].startswith(REFUSED)
    assert dns.asked == []


def test_a_failed_lookup_is_not_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    crawler = make_crawler()
    resolver, _ = guarded(monkeypatch, crawler, {})
    connectguard.refusals["gone.example"] = ("private", f"{REFUSED}: old")
    failed = answer(resolver, "gone.example")
    assert isinstance(failed, DNSLookupError) and not failed.args[0].startswith(REFUSED)
    assert "gone.example" not in connectguard.refusals


@pytest.mark.parametrize(
    ("name", "address", "allowed"),
    [
        ("intranet", "10.0.0.7", True),  # a seed's host, by name
        ("localhost", "127.0.0.1", True),  # another name of a seed's address
        ("127.0.0.1", "127.0.0.1", True),
        ("other.intranet", "10.0.0.8", False),
        ("127.0.0.2", "127.0.0.2", False),
    ],
)
def test_the_seeds_the_middleware_found_are_allowed(
    monkeypatch: pytest.MonkeyPatch, name: str, address: str, allowed: bool
) -> None:
    crawler = make_crawler()
    with_guard(crawler, {"intranet", "127.0.0.1"}, ["10.0.0.7", "127.0.0.1"])
    resolver, _ = guarded(monkeypatch, crawler, {name: [address]})
    result = answer(resolver, name)
    assert (result == address) is allowed
    assert isinstance(result, DNSLookupError) is not allowed


def test_with_the_middleware_disabled_the_seeds_hosts_and_literal_addresses_are_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crawler = make_crawler(seeds=["http://127.0.0.1:8000/", "http://intranet/news/"])
    answers = {"127.0.0.1": ["127.0.0.1"], "intranet": ["10.0.0.7"], "localhost": ["127.0.0.1"]}
    answers["127.0.0.2"] = ["127.0.0.2"]
    resolver, _ = guarded(monkeypatch, crawler, answers)
    assert answer(resolver, "127.0.0.1") == "127.0.0.1"
    assert answer(resolver, "intranet") == "10.0.0.7"
    assert answer(resolver, "localhost") == "127.0.0.1"
    assert isinstance(answer(resolver, "127.0.0.2"), DNSLookupError)


def test_allow_private_networks_allows_every_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    crawler = make_crawler({"ALLOW_PRIVATE_NETWORKS": True})
    resolver, _ = guarded(monkeypatch, crawler, {"metadata.internal": ["169.254.169.254"]})
    assert answer(resolver, "metadata.internal") == "169.254.169.254"


def test_the_process_wide_resolver_serves_every_running_crawl(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Scrapy builds the resolver with the CrawlerProcess: each running crawl's seeds count."""
    runner = AsyncCrawlerRunner({})
    first, second = make_crawler(), make_crawler()
    with_guard(first, {"a.intranet"}, ["10.0.0.1"])
    with_guard(second, {"b.intranet"}, ["10.0.0.2"])
    runner.crawlers.update({first, second})
    answers = {"a.intranet": ["10.0.0.1"], "b.intranet": ["10.0.0.2"], "c.intranet": ["10.0.0.3"]}
    resolver, _ = guarded(monkeypatch, runner, answers)
    assert answer(resolver, "a.intranet") == "10.0.0.1"
    assert answer(resolver, "b.intranet") == "10.0.0.2"
    assert isinstance(answer(resolver, "c.intranet"), DNSLookupError)
    runner.crawlers.discard(second)  # finished: its seeds no longer count
    dnscache.clear()
    assert isinstance(answer(resolver, "b.intranet"), DNSLookupError)


def test_the_proxy_a_request_goes_through_may_be_private(monkeypatch: pytest.MonkeyPatch) -> None:
    crawler = make_crawler()
    middleware = ConnectGuardMiddleware(crawler)
    answers = {"proxy.corp": ["10.0.0.3"], "other.corp": ["10.0.0.3"]}
    resolver, _ = guarded(monkeypatch, crawler, answers)
    assert isinstance(answer(resolver, "proxy.corp"), DNSLookupError)  # no request used it yet
    middleware.process_request(
        Request("https://news.example/", meta={"proxy": "http://proxy.corp:3128"})
    )
    assert answer(resolver, "proxy.corp") == "10.0.0.3"
    assert isinstance(answer(resolver, "other.corp"), DNSLookupError)


def refused_then(
    monkeypatch: pytest.MonkeyPatch, url_host: str
) -> tuple[Callable[[Exception], IgnoreRequest | None], StatsCollector]:
    """A crawl whose resolver refused ``rebind.example``: the middleware's verdict on a
    download exception for a URL on ``url_host``, and the crawl's stats."""
    crawler = make_crawler()
    resolver, _ = guarded(monkeypatch, crawler, {"rebind.example": ["169.254.169.254"]})
    assert isinstance(answer(resolver, "rebind.example"), DNSLookupError)
    middleware = ConnectGuardMiddleware(crawler)
    request = Request(f"http://{url_host}/latest/meta-data/")

    def process(exception: Exception) -> IgnoreRequest | None:
        try:
            middleware.process_exception(request, exception)
        except IgnoreRequest as refused:
            return refused
        return None

    assert crawler.stats is not None
    return process, crawler.stats


def test_the_middleware_reports_a_refusal_as_the_guards(monkeypatch: pytest.MonkeyPatch) -> None:
    process, stats = refused_then(monkeypatch, "rebind.example")
    # what the HTTP handler raises after Twisted's "no results for hostname lookup"
    refused = process(CannotResolveHostError("no results for hostname lookup: rebind.example"))
    assert refused is not None
    message = refused.args[0]  # str() adds Twisted's "DNS lookup failed: "
    assert message.startswith(REFUSED) and "169.254.169.254 (link_local)" in message
    assert failure_kind("IgnoreRequest", message) == "netguard"
    assert stats.get_value("morgue/netguard/refused_at_connect/link_local") == 1


def test_the_middleware_leaves_other_failures_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    process, stats = refused_then(monkeypatch, "elsewhere.example")
    assert process(CannotResolveHostError("no results for hostname lookup: x")) is None
    process, stats = refused_then(monkeypatch, "rebind.example")
    assert process(TimeoutError("slow")) is None
    assert not any(key.startswith("morgue/netguard") for key in stats.get_stats())


# -- end to end: only the connect-time guard stands between the crawl and a canary ----------


def linking_site(links: list[str]) -> Callable[[RecordingServer, str], Reply]:
    def handler(server: RecordingServer, path: str) -> Reply:
        if path == "/":
            anchors = "".join(f'<a href="{url}">more</a>' for url in links)
            return Reply(200, f"<html><body><h1>Home</h1>{anchors}</body></html>".encode())
        return Reply(404, b"not here")

    return handler


def test_with_netguard_off_the_resolver_still_refuses_a_canary(tmp_path: Path) -> None:
    from crawler import settings as project

    middlewares = {**project.DOWNLOADER_MIDDLEWARES}
    middlewares["crawler.middlewares.netguard.NetGuardMiddleware"] = None
    db = tmp_path / "a.db"
    with serving(canary, "127.0.0.2") as canary4:
        with serving(linking_site([canary4.url("/linked/")])) as site:
            args = ["-a", f"start_urls={site.url('/')}", "-a", "follow=all"]
            args += ["-a", "allowed_domains=127.0.0.2"]
            settings = {"DOWNLOADER_MIDDLEWARES": json.dumps(middlewares), "DEPTH_LIMIT": "0"}
            result = scrapy_crawl(*args, archive=db, settings=settings, timeout=120)
        assert result.returncode == 0, result.stderr[-4000:]
        assert canary4.hits == []
        assert site.paths()  # the seed itself (127.0.0.1) was crawled
    with Archive(db, readonly=True) as archive:
        rows = archive.query("SELECT url, status, error FROM captures")
        (run,) = archive.stats()["runs"]
    (row,) = [r for r in rows if r["url"] == canary4.url("/linked/")]
    assert row["status"] == 0
    assert row["error"].startswith(f"IgnoreRequest: {REFUSED}: 127.0.0.2 resolves to 127.0.0.2")
    assert "at connect time" in row["error"]
    assert run["stats"]["morgue/netguard/refused_at_connect/loopback"] >= 1
    assert "morgue/netguard/refused/loopback" not in run["stats"]  # the middleware was off
