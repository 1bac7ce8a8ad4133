"""The command line, as a real child process and in-process through `bot.cli.main`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.formatting import NOT_FOUND, SOURCES, SUGGEST, UNCLEAR
from tests.helpers.cli import Run, child_env, run_bot
from tests.helpers.files import SEED_KNOWLEDGE, SEED_TITLE, write

QUESTION = "Chính quyền số là gì?"
DEFINITION = "Chính quyền số là hoạt động"
OFF_TOPIC = "Giá vàng hôm nay bao nhiêu?"
NEAR_MISS = "Hải Phòng chuyển đổi số năm 2025"  # close to the seed article, not answered by it
TOP_KEYS = {"question", "answered", "confidence", "small_talk", "unclear", "unsure", "results"}
RESULT_KEYS = {"rank", "score", "title", "url", "date", "author", "text", "source"}


def assert_clean(run: Run) -> None:
    """Whatever happened, the user never sees a Python traceback or terminal codes."""
    assert "Traceback" not in run.err
    assert "\x1b[" not in run.out


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A directory like a fresh checkout: knowledge/ and nothing else."""
    work = tmp_path / "work"
    shutil.copytree(SEED_KNOWLEDGE, work / "knowledge")
    return work


@pytest.fixture
def env(workdir: Path) -> dict[str, str]:
    return child_env(workdir / "data" / "bot.sqlite3")


# --- real child processes --------------------------------------------------------------------


@pytest.mark.parametrize("command", [("ask", QUESTION), ("stats",), ("ingest",)])
def test_a_directory_as_database_is_one_clear_line(workdir: Path, command: tuple[str, ...]) -> None:
    (workdir / "db-folder").mkdir()
    run = run_bot(workdir, child_env(workdir / "db-folder"), *command)

    assert_clean(run)
    assert run.code == 2
    assert run.err.strip().splitlines() == [
        f"Không mở được cơ sở dữ liệu {workdir / 'db-folder'}: "
        "đường dẫn là một thư mục, không phải tệp"
    ]


def test_first_ask_builds_the_database_then_answers(workdir: Path, env: dict[str, str]) -> None:
    first = run_bot(workdir, env, "ask", QUESTION)
    assert_clean(first)
    assert first.code == 0
    assert DEFINITION in first.out
    assert SOURCES in first.out and SEED_TITLE in first.out
    assert "22/02/2023" in first.out and "Hoàng Minh" in first.out
    progress = first.err.strip().splitlines()
    assert len(progress) == 1
    assert "knowledge" in progress[0] and "1 bài, 8 đoạn" in progress[0]
    assert (workdir / "data" / "bot.sqlite3").is_file()

    second = run_bot(workdir, env, "ask", QUESTION)
    assert second.code == 0
    assert second.err == ""  # nothing changed, so no rebuild
    assert second.out == first.out


def test_ask_json_has_the_documented_shape(workdir: Path, env: dict[str, str]) -> None:
    run = run_bot(workdir, env, "ask", "--json", QUESTION)
    assert_clean(run)
    assert run.code == 0
    payload = json.loads(run.out)
    assert set(payload) == TOP_KEYS
    assert payload["question"] == QUESTION and payload["answered"] is True
    assert 0.4 <= payload["confidence"] <= 1  # answered: at or above BOT_MIN_CONFIDENCE
    results = payload["results"]
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    assert len(results) == 2
    for result in results:
        assert set(result) == RESULT_KEYS
        assert result["title"] == SEED_TITLE
        assert result["date"] == "22/02/2023" and result["author"] == "Hoàng Minh"
        assert result["url"] is None
        assert Path(result["source"]).name == "chinh-quyen-so-hai-phong.txt"
        assert isinstance(result["score"], float) and result["score"] > 0
        assert "<" not in result["text"] and "\x1b" not in result["text"]
        assert "**" not in result["text"]
    assert DEFINITION in results[0]["text"]
    assert results[0]["score"] >= results[1]["score"]


def test_ask_json_not_answered_carries_a_message(workdir: Path, env: dict[str, str]) -> None:
    run = run_bot(workdir, env, "ask", "--json", OFF_TOPIC)
    assert_clean(run)
    assert run.code == 1
    payload = json.loads(run.out)
    assert set(payload) == TOP_KEYS | {"message"}
    assert payload["answered"] is False and 0 <= payload["confidence"] < 0.4
    assert NOT_FOUND in payload["message"] and payload["unclear"] is False


def test_ask_json_marks_a_question_that_names_no_topic(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--json", "nộp hồ sơ ở đâu", "--db", str(db)]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["answered"] is False and payload["unclear"] is True
    assert payload["confidence"] == 0 and UNCLEAR in payload["message"]


def test_ask_dash_reads_one_question_a_line(workdir: Path, env: dict[str, str]) -> None:
    stdin = (
        QUESTION.encode()
        + b"\n"
        + b"Ch\xednh quy\xe1\xbb\x81n s\xff\xfe\xc3 l\xc3\xa0 g\xc3\xac?\n"  # not valid UTF-8
        + OFF_TOPIC.encode()
        + b"\n"
    )
    run = run_bot(workdir, env, "ask", "-", stdin=stdin)
    assert_clean(run)
    assert run.code == 0
    lines = run.out.splitlines()
    assert len(lines) == 3
    answers = [json.loads(line) for line in lines]
    assert answers[0]["answered"] is True and DEFINITION in answers[0]["results"][0]["text"]
    assert "\ufffd" in answers[1]["question"]  # undecodable bytes replaced, not a crash
    assert answers[2]["answered"] is False and NOT_FOUND in answers[2]["message"]
    for answer in answers:
        assert set(answer) >= TOP_KEYS


def test_a_bad_setting_is_one_clear_line(workdir: Path, env: dict[str, str]) -> None:
    run = run_bot(workdir, {**env, "BM25_B": "5"}, "ask", QUESTION)
    assert_clean(run)
    assert run.code == 2
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and "BM25_B" in lines[0]
    assert not (workdir / "data").exists()  # nothing was built with a bad setting


def test_a_corrupt_database_is_reported_not_hung(workdir: Path, env: dict[str, str]) -> None:
    db = write(workdir / "data" / "bot.sqlite3", b"not a database, just some text " * 50)
    run = run_bot(workdir, env, "ask", QUESTION)
    assert_clean(run)
    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and str(db) in lines[0]


# --- in-process: exit codes and messages -----------------------------------------------------


@pytest.fixture
def db(tmp_path: Path, knowledge_dir: Path) -> Path:
    """The DB path for in-process runs; cwd is tmp_path, so knowledge/ is the default folder."""
    assert knowledge_dir == tmp_path / "knowledge"
    return tmp_path / "data" / "bot.sqlite3"


@pytest.mark.parametrize(
    ("question", "code"),
    [
        (QUESTION, 0),
        ("chinh quyen so la gi", 0),
        (OFF_TOPIC, 1),
        ("cấp điện cho huyện đảo Cát Hải", 1),
        ("", 2),
        ("   ", 2),
        ("😀😀", 2),
    ],
)
def test_ask_exit_codes(
    db: Path, capsys: pytest.CaptureFixture[str], question: str, code: int
) -> None:
    assert main(["ask", question, "--db", str(db)]) == code
    out, err = capsys.readouterr()
    assert out.strip()  # every outcome gets a reply
    assert "Traceback" not in err


def test_not_found_reply_offers_contact_and_only_titles_that_came_close(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_CONTACT", "Gọi 1022 để được hỗ trợ")
    assert main(["ask", NEAR_MISS, "--db", str(db)]) == 1
    near = capsys.readouterr().out
    assert main(["ask", OFF_TOPIC, "--db", str(db)]) == 1
    off = capsys.readouterr().out
    assert NOT_FOUND in near and "Gọi 1022 để được hỗ trợ" in near
    assert SUGGEST in near and f"• {SEED_TITLE}" in near
    # A question about something else entirely is not offered the city's article instead.
    assert NOT_FOUND in off and "Gọi 1022 để được hỗ trợ" in off and SUGGEST not in off


def test_the_suggestion_floor_is_a_setting(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_SUGGEST_CONFIDENCE", "0")
    assert main(["ask", OFF_TOPIC, "--db", str(db)]) == 1
    assert f"• {SEED_TITLE}" in capsys.readouterr().out
    monkeypatch.setenv("BOT_SUGGEST_CONFIDENCE", "1.5")
    assert main(["ask", NEAR_MISS, "--db", str(db)]) == 2
    assert "BOT_SUGGEST_CONFIDENCE" in capsys.readouterr().err


def test_top_k_option(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--top-k", "1", QUESTION, "--db", str(db)]) == 0
    assert len(json.loads(capsys.readouterr().out)["results"]) == 1
    with pytest.raises(SystemExit) as usage:
        main(["ask", "--top-k", "11", QUESTION, "--db", str(db)])
    assert usage.value.code == 2


def test_ingest_twice_says_nothing_changed(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--db", str(db)]) == 0
    first = capsys.readouterr().out
    assert "1 tệp mới" in first and "1 bài, 8 đoạn" in first
    assert main(["ingest", "--db", str(db)]) == 0
    second = capsys.readouterr().out
    assert "0 tệp mới, 0 cập nhật, 1 không đổi, 0 gỡ bỏ" in second


def test_ask_refreshes_after_a_file_is_added(
    db: Path, knowledge_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", QUESTION, "--db", str(db)]) == 0
    capsys.readouterr()
    write(
        knowledge_dir / "khai-sinh.md",
        "# Đăng ký khai sinh trực tuyến\n\nCha mẹ đăng ký khai sinh cho con trên Cổng dịch vụ"
        " công và nhận giấy khai sinh điện tử.\n",
    )
    assert main(["ask", "đăng ký khai sinh cho con", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert "2 bài" in err
    assert "Đăng ký khai sinh trực tuyến" in out


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_TOP_K", "0"),
        ("BOT_TOP_K", "ba"),
        ("BM25_K1", "-1"),
        ("BOT_MIN_CONFIDENCE", "2"),
        ("BOT_MAX_PASSAGE_WORDS", "5"),
        ("BOT_ABBREVIATIONS_FILE", "khong-co.tsv"),
        ("BOT_SHORTHAND_FILE", "khong-co.tsv"),
    ],
)
def test_invalid_settings_exit_2_with_one_line(
    db: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["ask", QUESTION, "--db", str(db)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and name in lines[0]


def test_settings_from_a_dotenv_file(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / ".env", "BOT_TOP_K=1\n")
    assert main(["ask", "--json", QUESTION, "--db", str(db)]) == 0
    assert len(json.loads(capsys.readouterr().out)["results"]) == 1


# --- eval ------------------------------------------------------------------------------------

CORPUS = [
    {
        "_id": "d1",
        "title": "Đăng ký khai sinh",
        "text": "Cha mẹ đăng ký khai sinh cho con tại ủy ban nhân dân xã.",
    },
    {
        "_id": "d2",
        "title": "Cấp căn cước công dân",
        "text": "Công an phường cấp căn cước công dân gắn chip cho người từ đủ 14 tuổi.",
    },
    {
        "_id": "d3",
        "title": "Nộp thuế đất",
        "text": "Người sử dụng đất nộp thuế đất hằng năm tại chi cục thuế.",
    },
]
QUERIES = [
    {"_id": "q1", "text": "Đăng ký khai sinh ở đâu?"},
    {"_id": "q2", "text": "Cấp căn cước công dân gắn chíp"},
    {"_id": "q3", "text": "Nộp thuế đất ở đâu?"},
]


def jsonl(rows: list[dict[str, str]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


@pytest.fixture
def beir(tmp_path: Path) -> Path:
    folder = tmp_path / "beir"
    write(folder / "corpus.jsonl", jsonl(CORPUS))
    write(folder / "queries.jsonl", jsonl(QUERIES))
    write(folder / "qrels.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td3\t1\n")
    return folder


def metric_rows(out: str) -> dict[str, dict[str, float]]:
    """{'bot này': {'Acc@1': …, 'MRR@10': …}, …} from the printed table."""
    lines = out.strip().splitlines()
    header_at = next(i for i, line in enumerate(lines) if "Acc@1" in line)
    names = lines[header_at].split()
    rows = {}
    for line in lines[header_at + 1 :]:
        label, *values = line.rsplit(maxsplit=len(names))
        rows[label.strip()] = dict(zip(names, map(float, values)))
    return rows


def test_eval_prints_both_systems(beir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(beir)]) == 0
    out = capsys.readouterr().out
    assert "có dấu (3 câu)" in out
    rows = metric_rows(out)
    assert set(rows) == {"bot này", "rank-bm25 thuần"}
    assert set(rows["bot này"]) == {"Acc@1", "R@5", "R@10", "MRR@10"}
    assert rows["bot này"]["Acc@1"] == 1.0 and rows["bot này"]["MRR@10"] == 1.0
    assert rows["rank-bm25 thuần"]["Acc@1"] == 1.0


def test_eval_fold_strips_accents_from_questions(
    beir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", str(beir), "--fold"]) == 0
    out = capsys.readouterr().out
    assert "bỏ dấu (3 câu)" in out
    rows = metric_rows(out)
    # Only this bot's folded terms match accented articles to unaccented questions.
    assert rows["bot này"]["Acc@1"] == 1.0
    assert rows["rank-bm25 thuần"]["Acc@1"] < 1.0
    assert rows["rank-bm25 thuần"]["MRR@10"] < 1.0


def test_eval_chat_types_questions_as_on_a_phone(
    beir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", str(beir), "--chat"]) == 0
    out = capsys.readouterr().out
    assert "như nhắn tin (3 câu)" in out
    assert metric_rows(out)["bot này"]["Acc@1"] == 1.0


def test_eval_fold_and_chat_exclude_each_other(
    beir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["eval", str(beir), "--fold", "--chat"])
    assert usage.value.code == 2
    assert "không dùng được cùng --fold" in capsys.readouterr().err


def test_eval_without_baseline(beir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(beir), "--no-baseline"]) == 0
    assert set(metric_rows(capsys.readouterr().out)) == {"bot này"}


def test_eval_reads_qrels_from_a_qrels_folder(
    beir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (beir / "qrels").mkdir()
    (beir / "qrels.tsv").rename(beir / "qrels" / "test.tsv")
    assert main(["eval", str(beir)]) == 0
    assert "(3 câu)" in capsys.readouterr().out


def test_eval_of_a_missing_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "khong-co-bo-du-lieu"
    assert main(["eval", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("corpus.jsonl", '{"_id": "d1", "text": "thiếu ngoặc"\n'),
        ("queries.jsonl", '{"text": "không có _id"}\n'),
        ("qrels.tsv", "query-id\tcorpus-id\tscore\nq1\td1\tmột\n"),
    ],
)
def test_eval_of_a_broken_dataset_is_a_clear_error(
    beir: Path, capsys: pytest.CaptureFixture[str], name: str, content: str
) -> None:
    write(beir / name, content)
    assert main(["eval", str(beir)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(beir) in err
