"""``morgue crawl --workers N --redis URL``: N worker processes share one Redis frontier.

Each worker is a ``scrapy crawl articles`` process with ``MORGUE_FRONTIER`` set
(:mod:`crawler.frontier`) writing its own archive shard; worker 0 enqueues the
seeds. When all have stopped, the shards are merged into the target archive with
:meth:`archive.Archive.merge_shard` (the same as ``morgue merge``) and, unless kept,
deleted. A rerun of the same job (same target and seeds, or the same ``--job``)
resumes its frontier and re-merges its shards; docs/scaleout.md has the details.
When the target archive exists, the workers judge freshness (``RECRAWL_AFTER``)
against it as well as against their own shard (``RECRAWL_REFERENCE``), so a scheduled
multi-worker crawl is as incremental as a single one.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.errors import ArchiveError, NotFoundError, UsageError

if TYPE_CHECKING:
    from pipelines.neardup.settings import NearDupSettings


@dataclass
class WorkerOutcome:
    index: int
    shard: Path
    log: Path
    returncode: int
    finish_reason: str = "not started"
    pages: int = 0  # captures the worker wrote to its shard


@dataclass
class ScaleoutSummary:
    job_id: str
    target: str
    workers: list[WorkerOutcome] = field(default_factory=list)
    merged: list[dict[str, Any]] = field(default_factory=list)  # MergeReport.as_dict()
    merge_seconds: float = 0.0

    @property
    def succeeded(self) -> bool:
        return all(w.returncode == 0 and w.finish_reason == "finished" for w in self.workers)


def default_job_id(target: str, seeds: Sequence[str], urls_file: str | None = None) -> str:
    """The same crawl (target archive and seeds) gets the same job, so a rerun resumes it."""
    text = "\n".join([str(Path(target).resolve()), *sorted(seeds), urls_file or ""])
    return "crawl-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def shard_path(folder: Path, job_id: str, index: int) -> Path:
    return folder / f"{job_id}-worker-{index}.db"


def worker_command(
    spider_args: Mapping[str, str], settings: Mapping[str, Any], shard: Path, seeds: bool
) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "articles"]
    for name, value in spider_args.items():
        cmd += ["-a", f"{name}={value}"]
    merged = {**settings, "ARCHIVE_PATH": str(shard), "MORGUE_FRONTIER_SEED": str(seeds)}
    for name, value in merged.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def reference_settings(archive_path: str) -> dict[str, str]:
    """``RECRAWL_REFERENCE`` for the workers: the target archive when it exists, migrated
    now so that they can open it read-only (a file that is not an archive is refused here,
    before any worker starts, with the archive's own message)."""
    target = Path(archive_path)
    if not target.exists():
        return {}
    from archive import Archive

    Archive(target).close()
    return {"RECRAWL_REFERENCE": str(target.resolve())}


def run_workers(
    start_urls: Sequence[str],
    *,
    archive_path: str,
    redis_url: str,
    workers: int,
    job_id: str | None = None,
    spider_args: Mapping[str, str] | None = None,
    settings: Mapping[str, Any] | None = None,
    seed: bool = True,
    shards_dir: str | None = None,
    keep_shards: bool = False,
) -> ScaleoutSummary:
    """Run ``workers`` crawl processes on the frontier at ``redis_url``, then merge."""
    if workers < 1:
        raise UsageError("--workers must be 1 or more.")
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise UsageError(f"--redis takes a redis://, rediss:// or unix:// URL, not {redis_url!r}.")
    args = dict(spider_args or {})
    if start_urls:
        args["start_urls"] = ",".join(start_urls)
    job = job_id or default_job_id(archive_path, start_urls, args.get("urls_file"))
    settings = {**reference_settings(archive_path), **(settings or {})}
    check_frontier(redis_url, job)
    folder = Path(shards_dir or f"{archive_path}.shards").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    env.update(MORGUE_FRONTIER=redis_url, MORGUE_JOB_ID=job)  # not on the command line
    summary = ScaleoutSummary(job_id=job, target=archive_path)
    procs: list[tuple[WorkerOutcome, subprocess.Popen[bytes]]] = []
    for index in range(workers):
        shard = shard_path(folder, job, index)
        outcome = WorkerOutcome(index, shard, shard.with_suffix(".log"), returncode=-1)
        cmd = worker_command(args, settings, shard, seeds=seed and index == 0)
        with outcome.log.open("ab") as log:
            proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append((outcome, proc))
    try:
        for outcome, proc in procs:
            outcome.returncode = proc.wait()
    except KeyboardInterrupt:  # Ctrl-C: each worker stops cleanly, requeueing its leases
        for _, proc in procs:
            proc.send_signal(signal.SIGINT)
        for outcome, proc in procs:
            outcome.returncode = proc.wait()
        raise
    for outcome, _ in procs:
        _read_outcome(outcome)
        summary.workers.append(outcome)
    from crawler.runner import crawl_settings
    from pipelines.neardup.settings import NearDupSettings

    near_dup = NearDupSettings.from_settings(crawl_settings(archive_path, settings))
    merge_shards(summary, [o.shard for o in summary.workers], keep=keep_shards, near_dup=near_dup)
    return summary


def check_frontier(redis_url: str, job: str) -> None:
    """A valid job ID and a Redis that answers, before any worker starts."""
    from redis.exceptions import RedisError

    from crawler.frontier.dupefilter import redis_client
    from crawler.frontier.keys import JOB_ID

    if not JOB_ID.fullmatch(job):
        raise UsageError(f"--job must be 1-64 of A-Z a-z 0-9 . _ -, not {job!r}.")
    try:
        redis_client(redis_url).ping()
    except RedisError as exc:
        raise UsageError(f"Cannot reach the frontier's Redis at --redis: {exc}.") from exc


def _read_outcome(outcome: WorkerOutcome) -> None:
    from archive import Archive

    if not outcome.shard.exists():
        return
    try:
        with Archive(outcome.shard, readonly=True) as shard:
            run = shard.latest_run()
    except NotFoundError:
        return
    except ArchiveError as exc:  # e.g. a shard its killed worker left half-made
        outcome.finish_reason = f"unreadable shard: {exc}"
        return
    outcome.finish_reason = str(run.get("finish_reason") or "killed")
    outcome.pages = int(run["stats"].get("item_scraped_count", 0))


def merge_shards(
    summary: ScaleoutSummary,
    shards: Sequence[Path],
    *,
    keep: bool,
    near_dup: NearDupSettings | None = None,
) -> None:
    """Merge every existing shard into the target (clusters recomputed with the crawl's
    ``NEAR_DUP_*`` settings); delete them after a complete crawl."""
    from archive import Archive

    started = time.monotonic()
    present = [shard for shard in shards if shard.exists()]
    with Archive(summary.target) as target:
        for shard in present:
            summary.merged.append(target.merge_shard(shard, near_dup=near_dup).as_dict())
    summary.merge_seconds = time.monotonic() - started
    if keep or not summary.succeeded:  # an unfinished job keeps its shards for the rerun
        return
    for shard in present:
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{shard}{suffix}").unlink(missing_ok=True)
