"""Broken and looping symlinks, unreadable sub-folders: each named once, the rest ingested, and
neither `ask` nor the bot's folder watch fails on them afterwards."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.text import TextPipeline
from bot.editors.reloading import Reloader
from bot.engine import KnowledgeBase
from bot.settings import Settings
from bot.store.database import Store
from tests.helpers.cli import child_env, run_bot
from tests.helpers.files import markdown, refresh, write

GOOD = markdown("Cấp bản sao trích lục", ["Người dân nhận bản sao trích lục hộ tịch qua bưu điện."])
QUESTION = "Nhận bản sao trích lục hộ tịch qua bưu điện được không?"


def add_broken_links(folder: Path) -> dict[str, Path]:
    """A link to a removed file, and two links pointing at each other."""
    links = {name: folder / name for name in ("da-xoa.md", "vong-1.md", "vong-2.md")}
    links["da-xoa.md"].symlink_to(folder / "khong-con.md")
    links["vong-1.md"].symlink_to(links["vong-2.md"])
    links["vong-2.md"].symlink_to(links["vong-1.md"])
    return links


@pytest.fixture
def troubled(tmp_path: Path) -> Path:
    folder = tmp_path / "kho"  # beside the fixtures' knowledge/ copy
    write(folder / "good.md", GOOD)
    add_broken_links(folder)
    return folder


async def test_broken_symlinks_are_each_named_and_the_rest_ingested(
    troubled: Path, store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    settings = settings.model_copy(update={"knowledge_dir": troubled})
    report = await refresh(store, pipeline, settings)

    reasons = {Path(error.path).name: error.reason for error in report.errors}
    assert "không còn tồn tại" in reasons.pop("da-xoa.md")
    assert "lặp vòng" in reasons.pop("vong-1.md") and "lặp vòng" in reasons.pop("vong-2.md")
    assert reasons == {} and report.added == 1


def test_ask_answers_again_and_again_beside_broken_symlinks(troubled: Path, tmp_path: Path):
    env = child_env(tmp_path / "bot.sqlite3", KNOWLEDGE_DIR=str(troubled))
    runs = [run_bot(tmp_path, env, "ask", QUESTION) for _ in range(2)]

    for done in runs:
        assert done.code == 0 and "Traceback" not in done.err, done.err
        assert "Nguồn:" in done.out and "Cấp bản sao trích lục" in done.out
    assert "bỏ qua" in runs[0].err  # the first (ingesting) run names them


async def test_the_folder_watch_keeps_working_beside_broken_symlinks(
    troubled: Path, store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    settings = settings.model_copy(update={"knowledge_dir": troubled})
    await refresh(store, pipeline, settings)
    reloader = Reloader(await KnowledgeBase.open(store, pipeline, settings))
    assert await reloader.poll() is None  # nothing changed: no error, no new ingest

    write(troubled / "moi.md", markdown("Bài mới", ["Đăng ký thường trú trực tuyến tại nhà."]))
    result = await reloader.poll()
    assert result is not None and result.swapped and result.report is not None
    assert result.report.added == 1


@pytest.fixture
def locked(troubled: Path) -> Iterator[Path]:
    """A sub-folder nobody may read (root runs the child without its override capabilities)."""
    folder = write(troubled / "khoa" / "bi-mat.md", GOOD).parent
    folder.chmod(0)
    yield folder
    folder.chmod(0o755)


def without_root_powers() -> list[str]:
    """As root every folder is readable: drop the capabilities that make it so."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: an unreadable folder cannot be made")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_an_unreadable_sub_folder_is_named_and_the_rest_ingested(
    troubled: Path, locked: Path, tmp_path: Path
) -> None:
    env = child_env(tmp_path / "bot.sqlite3")
    done = run_bot(tmp_path, env, "ingest", str(troubled), prefix=without_root_powers())

    assert done.code == 1 and "Traceback" not in done.err, done.err
    assert f"Lỗi: {locked}: thư mục không có quyền đọc" in done.err
    assert "1 tệp mới" in done.out


def test_check_lists_the_broken_symlinks(troubled: Path, tmp_path: Path) -> None:
    env = child_env(tmp_path / "bot.sqlite3", KNOWLEDGE_DIR=str(troubled))
    done = run_bot(tmp_path, env, "check")

    assert done.code == 1 and "Traceback" not in done.err, done.err
    assert "da-xoa.md" in done.out and "vong-1.md" in done.out
