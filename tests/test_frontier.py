"""The Redis frontier's parts, in-process, under warnings-as-errors (issue 9).

Each test uses its own job ID on the session's private redis-server (127.0.0.1).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from scrapy import Request, Spider
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from scrapy_redis.dupefilter import RFPDupeFilter as ScrapyRedisDupeFilter

from crawler import frontier
from crawler.frontier.dupefilter import FrontierDupeFilter
from crawler.frontier.keys import FrontierConfigError, JobKeys
from crawler.frontier.leases import Leases
from crawler.frontier.scheduler import FrontierScheduler
from crawler.spiders.articles import ArticlesSpider

_jobs = itertools.count()


class TinySpider(Spider):
    name = "tiny"


@pytest.fixture
def job() -> str:
    return f"unit-{next(_jobs)}"


@pytest.fixture
def server(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def make_crawler(redis_url: str, job: str, **extra: Any) -> Any:
    settings = {"MORGUE_FRONTIER": redis_url, "MORGUE_JOB_ID": job, **extra}
    crawler = get_crawler(TinySpider, settings)
    crawler.spider = crawler._create_spider()
    return crawler


def open_scheduler(redis_url: str, job: str, **extra: Any) -> FrontierScheduler:
    crawler = make_crawler(redis_url, job, **extra)
    scheduler = FrontierScheduler.from_crawler(crawler)
    scheduler.open(crawler.spider)
    return scheduler


def close(scheduler: FrontierScheduler, reason: str = "shutdown") -> None:
    scheduler.close(reason)


# -- duplicate filter -------------------------------------------------------------------


def test_fingerprints_are_scrapys_own(redis_url: str, job: str, server: redis.Redis) -> None:
    crawler = make_crawler(redis_url, job)
    dupefilter = FrontierDupeFilter.from_crawler(crawler)
    request = Request("http://127.0.0.1/story/?b=2&a=1")
    scrapy_fp = crawler.request_fingerprinter.fingerprint(request)
    assert dupefilter.fingerprint(request) == scrapy_fp
    # Scrapy's own in-memory filter agrees on what a duplicate is
    scrapys = RFPDupeFilter(fingerprinter=crawler.request_fingerprinter)
    assert not dupefilter.request_seen(request)
    assert not scrapys.request_seen(request)
    same = Request("http://127.0.0.1/story/?a=1&b=2")  # canonically the same URL
    assert dupefilter.request_seen(same) and scrapys.request_seen(same)
    assert server.sismember(JobKeys(job).seen, scrapy_fp)
    # scrapy-redis's own filter hashes differently: the reason for this class
    legacy = ScrapyRedisDupeFilter(server, key="unused").request_fingerprint(request)
    assert legacy != scrapy_fp.hex()


def test_two_jobs_never_share_keys(redis_url: str, server: redis.Redis) -> None:
    one, two = f"unit-{next(_jobs)}", f"unit-{next(_jobs)}"
    first = open_scheduler(redis_url, one, MORGUE_FRONTIER_SEED=False)
    second = open_scheduler(redis_url, two, MORGUE_FRONTIER_SEED=False)
    try:
        request = Request("http://127.0.0.1/a/")
        assert first.enqueue_request(request)
        assert not first.enqueue_request(Request("http://127.0.0.1/a/"))  # seen in job one
        assert second.enqueue_request(Request("http://127.0.0.1/a/"))  # not in job two
        keys = [k.decode() for k in server.keys("morgue:*")]
        assert any(k.startswith(f"morgue:{one}:") for k in keys)
        assert any(k.startswith(f"morgue:{two}:") for k in keys)
        assert all(k.startswith((f"morgue:{one}:", f"morgue:{two}:", "morgue:unit-")) for k in keys)
        for name in JobKeys(one).all_fixed():
            assert name.startswith(f"morgue:{one}:")
        popped = second.next_request()
        assert popped is not None and popped.url == "http://127.0.0.1/a/"
        assert second.next_request() is None  # job one's request is not job two's
        assert first.has_pending_requests()
    finally:
        close(first)
        close(second)


def test_flush_on_start_is_refused(redis_url: str, job: str) -> None:
    crawler = make_crawler(redis_url, job, SCHEDULER_FLUSH_ON_START=True)
    with pytest.raises(FrontierConfigError, match="SCHEDULER_FLUSH_ON_START"):
        FrontierScheduler.from_crawler(crawler)


def test_job_id_is_required(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MORGUE_JOB_ID", raising=False)
    crawler = get_crawler(TinySpider, {"MORGUE_FRONTIER": redis_url})
    with pytest.raises(FrontierConfigError, match="MORGUE_JOB_ID"):
        FrontierScheduler.from_crawler(crawler)
    bad = get_crawler(TinySpider, {"MORGUE_FRONTIER": redis_url, "MORGUE_JOB_ID": "a b"})
    with pytest.raises(FrontierConfigError, match="must be"):
        FrontierScheduler.from_crawler(bad)


def test_activation_swaps_scheduler_and_filter(redis_url: str) -> None:
    plain = Settings({"SCHEDULER": "crawler.jobstate.MemoryScheduler"})
    ArticlesSpider.update_settings(plain)
    assert plain["SCHEDULER"] == "crawler.jobstate.MemoryScheduler"
    assert frontier.enqueues_seeds(plain)
    shared = Settings({"MORGUE_FRONTIER": redis_url, "MORGUE_FRONTIER_SEED": False})
    ArticlesSpider.update_settings(shared)
    assert shared["SCHEDULER"] == "crawler.frontier.scheduler.FrontierScheduler"
    assert shared["DUPEFILTER_CLASS"] == "crawler.frontier.dupefilter.FrontierDupeFilter"
    assert not frontier.enqueues_seeds(shared)


def test_engine_internals_the_coordinator_reads_exist() -> None:
    """The pinned Scrapy minor keeps what crawler/frontier/coordinator.py reads."""
    from scrapy.core.engine import ExecutionEngine, _Slot
    from scrapy.utils.reactor import CallLaterOnce

    slot = _Slot(close_if_idle=True, nextcall=CallLaterOnce(lambda: None), scheduler=None)  # type: ignore[arg-type]
    assert slot.inprogress == set() and slot.closing is None
    assert callable(slot.nextcall.schedule)
    assert "_slot" in ExecutionEngine.__init__.__code__.co_names


# -- leases -------------------------------------------------------------------------------


def test_popped_requests_stay_leased_until_acknowledged(
    redis_url: str, job: str, server: redis.Redis
) -> None:
    scheduler = open_scheduler(redis_url, job)
    try:
        for n in range(3):
            scheduler.enqueue_request(Request(f"http://127.0.0.1/p{n}/", priority=n))
        first = scheduler.next_request()
        assert first is not None and first.url == "http://127.0.0.1/p2/"  # priority order
        keys = JobKeys(job)
        worker = scheduler.leases.worker
        assert server.zcard(keys.queue) == 2
        assert server.hlen(keys.leases(worker)) == 1
        scheduler.coordinator.committed()  # no engine: every popped request counts done
        assert server.hlen(keys.leases(worker)) == 0
        assert not scheduler.held
    finally:
        close(scheduler)


def test_dead_workers_leases_are_requeued(redis_url: str, job: str, server: redis.Redis) -> None:
    keys = JobKeys(job)
    victim = open_scheduler(redis_url, job, MORGUE_FRONTIER_WORKER_TTL=60)
    survivor = open_scheduler(redis_url, job)
    for n in range(4):
        victim.enqueue_request(Request(f"http://127.0.0.1/k{n}/"))
    taken = [victim.next_request() for _ in range(3)]
    assert all(taken) and server.zcard(keys.queue) == 1
    dead = victim.leases.worker
    victim.coordinator._ticker.stop()  # the victim is "killed": no more heartbeats
    assert survivor.leases.reap() == 0  # its heartbeat has not expired: nothing moves
    server.delete(keys.alive(dead))  # ... now it has
    assert survivor.leases.reap() == 3
    assert server.zcard(keys.queue) == 4
    assert not server.exists(keys.leases(dead))
    assert dead.encode() not in server.smembers(keys.workers)
    urls = set()
    while (request := survivor.next_request()) is not None:
        urls.add(request.url)
    assert urls == {f"http://127.0.0.1/k{n}/" for n in range(4)}
    close(survivor)


def test_closing_worker_puts_unfinished_requests_back(
    redis_url: str, job: str, server: redis.Redis
) -> None:
    scheduler = open_scheduler(redis_url, job)
    scheduler.enqueue_request(Request("http://127.0.0.1/x/"))
    assert scheduler.next_request() is not None
    close(scheduler, "shutdown")
    keys = JobKeys(job)
    assert server.zcard(keys.queue) == 1  # not acknowledged, so not lost
    assert server.exists(keys.seen)  # a stopped (not finished) job keeps its frontier


# -- idle coordinator -----------------------------------------------------------------------


def test_idle_worker_waits_for_seeds_then_for_others(
    redis_url: str, job: str, server: redis.Redis
) -> None:
    keys = JobKeys(job)
    joiner = open_scheduler(redis_url, job, MORGUE_FRONTIER_SEED=False)
    with pytest.raises(DontCloseSpider):  # nothing seeded yet: wait for the seed worker
        joiner.coordinator.spider_idle()
    seeder = open_scheduler(redis_url, job, MORGUE_FRONTIER_WORKER_TTL=60)
    seeder.enqueue_request(Request("http://127.0.0.1/seed/"))
    busy = seeder.next_request()  # the seeder works on its seed
    assert busy is not None
    seeder.leases.server.set(keys.seeded, "1")
    with pytest.raises(DontCloseSpider):  # the seeder holds a lease: it may enqueue more
        joiner.coordinator.spider_idle()
    seeder.enqueue_request(Request("http://127.0.0.1/child/"))
    seeder.coordinator.committed()
    with pytest.raises(DontCloseSpider):  # a request is queued
        joiner.coordinator.spider_idle()
    assert joiner.next_request() is not None
    with pytest.raises(DontCloseSpider):  # its own lease is not acknowledged yet
        joiner.coordinator.spider_idle()
    joiner.coordinator.committed()
    assert joiner.coordinator.spider_idle() is None  # drained: it may stop
    assert seeder.coordinator.spider_idle() is None
    close(joiner, "finished")
    assert server.exists(keys.seen)  # the seeder still runs: the job stays
    close(seeder, "finished")
    assert not any(server.exists(k) for k in keys.all_fixed())  # complete: keys deleted


def test_dead_busy_worker_does_not_hold_the_others(
    redis_url: str, job: str, server: redis.Redis
) -> None:
    keys = JobKeys(job)
    dead = open_scheduler(redis_url, job, MORGUE_FRONTIER_WORKER_TTL=60)
    alive = open_scheduler(redis_url, job)
    dead.enqueue_request(Request("http://127.0.0.1/held/"))
    assert dead.next_request() is not None
    dead.coordinator._ticker.stop()
    server.set(keys.seeded, "1")
    with pytest.raises(DontCloseSpider):
        alive.coordinator.spider_idle()  # the other one is busy (alive key present)
    server.delete(keys.alive(dead.leases.worker))  # its heartbeat expires
    with pytest.raises(DontCloseSpider):  # its request is requeued, not dropped
        alive.coordinator.spider_idle()
    request = alive.next_request()
    assert request is not None and request.url == "http://127.0.0.1/held/"
    alive.coordinator.committed()
    assert alive.coordinator.spider_idle() is None
    close(alive, "finished")


def test_no_seed_worker_ever_gives_up_after_the_wait(redis_url: str, job: str) -> None:
    joiner = open_scheduler(redis_url, job, MORGUE_FRONTIER_SEED=False, MORGUE_FRONTIER_SEED_WAIT=0)
    with pytest.raises(CloseSpider) as stopped:
        joiner.coordinator.spider_idle()
    assert stopped.value.reason == "frontier_not_seeded"
    close(joiner)


def test_leases_ack_only_named_leases(redis_url: str, job: str, server: redis.Redis) -> None:
    keys = JobKeys(job)
    leases = Leases(server, keys, "w-test")
    server.zadd(keys.queue, {b"a": 0, b"b": 0})
    first, second = leases.pop(), leases.pop()
    assert first and second and leases.pop() is None
    leases.ack([first[0]])
    assert server.hkeys(keys.leases("w-test")) == [second[0].encode()]


def test_an_unreachable_redis_is_never_taken_for_a_drained_frontier(
    redis_url: str, job: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    scheduler = open_scheduler(redis_url, job)

    def down(*args: Any, **kwargs: Any) -> Any:
        raise RedisConnectionError("connection refused")

    monkeypatch.setattr(scheduler.leases, "reap", down)
    monkeypatch.setattr(scheduler.leases, "pop", down)
    with pytest.raises(DontCloseSpider):
        scheduler.coordinator.spider_idle()
    assert scheduler.next_request() is None  # logged, and tried again on the next tick
    monkeypatch.undo()
    close(scheduler)
