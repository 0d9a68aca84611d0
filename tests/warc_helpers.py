"""Writing WARC files for the import tests, with warcio (nothing is downloaded)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import BufferWARCWriter, WARCWriter

SITE = "http://127.0.0.1:9/"  # never fetched: the records only name it


def article_html(title: str, words: str, *, published: str = "2025-03-01T08:00:00Z") -> bytes:
    paragraphs = "".join(
        f"<p>{words} Paragraph {i} tells the rest of the story in plain words.</p>"
        for i in range(8)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title>"
        f"<meta property='article:published_time' content='{published}'>"
        "<meta property='og:type' content='article'></head><body>"
        f"<article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


def http_headers(content_type: str = "text/html; charset=utf-8", status: str = "200 OK") -> Any:
    return StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")


def response(
    writer: WARCWriter,
    url: str,
    body: bytes | IO[bytes],
    *,
    date: str = "2025-03-03T10:00:00Z",
    content_type: str = "text/html; charset=utf-8",
    length: int | None = None,
) -> Any:
    payload = io.BytesIO(body) if isinstance(body, bytes) else body
    if isinstance(body, bytes):
        length = len(body)  # a known length: warcio buffers nothing
    return writer.create_warc_record(
        url,
        "response",
        payload=payload,
        length=length,
        http_headers=http_headers(content_type),
        warc_headers_dict={"WARC-Date": date},
    )


def request(writer: WARCWriter, url: str, *, date: str = "2025-03-03T10:00:00Z") -> Any:
    headers = StatusAndHeaders(
        f"GET {url} HTTP/1.1", [("Host", "127.0.0.1")], protocol="HTTP/1.1", is_http_request=True
    )
    return writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=headers,
        warc_headers_dict={"WARC-Date": date},
    )


def revisit_of(writer: WARCWriter, original: Any, *, date: str) -> Any:
    headers = original.rec_headers
    return writer.create_revisit_record(
        headers.get_header("WARC-Target-URI"),
        headers.get_header("WARC-Payload-Digest"),
        headers.get_header("WARC-Target-URI"),
        headers.get_header("WARC-Date"),
        http_headers=http_headers(),
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Refers-To": headers.get_header("WARC-Record-ID"),
        },
    )


def metadata(writer: WARCWriter, url: str) -> Any:
    return writer.create_warc_record(
        url,
        "metadata",
        payload=io.BytesIO(b"via: test\n"),
        length=10,
        warc_content_type="application/warc-fields",
    )


def resource(writer: WARCWriter, url: str) -> Any:
    return writer.create_warc_record(
        url,
        "resource",
        payload=io.BytesIO(b"plain text"),
        length=10,
        warc_content_type="text/plain",
    )


def write_warc(path: Path, build: Any, *, gzip: bool = True) -> list[Any]:
    """Write the records ``build(writer)`` returns (a warcinfo first) to ``path``."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        records = [writer.create_warcinfo_record(path.name, {"software": "morgue tests"})]
        records += list(build(writer))
        for record in records:
            writer.write_record(record)
    return records


def warc_bytes(build: Any, *, gzip: bool = True) -> bytes:
    writer = BufferWARCWriter(gzip=gzip)
    for record in build(writer):
        writer.write_record(record)
    return writer.get_contents()


def records_of(items: Iterable[Any]) -> list[Any]:
    return list(items)
