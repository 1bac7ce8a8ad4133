"""Chat shorthand ("ko", "dc", "ntn"): replaced by its words, for passages and questions alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.text import Features, TextPipeline, load_shorthand
from tests.helpers.files import write


def syllables(pipeline: TextPipeline, text: str) -> list[str]:
    return [s.accented for s in pipeline.syllables(text)]


def test_the_shipped_table_has_enough_forms() -> None:
    table = load_shorthand()
    assert len(table) >= 60
    assert table["ntn"] == ("như", "thế", "nào") and table["sđt"] == ("số", "điện", "thoại")


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("co dc ko", "co được không"),
        ("CO DC KO", "co được không"),
        ("lam ntn", "lam như thế nào"),
        ("Đc Không", "được không"),
        ("can j", "can gì"),
        ("sdt cua phuong", "số điện thoại cua phuong"),
        ("t7 co lam ko", "thứ bảy co lam không"),
    ],
)
def test_a_form_is_replaced_by_its_words_in_any_letter_case(
    pipeline: TextPipeline, typed: str, written: str
) -> None:
    assert syllables(pipeline, typed) == written.split()


def test_the_form_itself_leaves_no_term(pipeline: TextPipeline) -> None:
    terms = pipeline.terms("lam ho chieu ntn")
    assert not any("ntn" in t for t in terms)
    assert "nhu_the_nao" in terms


@pytest.mark.parametrize("letter", ["a", "b", "c", "e", "k", "r", "t", "v", "z"])
def test_single_letters_stay_as_written(pipeline: TextPipeline, letter: str) -> None:
    # List markers and placeholder names of legal text: "các điểm a, đ và k khoản 1", "ngân hàng Z".
    assert letter in syllables(pipeline, f"điểm {letter} khoản 1")


@pytest.mark.parametrize("form", ["dk", "đk", "bn", "bh", "mk", "ck", "kh", "tt"])
def test_ambiguous_forms_are_left_out(pipeline: TextPipeline, form: str) -> None:
    assert pipeline.spell_out(form) is None


def test_shorthand_reads_the_same_in_a_passage(pipeline: TextPipeline) -> None:
    passage = "Cty nộp hồ sơ qua mạng, không cần đến trực tiếp."
    assert syllables(pipeline, passage)[:2] == ["công", "ty"]


def test_a_shorthand_d_stroke_is_not_a_typed_accent(pipeline: TextPipeline) -> None:
    # "đc" alone does not make an unaccented question accent-sensitive.
    assert not pipeline.typed_diacritics("ho chieu lam o dau đc")
    assert pipeline.terms("ho chieu lam o dau đc") == pipeline.terms("ho chieu lam o dau dc")
    assert pipeline.typed_diacritics("hộ chiếu làm ở đâu đc")


def test_the_matching_view_spells_shorthand_out(pipeline: TextPipeline) -> None:
    assert pipeline.folded_words("Đc KO") == ["duoc", "khong"]


def test_an_abbreviation_wins_over_a_shorthand_of_the_same_form(tmp_path: Path) -> None:
    extra = write(tmp_path / "short.tsv", "cccd\tcái gì đó\n")
    pipeline = TextPipeline(shorthand_file=extra)
    assert pipeline.spell_out("cccd") is None
    assert "can_cuoc" in pipeline.terms("CCCD")


def test_adding_a_shorthand_file_changes_terms_and_fingerprint(tmp_path: Path) -> None:
    shipped = TextPipeline()
    extra = write(tmp_path / "short.tsv", "# local additions\nhsơ\thồ sơ\n")
    extended = TextPipeline(shorthand_file=extra)
    assert extended.fingerprint != shipped.fingerprint
    assert "ho_so" in extended.terms("nop hsơ o dau")
    assert "ho_so" not in shipped.terms("nop hsơ o dau")


def test_a_shorthand_file_without_entries_keeps_the_fingerprint(tmp_path: Path) -> None:
    comments_only = write(tmp_path / "short.tsv", "# nothing yet\n\n")
    assert TextPipeline(shorthand_file=comments_only).fingerprint == TextPipeline().fingerprint


def test_the_add_variant_keeps_the_form_too() -> None:
    added = TextPipeline(Features(shorthand="add"))
    assert syllables(added, "lam ntn") == ["lam", "ntn", "như", "thế", "nào"]
    assert added.fingerprint != TextPipeline().fingerprint
    assert syllables(TextPipeline(Features(shorthand="off")), "lam ntn") == ["lam", "ntn"]
