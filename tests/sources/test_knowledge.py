"""Behaviour of knowledge-file loading: formats, metadata, passages and bad files."""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from bot.sources.files import load_article
from bot.sources.knowledge import KnowledgeFileError, iter_knowledge_files, split_passages
from tests.helpers.files import REPO_ROOT, write

SEED = REPO_ROOT / "knowledge" / "chinh-quyen-so-hai-phong.txt"

MARKDOWN = """\
---
title: Đăng ký khai sinh trực tuyến
url: https://dichvucong.haiphong.gov.vn/khai-sinh
published: 2024-03-01
author: Sở Tư pháp
publisher: UBND TP. Hải Phòng
tags: [hộ tịch, khai sinh]
---
# Hướng dẫn khai sinh

Người dân có thể **đăng ký khai sinh** trên
[Cổng dịch vụ công](https://dichvucong.gov.vn) mà không cần đến trụ sở.

## Hồ sơ cần chuẩn bị

Hồ sơ gồm:
- Tờ khai đăng ký khai sinh
- Giấy chứng sinh

## Lệ phí

Miễn lệ phí khi nộp `trực tuyến`.
"""


def long_paragraph(sentences: int) -> str:
    """Real-looking Vietnamese sentences of varying length, with a "TP." abbreviation."""
    parts = []
    for i in range(sentences):
        filler = " ".join(["hồ sơ điện tử được tiếp nhận"] * (i % 3 + 1))
        parts.append(f"Người dân TP. Hải Phòng nộp {filler} lần thứ {i} qua cổng trực tuyến.")
    return " ".join(parts)


def test_seed_article_metadata_comes_from_timestamp_and_byline() -> None:
    article = load_article(SEED)
    assert article.published == datetime(2023, 2, 22, 15, 36)
    assert article.author == "Hoàng Minh"
    assert article.source == str(SEED)
    # The shipped sidecar gives the scraped article its title.
    assert article.title == "Xây dựng Chính quyền số ở Hải Phòng"


def test_seed_without_sidecar_gets_a_derived_title(tmp_path: Path) -> None:
    copy = tmp_path / "seed.txt"
    shutil.copy(SEED, copy)
    title = load_article(copy).title
    assert title.startswith("Trong nhiều hội nghị quan trọng")
    assert title.endswith("…")
    assert len(title.removesuffix("…").split()) == 12


def test_seed_article_keeps_body_and_drops_page_noise(tmp_path: Path) -> None:
    copy = tmp_path / "seed.txt"
    shutil.copy(SEED, copy)
    article = load_article(copy, source="seed")
    body_lines = SEED.read_text(encoding="utf-8").splitlines()[1:9]
    assert [p.text for p in article.passages] == body_lines
    assert [p.position for p in article.passages] == list(range(8))
    for noise in ("Cát Hải", "huyện đảo", "Công an Hải Phòng", "23/11/2024", "Hoàng Minh"):
        assert all(noise not in p.text for p in article.passages)
    assert article.source == "seed"
    assert article.content_hash == hashlib.sha256(SEED.read_bytes()).hexdigest()


def test_markdown_front_matter_headings_and_inline_markup(tmp_path: Path) -> None:
    article = load_article(write(tmp_path / "khai-sinh.md", MARKDOWN))
    assert article.title == "Đăng ký khai sinh trực tuyến"
    assert article.url == "https://dichvucong.haiphong.gov.vn/khai-sinh"
    assert article.published == datetime(2024, 3, 1)
    assert article.author == "Sở Tư pháp"
    assert article.publisher == "UBND TP. Hải Phòng"
    assert article.tags == ("hộ tịch", "khai sinh")
    assert [(p.section, p.text) for p in article.passages] == [
        (
            None,
            "Người dân có thể đăng ký khai sinh trên Cổng dịch vụ công mà không cần đến trụ sở.",
        ),
        ("Hồ sơ cần chuẩn bị", "Hồ sơ gồm: Tờ khai đăng ký khai sinh; Giấy chứng sinh"),
        ("Lệ phí", "Miễn lệ phí khi nộp trực tuyến."),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-02-22", datetime(2023, 2, 22)),
        ('"2023-02-22"', datetime(2023, 2, 22)),
        ("2023-02-22 15:36", datetime(2023, 2, 22, 15, 36)),
        ("2023-02-22 15:36:00", datetime(2023, 2, 22, 15, 36)),
        ("22/02/2023", datetime(2023, 2, 22)),
        ("15:36 22/02/2023", datetime(2023, 2, 22, 15, 36)),
    ],
)
def test_published_accepts_iso_and_vietnamese_forms(
    tmp_path: Path, value: str, expected: datetime
) -> None:
    path = write(tmp_path / "a.md", f"---\npublished: {value}\n---\nNội dung bài viết.\n")
    assert load_article(path).published == expected


def test_markdown_title_from_first_heading_and_comma_tags(tmp_path: Path) -> None:
    text = "---\ntags: cccd, định danh\n---\n# Cấp căn cước\n\nNộp hồ sơ tại Công an phường.\n"
    article = load_article(write(tmp_path / "cccd.md", text))
    assert article.title == "Cấp căn cước"
    assert article.tags == ("cccd", "định danh")
    assert [(p.section, p.text) for p in article.passages] == [
        (None, "Nộp hồ sơ tại Công an phường.")
    ]


def test_plain_text_without_timestamp_is_one_paragraph_per_line(tmp_path: Path) -> None:
    text = "Thủ tục cấp phép xây dựng.\n\nNộp hồ sơ tại Bộ phận một cửa.\nHoàng Minh\n"
    article = load_article(write(tmp_path / "xay-dung.txt", text))
    assert [p.text for p in article.passages] == [
        "Thủ tục cấp phép xây dựng.",
        "Nộp hồ sơ tại Bộ phận một cửa.",
        "Hoàng Minh",
    ]
    assert article.title == "Thủ tục cấp phép xây dựng"
    assert article.author is None and article.published is None


def test_timestamp_line_after_body_starts_noise_without_byline(tmp_path: Path) -> None:
    text = "08:05 01/06/2024\nBài viết chính.\n09:00 02/06/2024\nTin liên quan khác\n"
    article = load_article(write(tmp_path / "tin.txt", text))
    assert [p.text for p in article.passages] == ["Bài viết chính."]
    assert article.author is None
    assert article.published == datetime(2024, 6, 1, 8, 5)


def test_plain_text_with_front_matter_keeps_scrape_rules(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Chính quyền số\nurl: https://haiphong.gov.vn/a\n---\n"
        "15:36 22/02/2023\nĐoạn một.\nĐoạn hai.\nHoàng Minh\nTin khác ở Cát Hải\n"
    )
    article = load_article(write(tmp_path / "cqs.txt", text))
    assert (article.title, article.url) == ("Chính quyền số", "https://haiphong.gov.vn/a")
    assert (article.author, article.published) == ("Hoàng Minh", datetime(2023, 2, 22, 15, 36))
    assert [p.text for p in article.passages] == ["Đoạn một.", "Đoạn hai."]


def test_long_paragraph_splits_at_sentence_ends_without_losing_text() -> None:
    paragraph = long_paragraph(20)
    assert len(paragraph.split()) > 300
    passages = split_passages([("Hướng dẫn", paragraph)])
    assert len(passages) >= 3
    assert all(len(p.text.split()) <= 120 for p in passages)
    assert all(p.text.endswith("trực tuyến.") for p in passages)
    assert all(p.text.startswith("Người dân TP. Hải Phòng") for p in passages)
    assert " ".join(p.text for p in passages).split() == paragraph.split()
    assert [p.position for p in passages] == list(range(len(passages)))
    assert {p.section for p in passages} == {"Hướng dẫn"}


def test_giant_sentence_is_cut_at_word_boundaries() -> None:
    words = [f"từ{i}" for i in range(250)]
    passages = split_passages([(None, " ".join(words))])
    assert [len(p.text.split()) for p in passages] == [120, 120, 10]
    assert " ".join(p.text for p in passages).split() == words


def test_positions_run_across_paragraphs() -> None:
    passages = split_passages([("A", "Một. Hai."), ("B", "Ba.")], max_words=1)
    assert [(p.position, p.section, p.text) for p in passages] == [
        (0, "A", "Một."),
        (1, "A", "Hai."),
        (2, "B", "Ba."),
    ]


@pytest.mark.parametrize("sidecar_name", ["tin.meta.yaml", "tin.txt.meta.yaml", "tin.meta.yml"])
def test_sidecar_overrides_file_metadata(tmp_path: Path, sidecar_name: str) -> None:
    path = write(tmp_path / "tin.txt", "15:36 22/02/2023\nNội dung bài.\nHoàng Minh\n")
    write(
        tmp_path / sidecar_name,
        "title: Tiêu đề chuẩn\nauthor: Ban biên tập\nurl: https://x.vn/1\n"
        "published: 01/03/2023\ntags: [số hóa]\n",
    )
    article = load_article(path)
    assert (article.title, article.author, article.url) == (
        "Tiêu đề chuẩn",
        "Ban biên tập",
        "https://x.vn/1",
    )
    assert article.published == datetime(2023, 3, 1)
    assert article.tags == ("số hóa",)


def test_broken_sidecar_error_names_the_sidecar(tmp_path: Path) -> None:
    path = write(tmp_path / "tin.md", "Nội dung.\n")
    write(tmp_path / "tin.meta.yaml", "title: [unclosed\n")
    with pytest.raises(KnowledgeFileError) as info:
        load_article(path)
    assert info.value.path.name == "tin.meta.yaml"
    assert "tin.meta.yaml" in str(info.value)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "rỗng"),
        ("blank.txt", b"  \n\t\n", "rỗng"),
        ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "nhị phân"),
        ("cp1258.txt", "Sở Tư pháp".replace("ở", "\u01a1\u0309").encode("cp1258"), "UTF-8"),
        ("latin1.md", "Café au lait".encode("latin-1"), "UTF-8"),
        ("yaml.md", b"---\ntitle: [unclosed\n---\nBody.\n", "front matter"),
        ("list.md", b"---\n- a\n- b\n---\nBody.\n", "mapping"),
        ("date.md", b"---\npublished: 31/02/2023\n---\nBody.\n", "published"),
        ("unclosed.md", b"---\ntitle: x\nBody.\n", "front matter"),
        ("headings.md", b"# Title only\n\n## Section\n", "đoạn văn"),
    ],
)
def test_bad_files_raise_clear_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(KnowledgeFileError) as info:
        load_article(path)
    assert info.value.path == path
    assert reason in info.value.reason
    assert str(info.value) == f"{path}: {info.value.reason}"
    assert name in str(info.value)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    data = "\ufeff---\ntitle: Có BOM\n---\nNội dung bài viết.\n".encode()
    article = load_article(write(tmp_path / "bom.md", data))
    assert article.title == "Có BOM"
    assert article.passages[0].text == "Nội dung bài viết."


def test_windows_line_endings_do_not_break_paragraphs(tmp_path: Path) -> None:
    data = b"# T\xc3\xaan\r\n\r\nD\xc3\xb2ng m\xe1\xbb\x99t\r\nd\xc3\xb2ng hai.\r\n"
    article = load_article(write(tmp_path / "crlf.md", data))
    assert article.title == "Tên"
    assert [p.text for p in article.passages] == ["Dòng một dòng hai."]


def test_iter_knowledge_files_sorts_and_skips_hidden_and_sidecars(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    for name in ["b.md", "a.txt", "sub/c.markdown", "a.meta.yaml", "b.md.meta.yml", "notes.pdf"]:
        write(root / name, "x")
    write(root / ".hidden.md", "x")
    write(root / ".git" / "d.md", "x")
    odd = write(tmp_path / "README", "x")
    found = iter_knowledge_files([root, odd])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "kb/a.txt",
        "kb/b.md",
        "kb/sub/c.markdown",
        "README",
    ]


def test_iter_knowledge_files_reports_missing_path(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeFileError, match=re.escape("missing.md")):
        iter_knowledge_files([tmp_path / "missing.md"])


def test_content_hash_tracks_file_and_sidecar(tmp_path: Path) -> None:
    path = write(tmp_path / "tin.md", "Nội dung.\n")
    first = load_article(path).content_hash
    assert load_article(path).content_hash == first
    write(path, "Nội dung mới.\n")
    edited = load_article(path).content_hash
    sidecar = write(tmp_path / "tin.meta.yaml", "title: A\n")
    with_sidecar = load_article(path).content_hash
    write(sidecar, "title: B\n")
    changed_sidecar = load_article(path).content_hash
    assert len({first, edited, with_sidecar, changed_sidecar}) == 4
