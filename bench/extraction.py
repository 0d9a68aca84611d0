"""Benchmark morgue's extractor against trafilatura on extraction-dev and its wcxb set.

    python bench/extraction.py [FOLDER] [--no-write] [--per-page N] [--only-morgue]

FOLDER holds ground-truth.json, score.py and html/<id>.html.gz (default:
../shared/extraction-dev beside the repository); FOLDER/wcxb, when present, holds
ground-truth.json.gz, score.py and html/ of the 2025-era articles. Both extractors
run in this one process over the same pages, page by page in alternating order (a
load that comes and goes on a shared machine weighs on both alike), and the time
taken is the process's CPU time (``time.process_time``), which other processes on
the machine do not add to. Each set is
scored by its own score.py: extraction-dev's F1, wcxb's word F1 with its count of
pages below 0.5, and wcxb split in two halves by a hash of the site
(sha256 of the host without www., first hex digit below 8 or not): a rule that helps
one half only fits pages, not the web. The table is printed and written to
docs/benchmarks.md (extraction section); --per-page lists morgue's worst pages of
each set with the body method and warnings, to find what to work on.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from _docsection import write_section

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "extraction-dev"
DEPENDENCIES = """### Why these dependencies (extraction)

- **lxml**: every page is parsed once, by lxml; the parsing line above gives its cost next to a
  BeautifulSoup parse of the same bytes, which alone would take most of the per-page budget.
- **beautifulsoup4**: not on the per-page path for that reason; encoding detection is done by
  `pipelines/extraction/decode.py` (header, BOM, meta, then UTF-8 with windows-1252 repair).
- **charset-normalizer** (already installed with Scrapy's dependencies): consulted only for an
  undeclared page that is neither UTF-8 nor Western (no page of the benchmark reaches it).
- **python-dateutil**: all date parsing (tests/test_dates.py holds the table of cases).
- **trafilatura**: only in this benchmark, as the baseline; morgue's extractor does not use it.
"""


def load_score(folder: Path, name: str = "extraction_dev_score") -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, folder / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no score.py in {folder}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(folder: Path) -> tuple[dict[str, str], dict[str, tuple[bytes, str]]]:
    truth_raw = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    truth, pages = {}, {}
    for key, value in truth_raw.items():
        path = folder / "html" / f"{key}.html.gz"
        if not path.exists():
            continue
        truth[key] = str(value.get("articleBody") or "")
        pages[key] = (gzip.decompress(path.read_bytes()), str(value.get("url") or ""))
    return truth, pages


Gold = dict[str, dict[str, Any]]


def load_wcxb(folder: Path) -> tuple[Gold, dict[str, tuple[bytes, str]]]:
    """The gold records (id -> {"url", "main_content", ...}) and the pages that have one."""
    gold = json.loads(gzip.decompress((folder / "ground-truth.json.gz").read_bytes()))
    pages = {}
    for key, value in gold.items():
        path = folder / "html" / f"{key}.html.gz"
        if path.exists():
            pages[key] = (gzip.decompress(path.read_bytes()), str(value.get("url") or ""))
    return {k: gold[k] for k in pages}, pages


def site_half(url: str) -> str:
    """ "A" or "B": wcxb's split by a hash of the site (its README)."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return "A" if hashlib.sha256(host.encode("utf-8")).hexdigest()[0] < "8" else "B"


@dataclass
class Run:
    """One extractor over one set of pages: texts, ms per page, notes per page."""

    texts: dict[str, str] = field(default_factory=dict)
    ms: list[float] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)


def morgue_extract(html: bytes, url: str) -> tuple[str, str]:
    from pipelines.extraction import extract

    article = extract(html, url)
    body_notes = [w for w in article.warnings if w.startswith("body")]
    method = article.field_sources.get("body", "-")
    return article.body_text, f"{method} {'; '.join(body_notes)}".strip()


def trafilatura_extract(html: bytes, url: str) -> tuple[str, str]:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False) or "", ""


Extractor = Callable[[bytes, str], tuple[str, str]]


def run_all(
    extractors: dict[str, Extractor], pages: dict[str, tuple[bytes, str]]
) -> dict[str, Run]:
    """Every extractor on every page, alternating which goes first from page to page."""
    names = list(extractors)
    for fn in extractors.values():
        fn(b"<html><body><p>warm up</p></body></html>", "http://example.com/")
    runs = {name: Run() for name in names}
    for i, (key, (html, url)) in enumerate(pages.items()):
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            start = time.process_time()
            text, note = extractors[name](html, url)
            runs[name].ms.append((time.process_time() - start) * 1000)
            runs[name].texts[key], runs[name].notes[key] = text, note
    return runs


def parse_costs(pages: dict[str, tuple[bytes, str]]) -> dict[str, float]:
    """Median ms/page of decoding + parsing alone: lxml (what morgue uses) and BeautifulSoup."""
    from bs4 import BeautifulSoup

    from pipelines.extraction.decode import decode_html
    from pipelines.extraction.parse import parse_html

    costs: dict[str, list[float]] = {"decode+lxml": [], "bs4(lxml)": []}
    for html, _url in pages.values():
        start = time.perf_counter()
        parse_html(decode_html(html)[0])
        costs["decode+lxml"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        BeautifulSoup(html, "lxml")
        costs["bs4(lxml)"].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in costs.items()}


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def dev_table(score: ModuleType, truth: dict[str, str], runs: dict[str, Run]) -> list[str]:
    lines = [
        "| extractor | F1 | precision | recall | accuracy | median ms/page | p90 ms/page |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        r = score.score(truth, run.texts)
        lines.append(
            f"| {name} | {r['f1']:.3f} | {r['precision']:.3f} | {r['recall']:.3f} "
            f"| {r['accuracy']:.3f} | {statistics.median(run.ms):.1f} | {p90(run.ms):.1f} |"
        )
    return lines


def dev_worst(score: ModuleType, truth: dict[str, str], run: Run, n: int) -> list[str]:
    rows = []
    for key, text in truth.items():
        tp, fp, fn_ = score.page_counts(text, run.texts.get(key, ""))
        prec, rec = score._precision(tp, fp, fn_), score._recall(tp, fp, fn_)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        rows.append((f1, prec, rec, key))
    return [
        f"  {f1:.3f}  P {prec:.3f}  R {rec:.3f}  {key[:16]}  {run.notes.get(key, '')}"
        for f1, prec, rec, key in sorted(rows)[:n]
    ]


def wcxb_pages(score: ModuleType, gold: dict[str, dict[str, Any]], run: Run) -> dict[str, dict]:
    return {
        k: score.page(score.from_article({"body_text": run.texts[k]}), g) for k, g in gold.items()
    }


def wcxb_table(
    score: ModuleType, gold: dict[str, dict[str, Any]], runs: dict[str, Run]
) -> list[str]:
    halves = {k: site_half(str(g.get("url") or "")) for k, g in gold.items()}
    count = {h: sum(1 for v in halves.values() if v == h) for h in "AB"}
    lines = [
        f"| extractor | word F1 | pages < 0.5 | half A F1 ({count['A']} pages) "
        f"| half B F1 ({count['B']} pages) | median ms/page | p90 ms/page |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        pages = wcxb_pages(score, gold, run)
        total = score.totals(list(pages.values()))
        half_f1 = {
            h: statistics.fmean(p["body"] for k, p in pages.items() if halves[k] == h)
            if count[h]
            else float("nan")
            for h in "AB"
        }
        lines.append(
            f"| {name} | {total['body_f1']:.4f} | {total['body_below_0.5']} "
            f"| {half_f1['A']:.4f} | {half_f1['B']:.4f} "
            f"| {statistics.median(run.ms):.1f} | {p90(run.ms):.1f} |"
        )
    return lines


def wcxb_worst(score: ModuleType, gold: Gold, run: Run, n: int) -> list[str]:
    pages = wcxb_pages(score, gold, run)
    worst = sorted(pages, key=lambda k: pages[k]["body"])[:n]
    return [
        f"  {pages[k]['body']:.3f}  {k}  {site_half(str(gold[k].get('url') or ''))}  "
        f"{run.notes.get(k, '')}  {str(gold[k].get('url') or '')[:70]}"
        for k in worst
    ]


def ratio_line(runs: dict[str, Run]) -> str:
    if "trafilatura" not in runs:
        return ""
    ratio = statistics.median(runs["morgue"].ms) / statistics.median(runs["trafilatura"].ms)
    return f"ratio of medians (morgue / trafilatura): {ratio:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    ap.add_argument("--per-page", type=int, default=0, help="show the N worst pages for morgue")
    ap.add_argument("--only-morgue", action="store_true", help="skip trafilatura")
    args = ap.parse_args(argv)
    folder = args.folder.resolve()
    if not (folder / "ground-truth.json").exists():
        print(f"no benchmark at {folder}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO))
    extractors: dict[str, Extractor] = {"morgue": morgue_extract}
    if not args.only_morgue:
        extractors["trafilatura"] = trafilatura_extract

    score = load_score(folder)
    truth, pages = load_pages(folder)
    runs = run_all(extractors, pages)
    lines = [f"pages: {len(pages)} ({folder.name}), metric: its score.py", ""]
    lines += dev_table(score, truth, runs)
    lines += ["", ratio_line(runs)] if len(runs) > 1 else []
    worst = dev_worst(score, truth, runs["morgue"], args.per_page) if args.per_page else []

    wcxb = folder / "wcxb"
    all_ms = {name: list(run.ms) for name, run in runs.items()}
    if (wcxb / "ground-truth.json.gz").exists():
        wscore = load_score(wcxb, "wcxb_score")
        gold, wpages = load_wcxb(wcxb)
        wruns = run_all(extractors, wpages)
        lines += ["", f"pages: {len(wpages)} (wcxb), metric: its score.py (body word F1)", ""]
        lines += wcxb_table(wscore, gold, wruns)
        lines += ["", ratio_line(wruns)] if len(wruns) > 1 else []
        for name, run in wruns.items():
            all_ms[name] += run.ms
        if args.per_page:
            worst += ["", "wcxb:", *wcxb_worst(wscore, gold, wruns["morgue"], args.per_page)]
        if len(all_ms) > 1:
            both = statistics.median(all_ms["morgue"]) / statistics.median(all_ms["trafilatura"])
            lines += [
                "",
                f"both sets, {len(all_ms['morgue'])} pages: median ms/page morgue "
                f"{statistics.median(all_ms['morgue']):.1f}, trafilatura "
                f"{statistics.median(all_ms['trafilatura']):.1f}, ratio {both:.2f}",
            ]
    parse_ms = parse_costs(pages)
    lines += [
        "",
        "Parsing alone (extraction-dev), median ms/page: "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in parse_ms.items()),
    ]
    table = "\n".join(lines)
    if worst:
        print("worst pages for morgue (extraction-dev):", *worst, "", sep="\n")
    print(table)
    if not args.no_write and not args.only_morgue:
        write_doc(table, folder)
    return 0


def write_doc(table: str, folder: Path) -> None:
    import trafilatura

    # the folder as the repository's docs name it, wherever this checkout sits
    shared = folder.parent.name == "shared" and folder.name == "extraction-dev"
    shown = Path("../shared/extraction-dev") if shared else folder
    write_section(
        "extraction",
        "## Extraction",
        f"Produced by `python bench/extraction.py {shown}` "
        f"(`make bench-extract`), trafilatura {trafilatura.__version__}, "
        "`trafilatura.extract(html, url=url, include_comments=False)`, one process, "
        "same pages, the two extractors alternating page by page, CPU ms "
        "(`time.process_time`); each set scored by "
        "its own score.py. The wcxb halves split its sites by "
        "`sha256(host without www.)` (first hex digit < 8: half A).\n\n"
        f"{table}\n\n{DEPENDENCIES}",
    )


if __name__ == "__main__":
    sys.exit(main())
