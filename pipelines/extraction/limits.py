"""What the extractor refuses to parse (#20): pages over a size cap, and binary data.

Parsing costs about 20 bytes of memory per byte of HTML (a 100 MB file took 1.9 GB), and
random bytes "extract" as tens of thousands of words. The crawl keeps such a capture raw
and does not extract it (``EXTRACT_MAX_BYTES``, docs/settings.md); ``morgue extract``
refuses the file with a message.
"""

from __future__ import annotations

import re

#: Default cap on the bytes of one page handed to the extractor (``EXTRACT_MAX_BYTES``).
#: Half of ``DOWNLOAD_MAXSIZE``'s 10 MiB: an article page's HTML is far smaller.
EXTRACT_MAX_BYTES = 5 * 1024 * 1024

#: Bytes that never occur in text: the WHATWG MIME-sniffing "binary data bytes".
_BINARY_BYTES = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_BINARY = re.compile(b"[" + b"".join(re.escape(bytes([b])) for b in sorted(_BINARY_BYTES)) + b"]")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def looks_binary(body: bytes, sample: int = 1024) -> bool:
    """Whether ``body`` is binary data, whatever its Content-Type says (as browsers sniff it).

    UTF-16 text (which is full of NUL bytes) is recognised by its byte-order mark.
    """
    if body.startswith(_UTF16_BOMS):
        return False
    return _BINARY.search(body, 0, sample) is not None


def over_cap(size: int, limit: int) -> str | None:
    """Why a page of ``size`` bytes is not extracted under a cap of ``limit`` bytes (0: no
    cap), or None."""
    if limit > 0 and size > limit:
        return f"{size:,} bytes, over the extraction cap of {limit:,} (EXTRACT_MAX_BYTES)"
    return None
