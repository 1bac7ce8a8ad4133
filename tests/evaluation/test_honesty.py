"""`eval --honesty`: the split-half protocol on a tiny BEIR folder whose numbers are known."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.confidence import CONFIDENCE_MODEL, Evidence
from bot.core.text import TextPipeline
from bot.evaluation.beir import load_dataset
from bot.evaluation.fitting import fit
from bot.evaluation.honesty import (
    Corpus,
    half_of,
    honesty_at,
    judge_all,
    judge_aside,
    judge_small,
    sweep,
)
from bot.evaluation.styles import Style
from bot.settings import Settings
from tests.helpers.files import DATA_DIR

TINY = DATA_DIR / "beir_tiny"  # six made-up procedures, three in each half
OFF_TOPIC = TINY / "off_topic.txt"


@pytest.fixture(scope="module")
def judged() -> list:
    corpus = Corpus(load_dataset(TINY), TextPipeline(), Settings(_env_file=None))
    off = [ln for ln in OFF_TOPIC.read_text(encoding="utf-8").splitlines() if ln[:1] != "#"]
    return judge_all(corpus, Style.WRITTEN, off)


def test_halves_are_stable_and_split_the_tiny_corpus_three_three() -> None:
    ids = [d for d in load_dataset(TINY).doc_ids]
    assert [half_of(d) for d in ids] == [0, 1, 1, 0, 1, 0]


def test_every_question_is_asked_against_both_halves(judged: list) -> None:
    asked = [j for j in judged if not j.off_topic]
    assert len(asked) == 12 and sum(j.in_kb for j in asked) == 6
    assert sum(j.off_topic for j in judged) == 6  # three off-topic questions, two halves


def test_known_numbers_at_the_default_threshold(judged: list) -> None:
    at = honesty_at(judged, 0.4)
    # Each procedure is found when its article is there; of the six asked without it, one
    # ("đăng ký thường trú…") still finds a close article on "đăng ký … tờ khai".
    assert at.right == 1.0
    assert at.honest == pytest.approx(5 / 6)
    assert (at.off_topic_answered, at.off_topic) == (0, 6)


def test_right_in_the_top_three_counts_at_least_what_is_cited(judged: list) -> None:
    """The issue's protocol counts the gold among the first three articles, cited or behind
    "Xem thêm"; the cited passages are one of those articles or more."""
    assert all(j.gold_top3 for j in judged if j.gold_cited)
    for row in sweep(judged):
        assert row.right_top3 >= row.right


def test_a_higher_threshold_never_answers_more(judged: list) -> None:
    rows = sweep(judged)
    assert all(a.right >= b.right and a.honest <= b.honest for a, b in itertools.pairwise(rows))
    assert rows[-1].off_topic_answered <= rows[0].off_topic_answered


def test_fitting_prefers_the_evidence_of_right_answers(judged: list) -> None:
    model = fit(judged)
    rights = [model.confidence(j.evidence, j.passages) for j in judged if j.in_kb and j.gold_cited]
    wrongs = [
        model.confidence(j.evidence, j.passages) for j in judged if j.evidence and not j.in_kb
    ]
    assert sum(rights) / len(rights) > sum(wrongs) / len(wrongs) + 0.2


def test_fitting_new_evidence_onto_a_model_keeps_the_rest_of_it(judged: list) -> None:
    kept = CONFIDENCE_MODEL
    model = fit(judged, keep=kept, new=("actions_missing",))
    moved = [name for name, a, b in zip(Evidence._fields, kept.weights, model.weights) if a != b]
    assert set(moved) <= {"actions_missing"}


def test_eval_honesty_prints_the_table_and_draws_the_curve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot = tmp_path / "curve.png"
    args = ["eval", str(TINY), "--honesty", "--off-topic", str(OFF_TOPIC), "--plot", str(plot)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "BOT_MIN_CONFIDENCE=0.36: đúng 1.000 (top 3: 1.000), trung thực 0.833" in out
    assert "câu ngoài chủ đề được trả lời 0/6" in out
    assert "   0.95 " in out  # the table over thresholds
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_honesty_says_what_the_not_founds_offered(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["eval", str(TINY), "--honesty", "--off-topic", str(OFF_TOPIC)]
    assert main(args) == 0
    assert "(BOT_SUGGEST_CONFIDENCE=0.15)" in (kept := capsys.readouterr().out)
    # The one answer given without its article is the one the reply says it is unsure of.
    assert "1 câu, đúng (top 3) 0.000; trả lời chắc: 6 câu, đúng (top 3) 1.000" in kept
    assert "câu ngoài chủ đề được gợi ý 0/6" in kept  # nothing came close to a recipe
    monkeypatch.setenv("BOT_SUGGEST_CONFIDENCE", "0")
    assert main(args) == 0
    assert "câu ngoài chủ đề được gợi ý 3/6" in capsys.readouterr().out


def test_eval_honesty_counts_the_questions_asked_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = tmp_path / "off.txt"
    listed.write_text("Giá vàng hôm nay bao nhiêu\nnộp hồ sơ ở đâu\n", encoding="utf-8")
    assert main(["eval", str(TINY), "--honesty", "--off-topic", str(listed)]) == 0
    # Of 12 questions and 2 × 2 off-topic askings, only the one naming no topic, in both halves.
    assert "Câu chưa nói rõ chủ đề (được hỏi lại, không trả lời): 2/16" in capsys.readouterr().out


def test_an_unreadable_off_topic_list_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.txt"
    assert main(["eval", str(TINY), "--honesty", "--off-topic", str(missing)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(missing) in err[0]


def test_eval_fit_prints_a_full_refit_and_the_newest_evidence_fitted_onto_the_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["eval", str(TINY), "--honesty", "--off-topic", str(OFF_TOPIC), "--fit"]) == 0
    out = capsys.readouterr().out
    assert "Mô hình độ tin cậy khớp trên" in out
    kept = out.split("Giữ mô hình đang dùng, chỉ khớp actions_missing:\n", 1)[1]
    assert f"weights={CONFIDENCE_MODEL.weights[:10]}"[:-1] in kept  # the ten kept as they are


@pytest.fixture(scope="module")
def small() -> list:
    corpus = Corpus(load_dataset(TINY), TextPipeline(), Settings(_env_file=None))
    off = [ln for ln in OFF_TOPIC.read_text(encoding="utf-8").splitlines() if ln[:1] != "#"]
    return judge_small(corpus, 3, Style.WRITTEN, off)


def test_small_knowledge_bases_hold_each_article_once(small: list) -> None:
    """Two knowledge bases of three articles: each question whose article the corpus has is
    asked once where it is there, and as many are asked where theirs is not."""
    asked = [j for j in small if not j.off_topic]
    there = [j for j in asked if j.in_kb]
    assert len(there) == 6  # every question's article is in exactly one of them
    assert len(asked) == 2 * len(there) and sum(j.off_topic for j in small) == 6
    assert {j.passages for j in small} == {3}


def test_eval_honesty_on_small_knowledge_bases(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["eval", str(TINY), "--honesty", "--kb-size", "3", "--off-topic", str(OFF_TOPIC)]
    assert main(args) == 0
    assert "Trung thực, kho nhỏ 3 bài — câu hỏi có dấu" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main(["eval", str(TINY), "--honesty", "--kb-size", "0"])
    assert refused.value.code == 2
    assert "--kb-size" in capsys.readouterr().err


def test_a_list_kept_aside_is_only_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second --off-topic file checks the choices made on the first: its askings get a line
    of their own and change nothing in the table (nor in what --fit would fit)."""
    aside = tmp_path / "aside.txt"
    # One is answered when its article is there: it is not off-topic for this corpus at all.
    aside.write_text("Hồ sơ đăng ký khai sinh gồm những gì\nLịch thi đấu bóng đá\n", "utf-8")
    base = ["eval", str(TINY), "--honesty", "--off-topic", str(OFF_TOPIC)]
    assert main(base) == 0
    alone = capsys.readouterr().out
    assert main([*base, str(aside)]) == 0
    both = capsys.readouterr().out
    line = "Danh sách để riêng aside.txt: câu ngoài chủ đề được trả lời 1/4"
    assert line in both and both.replace(f"{line}\n", "") == alone


def test_lists_kept_aside_are_asked_of_the_same_knowledge_bases() -> None:
    corpus = Corpus(load_dataset(TINY), TextPipeline(), Settings(_env_file=None))
    texts = ["Lịch thi đấu bóng đá", "Giá vàng hôm nay bao nhiêu"]
    for size, kbs in ((None, 2), (3, 2), (2, 3)):
        asked = judge_aside(corpus, texts, size)
        assert len(asked) == len(texts) * kbs and all(j.off_topic for j in asked)


def test_an_unreadable_list_kept_aside_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "latin1.txt"
    broken.write_bytes("Giá vàng".encode("cp1258"))
    args = ["eval", str(TINY), "--honesty", "--off-topic", str(OFF_TOPIC), str(broken)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(broken) in err[0] and "UTF-8" in err[0]
