"""Keep the name of the ``Content-Encoding`` Scrapy decodes, beside the decoded body.

Scrapy's HttpCompressionMiddleware (590) decodes gzip, deflate, brotli and zstd bodies
and then deletes the ``Content-Encoding`` header, so a capture would keep a decoded
body with nothing saying it was ever encoded (its ``Content-Length`` still the encoded
length). This middleware sees the response just before (595) and copies the header to
``X-Crawler-Content-Encoding``, the name Common Crawl's WARCs use for it. The capture's
``headers`` then say what the body was on the wire, and ``morgue export --format warc``
writes it the same way (archive/warcfile.py, docs/warc.md). Nothing else changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.http import Request, Response

HEADER = b"X-Crawler-Content-Encoding"


class ContentEncodingNoteMiddleware:
    def process_response(self, request: Request, response: Response) -> Response:
        if request.method == "HEAD":  # Scrapy decodes nothing then
            return response
        encodings = response.headers.getlist("Content-Encoding")
        if encodings:
            response.headers[HEADER] = b", ".join(encodings)
        return response
