"""Knowledge health (`check`): the problems an editor should fix, and silence when none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.text import TextPipeline
from bot.editors.health import HealthReport, check_knowledge, health_text
from bot.sources.ingest import ingest
from bot.store.database import Store
from tests.helpers.cli import child_env, run_bot
from tests.helpers.files import SEED_KNOWLEDGE, SEED_TITLE, make_settings, markdown, write
from tests.helpers.questions import NOW, log_question

GPLX_TITLE, MARRIAGE_TITLE = "Cấp giấy phép lái xe", "Đăng ký kết hôn"
GPLX = (
    "Người có giấy phép lái xe hết hạn cần làm thủ tục cấp đổi tại Sở Giao thông vận tải. "
    "Hồ sơ gồm đơn đề nghị, giấy khám sức khỏe và bản sao căn cước công dân."
)
MARRIAGE = (
    "Hai bên nam nữ nộp tờ khai đăng ký kết hôn tại Ủy ban nhân dân cấp xã nơi cư trú "
    "của một trong hai người, kèm giấy xác nhận tình trạng hôn nhân."
)
SHARED = "Mọi thắc mắc xin liên hệ đường dây nóng của Trung tâm Phục vụ hành chính công thành phố."
UNTITLED = "Người dân có thể nộp hồ sơ trực tuyến trên Cổng dịch vụ công quốc gia mọi lúc."
SHORT = "Xem thêm tại đây."
SOURCED = {
    "url": "https://dichvucong.haiphong.gov.vn/gplx",
    "published": "01/02/2024",
    "author": "Sở Giao thông vận tải",
}


def healthy_folder(root: Path) -> Path:
    write(root / "gplx.md", markdown(GPLX_TITLE, [GPLX], **SOURCED))
    return root


def troubled_folder(root: Path) -> Path:
    """Missing date and url, a derived title, a passage in two articles, a too-short one."""
    healthy_folder(root)
    write(root / "gplx.md", markdown(GPLX_TITLE, [GPLX, SHARED], **SOURCED))
    # The same passage again, typed without accents and with other punctuation.
    shared_plain = "Moi thac mac, xin lien he duong day nong cua Trung tam Phuc vu hanh chinh "
    shared_plain += "cong thanh pho!"
    write(root / "ket-hon.md", markdown(MARRIAGE_TITLE, [MARRIAGE, shared_plain]))
    write(root / "nop-truc-tuyen.txt", f"{UNTITLED}\n{SHORT}\n")
    return root


async def checked(
    store: Store, pipeline: TextPipeline, folder: Path, ingest_words: int = 120, **overrides: int
) -> HealthReport:
    settings = make_settings(folder.parent, folder, **overrides)
    report = await ingest(store, pipeline, [folder], False, ingest_words)
    assert report.ok, report.errors
    return await check_knowledge(store, pipeline, settings)


async def test_a_healthy_knowledge_base_has_no_problems(
    store: Store, pipeline: TextPipeline, tmp_path: Path
) -> None:
    report = await checked(store, pipeline, healthy_folder(tmp_path / "kb"))

    assert report.ok and report.problems == 0 and report.warnings == 0
    assert "Không thấy vấn đề nào" in health_text(report)
    assert "Cảnh báo" not in health_text(report)


async def test_missing_citation_details_duplicates_and_short_passages(
    store: Store, pipeline: TextPipeline, tmp_path: Path
) -> None:
    report = await checked(store, pipeline, troubled_folder(tmp_path / "kb"))

    gaps = {Path(g.source).name: g.missing for g in report.gaps}
    assert gaps == {
        "ket-hon.md": ("date", "url", "author"),
        "nop-truc-tuyen.txt": ("title", "date", "url", "author"),
    }
    assert report.warnings == 2
    assert [sorted(d.titles) for d in report.duplicates] == [sorted([GPLX_TITLE, MARRIAGE_TITLE])]
    assert [(p.words, p.excerpt) for p in report.too_short] == [(4, SHORT)]
    assert report.too_long == ()
    text = health_text(report)
    assert "thiếu ngày đăng, đường dẫn" in text and "thiếu tiêu đề" in text
    assert "Đoạn trùng nhau giữa các bài (1)" in text and SHORT in text


async def test_missing_link_date_or_author_is_a_warning_not_a_problem(
    store: Store, pipeline: TextPipeline, tmp_path: Path
) -> None:
    folder = tmp_path / "kb"
    write(folder / "gplx.md", markdown(GPLX_TITLE, [GPLX], published="01/02/2024"))

    report = await checked(store, pipeline, folder)

    assert report.ok and report.problems == 0 and report.warnings == 1
    text = health_text(report)
    assert "Không thấy vấn đề nào; 1 cảnh báo." in text
    assert "Cảnh báo — bài thiếu thông tin trích dẫn (1):" in text
    assert f"{GPLX_TITLE} — thiếu đường dẫn, tác giả" in text


async def test_an_unreadable_file_is_a_problem_even_when_the_db_is_current(
    store: Store, pipeline: TextPipeline, tmp_path: Path
) -> None:
    folder = healthy_folder(tmp_path / "kb")
    settings = make_settings(tmp_path, folder)
    await ingest(store, pipeline, [folder], False, 120)
    write(folder / "hong.md", b"\xff\xfe\x00 not utf-8 \x00")

    report = await check_knowledge(store, pipeline, settings)

    assert not report.ok and report.problems == 1
    assert [Path(b.path).name for b in report.broken] == ["hong.md"]
    assert "Tệp không đọc được (không được nạp) (1):" in health_text(report)


async def test_passages_longer_than_one_and_a_half_times_the_limit(
    store: Store, pipeline: TextPipeline, tmp_path: Path
) -> None:
    folder = tmp_path / "kb"
    long_paragraph = " ".join([GPLX] * 6)  # ~170 words, kept whole when ingested at 300
    write(folder / "gplx.md", markdown(GPLX_TITLE, [long_paragraph, GPLX], **SOURCED))

    report = await checked(store, pipeline, folder, ingest_words=300, max_passage_words=100)

    assert report.long_limit == 150
    assert [(p.title, p.position) for p in report.too_long] == [(GPLX_TITLE, 0)]
    assert report.too_long[0].words == len(long_paragraph.split())
    assert "Đoạn quá dài (trên 150 từ)" in health_text(report)


async def test_unknown_abbreviations_come_from_unanswered_questions(
    store: Store, pipeline: TextPipeline, tmp_path: Path
) -> None:
    for text in ["thủ tục cấp GPKD ở đâu", "GPKD hết hạn làm sao", "XIN HỎI VỀ ĐKKD", "đk xe máy"]:
        await log_question(store, text, NOW, answered=False)
    await log_question(store, "làm lại CCCD mất bao lâu", NOW, answered=False)  # known
    await log_question(store, "gia hạn GPKD GPKD", NOW, answered=False)  # once a question
    await log_question(store, "TTHC về MSDN", NOW, answered=True)  # answered: not a gap

    report = await checked(store, pipeline, healthy_folder(tmp_path / "kb"))

    found = {a.word: a.asked for a in report.abbreviations}
    assert found == {"GPKD": 3, "ĐKKD": 1, "ĐK": 1}
    assert report.abbreviations[0].word == "GPKD"
    assert not report.ok
    assert "GPKD: 3 câu hỏi" in health_text(report)


async def test_an_empty_knowledge_base_is_a_problem(store: Store, pipeline: TextPipeline) -> None:
    report = await check_knowledge(store, pipeline, make_settings(Path("."), Path("none")))

    assert not report.ok
    assert "Chưa có bài viết nào" in health_text(report)


# --- python -m bot check ----------------------------------------------------------------------


def test_check_command_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(troubled_folder(tmp_path / "troubled")))
    assert main(["check", "--db", str(tmp_path / "troubled.sqlite3")]) == 1
    out, err = capsys.readouterr()
    assert "Tìm thấy" in out and "thiếu tiêu đề" in out and SHORT in out
    assert "Cảnh báo — bài thiếu thông tin trích dẫn (2)" in out
    assert "Đang cập nhật kho tri thức" in err  # refreshed from the folder first, like `ask`

    monkeypatch.setenv("KNOWLEDGE_DIR", str(healthy_folder(tmp_path / "healthy")))
    assert main(["check", "--db", str(tmp_path / "healthy.sqlite3")]) == 0
    assert "Không thấy vấn đề nào" in capsys.readouterr().out


def test_a_fresh_clone_checks_clean_with_the_missing_link_warned(tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(SEED_KNOWLEDGE, work / "knowledge")

    run = run_bot(work, child_env(work / "data" / "bot.sqlite3"), "check")

    assert run.code == 0, run.out + run.err
    assert "Không thấy vấn đề nào; 1 cảnh báo." in run.out
    assert "Cảnh báo — bài thiếu thông tin trích dẫn (1):" in run.out
    assert f"{SEED_TITLE} — thiếu đường dẫn (" in run.out
