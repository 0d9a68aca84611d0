"""`morgue extract --text`: the body as plain text, one block a line, as trafilatura prints
by default, for shell pipelines (issue 20, item 17). The real extractor, no fakes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archive.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
GAZETTE = FIXTURES / "sites" / "gazette" / "ferry-fares-to-rise-in-spring" / "index.html"

PAGE = b"""<!doctype html><html lang="en"><head><title>Harbour news | The Courier</title>
<meta property="og:title" content="The harbour reopens"></head><body>
<nav><a href="/">Home</a> <a href="/news/">News</a></nav>
<article><h1>The harbour reopens</h1>
<p>The harbour reopened on Monday after a month of repairs to the north wall and its gates.</p>
<h2>What changed</h2>
<p>Engineers replaced the old timber fenders with steel ones, and the quay is two feet higher.</p>
<ul><li>New lighting along the quay</li><li>A wider slipway for small boats</li></ul>
<blockquote><p>We are glad to have the boats back where they belong.</p></blockquote>
<figure><img src="/img/quay.jpg" alt="The new quay"><figcaption>The new quay</figcaption></figure>
<p>The harbour master said the works finished a week earlier than planned.</p>
</article><footer>Copyright The Courier</footer></body></html>"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_text_is_the_body_one_block_a_line(tmp_path: Path) -> None:
    page = tmp_path / "harbour.html"
    page.write_bytes(PAGE)
    result = run("extract", str(page), "--text", "--url", "https://courier.example/harbour/")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "The harbour reopened on Monday after a month of repairs to the north wall and its "
        "gates.\n"
        "What changed\n"
        "Engineers replaced the old timber fenders with steel ones, and the quay is two feet "
        "higher.\n"
        "- New lighting along the quay\n"
        "- A wider slipway for small boats\n"
        "We are glad to have the boats back where they belong.\n"
        "The harbour master said the works finished a week earlier than planned.\n"
    )
    for absent in ("Home", "Copyright", "quay.jpg", "title", "words", "\x1b["):
        assert absent not in result.stdout


def test_text_of_a_real_fixture_page_and_several_files(tmp_path: Path) -> None:
    one = run("extract", str(GAZETTE), "--text")
    assert one.exit_code == 0, one.output
    lines = one.stdout.splitlines()
    assert lines[0].startswith("Foot passengers will pay 60p more")
    assert len(lines) == 4 and "" not in lines  # four paragraphs, no blank lines
    page = tmp_path / "harbour.html"
    page.write_bytes(PAGE)
    both = run("extract", str(GAZETTE), str(page), "--text")
    assert both.stdout == one.stdout + "\n" + run("extract", str(page), "--text").stdout


def test_text_says_when_a_page_has_no_body(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    result = run("extract", str(empty), "--text")
    assert result.exit_code == 0 and result.stdout == ""
    assert f"Warning: no body text in {empty}" in result.stderr


@pytest.mark.parametrize("other", ["--jsonl"])
def test_text_and_jsonl_are_exclusive(tmp_path: Path, other: str) -> None:
    page = tmp_path / "harbour.html"
    page.write_bytes(PAGE)
    result = run("extract", str(page), "--text", other)
    assert result.exit_code == 2 and "Error: " in result.stderr and "--text" in result.stderr
