"""Pure argument parsing for the spider: tables of inputs and outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.seeds import (
    parse_follow,
    read_urls_file,
    resolve_seeds,
    seed_list,
    split_csv,
    validate_seed,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("a", ["a"]),
        ("a,b", ["a", "b"]),
        (" a , b ,, c ", ["a", "b", "c"]),
        (["a", " b", ""], ["a", "b"]),
    ],
)
def test_split_csv(value: str | list[str] | None, expected: list[str]) -> None:
    assert split_csv(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("related,next", {"related", "next"}),
        ("related", {"related"}),
        ("next", {"next"}),
        ("all", {"related", "next", "all"}),
        ("related,all", {"related", "next", "all"}),
        ("", set()),
    ],
)
def test_parse_follow(value: str, expected: set[str]) -> None:
    assert parse_follow(value) == expected


@pytest.mark.parametrize("value", ["menus", "related,tags", "ALL"])
def test_parse_follow_rejects_unknown(value: str) -> None:
    with pytest.raises(ValueError, match="unknown follow mode"):
        parse_follow(value)


@pytest.mark.parametrize(
    "url",
    [
        "http://a.example/",
        "https://a.example/x?y=1#z",
        "http://127.0.0.1:8080/a/",
        "http://[::1]:80/",
    ],
)
def test_validate_seed_accepts(url: str) -> None:
    assert validate_seed(url) == url


@pytest.mark.parametrize(
    "url", ["", "a.example/x", "/relative/", "ftp://a.example/", "mailto:x@a.example", "http://"]
)
def test_validate_seed_rejects(url: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        validate_seed(url)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://a.example/\n", ["http://a.example/"]),
        ("# header\nhttp://a.example/\n\n  \n", ["http://a.example/"]),
        ("  http://a.example/  # note\n", ["http://a.example/"]),
        ("http://a.example/#fragment\n", ["http://a.example/#fragment"]),
        ("http://a.example/\thttp-tab #x\n", ["http://a.example/\thttp-tab"]),
        ("", []),
    ],
)
def test_read_urls_file(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = tmp_path / "seeds.txt"
    path.write_text(text, encoding="utf-8")
    assert read_urls_file(path) == expected


def test_resolve_seeds_merges_and_deduplicates(tmp_path: Path) -> None:
    path = tmp_path / "seeds.txt"
    path.write_text("http://b.example/\nhttp://a.example/\n", encoding="utf-8")
    assert resolve_seeds("http://a.example/", str(path)) == [
        "http://a.example/",
        "http://b.example/",
    ]


def test_resolve_seeds_requires_one() -> None:
    with pytest.raises(ValueError, match="no seeds"):
        resolve_seeds(None, None)


def test_a_bad_urls_file_line_is_skipped_with_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "seeds.txt"
    path.write_text(
        "# seeds\nhttp://a.example/1\nnot a url\n\nftp://a.example/x\nhttp://a.example/2\n",
        encoding="utf-8",
    )
    seeds, skipped = seed_list(None, str(path))
    assert seeds == ["http://a.example/1", "http://a.example/2"]
    assert skipped == [
        f"{path} line 3: not an http(s) URL: 'not a url'; line skipped",
        f"{path} line 5: not an http(s) URL: 'ftp://a.example/x'; line skipped",
    ]
    assert resolve_seeds(None, str(path)) == seeds


def test_a_urls_file_without_one_valid_line_fails(tmp_path: Path) -> None:
    path = tmp_path / "seeds.txt"
    path.write_text("nope\nalso nope\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no valid seed: .* line 1: not an http\(s\) URL: 'nope'"):
        seed_list(None, str(path))


def test_a_bad_start_url_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / "seeds.txt"
    path.write_text("http://a.example/1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not an http"):
        seed_list("notaurl", str(path))
