"""The language model's cost in an extraction process: morgue's loader against py3langid's.

    python bench/langid_load.py [--reps 3] [--write]

Each loader runs in a fresh process (``--role``), after the imports an extraction
process has anyway (``pipelines.extraction``, NumPy, py3langid), and reports: the seconds
the load took, what the process keeps after it (``VmRSS``) and its peak during it
(``VmHWM``), both less the figure before the load, then the microseconds a
classification takes over texts in eight scripts. py3langid's own loader is the peer;
morgue's (pipelines/extraction/langmodel.py) keeps the arrays it reads instead of
copying the DFA table. ``--write`` puts the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC_KEY = "bench-langid-load"

TEXTS = [
    "Der Stadtrat hat am Dienstagabend beschlossen, dass das Leuchtfeuer weiter brennt. " * 6,
    "Le conseil municipal a décidé mardi soir que le phare du port resterait allumé. " * 6,
    "El consejo decidió el martes por la noche que el faro seguirá encendido. " * 6,
    "Городской совет во вторник вечером решил, что маяк будет гореть ещё десять лет. " * 6,
    "港口的灯塔将再亮十年，市议会在周二晚上经过长时间辩论后作出了这一决定。" * 10,
    "市議会は火曜日の夜、港の灯台をさらに十年間点灯し続けることを決めた。" * 10,
    "قرر المجلس البلدي مساء الثلاثاء أن منارة الميناء ستبقى مضاءة عشر سنوات أخرى. " * 6,
    "Ο δημοτικός σύμβουλος αποφάσισε την Τρίτη ότι ο φάρος θα μείνει αναμμένος. " * 6,
]


def memory() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process, MiB."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]


def role(loader: str) -> dict[str, Any]:
    """Load the model one way in this (fresh) process; its costs."""
    sys.path.insert(0, str(ROOT))
    import numpy  # noqa: F401  (an extraction process has these already)
    from py3langid import langid

    import pipelines.extraction  # noqa: F401
    from pipelines.extraction.langmodel import load_identifier

    rss0, _ = memory()
    started = time.perf_counter()
    if loader == "morgue":
        identifier = load_identifier()
    else:
        identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    load_s = time.perf_counter() - started
    rss, peak = memory()
    answers = [identifier.classify(text) for text in TEXTS]
    started = time.perf_counter()
    rounds = 50
    for _ in range(rounds):
        for text in TEXTS:
            identifier.classify(text)
    per_text_us = 1e6 * (time.perf_counter() - started) / (rounds * len(TEXTS))
    return {
        "load_s": load_s,
        "kept_mib": rss - rss0,
        "peak_mib": peak - rss0,
        "classify_us": per_text_us,
        "answers": [[code, round(p, 6)] for code, p in answers],
    }


def run(loader: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--role", loader],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def table(results: dict[str, list[dict[str, Any]]]) -> str:
    lines = [
        "Each loader in a fresh process, after the imports an extraction process has anyway; "
        f"{len(next(iter(results.values())))} runs each, medians. kept / peak: the "
        "process's VmRSS after the load and its VmHWM, less its VmRSS before it. classify: "
        f"the mean over {len(TEXTS)} texts in eight scripts (~500 characters each).",
        "",
        "| loader | load s | kept MiB | peak MiB | classify µs |",
        "|---|---|---|---|---|",
    ]
    names = {
        "py3langid": "py3langid's `from_model_file` (the peer)",
        "morgue": "morgue's `langmodel.load_identifier`",
    }
    medians: dict[str, dict[str, float]] = {}
    for loader, runs in results.items():
        med = {
            key: statistics.median(r[key] for r in runs)
            for key in ("load_s", "kept_mib", "peak_mib", "classify_us")
        }
        medians[loader] = med
        lines.append(
            f"| {names[loader]} | {med['load_s']:.2f} | {med['kept_mib']:.1f} | "
            f"{med['peak_mib']:.1f} | {med['classify_us']:.0f} |"
        )
    ours, peer = medians["morgue"], medians["py3langid"]
    same = all(
        r["answers"] == results["py3langid"][0]["answers"]
        for runs in results.values()
        for r in runs
    )
    lines += [
        "",
        f"morgue / py3langid: peak {ours['peak_mib'] / peer['peak_mib']:.2f}, kept "
        f"{ours['kept_mib'] / peer['kept_mib']:.2f}, load time "
        f"{ours['load_s'] / peer['load_s']:.2f}, classify "
        f"{ours['classify_us'] / peer['classify_us']:.2f}; "
        f"answers {'identical' if same else 'DIFFERENT'} on every text and run",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--role", choices=("morgue", "py3langid"), help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.role:
        print(json.dumps(role(opts.role)))
        return
    results: dict[str, list[dict[str, Any]]] = {"py3langid": [], "morgue": []}
    for _ in range(opts.reps):
        for loader, runs in results.items():  # alternated, so a noisy moment hits both
            runs.append(run(loader))
    text = table(results)
    print(text)
    if opts.write:
        sys.path.append(str(HERE))
        from _docsection import write_section

        write_section(DOC_KEY, "## Language model load (`make bench-langid`, issue 18)", text)


if __name__ == "__main__":
    main()
