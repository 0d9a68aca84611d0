"""body_html: the body rendered from its blocks, so it holds no scripts, styles, iframes,
event handlers or tracking pixels by construction; and the pixel test used on images."""

from __future__ import annotations

import re
from html import escape
from itertools import groupby

from pipelines.core.article import Block

_PIXEL_SRC = re.compile(
    r"(?:pixel|beacon|tracking|tracker|spacer|blank|1x1|transparent|analytics|doubleclick|"
    r"scorecardresearch|facebook\.com/tr|quantserve|\.gif\?|/b\.gif|/p\.gif|stats\.wp\.com)",
    re.IGNORECASE,
)
_SAFE_URL = re.compile(r"^(?:https?:)?//|^/[^/]|^[\w./-]+$", re.IGNORECASE)


def is_tracking_pixel(src: str | None, width: str | None = None, height: str | None = None) -> bool:
    """True for 1x1 images, beacons and data-URI placeholders."""
    if not src or src.startswith("data:"):
        return True
    for dim in (width, height):
        if dim and dim.strip().rstrip("px").isdigit() and int(dim.strip().rstrip("px")) <= 2:
            return True
    return bool(_PIXEL_SRC.search(src))


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) or relative URL (no ``javascript:``/``data:``)."""
    if not url:
        return None
    url = url.strip()
    return url if _SAFE_URL.match(url) else None


def _render(block: Block) -> str:
    text = escape(block.text)
    if block.kind == "heading":
        level = min(max(block.level or 2, 1), 6)
        return f"<h{level}>{text}</h{level}>"
    if block.kind == "quote":
        paras = "".join(f"<p>{escape(p)}</p>" for p in block.text.split("\n\n") if p)
        return f"<blockquote>{paras}</blockquote>"
    if block.kind == "image":
        src = safe_url(block.src)
        if not src:
            return ""
        img = f'<img src="{escape(src)}" alt="{escape(block.alt or "")}">'
        caption = f"<figcaption>{escape(block.caption)}</figcaption>" if block.caption else ""
        return f"<figure>{img}{caption}</figure>"
    if block.kind == "embed":
        src = safe_url(block.src)
        link = f'<a href="{escape(src)}">{escape(src)}</a>' if src else ""
        body = f"<p>{text}</p>" if text else ""
        return f'<div class="embed">{body}{link}</div>'
    return f"<p>{text}</p>"


def render_blocks(blocks: list[Block]) -> str:
    """Clean, sanitised HTML for ``blocks``; consecutive list items share one ``<ul>``."""
    parts: list[str] = []
    for is_item, group in groupby(blocks, key=lambda b: b.kind == "list_item"):
        if is_item:
            items = "".join(f"<li>{escape(b.text)}</li>" for b in group)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.extend(_render(b) for b in group)
    return "\n".join(p for p in parts if p)
