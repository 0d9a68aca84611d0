"""The extraction processes, and what happens when one of them dies.

A worker process can die in the middle of a batch: the kernel's out-of-memory killer,
or a crash in a C library (lxml, zlib) on a hostile page. ``concurrent.futures`` then
fails every batch in flight with ``BrokenProcessPool`` and refuses every later one.
Left at that, an import stopped with a traceback, and a crawl lost the captures of the
pages in flight, then of every page after (or hung, waiting on a batch never sent).

:class:`WorkPool` instead:

1. replaces the broken pool with a new one (``morgue/extract/pool_restarts``);
2. runs each page of every batch that failed again, alone and one at a time, in a
   one-process *quarantine* pool, so that a death there names its page for certain
   (``morgue/extract/retried``);
3. fails only that page (:class:`WorkerCrashed`, ``morgue/extract/crashed``): the
   pipeline keeps its capture (the raw body, as every capture), unextracted, with a note
   saying why, and the log names its URL. A page whose work raised outside the extractor's
   own guard (which records its errors as warnings) is found and kept the same way.

A batch not done ``timeout`` seconds after it was handed over (``EXTRACT_TIMEOUT``: a
page that sends the extractor into a loop; a batch waiting behind others gets a
``timeout`` for each round of them) is treated the same way: its pool's
processes are stopped (``morgue/extract/timeouts``), which fails its batches as a death
does, and the page that stalls again when run alone is the one given up.

When the processes cannot run at all, every page waiting and every later one fails
with :class:`~archive.errors.ExtractionError`, a message for the user: when a process
cannot be started (no ``fork``; a script that starts an import without an
``if __name__ == "__main__":`` guard, which the forkserver re-runs in every process),
or when they died (or stalled) :data:`SYSTEMIC_DEATHS` times without finishing a batch.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections import deque
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from archive.errors import ExtractionError
from pipelines.core.records import PackedBody
from pipelines.orphans import exit_with_parent

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: Deaths of extraction processes, with not one batch finished in between, after which
#: the processes are taken not to work at all (rather than a page killing each).
SYSTEMIC_DEATHS = 3
#: ``EXTRACT_TIMEOUT``: seconds a batch may take from its hand-over. A page takes
#: milliseconds, a 5 MiB page (``EXTRACT_MAX_BYTES``) about a second; a batch may wait
#: behind one batch per process.
DEFAULT_TIMEOUT = 120.0

J = TypeVar("J", bound=tuple[Any, ...])  # a page's job: (raw body, URL, ...)
D = TypeVar("D")  # what a page's work gives back
#: A batch: each page's job, and the future its item awaits.
Batch = list[tuple[J, "asyncio.Future[D]"]]
#: The function run in a worker: a batch of jobs -> (their results, the CPU seconds they
#: took, the process's peak RSS in MiB so far: :func:`peak_rss_mib`).
BatchFn = Callable[[list[J]], tuple[list[D], float, float]]


def peak_rss_mib() -> float:
    """This process's peak resident memory in MiB (``VmHWM``; ``ru_maxrss`` where there is
    no ``/proc``). A pool's processes are not the crawl's children (the forkserver's), so
    neither the crawl's own figures nor ``RUSAGE_CHILDREN`` count them: each batch
    reports its process's, as ``morgue/extract/worker_peak_rss_mib``."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        logger.debug("no /proc/self/status: peak RSS from getrusage")
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB; bytes on macOS
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


class WorkerCrashed(Exception):
    """One page's work failed in its process: it alone is given up, its capture kept."""

    def __init__(self, reason: str, packed: PackedBody) -> None:
        super().__init__(reason)
        self.reason = reason
        self.packed = packed


def _guard_hint() -> str:
    return (
        'A script that calls morgue must do so under `if __name__ == "__main__":` '
        "(multiprocessing's forkserver imports the main module in every process it "
        "starts); or set EXTRACT_WORKERS=0 to extract in this process."
    )


def _when_done(
    submitted: Future[Any],
    loop: asyncio.AbstractEventLoop,
    callback: Callable[..., None],
    *args: Any,
) -> None:
    """Call ``callback(*args, submitted)`` on the event loop's thread once it is done."""
    submitted.add_done_callback(
        lambda done: loop.call_soon_threadsafe(partial(callback, *args, done))
    )


def _kill(pool: ProcessPoolExecutor | None) -> None:
    """Stop ``pool``'s processes at once: its futures then fail as ``BrokenProcessPool``.

    Python 3.14 has ``kill_workers()`` for this; before it, the executor's processes are
    only reachable through its private ``_processes`` (they are the forkserver's children,
    not this process's, so ``multiprocessing.active_children()`` does not list them). If
    neither is there, a stalled batch could never be stopped: that is said, not ignored.
    """
    if pool is None:
        return
    kill_workers = getattr(pool, "kill_workers", None)
    if callable(kill_workers):
        kill_workers()
        return
    if not hasattr(pool, "_processes"):
        logger.warning(
            "cannot stop the extraction processes on this Python (no kill_workers, no "
            "_processes): a stalled batch runs on"
        )
        return
    # None once the pool is shut down: nothing left to stop
    for process in list((pool._processes or {}).values()):
        process.kill()


class WorkPool(Generic[J, D]):
    """``workers`` processes running ``batch_fn``; survives the death of any of them."""

    def __init__(
        self,
        workers: int,
        stats: StatsCollector,
        batch_fn: BatchFn[J, D],
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.workers = workers
        self.stats = stats
        self.batch_fn = batch_fn
        self.timeout = timeout  # seconds a batch may take once handed over; 0: no limit
        self._pool: ProcessPoolExecutor | None = self._new_pool(workers)
        self._generation = 0  # which pool a batch went to: one death, one restart
        self._quarantine: ProcessPoolExecutor | None = None
        self._suspects: deque[tuple[J, asyncio.Future[D]]] = deque()
        self._quarantine_busy = False
        self._stalled: Future[Any] | None = None  # the suspect stopped for its time
        self._deaths = 0  # since the last batch that finished
        self._in_flight = 0  # batches handed to the pool and not settled
        self._failed: ExtractionError | None = None

    @staticmethod
    def _new_pool(workers: int) -> ProcessPoolExecutor:
        # forkserver: never fork the threaded reactor process itself
        context = multiprocessing.get_context("forkserver")
        # exit_with_parent: a killed crawl leaves no worker behind (pipelines/orphans.py)
        return ProcessPoolExecutor(workers, mp_context=context, initializer=exit_with_parent)

    # -- batches -------------------------------------------------------------------------

    def submit(self, batch: Batch[J, D]) -> None:
        """Run ``batch`` in a worker; each page's future gets its result, or its error."""
        if self._failed is not None or self._pool is None:
            self._fail_all(batch)
            return
        generation = self._generation
        try:
            submitted = self._pool.submit(self.batch_fn, [job for job, _ in batch])
        except BrokenExecutor:  # a batch in flight killed its process; not told yet
            self._restart(generation, "an extraction process died")
            self.submit(batch)
            return
        except (RuntimeError, OSError) as exc:
            self._give_up(f"The extraction processes could not start ({exc}). " + _guard_hint())
            self._fail_all(batch)
            return
        loop = batch[0][1].get_loop()
        # a batch waits behind those handed over before it: a time for each round of them
        rounds = 1 + self._in_flight // max(1, self.workers)
        self._in_flight += 1
        timer = self._arm(loop, rounds, self._overdue, submitted, generation)
        _when_done(submitted, loop, self._settle, batch, generation, timer)

    def _settle(
        self,
        batch: Batch[J, D],
        generation: int,
        timer: asyncio.TimerHandle | None,
        done: Future[tuple[list[D], float, float]],
    ) -> None:
        self._in_flight -= 1
        if timer is not None:
            timer.cancel()
        error = self._error_of(done)
        if error is None:
            results, cpu, peak = done.result()
            self._finished(cpu, peak)
            for index, (_, future) in enumerate(batch):
                if not future.done():  # else the item's processing was cancelled
                    future.set_result(results[index])
            return
        if self._failed is not None:
            self._fail_all(batch)
            return
        if isinstance(error, BrokenExecutor):
            self._restart(generation, "an extraction process died or was stopped")
        else:
            logger.warning(
                "a batch of %d pages failed in its extraction process (%s: %s); "
                "retrying its pages one at a time",
                len(batch),
                type(error).__name__,
                error,
            )
        if self._failed is not None:
            self._fail_all(batch)
            return
        self.stats.inc_value("morgue/extract/retried", len(batch))
        self._suspects.extend(batch)
        self._next_suspect()

    # -- the quarantine: suspects, alone and one at a time ---------------------------------

    def _next_suspect(self) -> None:
        if self._quarantine_busy:
            return
        while self._suspects and self._suspects[0][1].done():  # cancelled meanwhile
            self._suspects.popleft()
        if not self._suspects:
            return
        job, future = self._suspects.popleft()
        if self._quarantine is None:
            self._quarantine = self._new_pool(1)
        try:
            submitted = self._quarantine.submit(self.batch_fn, [job])
        except (BrokenExecutor, RuntimeError, OSError) as exc:
            self._give_up(f"No extraction process could be started to retry a page ({exc}).")
            self._fail_all([(job, future)])
            return
        self._quarantine_busy = True
        loop = future.get_loop()
        timer = self._arm(loop, 1, self._suspect_overdue, submitted)
        _when_done(submitted, loop, self._suspect_done, job, future, timer)

    def _suspect_done(
        self,
        job: J,
        future: asyncio.Future[D],
        timer: asyncio.TimerHandle | None,
        done: Future[tuple[list[D], float, float]],
    ) -> None:
        if timer is not None:
            timer.cancel()
        stalled, self._stalled = self._stalled is done, None
        self._quarantine_busy = False
        error = self._error_of(done)
        if error is None:
            results, cpu, peak = done.result()
            self._finished(cpu, peak)
            if not future.done():
                future.set_result(results[0])
        elif self._failed is not None:
            self._fail_all([(job, future)])
        else:
            if isinstance(error, BrokenExecutor):
                self._deaths += 1
                self._close(self._quarantine)
                self._quarantine = None
                reason = (
                    f"its extraction took more than {self.timeout:g} s (EXTRACT_TIMEOUT)"
                    if stalled
                    else "its extraction process died (killed, out of memory, or a crash in "
                    "a C library)"
                )
            else:
                reason = f"its extraction raised {type(error).__name__}: {error}"
            self.stats.inc_value("morgue/extract/crashed")
            if self._systemic():
                self._fail_all([(job, future)])
            elif not future.done():
                logger.error("%s was not extracted: %s; its capture is kept", job[1], reason)
                future.set_exception(WorkerCrashed(reason, PackedBody.pack(job[0])))
        self._next_suspect()

    # -- time limits ---------------------------------------------------------------------

    def _arm(
        self,
        loop: asyncio.AbstractEventLoop,
        rounds: int,
        callback: Callable[..., None],
        *args: Any,
    ) -> asyncio.TimerHandle | None:
        """Call ``callback(*args)`` in ``rounds`` times ``timeout`` seconds (or never)."""
        if self.timeout <= 0:
            return None
        return loop.call_later(rounds * self.timeout, partial(callback, *args))

    def _overdue(self, submitted: Future[Any], generation: int) -> None:
        if submitted.done() or generation != self._generation:
            return
        self.stats.inc_value("morgue/extract/timeouts")
        logger.error(
            "a batch of pages took more than %g s (EXTRACT_TIMEOUT): stopping the extraction "
            "processes",
            self.timeout,
        )
        _kill(self._pool)  # its batches fail as after a death: retried alone

    def _suspect_overdue(self, submitted: Future[Any]) -> None:
        if submitted.done():
            return
        self.stats.inc_value("morgue/extract/timeouts")
        self._stalled = submitted
        _kill(self._quarantine)

    # -- deaths and giving up ------------------------------------------------------------

    def _error_of(self, done: Future[Any]) -> BaseException | None:
        if done.cancelled():
            return self._failed or ExtractionError("The extraction was cancelled.")
        return done.exception()

    def _finished(self, cpu: float, peak_mib: float) -> None:
        self._deaths = 0
        key = "morgue/extract/worker_cpu_s"
        self.stats.set_value(key, round(float(self.stats.get_value(key, 0.0)) + cpu, 3))
        self.stats.max_value("morgue/extract/worker_peak_rss_mib", round(peak_mib, 1))

    def _restart(self, generation: int, why: str) -> None:
        """Replace the pool a batch went to, once however many of its batches failed."""
        if generation != self._generation:
            return
        self._deaths += 1
        self._generation += 1
        self._close(self._pool)
        self._pool = self._new_pool(self.workers)
        self.stats.inc_value("morgue/extract/pool_restarts")
        logger.error("%s; started new ones, and its batches' pages are retried alone", why)
        self._systemic()

    def _systemic(self) -> bool:
        if self._deaths >= SYSTEMIC_DEATHS and self._failed is None:
            self._give_up(
                f"The extraction processes died or stalled {self._deaths} times without "
                "finishing a page. " + _guard_hint()
            )
        return self._failed is not None

    def _give_up(self, message: str) -> None:
        if self._failed is None:
            logger.error("%s", message)
            self.stats.set_value("morgue/extract/failed", message)
            self._failed = ExtractionError(message)
        self._close(self._pool)
        self._close(self._quarantine)
        self._pool = self._quarantine = None
        pending, self._suspects = list(self._suspects), deque()
        self._fail_all(pending)

    def _fail_all(self, batch: Batch[J, D]) -> None:
        error = self._failed or ExtractionError("The extraction processes are shut down.")
        for _, future in batch:
            if not future.done():
                future.set_exception(error)

    @staticmethod
    def _close(pool: ProcessPoolExecutor | None) -> None:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        """Wait for the processes to exit (every item has had its result by now)."""
        for pool in (self._pool, self._quarantine):
            if pool is not None:
                pool.shutdown(wait=True)
        self._pool = self._quarantine = None
