"""Run one crawl process and report its CPU time and Redis round trips as JSON.

python bench/_frontier_worker.py OUT.json scrapy crawl articles ...

Every request the redis client sends (one command, or one whole pipeline) is one
round trip: counted where the client writes to its socket. Used by bench/scaleout.py.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def main() -> None:
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
    out, *command = sys.argv[1:]
    started = time.perf_counter()
    trips = [0]
    # Count round trips to Redis (none when the redis client is absent: a run with
    # Scrapy's own scheduler).
    if importlib.util.find_spec("redis") is not None:
        from redis.connection import AbstractConnection

        send = AbstractConnection.send_packed_command

        def counting(self: Any, command: Any, check_health: bool = True) -> None:
            trips[0] += 1
            send(self, command, check_health)

        AbstractConnection.send_packed_command = counting  # type: ignore[method-assign]

    def report() -> None:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the extraction processes
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "wall_s": time.perf_counter() - started,
                    "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                    "redis_round_trips": trips[0],
                },
                fh,
            )

    atexit.register(report)
    sys.argv = command
    from scrapy.cmdline import execute

    execute()


if __name__ == "__main__":
    main()
