"""CDXJ index lines for the records morgue writes, sorted on disk in bounded memory.

A line is ``SURT TIMESTAMP {json}``, the form pywb and ReplayWeb.page read and
``cdxj-indexer`` writes: the same keys and values (a test compares the two). The
lines come from the offsets :class:`archive.warcfile.WarcFile` reports while writing,
so the WARC is never read again; :class:`CdxjSorter` sorts them in runs of
:data:`RUN_LINES` kept on disk and merges the runs, so memory does not grow with
the archive.
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.warcfile import Written

RUN_LINES = 50_000
_DIGITS = re.compile(r"\D")


def timestamp14(warc_date: str) -> str:
    """``2025-03-03T10:00:00.123Z`` -> ``20250303100000``."""
    return _DIGITS.sub("", warc_date[:19])


def cdxj_line(written: Written, filename: str) -> str:
    from surt import surt

    fields = {
        "url": written.uri,
        "mime": "warc/revisit" if written.record_type == "revisit" else written.mime,
        "status": str(written.status) if written.status is not None else None,
        "digest": written.digest,
        "length": str(written.length),
        "offset": str(written.offset),
        "filename": filename,
    }
    payload = {k: v for k, v in fields.items() if v is not None}
    return f"{surt(written.uri)} {timestamp14(written.date)} {json.dumps(payload)}\n"


class CdxjSorter:
    """Collects lines, spills sorted runs into ``folder``, merges them on :meth:`write`."""

    def __init__(self, folder: Path, run_lines: int = RUN_LINES) -> None:
        self.folder = folder
        self.run_lines = run_lines
        self.lines = 0
        self._buffer: list[str] = []
        self._runs: list[Path] = []

    def add(self, line: str) -> None:
        self._buffer.append(line)
        self.lines += 1
        if len(self._buffer) >= self.run_lines:
            self._spill()

    def _spill(self) -> None:
        if not self._buffer:
            return
        run = self.folder / f"cdxj-run-{len(self._runs):05d}"
        self._buffer.sort()
        run.write_text("".join(self._buffer), encoding="utf-8")
        self._runs.append(run)
        self._buffer = []

    def write(self, out: Path) -> int:
        """Write every line, sorted, to ``out``; returns the line count."""
        self._spill()
        with ExitStack() as stack, out.open("w", encoding="utf-8") as target:
            streams: list[Iterator[str]] = [
                stack.enter_context(run.open(encoding="utf-8")) for run in self._runs
            ]
            target.writelines(heapq.merge(*streams))
        for run in self._runs:
            run.unlink()
        return self.lines
