"""morgue report in a real browser (issue 19): the demo archive's report opens in headless
Chromium with no network request and no console error, every chart has drawn marks, and
the summary table says what ``morgue stats`` says.

The demo archive is made as a user makes it: ``morgue demo`` (a real crawl of the bundled
site on 127.0.0.1), run twice so that the second run re-crawls the seed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser import browser
from click.testing import CliRunner

from archive.cli import cli

# For each figure: its key, how many marks have a non-empty box, and its table's rows.
CHARTS_JS = """
Array.from(document.querySelectorAll('figure.chart')).map(f => [
  f.dataset.chart,
  Array.from(f.querySelectorAll('svg .mark')).filter(m => {
    const box = m.getBBox(); return box.width > 0 || box.height > 0; }).length,
  f.querySelectorAll('table tbody tr').length,
  !!f.querySelector('details.data a[download][href^="data:text/csv"]'),
])
"""
SUMMARY_JS = """
Object.fromEntries(Array.from(document.querySelectorAll('#summary tr')).map(
  tr => [tr.dataset.key, [tr.querySelector('td').dataset.value, tr.querySelector('td').innerText]]))
"""
EMPTY_JS = """
Object.fromEntries(Array.from(document.querySelectorAll('[data-empty]')).map(
  e => [e.dataset.empty, e.innerText]))
"""


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    command = [sys.executable, "-c", "from archive.cli import main; main()"]
    for _ in range(2):
        done = subprocess.run(
            [*command, "demo", "--db", str(db), "--quiet"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
    assert "morgue report --out report.html --db" in done.stdout.splitlines()[-1]
    return str(db)


def test_demo_report_in_chromium(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    made = CliRunner().invoke(cli, ["report", "--db", demo_db, "--out", str(out)])
    assert made.exit_code == 0, made.output
    shown = CliRunner().invoke(
        cli, ["stats", "--db", demo_db, "--format", "json", "--days", "9999"]
    )
    stats = json.loads(shown.stdout)
    with browser(tmp_path / "profile") as page:
        for domain in ("Page", "Network", "Log", "Runtime"):
            page.send(f"{domain}.enable")
        page.send("Page.navigate", url=out.as_uri())
        page.wait_for("document.readyState === 'complete' && location.protocol === 'file:'")
        time.sleep(0.5)  # anything the page would still start, it starts now
        charts = page.evaluate(CHARTS_JS)
        summary = page.evaluate(SUMMARY_JS)
        empty = page.evaluate(EMPTY_JS)
        events = list(page.events)

    requests = [
        e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"
    ]
    assert requests == [out.as_uri()], requests  # the page itself, and nothing else
    errors = [
        e
        for e in events
        if e["method"] == "Runtime.exceptionThrown"
        or (
            e["method"] == "Runtime.consoleAPICalled"
            and e["params"]["type"] in ("error", "warning")
        )
        or (
            e["method"] == "Log.entryAdded"
            and e["params"]["entry"]["level"] in ("error", "warning")
        )
    ]
    assert errors == []

    drawn = {key: (marks, rows, csv) for key, marks, rows, csv in charts}
    # what the demo archive has: one site, linked stories, two runs (one re-crawl)
    for key in (
        "timeline",
        "cluster-sizes",
        "site-graph",
        "in-degree",
        "statuses",
        "recrawls",
        "extraction",
    ):
        assert drawn.get(key, (0, 0, False))[0] > 0, (key, drawn)
    for key in ("runs", "hubs"):
        assert drawn[key][1] > 0, key
    for key, (marks, rows, csv) in drawn.items():
        assert (marks or rows) and csv, key  # every chart drew something and offers its CSV
    # what it lacks is said in words, not drawn as empty axes
    assert "No story has a copy" in empty["most-copied"]
    assert "No fetch failed" in empty["failures"]
    assert not set(empty) & set(drawn)

    totals = stats["totals"]
    assert summary["articles"][0] == str(totals["articles"]) == summary["articles"][1]
    assert summary["captures"][0] == str(totals["captures"])
    assert summary["runs"][0] == str(totals["runs"]) == "2"
    assert summary["sites"][0] == str(len(stats["sites"]))
    days = sorted(row["day"] for row in stats["days"] if row["day"] != "(unknown)")
    assert summary["dates"][1] == f"{days[0]} to {days[-1]}"
    assert int(summary["size"][0]) == Path(demo_db).stat().st_size + wal_size(demo_db)


def wal_size(db: str) -> int:
    wal = Path(db + "-wal")
    return wal.stat().st_size if wal.exists() else 0
