"""Scale-out: 1, 2 and 4 crawl workers on one local Redis frontier (issue 9).

    python bench/scaleout.py [--pages 3000] [--workers 1,2,4] [--reps 1] [--write]

Generates the crawl bench site of issue 7 (bench/crawlsite.py), serves it on
127.0.0.1 (nginx when installed, via bench/crawl.py), starts a private redis-server
on 127.0.0.1, and crawls the site:

* once with one worker and Scrapy's own scheduler (the reference), and
* with N workers (``scrapy crawl articles -s MORGUE_FRONTIER=...``), each writing a
  shard, merged afterwards with ``Archive.merge_shard``.

It reports pages/s (all pages over the wall time from the first start to the last
stop), each worker's CPU seconds (its extraction processes included), CPU per page,
Redis round trips per page (counted in each worker's redis client: one command or
one pipeline is one trip) and Redis commands per page (``INFO commandstats``, which
also counts the commands inside the frontier's Lua scripts), and the merge time; and
the 2-worker CPU per page against the reference (issue 9's target: at most +15 %).
``--write`` puts the table into docs/benchmarks.md. All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(HERE))
sys.path.append(str(ROOT / "tests"))  # the redis-server starter the tests use

import crawlsite  # noqa: E402
from _docsection import write_section  # noqa: E402
from crawl import CRAWL_SETTINGS, serve, table  # noqa: E402
from redis_helpers import redis_server  # noqa: E402

LABELS = {0: "1 worker, Scrapy's scheduler", 1: "1 worker, Redis"}


def commands(client: Any) -> int:
    return sum(int(v["calls"]) for v in client.info("commandstats").values())


def crawl(
    seed: str,
    workdir: Path,
    name: str,
    workers: int,
    redis_url: str | None,
    *,
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One crawl with ``workers`` processes (0: one process, Scrapy's own scheduler)."""
    import redis

    from archive import Archive

    folder = workdir / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    client = redis.Redis.from_url(redis_url) if redis_url else None
    before = commands(client) if client else 0
    procs = []
    started = time.perf_counter()
    for k in range(max(workers, 1)):
        settings = [*CRAWL_SETTINGS, f"ARCHIVE_PATH={folder / f'w{k}.db'}", "LOG_LEVEL=WARNING"]
        settings += extra
        if workers:
            settings += [f"MORGUE_FRONTIER={redis_url}", f"MORGUE_JOB_ID=bench-{name}"]
            settings += [f"MORGUE_FRONTIER_SEED={k == 0}"]
        cmd = [sys.executable, str(HERE / "_frontier_worker.py"), str(folder / f"w{k}.json")]
        cmd += ["scrapy", "crawl", "articles", "-a", f"start_urls={seed}"]
        cmd += [x for s in settings for x in ("-s", s)]
        with (folder / f"w{k}.log").open("w") as log:
            procs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
    codes = [p.wait() for p in procs]
    wall = time.perf_counter() - started
    if any(codes):
        raise SystemExit(f"{name}: a worker failed {codes}; see {folder}/w*.log")
    results = [json.loads((folder / f"w{k}.json").read_text()) for k in range(len(procs))]
    shards = [folder / f"w{k}.db" for k in range(len(procs))]
    pages = []
    for shard in shards:
        with Archive(shard, readonly=True) as archive:
            pages.append(int(archive.query("SELECT count(*) AS n FROM captures")[0]["n"]))
    merge_s = 0.0
    if workers:
        merge_start = time.perf_counter()
        with Archive(folder / "merged.db") as target:
            for shard in shards:
                target.merge_shard(shard)
        merge_s = time.perf_counter() - merge_start
    total = sum(pages)
    cpu = [r["cpu_s"] for r in results]
    return {
        "name": name,
        "workers": workers,
        "pages": total,
        "wall_s": wall,
        "pages_s": total / wall,
        "cpu": cpu,
        "pages_per_worker": pages,
        "cpu_ms_page": 1000 * sum(cpu) / max(total, 1),
        "trips_page": sum(r["redis_round_trips"] for r in results) / max(total, 1),
        "commands_page": ((commands(client) - before) / max(total, 1)) if client else 0.0,
        "merge_s": merge_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--reps", type=int, default=1, help="repetitions of reference and 2")
    parser.add_argument("--server", choices=("auto", "nginx", "python"), default="auto")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="morgue-bench-scaleout-"))
    workdir.chmod(0o755)  # nginx's workers run as an unprivileged user
    site = workdir / "site"
    print(f"generating {args.pages} pages in {site} ...", flush=True)
    paths = crawlsite.generate(site, pages=args.pages)
    runs: list[dict[str, Any]] = []
    with serve(site, args.server) as (base, server_name), redis_server(workdir / "redis") as url:
        seed = base + paths[0]
        # what one more process costs whatever it crawls: imports, extraction pool, archive
        startups = [
            crawl(seed, workdir, f"startup-{n}", 0, None, extra=("DEPTH_LIMIT=1",))
            for n in range(3)
        ]
        startup = statistics.median(r["cpu"][0] for r in startups)
        startup_pages = int(statistics.median(r["pages"] for r in startups))
        print(f"start-up: {startup:.2f} CPU s (a crawl of {startup_pages} pages)", flush=True)
        for rep in range(args.reps):
            plan = [0, *counts] if rep == 0 else [0, 2]
            for n in plan:
                result = crawl(seed, workdir, f"r{rep}-{n}", n, url if n else None)
                result["net_ms_page"] = (
                    1000 * (sum(result["cpu"]) - len(result["cpu"]) * startup) / result["pages"]
                )
                print(json.dumps(result), flush=True)
                runs.append(result)

    def median(n: int, key: str) -> float:
        return statistics.median(r[key] for r in runs if r["workers"] == n)

    rows = []
    for n in [0, *counts]:
        done = [r for r in runs if r["workers"] == n]
        last = done[-1]
        rows.append(
            {
                "run": LABELS.get(n, f"{n} workers, Redis"),
                "pages": last["pages"],
                "pages/s": f"{median(n, 'pages_s'):.1f}",
                "CPU s per worker": " / ".join(f"{c:.1f}" for c in last["cpu"]),
                "pages per worker": " / ".join(str(p) for p in last["pages_per_worker"]),
                "CPU ms/page": f"{median(n, 'cpu_ms_page'):.1f}",
                "CPU ms/page net of start-up": f"{median(n, 'net_ms_page'):.1f}",
                "Redis trips/page": f"{median(n, 'trips_page'):.1f}" if n else "–",
                "Redis cmds/page": f"{median(n, 'commands_page'):.1f}" if n else "–",
                "merge s": f"{median(n, 'merge_s'):.2f}" if n else "–",
            }
        )
    overhead = ""
    if 2 in counts:
        lines = []
        for key, what in (
            ("net_ms_page", "the frontier's own cost (each process's start-up taken out)"),
            ("cpu_ms_page", "all in (the second process's start-up included)"),
        ):
            ratio = median(2, key) / median(0, key) - 1
            refs = [r[key] for r in runs if r["workers"] == 0]
            twos = [r[key] for r in runs if r["workers"] == 2]
            paired = ", ".join(f"{t / r - 1:+.0%}" for r, t in zip(refs, twos, strict=False))
            lines.append(
                f"* {what}: {ratio:+.1%} ({'within' if ratio <= 0.15 else 'over'} the +15 % "
                f"target; repetition by repetition: {paired})"
            )
        overhead = "\n".join(
            [
                f"2 workers vs 1 worker with Scrapy's scheduler, CPU per page (medians of "
                f"{args.reps} repetitions; one process's start-up is {startup:.1f} CPU s, "
                f"measured as a crawl of {startup_pages} pages):",
                "",
                *lines,
            ]
        )
    lines = [
        f"Produced by `python bench/scaleout.py --pages {args.pages} --workers {args.workers}"
        f" --reps {args.reps}` ({os.cpu_count()} cores, load average"
        f" {os.getloadavg()[0]:.1f} at the end, server: "
        f"{server_name}, one local redis-server; crawl settings: {', '.join(CRAWL_SETTINGS)}).",
        "",
        table(rows, list(rows[0])),
        "",
        overhead,
    ]
    report = "\n".join(lines)
    print("\n" + report)
    if args.write:
        write_section("scaleout", "## Scale-out", report)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
