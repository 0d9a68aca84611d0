"""Text density: the fallback that finds a body where the paragraph vote found none.

Readability's vote counts ``<p>`` elements. Pages that write their article as text
directly in ``<div>``s (``<br>`` between paragraphs), in page-builder spans, or in
anything else but paragraphs give it nothing to count, and it settles on a caption or
a teaser. Here every run of text votes, wherever it sits: the nearest block element
holding it is the "paragraph" (boilerpipe's text blocks, jusText's paragraphs), scored
by its length and punctuation; the votes go to it, its parent and its grandparent;
each candidate's score is discounted by its link density. The winner is then grown to
its sibling sections as the primary method's container is (``body.expand``).

Also here: the measures of prose that both methods use to judge a subtree.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from lxml.etree import XPath

from pipelines.extraction import selectors as sel
from pipelines.extraction.clean import space_len, without_zero_width

#: Text inside the elements an article is written in (one text node counted once).
_PROSE_TEXT = XPath(
    "(.//p | .//h2 | .//h3 | .//h4 | .//li | .//blockquote | .//pre | .//td | .//dd"
    " | .//figcaption)//text()",
    smart_strings=False,
)
_LINK_TEXT = XPath(".//a//text()", smart_strings=False)
_BODY_TEXT = XPath("//body//text()")  # smart strings: each knows its element
#: Blocks shorter than this do not vote (a label, a date, a button's caption).
_MIN_BLOCK = 40
#: Candidates looked at, best first, before one outside page chrome is found.
_TRIES = 40


def mass(el: Any) -> tuple[int, int, int]:
    """Lengths (whitespace collapsed) of ``el``'s text, prose text and link text."""
    return (
        space_len(el.text_content()),
        space_len(" ".join(_PROSE_TEXT(el))),
        space_len(" ".join(_LINK_TEXT(el))),
    )


def is_prose(el: Any, min_len: int = 400) -> bool:
    """Long text, nearly all of it in paragraphs, lists or headings, with few links."""
    total, prose, links = mass(el)
    return total >= min_len and prose >= 0.8 * total and links <= 0.2 * total


def text_len(el: Any) -> int:
    return space_len(el.text_content())  # len(normalize_space(...)), without building it


def text_longer_than(el: Any, limit: float) -> bool:
    """``text_len(el) > limit``, mostly from the head of the text: the raw text is never
    shorter than its normalised form, and a prefix's normalised length never exceeds the
    whole's. container.expand() asks this of ever larger wrappers, up to the whole page
    (issue 7)."""
    text = el.text_content()
    if len(text) <= limit:
        return False
    if len(text) > 4 * limit and space_len(text[: 2 * int(limit) + 2]) > limit:
        return True  # a long text: its head decides, most of the time
    return space_len(text) > limit


class TextSpan(NamedTuple):
    """What :func:`space_len` needs to know of a text to measure it joined to others:
    its non-space characters, its words, and whether it starts and ends inside a word.
    ``space_len(a + b) == (TextSpan.of(a) + TextSpan.of(b)).length`` (a word cut by
    the join counts once), so a wrapper is measured from the part already measured
    and what it adds, not from all its text again (issue 15: cost)."""

    letters: int = 0
    words: int = 0
    starts_in_word: bool = False
    ends_in_word: bool = False
    empty: bool = True

    @classmethod
    def of(cls, text: str | None) -> TextSpan:
        text = without_zero_width(text or "")
        if not text:
            return _EMPTY
        words = text.split()
        return cls(
            sum(map(len, words)), len(words), not text[0].isspace(), not text[-1].isspace(), False
        )

    def __add__(self, other: object) -> TextSpan:
        assert isinstance(other, TextSpan)
        if other.empty:
            return self
        if self.empty:
            return other
        joined = self.ends_in_word and other.starts_in_word
        return TextSpan(
            self.letters + other.letters,
            self.words + other.words - joined,
            self.starts_in_word,
            other.ends_in_word,
            False,
        )

    @property
    def length(self) -> int:
        """``space_len`` of the text: letters and one space between words."""
        return self.letters + self.words - 1 if self.words else 0


_EMPTY = TextSpan()


def text_span(el: Any) -> TextSpan:
    return TextSpan.of(el.text_content())


def parent_span(parent: Any, child: Any, child_span: TextSpan) -> TextSpan:
    """``text_span(parent)`` from its child's span and the rest of its text: the string
    value of an element is its text, then each child's string value (none for a comment
    or processing instruction) and tail, in order."""
    span = TextSpan.of(parent.text)
    for c in parent:
        if c is child:
            span = span + child_span
        elif isinstance(c.tag, str):
            span = span + TextSpan.of(c.text_content())
        span = span + TextSpan.of(c.tail)
    return span


def link_len(el: Any) -> int:
    return sum(space_len(a.text_content()) for a in el.iter("a"))


def _blocks(root: Any) -> dict[Any, list[int]]:
    """Each block element holding text directly: [text length, commas, link length]."""
    found: dict[Any, list[int]] = {}
    inline = sel.INLINE_TAGS
    for text in _BODY_TEXT(root):
        n = space_len(text)
        if n < 2:
            continue
        holder = text.getparent()
        if holder is None:
            continue
        if text.is_tail:
            holder = holder.getparent()
        in_link = False
        while holder is not None and holder.tag in inline:
            in_link = in_link or holder.tag == "a"
            holder = holder.getparent()
        if holder is None or not isinstance(holder.tag, str):
            continue
        entry = found.get(holder)
        if entry is None:
            entry = found[holder] = [0, 0, 0]
        entry[0] += n
        entry[1] += text.count(",")
        if in_link:
            entry[2] += n
    return found


def density_container(root: Any, is_chrome: Any) -> Any | None:
    """The element whose subtree holds the densest run of unlinked text, or None.

    ``is_chrome(el)`` says whether an element is page chrome (``body.is_boilerplate``);
    a candidate inside chrome that holds more than itself (a comment thread) is passed
    over for the next best.
    """
    scores: dict[Any, float] = {}
    totals: dict[Any, int] = {}
    for block, (n, commas, link_n) in _blocks(root).items():
        if n - link_n < _MIN_BLOCK or block.tag in ("body", "html"):
            continue
        score = (1 + commas + min(n / 100, 3)) * (1 - link_n / n)
        node = block
        for weight in (1.0, 1.0, 0.5):  # the block, its parent, its grandparent
            if node is None or node.tag in ("body", "html"):
                break
            scores[node] = scores.get(node, 0.0) + score * weight
            node = node.getparent()
    if not scores:
        return None
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    for el in ranked[:_TRIES]:
        if is_chrome(el) or inside_chrome(el, is_chrome, totals):
            continue
        total = totals.get(el) or space_len(el.text_content())
        link_n = space_len(" ".join(_LINK_TEXT(el)))
        if total and link_n / total > 0.5:
            continue
        return el
    return None


def inside_chrome(el: Any, is_chrome: Any, totals: dict[Any, int]) -> bool:
    """Whether an ancestor of ``el`` is chrome holding much more than ``el`` does."""
    own = totals.setdefault(el, space_len(el.text_content()))
    for ancestor in el.iterancestors():
        if ancestor.tag in ("body", "html"):
            return False
        if is_chrome(ancestor) and space_len(ancestor.text_content()) > 1.25 * own:
            return True
    return False
