"""Bytes to text: header charset, then BOM, then meta charset, then detection."""

from __future__ import annotations

import codecs

import pytest

from pipelines.extraction import extract
from pipelines.extraction.decode import decode_html, header_charset, normalise_label, sniff_meta

TEXT = "Café – “quoted” naïve résumé"


def page(body: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("utf-8", "utf-8"),
        ("UTF8", "utf-8"),
        ("iso-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("windows-1252", "cp1252"),
        ("Shift_JIS", "shift_jis"),
        ("gb2312", "gb18030"),
        ("no-such-charset", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_label(label, expected):
    assert normalise_label(label) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Content-Type": "text/html; charset=ISO-8859-1"}, "ISO-8859-1"),
        ({"content-type": 'text/html; charset="utf-8"'}, "utf-8"),
        ({"Content-Type": "text/html"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_header_charset(headers, expected):
    assert header_charset(headers) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (b'<meta charset="windows-1252">', "windows-1252"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">', "iso-8859-1"),
        (b'<?xml version="1.0" encoding="UTF-8"?><html>', "UTF-8"),
        (b"<html><head></head>", None),
    ],
)
def test_sniff_meta(html, expected):
    assert sniff_meta(html) == expected


def test_header_charset_wins_over_meta():
    html = page(TEXT, '<meta charset="utf-8">').encode("cp1252")
    text, enc, _ = decode_html(html, {"Content-Type": "text/html; charset=windows-1252"})
    assert TEXT in text and enc == "cp1252"


def test_bom_wins_over_meta():
    html = codecs.BOM_UTF8 + page(TEXT, '<meta charset="iso-8859-1">').encode("utf-8")
    text, enc, _ = decode_html(html)
    assert TEXT in text and enc == "utf-8"


def test_utf16_with_bom():
    html = codecs.BOM_UTF16_LE + page(TEXT).encode("utf-16-le")
    text, enc, _ = decode_html(html)
    assert TEXT in text and enc == "utf-16-le"


def test_meta_charset_used_without_header():
    html = page(TEXT, '<meta charset="windows-1252">').encode("cp1252")
    text, enc, notes = decode_html(html)
    assert TEXT in text and enc == "cp1252" and notes == []


def test_page_labelled_utf8_but_really_windows_1252_has_no_mojibake():
    html = page(TEXT, '<meta charset="utf-8">').encode("cp1252")
    text, _, notes = decode_html(html, {"Content-Type": "text/html; charset=utf-8"})
    assert TEXT in text
    assert "Ã" not in text and "\ufffd" not in text
    assert any("windows-1252" in n for n in notes)


def test_mixed_utf8_and_windows_1252_bytes_are_both_kept():
    html = page("Café ").encode("utf-8") + "“smart” quotes".encode("cp1252")
    text, _, _ = decode_html(html)
    assert "Café" in text and "“smart” quotes" in text


def test_undeclared_utf8_is_detected():
    text, enc, _ = decode_html(page(TEXT).encode("utf-8"))
    assert TEXT in text and enc == "utf-8"


def test_undeclared_windows_1252_is_detected():
    text, _, _ = decode_html(page(TEXT).encode("cp1252"))
    assert TEXT in text


def test_extract_reports_the_repair_in_warnings():
    html = page(TEXT * 3, '<meta charset="utf-8">').encode("cp1252")
    article = extract(html, "http://127.0.0.1/x/", {"Content-Type": "text/html; charset=UTF-8"})
    assert TEXT in article.body_text
    assert any("windows-1252" in w for w in article.warnings)


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x00\x01\x02",
        b"\xff\xfe\xfd" * 100,
        b"<<<<>>>>",
        b"<html>" * 5000,
        b"<div>" * 20000 + b"deep" + b"</div>" * 20000,
        "not bytes at all",
    ],
)
def test_extract_never_raises(garbage):
    article = extract(garbage, "http://127.0.0.1/garbage/")
    assert article.url == "http://127.0.0.1/garbage/"
    if not article.body_text:
        assert article.warnings


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("東京の港で新しいフェリーが就航した。市民は歓迎している。", "shift_jis"),
        ("Новости дня: в Москве открылась новая станция метро.", "cp1251"),
        ("中文新闻报道：今天北京天气很好，市民外出游玩。", "gbk"),
        ("Bäckerei Müller – „schließt“ nach 112 Jahren.", "cp1252"),
    ],
)
def test_a_page_labelled_utf8_in_another_charset_is_detected(text: str, codec: str) -> None:
    html = page(text).encode(codec)
    decoded, _, notes = decode_html(html, {"content-type": "text/html; charset=utf-8"})
    assert text in decoded
    assert any("labelled UTF-8 but is" in n for n in notes)
