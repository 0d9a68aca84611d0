"""The article's header zone: the visible text just before and after its ``<h1>``.

Every site puts its dateline and byline within a few lines of the headline, whatever
its class names are, so the dates and authors read from the page's text look there
first (``dates.header_date``, ``authors.header_authors``). The zone is text only, in
reading order, without scripts, styles or hidden elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from pipelines.extraction.clean import normalize_space

#: Characters of visible text kept before the headline and after it.
BEFORE = 160
AFTER = 360
_MARK = re.compile("author|byline|writer", re.IGNORECASE)
_SKIP = frozenset(["script", "style", "noscript", "template", "svg", "button", "select", "form"])


@dataclass(frozen=True)
class Zone:
    """The header's text: ``before`` the headline, the ``headline``, and ``after`` it."""

    before: str
    headline: str
    after: str
    #: elements classed author/byline/writer in the zone, in document order
    marked: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    @property
    def text(self) -> str:
        return f"{self.before} {self.headline} {self.after}".strip()


def headline_element(root: Any, title: str | None = None) -> Any:
    """The ``<h1>`` that holds the title (the first non-empty one when none does)."""
    first = None
    want = normalize_space(title).casefold() if title else ""
    for h1 in root.iter("h1"):
        text = normalize_space(h1.text_content()).casefold()
        if not text:
            continue
        if want and (text == want or want in text or (len(text) > 15 and text in want)):
            return h1
        if first is None:
            first = h1
    return first


def _hidden(el: Any) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or "display:none" in style


#: How far up from the headline the walk starts: the header block that holds it, its
#: dateline and byline, without the whole page's navigation before it (issue 16: cost).
UP = 4


class _Walk:
    """The text of the zone, gathered in reading order by :func:`header_zone`."""

    def __init__(self, h1: Any) -> None:
        self.h1 = h1
        self.before: list[str] = []
        self.after: list[str] = []
        self.state = 0  # 0 before the headline, 1 inside it, 2 after it
        self.after_len = 0
        self.marked_before: list[Any] = []
        self.marked_after: list[Any] = []

    @property
    def full(self) -> bool:
        return self.state == 2 and self.after_len > AFTER * 2

    def add(self, text: str) -> None:
        if self.state == 0:
            self.before.append(text)
            if len(self.before) > 64:
                del self.before[:32]
        elif self.state == 2:
            self.after.append(text)
            self.after_len += len(text)

    def walk(self, node: Any) -> None:
        walker = etree.iterwalk(node, events=("start", "end"))
        for event, el in walker:
            if not isinstance(el.tag, str):
                continue
            if event == "start":
                if el is self.h1:
                    self.state = 1
                if el.tag in _SKIP or _hidden(el):
                    walker.skip_subtree()  # its text is not shown; its tail still is
                    continue
                names = el.get("class")
                if names and self.state != 1 and _MARK.search(names):
                    if self.state == 0:
                        self.marked_before = [*self.marked_before[-5:], el]
                    else:
                        self.marked_after.append(el)
                if el.text and self.state != 1:
                    self.add(el.text)
            else:
                if el is self.h1:
                    self.state = 2
                if el is not node and el.tail:
                    self.add(el.tail)
                if el.tag in _BLOCKS:
                    # keep neighbouring blocks apart: "Jane Doe" + "May 2" is not "Jane DoeMay 2"
                    self.add(" \u2022 ")
            if self.full:
                return
        if node.tail:
            self.add(node.tail)


_BLOCKS = frozenset(["p", "div", "li", "span", "a", "time", "br", "h2", "h3"])


def header_zone(root: Any, title: str | None = None) -> Zone | None:
    """The text around the headline; None when the page has no ``<h1>``."""
    h1 = headline_element(root, title) if root is not None else None
    if h1 is None:
        return None
    top = root.find("body")
    top = top if top is not None else root
    anchor = h1
    for _ in range(UP):
        parent = anchor.getparent()
        if parent is None or parent is top:
            break
        anchor = parent
    walk = _Walk(h1)
    walk.walk(anchor)
    node = anchor
    while not walk.full and node is not None and node is not top:
        for sibling in node.itersiblings():
            walk.walk(sibling)
            if walk.full:
                break
        node = node.getparent()
    return Zone(
        before=_tail(walk.before, BEFORE),
        headline=normalize_space(h1.text_content()),
        after=_head(walk.after, AFTER),
        marked=(*walk.marked_before, *walk.marked_after),
    )


def _tail(parts: list[str], limit: int) -> str:
    text = _squeeze(parts)
    return text[-limit:] if len(text) > limit else text


def _head(parts: list[str], limit: int) -> str:
    text = _squeeze(parts)
    return text[:limit]


def _squeeze(parts: list[str]) -> str:
    text = normalize_space(" ".join(parts))
    while " \u2022 \u2022 " in text:
        text = text.replace(" \u2022 \u2022 ", " \u2022 ")
    return text.strip(" \u2022")
