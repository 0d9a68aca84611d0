"""Run a command in this process and report its CPU time and peak RSS as JSON.

python bench/_measure.py OUT.json scrapy crawl articles ...
python bench/_measure.py OUT.json python SCRIPT.py ...
"""

from __future__ import annotations

import atexit
import contextlib
import json
import resource
import runpy
import sys
import time
from pathlib import Path


def peak_rss_mib() -> float:
    """This process's own peak RSS in MiB: VmHWM, the high-water mark of its address space.

    Not ``ru_maxrss``: Linux carries it over ``execve`` from the process that forked, so a
    measured command started by a bench holding 350 MiB reported at least 350 MiB."""
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    # Python put bench/ first on sys.path; the measured command must see the project as is.
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
    out, *command = sys.argv[1:]
    started = time.perf_counter()

    def report() -> None:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes, once joined
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "wall_s": time.perf_counter() - started,
                    "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                    "main_cpu_s": me.ru_utime + me.ru_stime,  # the reactor's process alone
                    "max_rss_mib": peak_rss_mib(),
                    "max_child_rss_mib": kids.ru_maxrss / 1024,
                },
                fh,
            )

    atexit.register(report)
    if command[0] == "scrapy":
        sys.argv = command
        from scrapy.cmdline import execute

        execute()
    else:
        sys.argv = command[1:]
        runpy.run_path(command[1], run_name="__main__")


if __name__ == "__main__":
    main()
