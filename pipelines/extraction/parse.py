"""Text to an lxml tree, once per page, robust to garbage and deep nesting."""

from __future__ import annotations

import re
import threading

from lxml import etree
from lxml import html as lxml_html

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The same characters as UTF-8 bytes: they never occur inside another character's encoding.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_LOCAL = threading.local()  # lxml parsers must not be shared between threads


def _parser() -> lxml_html.HTMLParser:
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = lxml_html.HTMLParser(
            remove_comments=True,
            remove_pis=True,
            huge_tree=True,
            recover=True,
            default_doctype=False,
            collect_ids=False,  # no lookup by id here: the table cost ~6% of a parse
        )
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml_html.HtmlElement,
                comment=lxml_html.HtmlComment,
                pi=lxml_html.HtmlProcessingInstruction,
                entity=lxml_html.HtmlEntity,
            )
        )
        _LOCAL.parser = parser
    return parser


def _has_control(text: str) -> bool:
    """Whether ``_CONTROL`` occurs in ``text``: half the cost of the regex search on a
    45 KB page, which scans it character by character (issue 7)."""
    raw = text.encode("utf-8", "surrogatepass")
    return len(raw.translate(None, _CONTROL_BYTES)) != len(raw)


def parse_html(text: str) -> tuple[lxml_html.HtmlElement | None, list[str]]:
    """Parse ``text`` into an ``<html>`` root; ``(None, [warning])`` when nothing parses."""
    if not text or not text.strip():
        return None, ["parse: empty document"]
    text = _XML_DECL.sub("", text, count=1)
    if _has_control(text):
        text = _CONTROL.sub("", text)
    try:
        root = lxml_html.document_fromstring(text, parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        return None, [f"parse: unparsable page ({exc.__class__.__name__}: {exc})"]
    if root is None:
        return None, ["parse: unparsable page"]
    return root, []
