"""The report's colours: the Okabe-Ito palette, safe for the common colour-vision deficiencies.

Okabe, M. and Ito, K. (2008), *Color Universal Design*. Series never rely on colour
alone: lines also differ by dash pattern and carry their name at their end, bars
carry their value, and every chart has its data as CSV.
"""

from __future__ import annotations

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
#: "Other", the axes and the grid: greys that read as "not a series".
GREY = "#7F7F7F"
INK = "#222222"
GRID = "#DDDDDD"

#: Series order for lines: yellow is left out (too light for a thin line on white).
LINE_COLOURS = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "orange",
        "bluish green",
        "vermillion",
        "reddish purple",
        "sky blue",
        "black",
    )
)
#: Dash patterns, cycled once the colours run out (so 10 sites stay apart).
DASHES = ("", "6 3", "2 3")

#: Fixed meanings, the same in every chart.
STATUS_COLOURS = {
    "2xx": OKABE_ITO["bluish green"],
    "304": OKABE_ITO["sky blue"],
    "3xx": OKABE_ITO["yellow"],
    "4xx": OKABE_ITO["orange"],
    "5xx": OKABE_ITO["reddish purple"],
    "failed": OKABE_ITO["vermillion"],
}
RECRAWL_COLOURS = {
    "not_modified": OKABE_ITO["sky blue"],
    "unchanged": OKABE_ITO["bluish green"],
    "changed": OKABE_ITO["orange"],
}
SHARE_COLOURS = {
    "dated": OKABE_ITO["blue"],
    "authored": OKABE_ITO["orange"],
    "long_body": OKABE_ITO["bluish green"],
}
BAR = OKABE_ITO["blue"]
WARN = OKABE_ITO["vermillion"]


def line_style(index: int, name: str) -> tuple[str, str]:
    """``(colour, dash)`` of the ``index``-th line; "other" is always a grey dotted line."""
    if name == "other":
        return GREY, "1 3"
    colour = LINE_COLOURS[index % len(LINE_COLOURS)]
    dash = DASHES[(index // len(LINE_COLOURS)) % len(DASHES)]
    return colour, dash
