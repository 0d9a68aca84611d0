"""Inline SVG charts: lines over time, vertical bars, stacked bars and horizontal bars.

Each function takes plain numbers and returns one ``<svg>`` element as text. Every
drawn datum (a line, a point, a bar) has ``class="mark"``, so a test can count what
was drawn; axes, grid and labels have none. Nothing here is called with empty data:
the page says "nothing to draw" instead of drawing empty axes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from archive.report.palette import GRID, INK

WIDTH = 760
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 16, 48


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    colour: str
    dash: str = ""


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def number(value: float) -> str:
    """1234567 → "1,234,567"; 0.5 → "0.5"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def open_svg(width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{esc(label)}">'
        f"<title>{esc(label)}</title>"
    )


def nice_ticks(top: float, count: int = 5, *, whole: bool = True) -> list[float]:
    """0 and round steps up to at least ``top`` (1, 2, 2.5 or 5 times a power of ten);
    ``whole``: steps of at least 1 (counts)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(round(step), 1)
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def log_ticks(top: float) -> list[float]:
    """1, 10, 100, ... up to at least ``top``."""
    ticks = [1.0]
    while ticks[-1] < top:
        ticks.append(ticks[-1] * 10)
    return ticks


def _y_axis(ticks: Sequence[float], y_of: object, width: int, label: str) -> list[str]:
    out = []
    for tick in ticks:
        y = y_of(tick)  # type: ignore[operator]
        out.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}"/><text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{number(tick)}</text>"
        )
    out.append(
        f'<text x="14" y="{TOP + 4}" transform="rotate(-90 14 {TOP + 4})" '
        f'text-anchor="end">{esc(label)}</text>'
    )
    return out


def _x_labels(labels: Sequence[str], x_of: object, height: int, most: int = 8) -> list[str]:
    step = max(1, math.ceil(len(labels) / most))
    out = []
    for i in range(0, len(labels), step):
        x = x_of(i)  # type: ignore[operator]
        out.append(
            f'<text x="{x:.1f}" y="{height - BOTTOM + 18}" text-anchor="middle">'
            f"{esc(labels[i])}</text>"
        )
    return out


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    label: str,
    y_label: str,
    markers: Sequence[tuple[float, str]] = (),
    height: int = 340,
) -> str:
    """One line per series over ``labels`` (evenly spaced periods), the series' name at
    its end; points are drawn too while there are few. ``markers`` are vertical dashed
    lines at a fractional index, each with its label (the crawl runs)."""
    right = 176  # room for the names at the lines' ends: 20 bold characters and the gap
    plot_w = WIDTH - LEFT - right
    top = max((max(s.values, default=0) for s in series), default=0)
    ticks = nice_ticks(top)
    span = len(labels) - 1 or 1

    def x_of(i: float) -> float:
        return LEFT + (plot_w * i / span if len(labels) > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return TOP + (height - TOP - BOTTOM) * (1 - v / ticks[-1])

    out = [open_svg(WIDTH, height, label)]
    out += _y_axis(ticks, y_of, LEFT + plot_w + RIGHT, y_label)
    out += _x_labels(labels, x_of, height)
    for at, text in markers:
        x = x_of(at)
        out.append(
            f'<g class="run"><line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" '
            f'y2="{height - BOTTOM}" stroke="{INK}" stroke-dasharray="3 3" opacity="0.6"/>'
            f"<title>{esc(text)}</title></g>"
        )
    ends: list[tuple[float, Series]] = []
    for s in series:
        points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(s.values))
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        out.append(
            f'<polyline class="mark" points="{points}" fill="none" stroke="{s.colour}" '
            f'stroke-width="2"{dash}><title>{esc(s.name)}</title></polyline>'
        )
        if len(labels) <= 60:
            for i, v in enumerate(s.values):
                out.append(
                    f'<circle class="mark" cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3" '
                    f'fill="{s.colour}"><title>{esc(s.name)} {esc(labels[i])}: '
                    f"{number(v)}</title></circle>"
                )
        ends.append((y_of(s.values[-1]) if s.values else TOP, s))
    out += _end_labels(ends, LEFT + plot_w + 8, height)
    out.append("</svg>")
    return "".join(out)


def _end_labels(ends: list[tuple[float, Series]], x: float, height: int) -> list[str]:
    """The series' names beside their last points, nudged apart to stay legible."""
    ordered = sorted(ends, key=lambda e: e[0])
    placed = [y for y, _ in ordered]
    for i in range(1, len(placed)):  # push down to keep 14 px between names
        placed[i] = max(placed[i], placed[i - 1] + 14)
    if placed and placed[-1] > height - BOTTOM:  # then up from the bottom, if past it
        placed[-1] = height - BOTTOM
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - 14)
    out = []
    for y, (_, s) in zip(placed, ordered, strict=True):
        name = s.name if len(s.name) <= 20 else s.name[:19] + "…"
        out.append(
            f'<text x="{x:.1f}" y="{y + 4:.1f}" fill="{s.colour}" font-weight="600">'
            f"{esc(name)}</text>"
        )
    return out


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    label: str,
    y_label: str,
    colour: str,
    log: bool = False,
    height: int = 300,
) -> str:
    """Vertical bars, one per label; ``log`` puts the y axis on a log scale (counts of 1
    and of 100,000 side by side, as size distributions have)."""
    plot_w = WIDTH - LEFT - RIGHT
    top = max(values, default=0)
    ticks = log_ticks(max(top, 10)) if log else nice_ticks(top)
    plot_h = height - TOP - BOTTOM

    def y_of(v: float) -> float:
        if log:  # the axis starts at 0.5, so a count of 1 is a visible bar
            share = math.log10(max(v, 0.5) / 0.5) / math.log10(ticks[-1] / 0.5)
            return TOP + plot_h * (1 - share)
        return TOP + plot_h * (1 - v / ticks[-1])

    slot = plot_w / max(len(labels), 1)

    def x_of(i: float) -> float:
        return LEFT + slot * (i + 0.5)

    out = [open_svg(WIDTH, height, label)]
    out += _y_axis(ticks, y_of, WIDTH, y_label)
    out += _x_labels(labels, x_of, height, most=20)
    bar_w = max(1.0, min(slot * 0.8, 60))
    for i, v in enumerate(values):
        y = y_of(v) if v > 0 else TOP + plot_h
        h = max(TOP + plot_h - y, 1.5 if v > 0 else 0)
        out.append(
            f'<rect class="mark" x="{x_of(i) - bar_w / 2:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
            f"<title>{esc(labels[i])}: {number(v)}</title></rect>"
        )
    out.append("</svg>")
    return "".join(out)


def stacked_bars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    label: str,
    y_label: str,
    height: int = 320,
) -> str:
    """One bar per label, split into the series (bottom first); a legend on top."""
    plot_w = WIDTH - LEFT - RIGHT
    legend_h = 22
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    ticks = nice_ticks(max(totals, default=0))
    plot_h = height - TOP - BOTTOM - legend_h

    def y_of(v: float) -> float:
        return TOP + legend_h + plot_h * (1 - v / ticks[-1])

    slot = plot_w / max(len(labels), 1)

    def x_of(i: float) -> float:
        return LEFT + slot * (i + 0.5)

    out = [open_svg(WIDTH, height, label)]
    out += _legend([(s.name, s.colour) for s in series], TOP + 4)
    out += _y_axis(ticks, y_of, WIDTH, y_label)
    out += _x_labels(labels, x_of, height)
    bar_w = max(1.0, min(slot * 0.8, 60))
    for i in range(len(labels)):
        base = 0.0
        for s in series:
            v = s.values[i]
            if v <= 0:
                continue
            y0, y1 = y_of(base), y_of(base + v)
            out.append(
                f'<rect class="mark" x="{x_of(i) - bar_w / 2:.1f}" y="{y1:.1f}" '
                f'width="{bar_w:.1f}" height="{max(y0 - y1, 1):.1f}" fill="{s.colour}" '
                f'stroke="#fff" stroke-width="0.5"><title>{esc(labels[i])}, {esc(s.name)}: '
                f"{number(v)}</title></rect>"
            )
            base += v
    out.append("</svg>")
    return "".join(out)


def _legend(items: Sequence[tuple[str, str]], y: float) -> list[str]:
    out, x = [], float(LEFT)
    for name, colour in items:
        out.append(
            f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16:.1f}" y="{y:.1f}">{esc(name)}</text>'
        )
        x += 28 + 7.5 * len(name)
    return out


def hbars(
    labels: Sequence[str],
    groups: Sequence[Series],
    *,
    label: str,
    maximum: float | None = None,
    unit: str = "",
    label_width: int = 260,
) -> str:
    """Horizontal bars: one row per label, one bar per group in each row (a legend when
    there are several), the value written after each bar. ``maximum`` fixes the scale
    (100 for shares in %)."""
    row_h = 8 + 16 * len(groups)
    legend_h = 22 if len(groups) > 1 else 0
    height = TOP + legend_h + row_h * len(labels) + 8
    plot_w = WIDTH - label_width - 70
    top = maximum or max((max(g.values, default=0) for g in groups), default=0) or 1
    out = [open_svg(WIDTH, height, label)]
    if legend_h:
        out += _legend([(g.name, g.colour) for g in groups], TOP + 4)
    for r, name in enumerate(labels):
        y = TOP + legend_h + r * row_h
        short = name if len(name) <= 38 else name[:37] + "…"
        out.append(
            f'<text x="{label_width - 8}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end">'
            f"<title>{esc(name)}</title>{esc(short)}</text>"
        )
        for g, group in enumerate(groups):
            v = group.values[r]
            w = plot_w * v / top
            by = y + 4 + 16 * g
            out.append(
                f'<rect class="mark" x="{label_width}" y="{by:.1f}" width="{max(w, 1.5):.1f}" '
                f'height="13" fill="{group.colour}"><title>{esc(name)}, {esc(group.name)}: '
                f"{number(v)}{unit}</title></rect>"
                f'<text x="{label_width + max(w, 1.5) + 4:.1f}" y="{by + 11:.1f}">'
                f"{number(v)}{unit}</text>"
            )
    out.append("</svg>")
    return "".join(out)
