"""The public Python API (issue 17): what ``archive`` exports, what opening an archive
costs, and that every CLI command is documented beside the method it calls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import archive
from archive.cli import cli

REPO = Path(__file__).resolve().parents[1]

#: What the crawl's stages use, and researchers do not: on CrawlArchive only.
CRAWL_INTERNALS = (
    "start_run",
    "finish_run",
    "save_batch",
    "save_version",
    "save_restitched",
    "tidy_search_index",
    "known_article_ids",
    "article_ids_for_urls",
    "article_states",
    "article_ids_for_aliases",
    "known_pages",
    "iter_article_captures",
    "count_article_captures",
    "page_chain",
    "chain_states",
    "stage_near_dup",
    "unstage_near_dup",
    "iter_near_dups",
    "near_dup_signatures",
    "paragraph_counts",
    "save_near_dups",
)


def test_opening_an_archive_imports_no_extractor_and_no_scrapy() -> None:
    code = (
        "import sys\n"
        "from archive import Archive\n"
        "Archive(':memory:').close()\n"
        "heavy = ('pipelines.extraction', 'scrapy', 'twisted', 'archive.cli', 'crawler')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert found.stdout.strip() == "[]"


def test_the_package_exports_the_researchers_api() -> None:
    for name in archive.__all__:
        assert getattr(archive, name) is not None, name
    assert archive.ArticleFilter.__module__ == "archive.filters"
    assert callable(archive.export_to_path) and callable(archive.export_graph)
    assert issubclass(archive.NotFoundError, archive.MorgueError)
    with pytest.raises(AttributeError):
        _ = archive.no_such_name  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", CRAWL_INTERNALS)
def test_crawl_internals_are_not_on_the_researchers_archive(name: str) -> None:
    assert not hasattr(archive.Archive, name)
    assert callable(getattr(archive.CrawlArchive, name))


def test_history_and_diff_are_archive_methods() -> None:
    for name in ("history", "diff", "search", "get_article", "stats", "merge_shard"):
        assert callable(getattr(archive.Archive, name)), name


def documented_text() -> str:
    parts = [(REPO / "README.md").read_text("utf-8")]
    parts.extend(p.read_text("utf-8") for p in sorted((REPO / "docs").glob("*.md")))
    return "\n".join(parts)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_documented(name: str) -> None:
    command = cli.commands[name]
    assert (command.help or "").strip(), f"morgue {name} has no help text"
    assert (command.short_help or "").strip(), f"morgue {name} has no short help"
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Usage: " in result.output
    assert f"morgue {name}" in documented_text(), f"morgue {name} is in no README or doc"


def test_the_api_doc_lists_every_command() -> None:
    api = (REPO / "docs" / "api.md").read_text("utf-8")
    for name in cli.commands:
        assert f"`morgue {name}`" in api, name
