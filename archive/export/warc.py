"""``morgue export --format warc``: the archive's captures as one WARC/1.1 file, streamed.

The file opens with a ``warcinfo`` record (software, format, robots policy, the runs).
Then, per capture, in storage order:

* a ``response`` record: the status line, the headers as kept and the body as kept
  (:func:`archive.warcfile.as_kept_headers` says where that differs from the wire); or,
  when an earlier capture of the export had the same payload, a ``revisit`` record
  (identical-payload-digest profile) naming it in ``WARC-Refers-To``,
  ``WARC-Refers-To-Target-URI`` and ``WARC-Refers-To-Date``;
* a ``request`` record, rebuilt from what the archive knows of the request: ``GET``,
  the URL, ``Host``, the run's ``User-Agent`` and the ``Referer``;
* a ``metadata`` record (``WARC-Concurrent-To`` the response) with the capture, article
  and run IDs.

A failed request (status 0: no response came back) gets no response or request record:
it becomes one ``metadata`` record with its error, and is counted (docs/warc.md).
Memory stays flat: one capture's body at a time (:mod:`archive.warcrows`).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from archive.errors import MorgueError, UsageError
from archive.filters import ArticleFilter
from archive.progress import Advance, progress_bar
from archive.warcfile import (
    WARC_VERSION,
    WarcFile,
    Written,
    as_kept_headers,
    record_id,
    warc_date,
)

if TYPE_CHECKING:
    from archive.archive import Archive
    from archive.warcrows import WarcCapture

CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


@dataclass
class WarcCounts:
    captures: int = 0
    responses: int = 0
    revisits: int = 0
    requests: int = 0
    metadata: int = 0
    failures: int = 0  # status 0: a metadata record, no response
    records: int = 0
    bytes: int = 0
    first_page: tuple[str, str] | None = None  # (url, date) of the first HTML response

    def add(self, record_type: str) -> None:
        name = _COUNTER[record_type]
        setattr(self, name, getattr(self, name) + 1)


@dataclass
class WarcExportResult:
    path: Path
    counts: WarcCounts


def software() -> str:
    try:
        version = importlib_metadata.version("morgue")
    except importlib_metadata.PackageNotFoundError:
        version = "unknown"
    try:
        warcio = importlib_metadata.version("warcio")
    except importlib_metadata.PackageNotFoundError:
        warcio = "unknown"
    return f"morgue/{version} (warcio/{warcio})"


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def robots_policy(runs: list[dict[str, Any]]) -> str:
    """warcinfo ``robots``: obey or ignore when every run agreed, else mixed."""
    policies = {"obey" if r["settings"].get("ROBOTSTXT_OBEY", True) else "ignore" for r in runs}
    if len(policies) == 1:
        return policies.pop()
    return "mixed (see morgue-run)" if policies else "obey"


def warcinfo_fields(
    runs: list[dict[str, Any]], *, description: str, is_part_of: str
) -> list[tuple[str, str | int | None]]:
    agents = {r["settings"].get("USER_AGENT") for r in runs} - {None}
    fields: list[tuple[str, str | int | None]] = [
        ("software", software()),
        ("format", f"WARC File Format {WARC_VERSION.split('/')[1]}"),
        ("conformsTo", CONFORMS_TO),
        ("isPartOf", is_part_of),
        ("description", description),
        ("robots", robots_policy(runs)),
        ("http-header-user-agent", agents.pop() if len(agents) == 1 else None),
    ]
    for run in runs:
        robots = "obey" if run["settings"].get("ROBOTSTXT_OBEY", True) else "ignore"
        fields.append(
            (
                "morgue-run",
                f"{run['id']} spider={run['spider']} started={run['started_at']} "
                f"finished={run['finished_at'] or '-'} robots={robots}",
            )
        )
    return fields


def export_warc(
    archive: Archive,
    out: str | Path | None,
    *,
    filters: ArticleFilter | None = None,
    progress: bool = False,
) -> WarcExportResult:
    """Write the captures the ``filters`` cover to ``out`` (``.warc.gz``), replaced whole."""
    if out is None or str(out) == "-":
        raise UsageError("A WARC is binary: give --out FILE.warc.gz.")
    path = writable(Path(str(out)))
    filters = filters or ArticleFilter()
    total = archive.warc_capture_count(filters) if progress else None
    with (
        progress_bar("Exporting captures", total, enabled=progress) as advance,
        replacing(path) as part,
        part.open("wb") as handle,
    ):
        counts = write_warc(archive, handle, filters=filters, filename=path.name, advance=advance)
    return WarcExportResult(path, counts)


def write_warc(
    archive: Archive,
    stream: BinaryIO,
    *,
    filters: ArticleFilter,
    filename: str,
    advance: Advance | None = None,
    index: Callable[[Written], None] | None = None,
) -> WarcCounts:
    """The records of :func:`export_warc` into ``stream``; ``index`` gets every response
    and revisit record written (with its offset, for CDXJ)."""
    warc = WarcFile(stream, filename=filename)
    runs = archive.warc_runs(filters)
    agents = {r["id"]: r["settings"].get("USER_AGENT") for r in runs}
    description = f"morgue export of {Path(archive.path).name}"
    if filters.active:
        description += f"; filters {json.dumps(filters.as_dict(), sort_keys=True)}"
    counts = WarcCounts()
    info = warc.warcinfo(
        warcinfo_fields(runs, description=description, is_part_of=Path(archive.path).name),
        date=warc_date(now_iso()),
    )
    counts.bytes += info.length
    for capture in archive.warc_captures(filters):
        for written in _capture_records(warc, capture, agents.get(capture.run_id or "")):
            counts.bytes += written.length
            if written.record_type in ("response", "revisit"):
                if index is not None:
                    index(written)
                if counts.first_page is None and written.mime == "text/html":
                    counts.first_page = (written.uri, written.date)
            counts.add(written.record_type)
        counts.captures += 1
        if capture.status == 0:
            counts.failures += 1
        if advance is not None:
            advance(1)
    counts.records = warc.records
    return counts


_COUNTER = {
    "response": "responses",
    "revisit": "revisits",
    "request": "requests",
    "metadata": "metadata",
}


def _capture_records(
    warc: WarcFile, capture: WarcCapture, user_agent: str | None
) -> Iterator[Written]:
    date = warc_date(capture.fetched_at)
    ids = [
        ("morgue-capture-id", capture.id),
        ("morgue-article-id", capture.article_id),
        ("morgue-run-id", capture.run_id),
    ]
    if capture.status == 0:
        yield warc.metadata(
            capture.url,
            [
                *ids,
                ("morgue-status", "0 (no response)"),
                ("morgue-error", capture.error),
                ("morgue-referrer", capture.referrer),
            ],
            date=date,
            rec_id=record_id(capture.id, "metadata"),
        )
        return
    uri = capture.final_url
    body = capture.body or b""
    headers = as_kept_headers(capture.headers.items(), len(body))
    response_id = record_id(capture.id, "response")
    first = capture.same_payload_as
    if first is not None and body:
        first_id, first_url, first_at = first
        yield warc.revisit(
            uri,
            date=date,
            status=capture.status,
            headers=headers,
            body=body,
            rec_id=response_id,
            refers_to=record_id(first_id, "response"),
            refers_to_uri=first_url,
            refers_to_date=warc_date(first_at),
        )
    else:
        yield warc.response(
            uri, date=date, status=capture.status, headers=headers, body=body, rec_id=response_id
        )
    request_headers = [("User-Agent", user_agent)] if user_agent else []
    if capture.referrer:
        request_headers.append(("Referer", capture.referrer))
    yield warc.request(
        uri,
        date=date,
        headers=request_headers,
        rec_id=record_id(capture.id, "request"),
        concurrent_to=response_id,
    )
    yield warc.metadata(
        uri,
        [
            *ids,
            ("morgue-requested-url", capture.url if capture.url != uri else None),
            ("morgue-referrer", capture.referrer),
            ("morgue-page-kind", capture.page_kind),
            ("morgue-error", capture.error),
            ("morgue-request", "rebuilt: method, URL, Host, User-Agent of the run, Referer"),
        ],
        date=date,
        rec_id=record_id(capture.id, "metadata"),
        concurrent_to=response_id,
    )


def writable(path: Path) -> Path:
    """``path``, once its folder is known to exist (a clear error, not a traceback)."""
    if not path.parent.is_dir():
        raise MorgueError(f"Cannot write {path}: there is no folder {path.parent}.")
    return path


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it on success (never half a file)."""
    part = path.with_name(path.name + ".part")
    try:
        yield part
        os.replace(part, path)
    except OSError as exc:
        raise MorgueError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
