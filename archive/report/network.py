"""The site-to-site related-post graph, drawn as inline SVG on a circle.

Sites sit on a circle (largest first, clockwise from the top), each a disc whose
area follows its articles; an arrow from site A to site B means A's articles show
related-post links to B's, its width following the number of links (log scale).
Links within a site are written in its label. A circle needs no layout search, so
the same archive always gives the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from archive.report.palette import GREY, INK, OKABE_ITO
from archive.report.svg import WIDTH, esc, number, open_svg

NODE = OKABE_ITO["blue"]
EDGE = OKABE_ITO["orange"]


def site_graph(
    sites: Sequence[tuple[str, int]],
    edges: Sequence[tuple[str, str, int]],
    *,
    label: str,
    height: int = 520,
) -> str:
    """``sites``: (name, articles); ``edges``: (source, target, links), within-site ones
    (source == target) included; edges to sites not in ``sites`` are ignored."""
    if len(sites) == 1:
        height = 140
    cx, cy = WIDTH / 2, height / 2
    radius = min(cx, cy) - 90
    at: dict[str, tuple[float, float]] = {}
    for i, (name, _) in enumerate(sites):
        angle = -math.pi / 2 + 2 * math.pi * i / len(sites)
        at[name] = (
            (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
            if len(sites) > 1
            else (cx, cy - 12)
        )
    biggest = max((n for _, n in sites), default=1) or 1
    node_r = {name: 6 + 22 * math.sqrt(n / biggest) for name, n in sites}
    within = {s: n for s, t, n in edges if s == t}
    between = [(s, t, n) for s, t, n in edges if s != t and s in at and t in at]
    most = max((n for _, _, n in between), default=1)
    out = [
        open_svg(WIDTH, height, label),
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{EDGE}"/></marker></defs>',
    ]
    for source, target, links in between:
        out.append(
            _edge(
                at[source],
                end=at[target],
                end_r=node_r[target],
                links=links,
                most=most,
                source=source,
                target=target,
            )
        )
    for name, articles in sites:
        x, y = at[name]
        out.append(
            f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="{node_r[name]:.1f}" '
            f'fill="{NODE}" stroke="#fff" stroke-width="1.5"><title>{esc(name)}: '
            f"{number(articles)} articles, {number(within.get(name, 0))} links within the "
            "site</title></circle>"
        )
        out.append(
            _label(
                name,
                articles=articles,
                within=within.get(name, 0),
                at=(x, y),
                centre=(cx, cy),
                r=node_r[name],
            )
        )
    out.append("</svg>")
    return "".join(out)


def _edge(
    start: tuple[float, float],
    *,
    end: tuple[float, float],
    end_r: float,
    links: int,
    most: int,
    source: str,
    target: str,
) -> str:
    """A curve bending to its right, so A→B and B→A stay apart; it stops at the target's rim."""
    (x1, y1), (x2, y2) = start, end
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    mx, my = (
        (x1 + x2) / 2 + dy / length * length * 0.12,
        (y1 + y2) / 2 - dx / length * length * 0.12,
    )
    # end on the rim of the target disc, along the last stretch of the curve
    ex, ey = x2 - mx, y2 - my
    stretch = math.hypot(ex, ey) or 1.0
    x2, y2 = x2 - ex / stretch * (end_r + 2), y2 - ey / stretch * (end_r + 2)
    width = 1 + 5 * math.log1p(links) / math.log1p(most)
    return (
        f'<path class="mark" d="M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {x2:.1f},{y2:.1f}" '
        f'fill="none" stroke="{EDGE}" stroke-opacity="0.75" stroke-width="{width:.1f}" '
        f'marker-end="url(#arrow)"><title>{esc(source)} → {esc(target)}: {number(links)} '
        "links</title></path>"
    )


def _label(
    name: str,
    *,
    articles: int,
    within: int,
    at: tuple[float, float],
    centre: tuple[float, float],
    r: float,
) -> str:
    x, y = at
    dx, dy = x - centre[0], y - centre[1]
    if abs(dx) < 1 and abs(dy) < 1:
        lx, ly, anchor = x, y + r + 16, "middle"
    else:
        d = math.hypot(dx, dy)
        lx, ly = x + dx / d * (r + 8), y + dy / d * (r + 8) + 4
        anchor = "start" if dx > 20 else "end" if dx < -20 else "middle"
        if anchor == "middle":
            ly += 8 if dy > 0 else -4
    short = name if len(name) <= 28 else name[:27] + "…"
    return (
        f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" fill="{INK}">{esc(short)}'
        f'<tspan fill="{GREY}"> ({number(articles)}; {number(within)} within)</tspan></text>'
    )
