"""Hostile front matter (deep nesting, alias bombs, huge values) is one named error, and the
rest of the folder is still ingested."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.text import TextPipeline
from bot.sources.ingest import IngestReport, ingest
from bot.store.database import Store
from tests.helpers.cli import child_env, run_bot
from tests.helpers.files import markdown, write

GOOD = markdown("Cấp bản sao trích lục", ["Người dân nhận bản sao trích lục qua bưu điện."])
BODY = "\n---\nNội dung bài viết về thủ tục hành chính.\n"


def alias_bomb(key: str, levels: int = 9) -> str:
    """Each level lists the one before nine times: 1 KB of YAML, 9^levels strings once expanded."""
    lines = ['l0: &l0 ["ha","ha","ha","ha","ha","ha","ha","ha","ha"]']
    lines += [f"l{n}: &l{n} [{','.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "---\n" + "\n".join(lines) + f"\n{key}: *l{levels - 1}" + BODY


HOSTILE = {
    "nested": ("---\ntitle: " + "[" * 5000 + "]" * 5000 + BODY, "lồng nhau quá 10 tầng"),
    "bomb-in-title": (alias_bomb("title"), "không dùng alias YAML (*l0) (dòng 3)"),
    "bomb-in-tags": (alias_bomb("tags"), "không dùng alias YAML (*l0) (dòng 3)"),
    "huge": ("---\ntitle: Bài dài\nghi_chu: " + "x" * 40_000 + BODY, "dài 39 KB, tối đa 16 KB"),
    "long-title": ("---\ntitle: " + "Tiêu đề " * 300 + BODY, "title dài 2399 ký tự, tối đa 1000"),
    "many-tags": ("---\ntags: [" + ",".join(["thẻ"] * 400) + "]" + BODY, "400 thẻ, tối đa 50"),
    "list-title": ("---\ntitle: [Một, Hai]" + BODY, "title phải là một dòng chữ"),
    "nested-tag": ("---\ntags: [[a, b], c]" + BODY, "mỗi thẻ trong tags phải là"),
}


async def ingest_folder(folder: Path, store: Store, pipeline: TextPipeline) -> IngestReport:
    return await ingest(store, pipeline, [folder], False)


@pytest.mark.parametrize("name", HOSTILE)
async def test_hostile_front_matter_is_named_and_the_rest_ingested(
    tmp_path: Path, store: Store, pipeline: TextPipeline, name: str
) -> None:
    content, reason = HOSTILE[name]
    write(tmp_path / "k" / "good.md", GOOD)
    bad = write(tmp_path / "k" / f"{name}.md", content)
    report = await ingest_folder(tmp_path / "k", store, pipeline)

    [error] = report.errors
    assert error.path == bad and "front matter hỏng" in str(error) and reason in str(error)
    assert report.added == 1 and await store.counts() == (1, 1)


async def test_a_hostile_sidecar_is_named_too(
    tmp_path: Path, store: Store, pipeline: TextPipeline
) -> None:
    write(tmp_path / "k" / "bai.txt", "Người dân nộp hồ sơ trực tuyến.\n")
    sidecar = write(tmp_path / "k" / "bai.meta.yaml", alias_bomb("title").split("\n---\n")[0])
    report = await ingest_folder(tmp_path / "k", store, pipeline)

    [error] = report.errors
    assert error.path == sidecar and "sidecar hỏng: không dùng alias YAML" in str(error)


def test_cli_ingest_of_deep_front_matter_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    write(tmp_path / "k" / "good.md", GOOD)
    write(tmp_path / "k" / "nested.md", HOSTILE["nested"][0])
    done = run_bot(tmp_path, child_env(tmp_path / "bot.sqlite3"), "ingest", "k")

    assert done.code == 1 and "Traceback" not in done.err, done.err
    [line] = [line for line in done.err.splitlines() if line.strip()]
    assert "nested.md: front matter hỏng: lồng nhau quá 10 tầng (dòng 2)" in line
    assert "1 tệp mới" in done.out
