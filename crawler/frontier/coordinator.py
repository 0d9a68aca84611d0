"""When may a worker stop? Only when the whole job's frontier is drained.

scrapy-redis closes a worker as soon as the shared queue is empty for a moment. Here a
worker stops on ``spider_idle`` only when a seed worker has finished its ``start()``
(the ``seeded`` key), nothing is queued and no worker holds a lease. Each worker
keeps a heartbeat key with a TTL (``MORGUE_FRONTIER_WORKER_TTL``); the leases of a
worker whose heartbeat expired are requeued by the others, so a dead worker holds
nobody up for longer than that. A once-a-second tick renews the heartbeat, asks the
store to commit so finished requests can be acknowledged, and wakes the engine so an
idle worker picks up requests other workers enqueue.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from twisted.internet import task

from crawler.frontier.leases import Leases
from pipelines.store import BATCH_COMMITTED, FLUSH_REQUESTED

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

    from crawler.frontier.keys import JobKeys

logger = logging.getLogger(__name__)


class Coordinator:
    def __init__(self, crawler: Crawler, leases: Leases, held: dict[str, Request]) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.leases = leases
        self.held = held  # lease -> the request it popped (shared with the scheduler)
        self.ttl = settings.getfloat("MORGUE_FRONTIER_WORKER_TTL", 10.0)
        self.seed_wait = settings.getfloat("MORGUE_FRONTIER_SEED_WAIT", 300.0)
        self.ack_seconds = settings.getfloat("MORGUE_FRONTIER_ACK_SECONDS", 5.0)
        self.seeder = settings.getbool("MORGUE_FRONTIER_SEED", True)
        self._opened = self._last_ack = self._last_reap = time.monotonic()
        self._ticker = task.LoopingCall(self.tick)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.committed, signal=BATCH_COMMITTED)

    @property
    def keys(self) -> JobKeys:
        return self.leases.keys

    def open(self) -> None:
        self.heartbeat()
        self._ticker.start(1.0, now=False)

    def heartbeat(self) -> None:
        pipe = self.leases.server.pipeline(transaction=False)  # no MULTI: fewer ACL rights
        pipe.set(self.keys.alive(self.leases.worker), "1", px=int(self.ttl * 1000))
        pipe.sadd(self.keys.workers, self.leases.worker)
        pipe.execute()

    def _engine_slot(self) -> Any:
        # Scrapy keeps the requests it has taken from the scheduler and not finished
        # (downloaded, called back, items through the pipelines) in its engine slot;
        # it is private, hence the pinned Scrapy minor version (tests check it).
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not started yet (Scrapy 2.19 raises rather than give None)
            return None
        return getattr(engine, "_slot", None) if engine is not None else None

    def done(self) -> list[str]:
        """Leases whose request Scrapy has finished with."""
        slot = self._engine_slot()
        inprogress = slot.inprogress if slot is not None else set()
        return [lease for lease, request in self.held.items() if request not in inprogress]

    def committed(self) -> None:
        """The store committed everything that reached it: acknowledge finished requests."""
        leases = self.done()
        self.leases.ack(leases)
        for lease in leases:
            del self.held[lease]
        self._last_ack = time.monotonic()
        if leases and self.crawler.stats is not None:
            self.crawler.stats.inc_value("morgue/frontier/acked", len(leases))

    def tick(self) -> None:
        try:
            self.heartbeat()
            now = time.monotonic()
            if now - self._last_ack >= self.ack_seconds and self.done():
                self.crawler.signals.send_catch_log(signal=FLUSH_REQUESTED)
            if now - self._last_reap >= self.ttl / 2:
                self._last_reap = now
                self._reap()
        except RedisError as exc:  # a network blip: the next tick retries; say so
            logger.error("frontier: Redis error in heartbeat: %s", exc)
            return
        slot = self._engine_slot()
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()  # pick up what other workers enqueued

    def _reap(self) -> None:
        moved = self.leases.reap()
        if moved:
            logger.warning("frontier: requeued %d requests of dead workers", moved)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("morgue/frontier/requeued_dead", moved)

    def spider_idle(self) -> None:
        try:
            self._idle()
        except RedisError as exc:  # never take an unreachable frontier for a drained one
            logger.error("frontier: Redis error while idle, not stopping: %s", exc)
            raise DontCloseSpider from exc

    def _idle(self) -> None:
        self._reap()
        if self.held and self.done():  # finished, not committed yet: commit now, then ack
            self.crawler.signals.send_catch_log(signal=FLUSH_REQUESTED)
        if self.held:
            raise DontCloseSpider
        if self.seeder:  # spider_idle comes only once start() is exhausted
            self.leases.server.set(self.keys.seeded, self.leases.worker, nx=True)
        outstanding = self.leases.outstanding()
        if outstanding < 0:
            if time.monotonic() - self._opened < self.seed_wait:
                raise DontCloseSpider  # wait for the seed worker
            logger.error("frontier: no seed worker came in %.0f s", self.seed_wait)
            raise CloseSpider("frontier_not_seeded")
        if outstanding > 0:
            raise DontCloseSpider
        logger.info("frontier: job %s drained, this worker stops", self.keys.job)

    def close(self, reason: str) -> None:
        if self._ticker.running:
            self._ticker.stop()
        try:
            self._leave(reason)
        except RedisError as exc:  # its heartbeat expires: the others requeue its leases
            logger.error("frontier: Redis error while leaving the job: %s", exc)

    def _leave(self, reason: str) -> None:
        server, keys, worker = self.leases.server, self.keys, self.leases.worker
        back = self.leases.requeue(worker, force=True)  # never acknowledged: not lost
        if back:
            logger.warning("frontier: put %d unfinished requests back in the queue", back)
        self.held.clear()
        server.delete(keys.alive(worker))
        if reason == "finished" and self.leases.outstanding() == 0 and not self._others_alive():
            server.delete(*keys.all_fixed())  # the job is complete: a rerun starts afresh
            logger.info("frontier: job %s complete, its keys deleted", keys.job)

    def _others_alive(self) -> bool:
        """Whether another worker is still running (it will clean up when it stops)."""
        server, keys = self.leases.server, self.keys
        members = [_text(m) for m in server.smembers(keys.workers)]
        return any(server.exists(keys.alive(m)) for m in members if m != self.leases.worker)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
