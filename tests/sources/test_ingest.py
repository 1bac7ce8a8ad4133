"""Ingestion into the SQLite store: idempotent, replaces and removes, skips bad files loudly."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import aiosqlite
import pytest

import bot.sources.ingest
from bot.cli.main import main
from bot.core.answer import Answer
from bot.core.text import TextPipeline
from bot.engine import KnowledgeBase, load_index
from bot.settings import Settings
from bot.sources.ingest import ingest, needs_refresh
from bot.store.database import Store
from bot.store.migrations import MIGRATIONS
from tests.helpers.cli import HANG_GUARD_SECONDS
from tests.helpers.files import SEED_NAME, make_settings, markdown, refresh, write

OLD_PARAGRAPH_START = "Thiết nghĩ, để hướng tới một Chính quyền số theo đúng nghĩa"
NEW_PARAGRAPH = (
    "Hải Phòng vận hành Trung tâm giám sát điều hành đô thị thông minh, "
    "kết nối camera giao thông và phản ánh hiện trường của người dân."
)
KHAI_SINH = markdown(
    "Đăng ký khai sinh trực tuyến",
    ["Cha mẹ đăng ký khai sinh cho con trên Cổng dịch vụ công, nhận giấy khai sinh điện tử."],
    published="2024-03-01",
)


async def ask(store: Store, pipeline: TextPipeline, settings: Settings, question: str) -> Answer:
    """The answer a freshly started bot would give from this store."""
    return await (await KnowledgeBase.open(store, pipeline, settings)).ask(question)


async def passage_texts(store: Store) -> list[str]:
    async with store.db.execute("SELECT text FROM passages") as cur:
        return [row[0] async for row in cur]


async def user_version(path: Path) -> int:
    async with aiosqlite.connect(path) as db, db.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    assert row is not None
    return row[0]


# --- adding, re-adding, changing, removing ---------------------------------------------------


async def test_ingest_of_the_seed_folder(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    report = await refresh(store, pipeline, settings)
    assert (report.added, report.updated, report.unchanged, report.removed) == (1, 0, 0, 0)
    assert report.ok and report.passages == 8
    assert await store.counts() == (1, 8)
    assert "1 tệp mới" in report.summary()


async def test_second_ingest_changes_nothing(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    await refresh(store, pipeline, settings)
    version = await store.corpus_version()
    texts = await passage_texts(store)
    report = await refresh(store, pipeline, settings)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 0, 1, 0)
    assert report.passages == 0
    assert await store.corpus_version() == version
    assert await passage_texts(store) == texts


async def test_the_same_file_reached_twice_is_stored_once(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    folder = settings.knowledge_dir
    await ingest(store, pipeline, [folder, folder / SEED_NAME, Path(os.path.relpath(folder))])
    assert await store.counts() == (1, 8)


async def test_editing_a_file_replaces_its_passages(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    await refresh(store, pipeline, settings)
    before = await ask(store, pipeline, settings, "tư duy trì trệ trong bộ máy công vụ")
    assert before.answered and "trì trệ" in before.hits[0].text

    seed = settings.knowledge_dir / SEED_NAME
    lines = seed.read_text(encoding="utf-8").splitlines()
    lines = [NEW_PARAGRAPH if line.startswith(OLD_PARAGRAPH_START) else line for line in lines]
    seed.write_text("\n".join(lines) + "\n", encoding="utf-8")

    version = await store.corpus_version()
    report = await refresh(store, pipeline, settings)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    assert await store.corpus_version() != version
    assert await store.counts() == (1, 8)
    texts = await passage_texts(store)
    assert not any("trì trệ" in t for t in texts)
    assert NEW_PARAGRAPH in texts

    old = await ask(store, pipeline, settings, "tư duy trì trệ trong bộ máy công vụ")
    assert not old.answered
    assert not any("trì trệ" in h.text for h in old.hits)
    new = await ask(store, pipeline, settings, "trung tâm giám sát điều hành đô thị thông minh")
    assert new.answered and new.hits[0].text == NEW_PARAGRAPH


async def test_editing_only_the_sidecar_updates_the_citation(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    await refresh(store, pipeline, settings)
    sidecar = settings.knowledge_dir / "chinh-quyen-so-hai-phong.meta.yaml"
    sidecar.write_text("title: Chính quyền số Hải Phòng (bản sửa)\n", encoding="utf-8")
    report = await refresh(store, pipeline, settings)
    assert report.updated == 1
    answer = await ask(store, pipeline, settings, "Chính quyền số là gì?")
    assert answer.hits[0].citation.title == "Chính quyền số Hải Phòng (bản sửa)"


async def test_deleting_a_file_removes_its_article(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    extra = write(settings.knowledge_dir / "thu-tuc" / "khai-sinh.md", KHAI_SINH)
    await refresh(store, pipeline, settings)
    assert await store.counts() == (2, 9)
    found = await ask(store, pipeline, settings, "đăng ký khai sinh cho con")
    assert found.answered and found.hits[0].citation.source == str(extra.resolve())

    extra.unlink()
    report = await refresh(store, pipeline, settings)
    assert report.removed == 1 and report.unchanged == 1
    assert await store.counts() == (1, 8)
    gone = await ask(store, pipeline, settings, "đăng ký khai sinh cho con")
    assert not gone.answered
    assert all(h.citation.source != str(extra.resolve()) for h in gone.hits)


async def test_a_missing_folder_is_reported_and_removes_nothing(
    store: Store, pipeline: TextPipeline, settings: Settings, tmp_path: Path
) -> None:
    await refresh(store, pipeline, settings)
    report = await ingest(store, pipeline, [tmp_path / "khong-co"])
    assert [e.path.name for e in report.errors] == ["khong-co"]
    assert await store.counts() == (1, 8)


# --- bad files -------------------------------------------------------------------------------

BAD_FILES: dict[str, bytes] = {
    "nhi-phan.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01",
    # Windows-1258, the legacy Vietnamese code page: decomposed tones as its own bytes.
    "cp1258.txt": "Đăng ky\u0301 khai sinh cho tre\u0309 em".encode("cp1258"),
    "front-matter-hong.md": "---\ntitle: Thiếu dòng đóng\n\nNội dung bài viết.\n".encode(),
    "yaml-hong.md": "---\ntitle: [chưa đóng\n---\nNội dung bài viết.\n".encode(),
    "rong.md": b"",
    "chi-khoang-trang.txt": b"  \n\n\t\n",
}


@pytest.fixture
def folder_with_bad_files(settings: Settings) -> Path:
    write(settings.knowledge_dir / "khai-sinh.md", KHAI_SINH)
    for name, data in BAD_FILES.items():
        write(settings.knowledge_dir / name, data)
    return settings.knowledge_dir


async def test_bad_files_are_named_and_good_files_still_ingested(
    store: Store, pipeline: TextPipeline, settings: Settings, folder_with_bad_files: Path
) -> None:
    report = await refresh(store, pipeline, settings)
    assert not report.ok
    assert sorted(e.path.name for e in report.errors) == sorted(BAD_FILES)
    assert all(e.reason for e in report.errors)
    assert report.added == 2
    assert await store.counts() == (2, 9)
    answer = await ask(store, pipeline, settings, "đăng ký khai sinh cho con")
    assert answer.answered and answer.hits[0].citation.title == "Đăng ký khai sinh trực tuyến"


def test_cli_ingest_with_a_bad_file_exits_1_and_names_it(
    settings: Settings, folder_with_bad_files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["ingest", str(folder_with_bad_files), "--db", str(settings.db_path)])
    out, err = capsys.readouterr()
    assert code == 1
    for name in BAD_FILES:
        assert name in err
    assert "Traceback" not in err
    assert "2 tệp mới" in out and "Kho tri thức: 2 bài, 9 đoạn" in out


def test_cli_ingest_of_good_files_exits_0(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(settings.knowledge_dir), "--db", str(settings.db_path)]) == 0
    assert "1 bài, 8 đoạn" in capsys.readouterr().out


# --- what is stored --------------------------------------------------------------------------


async def test_page_noise_after_the_byline_is_not_stored(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    await refresh(store, pipeline, settings)
    texts = await passage_texts(store)
    assert texts
    for noise in ("cấp điện", "Cát Hải", "Công an Hải Phòng", "22:48 23/11/2024", "Hoàng Minh"):
        assert not any(noise in t for t in texts), noise


async def test_max_passage_words_setting_resplits_unchanged_files(
    store: Store, pipeline: TextPipeline, settings: Settings, tmp_path: Path
) -> None:
    await refresh(store, pipeline, settings)
    small = make_settings(tmp_path, settings.knowledge_dir, max_passage_words=30)
    assert await needs_refresh(store, pipeline, small.knowledge_dir, small.max_passage_words)
    report = await refresh(store, pipeline, small)
    assert report.updated == 1
    texts = await passage_texts(store)
    assert len(texts) > 8
    assert all(len(t.split()) <= 30 for t in texts)


# --- schema ----------------------------------------------------------------------------------


async def test_fresh_database_has_every_migration(settings: Settings) -> None:
    store = await Store.open(settings.db_path)
    await store.close()
    assert settings.db_path.is_file()
    assert await user_version(settings.db_path) == len(MIGRATIONS)


async def test_reopening_keeps_schema_and_content(
    pipeline: TextPipeline, settings: Settings
) -> None:
    store = await Store.open(settings.db_path)
    try:
        await refresh(store, pipeline, settings)
    finally:
        await store.close()
    reopened = await Store.open(settings.db_path)
    try:
        assert await reopened.counts() == (1, 8)
    finally:
        await reopened.close()
    assert await user_version(settings.db_path) == len(MIGRATIONS)


async def test_an_older_database_is_upgraded(settings: Settings) -> None:
    settings.db_path.parent.mkdir(parents=True)
    with sqlite3.connect(settings.db_path) as db:
        db.executescript(MIGRATIONS[0].sql + "\nPRAGMA user_version = 1;")
        db.execute(
            "INSERT INTO articles(source, content_hash, title, ingested_at)"
            " VALUES('a.md', 'h', 'Bài cũ', '2024-01-01')"
        )
    db.close()
    store = await Store.open(settings.db_path)
    try:
        assert await store.counts() == (1, 0)
        await store.set_meta("probe", "ok")  # the meta table came with a later step
        assert await store.get_meta("probe") == "ok"
    finally:
        await store.close()
    assert await user_version(settings.db_path) == len(MIGRATIONS)


async def test_a_corrupt_database_file_raises_and_lets_the_program_exit(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.sqlite3", b"this is not a database, just text " * 40)
    before = set(threading.enumerate())
    with pytest.raises(sqlite3.DatabaseError):
        await Store.open(path)
    # A connection thread left running would keep the CLI process alive forever.
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=HANG_GUARD_SECONDS)
        assert not thread.is_alive(), "Store.open leaked its SQLite connection thread"


# --- the index snapshot ----------------------------------------------------------------------


async def snapshot_keys(store: Store) -> list[str]:
    async with store.db.execute("SELECT key FROM index_snapshot") as cur:
        return [row[0] async for row in cur]


async def test_index_snapshot_is_reused_until_the_content_changes(
    store: Store, pipeline: TextPipeline, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await refresh(store, pipeline, settings)
    terms = pipeline.terms("Chính quyền số là gì?")
    first = await load_index(store, pipeline, settings)
    [key] = await snapshot_keys(store)

    async def no_rebuild() -> None:
        raise AssertionError("start-up re-read the passages instead of the snapshot")

    with monkeypatch.context() as patch:
        patch.setattr(store, "indexed_passages", no_rebuild)
        second = await load_index(store, pipeline, settings)
    assert second.index.search(terms, 5) == first.index.search(terms, 5)
    assert second.ranker.search(terms, 5) == first.ranker.search(terms, 5)  # articles stored too
    assert second.passage_ids.tolist() == first.passage_ids.tolist()
    assert await snapshot_keys(store) == [key]

    write(settings.knowledge_dir / "khai-sinh.md", KHAI_SINH)
    await refresh(store, pipeline, settings)
    third = await load_index(store, pipeline, settings)
    [new_key] = await snapshot_keys(store)
    assert new_key != key
    assert len(third.index) == 9
    found = third.index.search(pipeline.terms("khai sinh"), 1)
    assert found and third.passage_ids[found[0].doc] not in first.passage_ids


async def test_title_weight_gets_its_own_snapshot(
    store: Store, pipeline: TextPipeline, settings: Settings, tmp_path: Path
) -> None:
    await refresh(store, pipeline, settings)
    terms = pipeline.terms("Xây dựng Chính quyền số ở Hải Phòng")
    weighted = await load_index(store, pipeline, settings)
    no_title = make_settings(tmp_path, settings.knowledge_dir, title_weight=0)
    plain = await load_index(store, pipeline, no_title)
    assert plain.index.scores(terms).sum() < weighted.index.scores(terms).sum()


# --- when the CLI refreshes by itself --------------------------------------------------------


async def test_needs_refresh_follows_the_folder(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    folder, words = settings.knowledge_dir, settings.max_passage_words
    assert await needs_refresh(store, pipeline, folder, words)  # empty DB

    await refresh(store, pipeline, settings)
    assert not await needs_refresh(store, pipeline, folder, words)

    # Explicit precise times: the kernel stamps files from a coarser clock than time.time().
    now = time.time()
    os.utime(folder / SEED_NAME, (now, now))
    assert await needs_refresh(store, pipeline, folder, words)  # a file touched

    await refresh(store, pipeline, settings)
    assert not await needs_refresh(store, pipeline, folder, words)

    added = write(folder / "moi" / "khai-sinh.md", KHAI_SINH)
    now = time.time()
    os.utime(added, (now, now))
    assert await needs_refresh(store, pipeline, folder, words)  # a file added

    await refresh(store, pipeline, settings)
    assert not await needs_refresh(store, pipeline, folder, words)
    assert await store.counts() == (2, 9)


async def test_needs_refresh_when_the_abbreviations_change(
    store: Store, pipeline: TextPipeline, settings: Settings, tmp_path: Path
) -> None:
    await refresh(store, pipeline, settings)
    extra = write(tmp_path / "abbr.tsv", "ĐKKD\tđăng ký kinh doanh\n")
    extended = TextPipeline(abbreviations_file=extra)
    assert await needs_refresh(store, extended, settings.knowledge_dir, settings.max_passage_words)


async def test_needs_refresh_when_the_shorthand_table_changes(
    store: Store, pipeline: TextPipeline, settings: Settings, tmp_path: Path
) -> None:
    await refresh(store, pipeline, settings)
    extra = write(tmp_path / "short.tsv", "hsơ\thồ sơ\n")
    extended = TextPipeline(shorthand_file=extra)
    assert await needs_refresh(store, extended, settings.knowledge_dir, settings.max_passage_words)


async def test_a_new_abbreviation_reaches_already_ingested_passages(
    store: Store, pipeline: TextPipeline, settings: Settings, tmp_path: Path
) -> None:
    write(
        settings.knowledge_dir / "dkkd.md",
        markdown("Hộ kinh doanh", ["Hồ sơ ĐKKD nộp tại phòng tài chính quận, huyện."]),
    )
    await refresh(store, pipeline, settings)
    question = "đăng ký kinh doanh"
    before = await ask(store, pipeline, settings, question)
    assert before.coverage < 0.5  # "ĐKKD" does not read as "đăng ký kinh doanh" yet

    extra = write(tmp_path / "abbr.tsv", "ĐKKD\tđăng ký kinh doanh\n")
    extended = TextPipeline(abbreviations_file=extra)
    report = await refresh(store, extended, settings)
    assert report.updated == 2  # the fingerprint changed: every file re-tokenized
    answer = await ask(store, extended, settings, question)
    assert answer.answered and "ĐKKD" in answer.hits[0].text
    assert answer.coverage == 1.0 and answer.confidence > before.confidence


async def test_a_file_saved_during_a_long_ingest_is_picked_up_next_time(
    store: Store, pipeline: TextPipeline, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor saves while the tokenizer runs: the stored text is already stale."""
    seed = settings.knowledge_dir / SEED_NAME
    real_terms_for_all = bot.sources.ingest.terms_for_all

    def edit_while_tokenizing(*args, **kwargs):  # type: ignore[no-untyped-def]
        with seed.open("a", encoding="utf-8") as handle:
            handle.write("\n")
        now = time.time()
        os.utime(seed, (now, now))
        return real_terms_for_all(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(bot.sources.ingest, "terms_for_all", edit_while_tokenizing)
        await refresh(store, pipeline, settings)
    assert await needs_refresh(store, pipeline, settings.knowledge_dir, settings.max_passage_words)
    report = await refresh(store, pipeline, settings)
    assert report.updated == 1


async def test_needs_refresh_is_false_for_a_missing_folder(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    await refresh(store, pipeline, settings)
    shutil.rmtree(settings.knowledge_dir)
    assert not await needs_refresh(
        store, pipeline, settings.knowledge_dir, settings.max_passage_words
    )
