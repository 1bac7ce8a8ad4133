"""The Vietnamese text pipeline: what questions and passages turn into, and why it matters."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bot.core.text import ACCENTED_PREFIX, TextPipeline, fold, has_diacritics, well_formed
from bot.engine import KnowledgeBase
from bot.sources.files import load_article
from tests.helpers.files import (
    SEED_KNOWLEDGE,
    SEED_NAME,
    make_settings,
    markdown,
    open_kb,
    write,
)


def unigrams(terms: list[str]) -> set[str]:
    """Folded single syllables only (no bigrams, no accented copies)."""
    return {t for t in terms if "_" not in t and not t.startswith(ACCENTED_PREFIX)}


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [
        ("hoà bình", "hòa bình"),
        ("thuỷ lợi", "thủy lợi"),
        ("Hoà giải ở cơ sở", "Hòa giải ở cơ sở"),
        ("khoẻ mạnh", "khỏe mạnh"),
    ],
)
def test_old_and_new_tone_placement_give_the_same_terms(
    pipeline: TextPipeline, old_style: str, new_style: str
) -> None:
    assert old_style != new_style
    assert pipeline.terms(old_style) == pipeline.terms(new_style)


def test_tone_placement_is_normalised_in_the_text_itself(pipeline: TextPipeline) -> None:
    assert pipeline.normalize("hoà") == "hòa"
    assert pipeline.normalize("thuỷ") == "thủy"


def test_decomposed_unicode_gives_the_same_terms_as_composed(pipeline: TextPipeline) -> None:
    composed = "Đăng ký khai sinh trực tuyến"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert pipeline.terms(decomposed) == pipeline.terms(composed)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký", "Dang ky"),
        ("đường dây nóng", "duong day nong"),
        ("Chính quyền số", "Chinh quyen so"),
        ("ỦY BAN NHÂN DÂN", "UY BAN NHAN DAN"),
        ("plain ascii", "plain ascii"),
    ],
)
def test_fold_strips_every_diacritic_including_d_stroke(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert has_diacritics(text) == (text != folded)


def test_case_does_not_change_terms(pipeline: TextPipeline) -> None:
    assert pipeline.terms("CHÍNH QUYỀN SỐ LÀ GÌ?") == pipeline.terms("Chính quyền số là gì?")


# --- accented vs unaccented ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Chính quyền số là gì?",
        "Đăng ký khai sinh cho trẻ em ở đâu?",
        "Dịch vụ công trực tuyến mức độ 4 trên thiết bị di động",
        "Lợi ích của mô hình này là đáp ứng mọi nhu cầu của công dân.",
        "Đối với người dân và doanh nghiệp, việc đơn giản hóa các thủ tục hành chính.",
    ],
)
def test_unaccented_question_terms_are_found_in_the_accented_text(
    pipeline: TextPipeline, text: str
) -> None:
    unaccented = pipeline.terms(fold(text).lower())
    assert unaccented, "an unaccented question must still produce terms"
    assert set(unaccented) <= set(pipeline.terms(text))


def test_every_seed_passage_contains_the_terms_of_its_unaccented_copy(
    pipeline: TextPipeline,
) -> None:
    for passage in load_article(SEED_KNOWLEDGE / SEED_NAME).passages:
        assert set(pipeline.terms(fold(passage.text))) <= set(pipeline.terms(passage.text))


def test_accented_copies_only_when_the_writer_typed_accents(pipeline: TextPipeline) -> None:
    accented = pipeline.terms("Chính quyền số")
    assert {"~chính", "~quyền", "~số"} <= set(accented)
    assert not any(t.startswith(ACCENTED_PREFIX) for t in pipeline.terms("chinh quyen so"))


def test_accented_bán_and_bạn_are_different_terms_but_fold_alike(pipeline: TextPipeline) -> None:
    ban_sell, ban_friend = pipeline.terms("người bán hàng"), pipeline.terms("người bạn hàng")
    assert "~bán" in ban_sell and "~bán" not in ban_friend
    assert "ban" in ban_sell and "ban" in ban_friend


# --- abbreviations ---------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["CCCD", "cccd", "Cccd"])
def test_cccd_expands_to_can_cuoc_cong_dan_in_any_case(
    pipeline: TextPipeline, written: str
) -> None:
    terms = pipeline.terms(f"Làm {written} ở đâu?")
    assert {"cccd", "can", "cuoc", "cong", "dan", "can_cuoc", "cong_dan"} <= set(terms)


def test_question_with_abbreviation_shares_the_spelled_out_terms(pipeline: TextPipeline) -> None:
    short = pipeline.terms("Cấp lại CCCD")
    spelled = pipeline.terms("Cấp lại căn cước công dân")
    # The abbreviation adds its expansion's words and phrases, and stays searchable itself.
    assert unigrams(spelled) <= unigrams(short)
    assert {"can_cuoc", "cuoc_cong", "cong_dan"} <= set(short)
    assert "cccd" in short


@pytest.mark.parametrize("written", ["VNeID", "vneid", "VNEID"])
def test_vneid_means_dinh_danh_dien_tu(pipeline: TextPipeline, written: str) -> None:
    terms = set(pipeline.terms(f"Tài khoản {written}"))
    assert {"vneid", "dinh", "danh", "dien", "tu", "dinh_danh", "dien_tu"} <= terms


def test_other_shipped_abbreviations_expand(pipeline: TextPipeline) -> None:
    assert {"dich", "vu", "cong"} <= set(pipeline.terms("DVC"))
    assert {"thu", "tuc", "hanh", "chinh"} <= set(pipeline.terms("tthc"))
    assert {"uy", "ban", "nhan", "dan"} <= set(pipeline.terms("UBND phường"))


@pytest.mark.parametrize(
    ("capitals", "ordinary", "expansion_term"),
    [
        ("CA", "ca làm việc", "cong_an"),
        ("TP", "tp", "thanh_pho"),
        ("QĐ", "qđ", "quyet_dinh"),
    ],
)
def test_two_letter_abbreviation_expands_only_in_capitals(
    pipeline: TextPipeline, capitals: str, ordinary: str, expansion_term: str
) -> None:
    assert expansion_term in pipeline.terms(f"{capitals} Hải Phòng")
    assert expansion_term not in pipeline.terms(f"{ordinary} Hải Phòng")


def test_adding_an_abbreviation_file_changes_terms_and_fingerprint(tmp_path: Path) -> None:
    shipped = TextPipeline()
    extra = write(tmp_path / "abbr.tsv", "# local additions\nĐKKD\tđăng ký kinh doanh\n")
    extended = TextPipeline(abbreviations_file=extra)
    assert extended.fingerprint != shipped.fingerprint
    assert "kinh_doanh" in extended.terms("Thủ tục ĐKKD")
    assert "kinh_doanh" not in shipped.terms("Thủ tục ĐKKD")


def test_an_abbreviation_file_without_entries_keeps_the_fingerprint(tmp_path: Path) -> None:
    comments_only = write(tmp_path / "abbr.tsv", "# nothing yet\n\n")
    assert TextPipeline(abbreviations_file=comments_only).fingerprint == TextPipeline().fingerprint


def test_the_fingerprint_is_stable_between_runs() -> None:
    assert TextPipeline().fingerprint == TextPipeline().fingerprint


# --- stop words and odd input ----------------------------------------------------------------


def test_stop_words_are_dropped_as_single_terms(pipeline: TextPipeline) -> None:
    terms = pipeline.terms("Chính quyền số là gì?")
    assert unigrams(terms) == {"chinh", "quyen", "so"}
    assert "~là" not in terms and "~gì" not in terms


def test_unaccented_stop_words_are_dropped_too(pipeline: TextPipeline) -> None:
    assert unigrams(pipeline.terms("chinh quyen so la gi")) == {"chinh", "quyen", "so"}


def test_a_question_of_only_stop_words_keeps_no_single_terms(pipeline: TextPipeline) -> None:
    assert unigrams(pipeline.terms("là gì vậy?")) == set()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😀🎉👍",
        "!!! ??? ...",
        "<b>Chính quyền số</b> là <i>gì</i>?",
        "<script>alert('x')</script>",
        "'; DROP TABLE passages; --",
        "Chính\u200bquyền\u00a0số",
        "\x00\x1b[31m",
        "a" * 5000,
    ],
)
def test_odd_input_does_not_crash(pipeline: TextPipeline, text: str) -> None:
    terms = pipeline.terms(text)
    assert all(isinstance(t, str) and t and " " not in t for t in terms)


def test_emoji_and_punctuation_produce_no_terms(pipeline: TextPipeline) -> None:
    assert pipeline.terms("😀🎉👍 !!! ???") == []


def test_markup_around_words_keeps_the_words(pipeline: TextPipeline) -> None:
    terms = set(pipeline.terms("<b>Chính quyền số</b>"))
    assert {"chinh", "quyen", "so", "chinh_quyen", "quyen_so"} <= terms


# --- one pipeline for passages and questions -------------------------------------------------


async def test_every_seed_passage_asked_verbatim_finds_itself(kb: KnowledgeBase) -> None:
    rows = await kb.store.indexed_passages()
    stored = await kb.store.passages([r.passage_id for r in rows])
    assert len(stored) == 8
    for passage in stored.values():
        answer = await kb.ask(passage.text)
        assert answer.hits[0].passage_id == passage.passage_id, passage.text[:60]


async def test_stored_passage_terms_are_the_pipeline_terms(
    kb: KnowledgeBase, pipeline: TextPipeline
) -> None:
    rows = await kb.store.indexed_passages()
    stored = await kb.store.passages([r.passage_id for r in rows])
    for row in rows:
        assert row.terms == pipeline.terms(stored[row.passage_id].text)


async def test_spellings_match_in_both_directions(tmp_path: Path, pipeline: TextPipeline) -> None:
    folder = tmp_path / "kb"
    write(folder / "a.md", markdown("Giấy tờ", ["Người dân xuất trình CCCD khi làm thủ tục."]))
    write(folder / "b.md", markdown("Hòa giải", ["Tổ hoà giải ở cơ sở giúp các bên thương lượng."]))
    write(folder / "c.md", markdown("Thuế", ["Nộp thuế thu nhập cá nhân qua mạng."]))
    async with open_kb(make_settings(tmp_path, folder), pipeline) as kb:
        for question, expected in [
            ("xuất trình căn cước công dân", "CCCD"),  # spelled-out question, abbreviated text
            ("hòa giải ở cơ sở", "hoà giải"),  # new tone placement, old-style text
            ("hoa giai o co so", "hoà giải"),  # no accents at all
        ]:
            answer = await kb.ask(question)
            assert answer.answered, question
            assert expected in answer.hits[0].text, question


def test_lone_surrogates_become_replacement_characters_and_pairs_their_emoji() -> None:
    assert well_formed("số \ud83d là gì \udc00") == "số \ufffd là gì \ufffd"
    assert well_formed("\ud83d\ude00 ư") == "😀 ư"
    assert well_formed("plain ascii") == "plain ascii"
    well_formed("\ud83d").encode("utf-8")  # now encodable: SQLite and HTTP take it
