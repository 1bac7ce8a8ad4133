"""FAQ files (`type: faq`): question headings over their answers, one passage a pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.text import TextPipeline
from bot.settings import Settings
from bot.sources.files import load_article
from bot.sources.ingest import ingest
from bot.sources.markdown import parse_faq
from bot.store.database import Store
from tests.helpers.files import FAQ_DIR, FAQ_ID_TITLE, FAQ_SERVICES_TITLE, write

ID_FILE = FAQ_DIR / "hoi-dap-can-cuoc.md"
SERVICES_FILE = FAQ_DIR / "hoi-dap-dich-vu-cong.md"
LOST_CARD = "Mất thẻ căn cước thì phải làm sao?"
FORGOT_PASSWORD = "Quên mật khẩu tài khoản dịch vụ công thì lấy lại thế nào?"


def faq_file(body: str, kind: str = "faq") -> str:
    return f"---\ntitle: Hỏi đáp thử\ntype: {kind}\n---\n{body}"


def test_the_test_corpus_has_ten_pairs_in_two_files() -> None:
    pairs = [p for f in (ID_FILE, SERVICES_FILE) for p in load_article(f).passages if p.faq]
    assert len(pairs) == 10
    assert all(p.section and p.text for p in pairs)
    assert len({p.section for p in pairs}) == 10


def test_each_pair_is_one_passage_whose_section_is_the_question() -> None:
    article = load_article(ID_FILE)
    assert article.title == FAQ_ID_TITLE
    assert article.url == "https://example.gov.vn/hoi-dap/can-cuoc"
    lost = next(p for p in article.passages if p.section == LOST_CARD)
    assert lost.faq
    # Both paragraphs of the answer, and nothing of the question, are the passage's text.
    assert lost.text.startswith("Bạn đến bộ phận tiếp nhận gần nhất")
    assert lost.text.endswith("để cán bộ đối chiếu.")
    assert LOST_CARD not in lost.text
    assert lost.indexed_text == f"{LOST_CARD} {lost.text}"


def test_question_headings_are_level_two_or_end_in_a_question_mark() -> None:
    sections = [p.section for p in load_article(ID_FILE).passages if p.faq]
    assert "Trẻ em dưới 14 tuổi có phải làm thẻ căn cước không?" in sections  # a ### heading
    assert "Lệ phí cấp đổi thẻ căn cước" in sections  # a ## heading without "?"


def test_text_outside_any_question_stays_an_ordinary_passage() -> None:
    intro = load_article(ID_FILE).passages[0]
    assert not intro.faq and intro.section is None
    assert intro.indexed_text == intro.text
    assert intro.text.startswith("Trang này gom các câu hỏi")


def test_an_answer_list_reads_as_one_sentence() -> None:
    article = load_article(SERVICES_FILE)
    assert article.title == FAQ_SERVICES_TITLE
    home = next(
        p for p in article.passages if p.section == "Những ai được hỗ trợ nộp hồ sơ tại nhà?"
    )
    assert home.text == (
        "Bộ phận một cửa hỗ trợ nộp hồ sơ tại nhà cho: người cao tuổi sống một mình; "
        "người khuyết tật nặng; người đang điều trị bệnh dài ngày"
    )


def test_other_headings_are_sections_and_an_unanswered_question_is_dropped() -> None:
    body = parse_faq(
        "# Hỏi đáp hộ tịch\n\n## Câu hỏi chưa có trả lời?\n\n### Lưu ý chung\n\nMang bản chính.\n\n"
        "## Đăng ký khai sinh ở đâu?\n\nTại nơi cư trú của cha hoặc mẹ.\n"
    )
    assert body.meta == {"title": "Hỏi đáp hộ tịch"}
    assert body.paragraphs == [
        ("Lưu ý chung", "Mang bản chính."),
        ("Đăng ký khai sinh ở đâu?", "Tại nơi cư trú của cha hoặc mẹ."),
    ]
    assert body.answers == frozenset({1})


def test_a_long_answer_is_split_and_every_part_keeps_its_question(tmp_path: Path) -> None:
    answer = " ".join(f"Bước {i} là nộp tờ khai số {i} qua cổng." for i in range(30))
    path = write(tmp_path / "dai.md", faq_file(f"## Nộp hồ sơ thế nào?\n\n{answer}\n"))
    passages = load_article(path, max_words=40).passages
    assert len(passages) > 1
    assert all(p.faq and p.section == "Nộp hồ sơ thế nào?" for p in passages)
    assert " ".join(p.text for p in passages) == answer


@pytest.mark.parametrize(("kind", "faq"), [("faq", True), ("FAQ ", True), ("post", False)])
def test_only_type_faq_changes_how_a_file_is_read(tmp_path: Path, kind: str, faq: bool) -> None:
    path = write(tmp_path / "a.md", faq_file("## Hỏi gì?\n\nTrả lời.\n", kind))
    [passage] = load_article(path).passages
    assert (passage.faq, passage.section, passage.text) == (faq, "Hỏi gì?", "Trả lời.")


def test_a_txt_file_or_a_sidecar_may_say_type_faq(tmp_path: Path) -> None:
    txt = write(tmp_path / "a.txt", faq_file("## Hỏi gì?\n\nTrả lời.\n"))
    assert [p.faq for p in load_article(txt).passages] == [True]
    md = write(tmp_path / "b.md", "## Hỏi gì?\n\nTrả lời.\n")
    write(tmp_path / "b.meta.yaml", "title: Hỏi đáp\ntype: faq\n")
    assert [p.faq for p in load_article(md).passages] == [True]


async def test_ingest_indexes_the_question_and_stores_the_pair(
    store: Store, pipeline: TextPipeline, settings: Settings
) -> None:
    report = await ingest(store, pipeline, [ID_FILE], False, settings.max_passage_words)
    assert report.ok and report.passages == 6
    text = await store.corpus_text()
    assert LOST_CARD in text.questions.values()
    assert len(text.questions) == 5  # the introduction answers no question
    [lost_id] = [pid for pid, q in text.questions.items() if q == LOST_CARD]
    terms = {r.passage_id: r.terms for r in await store.indexed_passages()}
    # "mất" is only in the question, never in the answer: indexed all the same.
    assert "mất" not in text.passages[lost_id][1].lower()
    assert set(pipeline.terms("mất")) <= set(terms[lost_id])
