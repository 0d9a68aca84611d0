"""Measuring a wrapper from the part already measured gives the length measuring all of
its text gives (issue 15: cost)."""

from __future__ import annotations

import random

import lxml.html
import pytest

from pipelines.extraction.clean import space_len
from pipelines.extraction.density import TextSpan, parent_span, text_span


@pytest.mark.parametrize(
    ("a", "b", "length"),
    [
        ("foo", "bar", 6),  # "foobar": a word cut by the join counts once
        ("foo ", "bar", 7),  # "foo bar"
        ("foo", " bar", 7),
        ("  ", "bar", 3),
        ("", "", 0),
        ("", " a ", 1),
        ("a\u200b", "\u200bb", 2),  # zero-width marks are dropped, as normalize_space does
        ("a\u00a0", "b", 3),  # a no-break space is whitespace to str.split
        ("\u3000", "\u3000", 0),
    ],
)
def test_joined_spans(a: str, b: str, length: int) -> None:
    assert space_len(a + b) == length
    assert (TextSpan.of(a) + TextSpan.of(b)).length == length


def test_joined_spans_on_generated_texts() -> None:
    rng = random.Random(15)
    alphabet = ["a", "b", " ", "\n", "\t", "\u00a0", "\u200b", "\u00ad", "’", "\u3000"]
    for _ in range(20_000):
        parts = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5)))
            for _ in range(rng.randint(1, 4))
        ]
        span = TextSpan()
        for part in parts:
            span = span + TextSpan.of(part)
        assert span.length == space_len("".join(parts)), parts


PAGE = """<html><body><div id="outer">Lead <!-- a comment --> in<div id="mid">
<p id="p1">First para<b>graph</b>, <a href="/x">with a link</a>.</p><?pi data?>
<p>Second\u00a0paragraph.</p></div>tail text<span>more</span>end</div></body></html>"""


def test_a_parent_measured_from_its_child_equals_its_text() -> None:
    root = lxml.html.fromstring(PAGE)
    for el in root.iter():
        parent = el.getparent()
        if parent is None or not isinstance(el.tag, str):
            continue
        expected = space_len(parent.text_content())
        assert parent_span(parent, el, text_span(el)).length == expected, el.tag
    outer = root.get_element_by_id("outer")
    assert "a comment" not in outer.text_content()  # comments are no text, here either
