"""Benchmark morgue's extractor against trafilatura on extraction-dev (or another folder).

    python bench/extraction.py [FOLDER] [--no-write] [--per-page N]

FOLDER holds ground-truth.json, score.py and html/<id>.html.gz (default:
../shared/extraction-dev beside the repository). Both extractors run in this
one process over the same pages; the scores use FOLDER/score.py's metric. The
table is printed and written to docs/benchmarks.md (extraction section).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

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


def load_score(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("extraction_dev_score", folder / "score.py")
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


def morgue_extract(html: bytes, url: str) -> str:
    from pipelines.extraction import extract

    return extract(html, url).body_text


def trafilatura_extract(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False) or ""


def run(
    fn: Callable[[bytes, str], str], pages: dict[str, tuple[bytes, str]]
) -> tuple[dict[str, str], list[float]]:
    fn(b"<html><body><p>warm up</p></body></html>", "http://example.com/")
    preds, times = {}, []
    for key, (html, url) in pages.items():
        start = time.perf_counter()
        preds[key] = fn(html, url)
        times.append((time.perf_counter() - start) * 1000)
    return preds, times


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
    score = load_score(folder)
    truth, pages = load_pages(folder)
    extractors: dict[str, Callable[[bytes, str], str]] = {"morgue": morgue_extract}
    if not args.only_morgue:
        extractors["trafilatura"] = trafilatura_extract
    rows = []
    medians = {}
    for name, fn in extractors.items():
        preds, times = run(fn, pages)
        result = score.score(truth, preds)
        medians[name] = statistics.median(times)
        rows.append((name, result, medians[name], p90(times)))
        if name == "morgue" and args.per_page:
            worst = []
            for key in truth:
                tp, fp, fn_ = score.page_counts(truth[key], preds.get(key, ""))
                prec, rec = score._precision(tp, fp, fn_), score._recall(tp, fp, fn_)
                f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
                worst.append((f1, prec, rec, key))
            for f1, prec, rec, key in sorted(worst)[: args.per_page]:
                print(f"  {f1:.3f}  P {prec:.3f}  R {rec:.3f}  {key}")
    parse_ms = parse_costs(pages)
    lines = [
        f"pages: {len(pages)} ({folder.name})",
        "",
        "| extractor | F1 | precision | recall | accuracy | median ms/page | p90 ms/page |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r, med, p in rows:
        lines.append(
            f"| {name} | {r['f1']:.3f} | {r['precision']:.3f} | {r['recall']:.3f} "
            f"| {r['accuracy']:.3f} | {med:.1f} | {p:.1f} |"
        )
    if "trafilatura" in medians:
        lines += [
            "",
            f"ratio of medians (morgue / trafilatura): "
            f"{medians['morgue'] / medians['trafilatura']:.2f}",
        ]
    lines += [
        "",
        "Parsing alone, median ms/page: "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in parse_ms.items()),
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_write and not args.only_morgue:
        write_doc(table, folder)
    return 0


def write_doc(table: str, folder: Path) -> None:
    import trafilatura

    shown = folder if folder != DEFAULT.resolve() else Path("../shared/extraction-dev")
    write_section(
        "extraction",
        "## Extraction",
        f"Produced by `python bench/extraction.py {shown}` "
        f"(`make bench-extract`), trafilatura {trafilatura.__version__}, "
        "`trafilatura.extract(html, url=url, include_comments=False)`, one process, "
        "same pages; metric: score.py of the benchmark folder.\n\n"
        f"{table}\n\n{DEPENDENCIES}",
    )


if __name__ == "__main__":
    sys.exit(main())
