"""Bytes to text: the HTTP header charset, then a BOM, then the meta charset, then detection.

A page that claims UTF-8 but carries windows-1252 bytes (whole or in part) is
repaired byte run by byte run, so it comes out without mojibake.
"""

from __future__ import annotations

import codecs
import re

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([\w.:-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Labels that browsers (WHATWG) decode as windows-1252.
_AS_CP1252 = frozenset(
    (
        "iso-8859-1",
        "latin-1",
        "latin1",
        "l1",
        "ascii",
        "us-ascii",
        "iso8859-1",
        "iso_8859-1",
        "cp819",
        "windows-1252",
        "cp1252",
    )
)
_ERRORS = "morgue-cp1252"


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode the offending bytes as windows-1252."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    chunk = err.object[err.start : err.end]
    return bytes(chunk).decode("cp1252", errors="replace"), err.end


def _register() -> None:
    try:
        codecs.lookup_error(_ERRORS)
    except LookupError:
        codecs.register_error(_ERRORS, _cp1252_fallback)


def normalise_label(label: str | None) -> str | None:
    """A Python codec name for an HTTP/HTML charset label, or None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _AS_CP1252:
        return "cp1252"
    if label in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    if label in ("gb2312", "gbk", "x-gbk"):
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def header_charset(headers: dict[str, str] | None) -> str | None:
    """The charset label of a Content-Type header, looked up case-insensitively."""
    if not headers:
        return None
    for key, value in headers.items():
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if name.lower() == "content-type":
            first = (value[0] if value else "") if isinstance(value, list | tuple) else value
            text = first.decode("latin-1") if isinstance(first, bytes) else str(first)
            match = _HEADER_CHARSET.search(text)
            return match.group(1) if match else None
    return None


def sniff_meta(html: bytes) -> str | None:
    """The charset declared by a <meta> (or XML declaration) in the first 4 KB."""
    head = html[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def _decode_as(html: bytes, encoding: str, notes: list[str], detect: bool = True) -> str | None:
    """Decode with ``encoding``; UTF-8 with stray windows-1252 bytes is repaired."""
    try:
        return html.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            return None
        if detect and not _mostly_utf8(html):
            # Little or no real UTF-8 in it: the label is wrong for the whole page
            # (a Shift_JIS or windows-1252 page served as UTF-8), so detect instead.
            text, found = _detect(html, [])
            name = "windows-1252" if found == "cp1252" else found
            notes.append(f"decode: labelled UTF-8 but is {name}; decoded as {name}")
            return text
        _register()
        notes.append("decode: labelled UTF-8 but contains windows-1252 bytes; repaired")
        return html.decode("utf-8", errors=_ERRORS)
    except LookupError:
        return None


_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _mostly_utf8(html: bytes) -> bool:
    """Whether the non-ASCII text decodes as UTF-8 far more often than it fails: a UTF-8
    page with a few stray windows-1252 bytes, as opposed to a page in another charset."""
    text = html.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 0x7F) - bad
    return good * 4 >= bad


_HIGH_RUN = re.compile("[^\x00-\x7f]+")
_WESTERN = re.compile("[\u00c0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00a0-\u00bf]")


def _detect(html: bytes, notes: list[str]) -> tuple[str, str]:
    """No usable declaration: UTF-8 (repairing stray windows-1252), else a detected charset."""
    try:
        text: str | None = html.decode("utf-8")
    except UnicodeDecodeError:
        text = None  # not UTF-8 throughout: repair or detect below
    if text is not None:
        return text, "utf-8"
    _register()
    if _UTF8_MULTIBYTE.search(html) and _mostly_utf8(html):
        notes.append("decode: no charset declared; UTF-8 with windows-1252 bytes repaired")
        return html.decode("utf-8", errors=_ERRORS), "utf-8"
    western = html.decode("cp1252", errors="replace")
    high = [c for c in western if ord(c) > 0x7F]
    runs = _HIGH_RUN.findall(western)
    # Western text has its accents one at a time inside ASCII words ("Müller"); Cyrillic
    # or CJK bytes read as windows-1252 come out as long runs of accented letters.
    isolated = bool(runs) and len(high) / len(runs) <= 1.5
    if isolated and sum(1 for c in high if _WESTERN.match(c)) / len(high) > 0.8:
        notes.append("decode: no charset declared; detected windows-1252")
        return western, "cp1252"
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        best = None
    else:
        match = from_bytes(html[:65536]).best()
        best = normalise_label(match.encoding) if match else None
    if best:
        text = _decode_as(html, best, notes, detect=False)  # detection does not recurse
        if text is not None:
            notes.append(f"decode: no charset declared; detected {best}")
            return text, best
    notes.append("decode: no usable charset; decoded as windows-1252")
    return western, "cp1252"


def decode_html(html: bytes, headers: dict[str, str] | None = None) -> tuple[str, str, list[str]]:
    """Return ``(text, encoding, notes)`` for a page body; never raises."""
    notes: list[str] = []
    if isinstance(html, str):
        return html, "unicode", notes
    html = bytes(html or b"")
    declared = normalise_label(header_charset(headers))
    for bom, enc in _BOMS:
        if html.startswith(bom):
            body = html[len(bom) :]
            if declared and declared != enc and not declared.startswith(enc[:6]):
                notes.append(f"decode: BOM says {enc}, header said {declared}; used the BOM")
            text = _decode_as(body, enc, notes)
            if text is not None:
                return text, enc, notes
    if declared:
        text = _decode_as(html, declared, notes)
        if text is not None:
            return text, declared, notes
        notes.append(f"decode: header charset {declared} failed")
    meta = normalise_label(sniff_meta(html))
    if meta in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        meta = "utf-8"  # an ASCII-compatible page cannot really be UTF-16
    if meta:
        text = _decode_as(html, meta, notes)
        if text is not None:
            return text, meta, notes
        notes.append(f"decode: meta charset {meta} failed")
    text, enc = _detect(html, notes)
    return text, enc, notes
