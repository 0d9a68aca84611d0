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


def header_zone(root: Any, title: str | None = None) -> Zone | None:
    """The text around the headline; None when the page has no ``<h1>``."""
    h1 = headline_element(root, title) if root is not None else None
    if h1 is None:
        return None
    body = root.find("body")
    before: list[str] = []
    after: list[str] = []
    state = 0  # 0 before the headline, 1 inside it, 2 after it
    skip_depth = 0
    after_len = 0
    marked_before: list[Any] = []
    marked_after: list[Any] = []
    for event, el in etree.iterwalk(body if body is not None else root, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if event == "start":
            if el is h1:
                state = 1
            if skip_depth or el.tag in _SKIP or _hidden(el):
                skip_depth += 1
                continue
            names = el.get("class")
            if names and state != 1 and _MARK.search(names):
                if state == 0:
                    marked_before = [*marked_before[-5:], el]
                else:
                    marked_after.append(el)
            if el.text and state != 1:
                (before if state == 0 else after).append(el.text)
                after_len += len(el.text) if state == 2 else 0
        else:
            if skip_depth:
                skip_depth -= 1
                if skip_depth:
                    continue
            if el is h1:
                state = 2
            if el.tail:
                if state == 0:
                    before.append(el.tail)
                    if len(before) > 64:
                        del before[:32]
                elif state == 2:
                    after.append(el.tail)
                    after_len += len(el.tail)
            if el.tag in ("p", "div", "li", "span", "a", "time", "br", "h2", "h3"):
                # keep neighbouring blocks apart: "Jane Doe" + "May 2" is not "Jane DoeMay 2"
                (before if state == 0 else after).append(" \u2022 ")
        if state == 2 and after_len > AFTER * 2:
            break
    return Zone(
        before=_tail(before, BEFORE),
        headline=normalize_space(h1.text_content()),
        after=_head(after, AFTER),
        marked=(*marked_before, *marked_after),
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
