"""The block walk: the article body in reading order, from the container that
container.py finds (or the density fallback, density.py)."""

from __future__ import annotations

from typing import Any

from lxml.etree import XPath

from pipelines.core.article import Block
from pipelines.core.sanitize import is_tracking_pixel
from pipelines.extraction import selectors as sel
from pipelines.extraction.chrome import (
    is_boilerplate,
    is_strong_chrome,
    prepare,
    prose_in_chrome_class,
)
from pipelines.extraction.clean import normalize_space
from pipelines.extraction.container import expand, find_container
from pipelines.extraction.density import (
    density_container,
    is_prose,
    link_len,
    text_len,
    text_longer_than,
)
from pipelines.extraction.hrefs import resolve

_MAX_DEPTH = 120
#: A body shorter than this, out of a page that holds much more, calls the density
#: fallback in (a caption or teaser picked for want of paragraphs).
_SHORT_BODY = 1500
_CAPTION_INLINE = frozenset(("em", "i", "small", "span", "font", "cite"))
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "dl",
        "li",
        "blockquote",
        "figure",
        "table",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "pre",
        "hr",
        "iframe",
        "video",
        "audio",
        "center",
        "form",
        "details",
        "summary",
        "address",
        "figcaption",
        "dd",
        "dt",
    ]
)
_EMBED_TAGS = frozenset(
    (
        "iframe",
        "video",
        "audio",
        "amp-youtube",
        "amp-iframe",
        "amp-twitter",
        "amp-instagram",
        "amp-video",
        "amp-facebook",
    )
)
_BOLD = frozenset(("strong", "b"))
#: What stands on either side of a bold paragraph that heads a section.
_PROSE_NEIGHBOURS = frozenset(("p", "ul", "ol", "table", "blockquote", "figure"))


def _bold_only(el: Any) -> bool:
    """``<p><strong>text</strong></p>``: one bold child, no text of its own."""
    children = [c for c in el if isinstance(c.tag, str) and c.tag != "br"]
    if len(children) != 1 or children[0].tag not in _BOLD:
        return False
    return not ((el.text or "").strip() or (children[0].tail or "").strip())


class _Walker:
    """Turns a container into blocks; skips boilerplate as it goes."""

    def __init__(self, title: str | None, base_url: str) -> None:
        self.blocks: list[Block] = []
        self.link_lens: list[int] = []
        self.title = normalize_space(title).casefold() if title else ""
        self.base_url = base_url
        self.buffer: list[str] = []
        self.buffer_links = 0
        self.stop_container = False
        self._blocky: set[Any] | None = None  # elements holding a block, found in one pass
        self.plain_text = False  # the paragraph being built has text outside inline markup
        self.inline_tags: list[str] = []
        #: Bold paragraphs taken for subheads although they end like a sentence.
        self.sentence_heads: set[int] = set()

    # -- output ---------------------------------------------------------------------
    def add(self, kind: str, text: str, link_len: int = 0, **extra: Any) -> None:
        text = normalize_space(text) if kind != "quote" else text
        if not text and kind not in ("image", "embed"):
            return
        self.blocks.append(Block(kind=kind, text=text, **extra))
        self.link_lens.append(link_len)

    def flush(self) -> None:
        if self.buffer:
            text = normalize_space("".join(self.buffer))
            one_inline = not self.plain_text and len(self.inline_tags) == 1
            if text and not (one_inline and self.caption(text, self.inline_tags[0])):
                self.add("paragraph", text, self.buffer_links)
        self.buffer = []
        self.buffer_links = 0
        self.plain_text = False
        self.inline_tags = []

    def caption(self, text: str, tag: str) -> bool:
        """Attach a short italic/small line right after an image as its caption."""
        if (
            tag not in _CAPTION_INLINE
            or len(text) > 200
            or not self.blocks
            or self.blocks[-1].kind != "image"
            or sel.END_PUNCT.search(text)
        ):
            return False
        image = self.blocks[-1]
        image.caption = image.caption or text
        return True

    # -- walking --------------------------------------------------------------------
    def walk(self, el: Any, depth: int = 0) -> None:
        if el.text:
            self.buffer.append(el.text)
            self.plain_text = self.plain_text or not el.text.isspace()
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                if child.tail:
                    self.buffer.append(child.tail)
                continue
            if is_boilerplate(child) and not prose_in_chrome_class(child):
                if child.tail:
                    self.buffer.append(child.tail)
                continue
            if tag in sel.INLINE_TAGS and not self._has_blocks(child):
                self.inline(child)
                if tag not in ("br", "wbr"):
                    self.inline_tags.append(tag)
            else:
                self.flush()
                self.block(child, tag, depth)
                if self.stop_container:
                    # a "Related posts" / "You may also like" heading: the rest is teasers
                    self.stop_container = False
                    self.buffer = []
                    return
            if child.tail:
                self.buffer.append(child.tail)
                self.plain_text = self.plain_text or not child.tail.isspace()

    def _has_blocks(self, el: Any) -> bool:
        if el.tag in ("img", "amp-img", "picture"):
            return True
        if self._blocky is None:
            # One bottom-up pass over the tree instead of a descendant scan per inline
            # element, which made deeply nested inline markup quadratic.
            # lxml picks the block elements out in C: only they become Python objects.
            self._blocky = set()
            for d in el.getroottree().getroot().iter(*_BLOCK_TAGS):
                for ancestor in d.iterancestors():
                    if ancestor in self._blocky:
                        break
                    self._blocky.add(ancestor)
        return el in self._blocky

    def inline(self, el: Any, in_link: bool = False, depth: int = 0) -> None:
        """Inline markup: its text joins the paragraph being built, boilerplate left out."""
        in_link = in_link or el.tag == "a"
        if len(el) == 0 or depth > _MAX_DEPTH:
            text = (el.text or "") if len(el) == 0 else el.text_content()
            self.buffer.append(text)
            if in_link:
                self.buffer_links += len(text.strip())
            return
        if el.text:
            self.buffer.append(el.text)
            if in_link:
                self.buffer_links += len(el.text.strip())
        for child in el:
            if isinstance(child.tag, str) and not is_boilerplate(child):
                self.inline(child, in_link, depth + 1)
            if child.tail:
                self.buffer.append(child.tail)
                if in_link:
                    self.buffer_links += len(child.tail.strip())

    def block(self, el: Any, tag: str, depth: int) -> None:
        if depth > _MAX_DEPTH:
            self.add("paragraph", el.text_content(), link_len(el))
            return
        if tag in sel.HEADING_TAGS:
            text = normalize_space(el.text_content())
            if not text:
                return
            if sel.RELATED_HEADING.match(text.rstrip(":.…")):
                self.stop_container = True
                return
            if tag == "h1" or text.casefold() == self.title:
                return
            self.add("heading", text, link_len(el), level=int(tag[1]))
            return
        if tag == "p":
            self.paragraph(el, depth)
            return
        if tag in sel.LIST_TAGS:
            self.list_block(el, 1, depth)
            return
        if tag == "blockquote":
            self.quote(el)
            return
        cls = el.get("class", "")
        if cls and sel.CAPTION_WORD.search(cls) and el.find(".//img") is None:
            return  # a caption or photo credit on its own
        if tag in ("figure", "img", "amp-img", "picture") or (
            tag == "div"
            and sel.caption_class(el.get("class", ""))
            and el.find(".//img") is not None
            and text_len(el) < 400
        ):
            self.figure(el, depth)
            return
        if tag in _EMBED_TAGS:
            src = el.get("src") or el.get("data-src")
            if not src and el.get("data-videoid"):
                src = f"https://www.youtube.com/watch?v={el.get('data-videoid')}"
            if not src and el.get("data-tweetid"):
                src = f"https://twitter.com/i/status/{el.get('data-tweetid')}"
            if src:
                self.add("embed", "", src=resolve(self.base_url, src) or src)
            return
        if tag == "hr" or (tag == "header" and not is_prose(el, 1000)):
            return  # a header holds title and byline, unless it holds the article
        if tag == "pre":
            self.add("paragraph", el.text_content(), link_len(el))
            return
        if tag == "table":
            self.table(el, depth)
            return
        if sel.embed_class(el.get("class", "")):
            self.embed(el)
            return
        self.walk(el, depth + 1)
        self.flush()

    def paragraph(self, el: Any, depth: int) -> None:
        if self._has_blocks(el):
            self.walk(el, depth + 1)
            self.flush()
            return
        if el.find(".//*[@class]") is not None or el.find(".//*[@style]") is not None:
            text, links = self._inline_text(el)
        else:
            text, links = normalize_space(el.text_content()), -1
        if not text:
            if el.find(".//img") is not None or el.find(".//amp-img") is not None:
                self.figure(el, depth)
            return
        children = [c for c in el if isinstance(c.tag, str)]
        if (
            len(children) == 1
            and not (el.text or "").strip()
            and not (children[0].tail or "").strip()
            and self.caption(text, children[0].tag)
        ):
            return
        if self._is_bold_subhead(el, text):
            if sel.RELATED_HEADING.match(text.rstrip(":.…")):
                self.stop_container = True
                return
            self.add("heading", text, link_len(el), level=None)
            if sel.END_PUNCT.search(text):
                self.sentence_heads.add(id(self.blocks[-1]))
            return
        self.add("paragraph", text, link_len(el) if links < 0 else links)

    def _inline_text(self, el: Any) -> tuple[str, int]:
        """The text of an inline run without its boilerplate (hover cards, hidden spans)."""
        saved, saved_links = self.buffer, self.buffer_links
        self.buffer, self.buffer_links = [], 0
        self.inline(el)
        text, links = normalize_space("".join(self.buffer)), self.buffer_links
        self.buffer, self.buffer_links = saved, saved_links
        return text, links

    @staticmethod
    def _is_bold_subhead(el: Any, text: str) -> bool:
        """A short paragraph all in bold: a subhead, when it does not end like a
        sentence, or, whatever it ends with ("What Drives These Actions?"), when it
        stands alone between paragraphs."""
        if len(text) > 120 or not _bold_only(el):
            return False
        if not sel.END_PUNCT.search(text):
            return True
        before, after = el.getprevious(), el.getnext()
        return (
            before is not None
            and after is not None
            and before.tag in _PROSE_NEIGHBOURS
            and after.tag in _PROSE_NEIGHBOURS
            and not (before.tag == "p" and _bold_only(before))
            and not (after.tag == "p" and _bold_only(after))
        )

    def list_block(self, el: Any, level: int, depth: int) -> None:
        items = [li for li in el if isinstance(li.tag, str) and li.tag in ("li", "dt", "dd")]
        for li in items:
            if is_boilerplate(li):
                continue
            nested = [c for c in li.iter("ul", "ol") if c is not li]
            if nested:
                text = self._text_without(li, nested)
                self.add("list_item", text, 0, level=level)
                for sub in nested:
                    if sub.getparent() is li or sub.getparent().getparent() is li:
                        self.list_block(sub, level + 1, depth + 1)
            else:
                self.add("list_item", li.text_content(), link_len(li), level=level)

    @staticmethod
    def _text_without(el: Any, skip: list[Any]) -> str:
        skipset = set(skip)
        parts: list[str] = []

        def rec(node: Any) -> None:
            if node.text:
                parts.append(node.text)
            for c in node:
                if c not in skipset and isinstance(c.tag, str):
                    rec(c)
                if c.tail:
                    parts.append(c.tail)

        rec(el)
        return "".join(parts)

    def quote(self, el: Any) -> None:
        if sel.embed_class(el.get("class", "")):
            self.embed(el)
            return
        paras = [normalize_space(p.text_content()) for p in el.iter("p")]
        paras = [p for p in paras if p]
        text = "\n\n".join(paras) if len(paras) > 1 else normalize_space(el.text_content())
        if text:
            self.add("quote", text, link_len(el))

    def embed(self, el: Any) -> None:
        src = None
        for a in el.iter("a", "iframe"):
            src = a.get("href") or a.get("src")
            if src:
                break
        self.add("embed", normalize_space(el.text_content()), link_len(el), src=src)

    def figure(self, el: Any, depth: int) -> None:
        imgs = [el] if el.tag in ("img", "amp-img") else list(el.iter("img", "amp-img"))
        caption_el = None
        for c in el.iter("figcaption"):
            caption_el = c
            break
        if caption_el is None:
            for c in el.iter():
                if "caption" in (c.get("class") or "") and c is not el:
                    caption_el = c
                    break
        caption = normalize_space(caption_el.text_content()) if caption_el is not None else None
        for img in imgs[:1]:
            src = (
                img.get("data-src")
                or img.get("data-lazy-src")
                or img.get("data-original")
                or img.get("src")
                or (img.get("srcset") or "").split(" ")[0]
            )
            if not src or is_tracking_pixel(src, img.get("width"), img.get("height")):
                continue
            src = resolve(self.base_url, src) or src
            alt = normalize_space(img.get("alt")) or None
            self.add("image", "", src=src, alt=alt, caption=caption or None)
        if not imgs and el.tag == "figure":
            for e in el.iter(*_EMBED_TAGS):
                self.block(e, e.tag, depth + 1)
                return
            if el.find(".//table") is not None or el.find(".//blockquote") is not None:
                self.walk(el, depth + 1)
                self.flush()

    def table(self, el: Any, depth: int) -> None:
        # This table's own rows only: a nested table is reached by walking its cell, so
        # iterating every descendant <tr> here would visit it twice per level (2^depth).
        for row in _OWN_ROWS(el):
            cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
            if any(self._has_blocks(c) for c in cells):
                for c in cells:
                    self.walk(c, depth + 1)
                    self.flush()
            else:
                text = " ".join(normalize_space(c.text_content()) for c in cells)
                self.add("paragraph", text, sum(link_len(c) for c in cells))


_OWN_ROWS = XPath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _keep(block: Block, link_len: int) -> bool:
    text = block.text
    if block.kind in ("image", "embed"):
        return True
    if sel.BOILERPLATE_TEXT.match(text):
        return False
    if len(text) < 250 and block.kind == "paragraph" and sel.call_to_action(text):
        return False
    if len(text) < 80 and sel.DATELINE_TEXT.match(text) and any(c.isdigit() for c in text):
        return False
    if block.kind == "paragraph" and len(text) < 200 and sel.photo_credit(text):
        return False
    if len(text) < 60 and (sel.DATE_ONLY.match(text) or sel.BYLINE_TEXT.match(text)):
        return False
    if sel.TEASER_PREFIX.match(text) and link_len > 0:
        return False
    # short blocks that are mostly link text are navigation, whatever their kind
    return not (link_len and len(text) < 300 and link_len / len(text) > 0.7)


def _walk(parts: list[Any], title: str | None, base_url: str) -> list[Block]:
    walker = _Walker(title, base_url)
    for part in parts:
        walker.walk(part)
        walker.flush()
    blocks = []
    seen: set[str] = set()
    for block, links in zip(walker.blocks, walker.link_lens, strict=True):
        if not _keep(block, links):
            continue
        if block.text and len(block.text) > 40:
            if block.text in seen:
                continue  # the same caption or teaser again
            seen.add(block.text)
        blocks.append(block)
    # Headings with nothing after them (a trailing "Share this" title) go; a bold
    # sentence taken for a subhead was a closing line in bold, and stays one.
    while blocks and blocks[-1].kind == "heading":
        if id(blocks[-1]) in walker.sentence_heads:
            blocks[-1].kind, blocks[-1].level = "paragraph", None
            break
        blocks.pop()
    # A bold paragraph working as a subhead takes the level of the real subheads.
    levels = [b.level for b in blocks if b.kind == "heading" and b.level]
    for b in blocks:
        if b.kind == "heading" and b.level is None:
            b.level = min(levels) if levels else 2
    return blocks


def _text_of(blocks: list[Block]) -> int:
    return sum(len(b.text) for b in blocks)


def extract_blocks(
    root: Any, title: str | None, base_url: str, name_values: str | None = None
) -> tuple[list[Block], list[str], str | None]:
    """The body blocks of a parsed page, warnings, and the method that found them
    ("selector", "scored" or "density"; None without a body). The tree is modified
    (boilerplate dropped). ``name_values``: ``PageScan.name_values`` of the page as
    parsed, when made."""
    prepare(root)
    container, method = find_container(root, name_values)
    blocks = (
        _walk(expand(container, climb=method != "selector"), title, base_url)
        if container is not None
        else []
    )
    found = _text_of(blocks)
    warnings: list[str] = []
    if method == "page" or found < _SHORT_BODY:
        page = root.find("body")
        if page is not None and (
            method == "page" or not found or text_longer_than(page, 3 * found + 500)
        ):
            dense = density_container(root, is_strong_chrome)
            if dense is not None and dense is not container:
                more = _walk(expand(dense), title, base_url)
                got = _text_of(more)
                # Without a container the page is the body, unless density finds a
                # part of it that holds a fair share of its text (a flat page whose
                # paragraphs sit right in <body> has no better part than the whole).
                if got > max(2 * found, found + 300) or (method == "page" and got > 0.3 * found):
                    why = (
                        "no content container found"
                        if method == "page"
                        else f"{found} characters by the {method} method"
                        if found
                        else f"no text by the {method} method"
                    )
                    warnings.append(f"body: {why}; density fallback used")
                    blocks, method = more, "density"
    if not blocks:
        return [], [*warnings, "body: no text blocks found"], None
    return blocks, warnings, method
