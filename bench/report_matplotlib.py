"""The peer of bench/report.py: the report's charts drawn by matplotlib as SVG.

    python bench/report_matplotlib.py ARCHIVE OUT.html

Same ``Archive.report_*`` queries as ``morgue report``, same charts (lines per site,
log-scale bars, stacked bars, horizontal bars, the site graph on a circle), each saved
as SVG with its text kept as text (``svg.fonttype = none``) and inlined in one HTML
page. It answers "what would a charting library cost here" in time, memory and bytes;
matplotlib is a dev dependency for this alone (morgue does not import it).
"""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[0] = str(REPO)  # not bench/ first: bench/archive.py would shadow the package

import matplotlib  # noqa: E402

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

from archive import Archive  # noqa: E402
from archive.report.palette import (  # noqa: E402
    BAR,
    RECRAWL_COLOURS,
    SHARE_COLOURS,
    STATUS_COLOURS,
    WARN,
    line_style,
)
from archive.report_health import STATUS_CLASSES  # noqa: E402

plt.rcParams.update({"svg.fonttype": "none", "font.size": 10})


def svg_of(fig: plt.Figure) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = out.getvalue()
    return text[text.index("<svg") :]


def bars(labels: list[str], values: list[float], colour: str, *, log: bool = False) -> str:
    fig, ax = plt.subplots(figsize=(7.6, 3))
    ax.bar(range(len(values)), values, color=colour, log=log)
    ax.set_xticks(range(len(labels)), labels)
    return svg_of(fig)


def hbars(labels: list[str], groups: list[tuple[str, list[float], str]]) -> str:
    fig, ax = plt.subplots(figsize=(7.6, 0.3 * len(labels) * len(groups) + 1))
    height = 0.8 / len(groups)
    for g, (name, values, colour) in enumerate(groups):
        ax.barh(
            [i + g * height for i in range(len(labels))], values, height, label=name, color=colour
        )
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    if len(groups) > 1:
        ax.legend()
    return svg_of(fig)


def stacked(labels: list[str], series: list[tuple[str, list[float], str]]) -> str:
    fig, ax = plt.subplots(figsize=(7.6, 3.2))
    base = [0.0] * len(labels)
    for name, values, colour in series:
        ax.bar(range(len(labels)), values, bottom=base, label=name, color=colour)
        base = [b + v for b, v in zip(base, values, strict=True)]
    ax.set_xticks(range(len(labels)), labels)
    ax.legend()
    return svg_of(fig)


def charts(archive: Archive) -> list[str]:
    out = []
    timeline = archive.report_timeline()
    periods = sorted({r["period"] for r in timeline["rows"]})
    index = {p: i for i, p in enumerate(periods)}
    fig, ax = plt.subplots(figsize=(7.6, 3.4))
    for i, site in enumerate(timeline["sites"]):
        values = [0] * len(periods)
        for row in timeline["rows"]:
            if row["site"] == site["site"]:
                values[index[row["period"]]] = row["articles"]
        colour, dash = line_style(i, site["site"])
        ax.plot(
            periods,
            values,
            color=colour,
            linestyle=(0, [float(x) for x in dash.split()]) if dash else "-",
            label=site["site"],
        )
    ax.legend(fontsize=8)
    out.append(svg_of(fig))
    sizes = archive.report_cluster_sizes()
    out.append(bars([str(r["size"]) for r in sizes], [r["clusters"] for r in sizes], BAR, log=True))
    archive.report_most_copied()
    network = archive.report_network()
    links = network["site_links"]
    sites = archive.report_sites(limit=12)
    names = [s["site"] for s in sites]
    at = {
        n: (math.cos(2 * math.pi * i / len(names)), math.sin(2 * math.pi * i / len(names)))
        for i, n in enumerate(names)
    }
    fig, ax = plt.subplots(figsize=(7.6, 5.2))
    for row in links:
        if row["source"] in at and row["target"] in at and row["source"] != row["target"]:
            ax.annotate(
                "",
                at[row["target"]],
                at[row["source"]],
                arrowprops={
                    "arrowstyle": "->",
                    "color": STATUS_COLOURS["4xx"],
                    "connectionstyle": "arc3,rad=0.12",
                },
            )
    ax.scatter(
        [at[n][0] for n in names],
        [at[n][1] for n in names],
        s=[40 + 400 * s["articles"] / sites[0]["articles"] for s in sites],
        color=BAR,
    )
    for n in names:
        ax.text(at[n][0] * 1.15, at[n][1] * 1.15, n, ha="center")
    ax.set_axis_off()
    out.append(svg_of(fig))
    degrees = network
    out.append(
        bars(
            [str(r["degree"]) for r in degrees["distribution"]],
            [r["articles"] for r in degrees["distribution"]],
            BAR,
            log=True,
        )
    )
    statuses = archive.report_captures_over_time()
    periods = sorted({r["period"] for r in statuses["rows"]})
    out.append(
        stacked(
            periods,
            [
                (
                    s,
                    [
                        sum(
                            r["captures"]
                            for r in statuses["rows"]
                            if r["period"] == p and r["status"] == s
                        )
                        for p in periods
                    ],
                    STATUS_COLOURS[s],
                )
                for s in STATUS_CLASSES
            ],
        )
    )
    failures = archive.report_failures()
    if failures:
        out.append(
            hbars(
                [r["reason"] for r in failures],
                [("captures", [r["captures"] for r in failures], WARN)],
            )
        )
    recrawls = archive.report_recrawls()
    if recrawls:
        out.append(
            stacked(
                [r["run_id"] for r in recrawls],
                [(k, [r[k] for r in recrawls], RECRAWL_COLOURS[k]) for k in RECRAWL_COLOURS],
            )
        )
    shares = archive.report_extraction()
    out.append(
        hbars(
            [r["site"] for r in shares],
            [
                (k, [100 * r[k] / r["articles"] for r in shares], SHARE_COLOURS[k])
                for k in SHARE_COLOURS
            ],
        )
    )
    problems = archive.report_problems()
    if problems:
        out.append(
            hbars(
                [r["problem"] for r in problems],
                [("articles", [r["articles"] for r in problems], WARN)],
            )
        )
    archive.report_run_warnings()
    return out


def main() -> None:
    db, out = sys.argv[1], Path(sys.argv[2])
    with Archive(db, readonly=True) as archive:
        drawn = charts(archive)
    out.write_text(
        "<!DOCTYPE html><html><body>" + "".join(drawn) + "</body></html>", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
