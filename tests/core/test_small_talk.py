"""Small talk: the hand-checked corpora, the matching rules, and the engine's early reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.answer import Answer, Outcome, Question, question_problem
from bot.core.formatting import (
    EXAMPLE_QUESTION,
    NOT_FOUND,
    SMALL_TALK_INTRO,
    SMALL_TALK_OPENINGS,
    render_answer,
)
from bot.core.small_talk import MAX_WORDS, SmallTalk, Talk, load_table, small_talk
from bot.core.text import WORD_RE, load_abbreviations
from bot.engine import KnowledgeBase

DATA = Path(__file__).parents[1] / "data"
CONTACT = "Liên hệ: 0225 1022"


def lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


SMALL_TALK = [tuple(ln.split("\t")) for ln in lines("small_talk_vi.txt")]
NOT_SMALL_TALK = lines("not_small_talk_vi.txt")
OFF_TOPIC = lines("off_topic_vi.txt")


def test_the_corpora_are_big_enough() -> None:
    assert len(SMALL_TALK) >= 40 and {kind for kind, _ in SMALL_TALK} == set(Talk)
    assert len([q for q in NOT_SMALL_TALK if len(q.split()) > 3]) >= 20  # real questions


@pytest.mark.parametrize(("kind", "message"), SMALL_TALK)
def test_small_talk_corpus(kind: str, message: str) -> None:
    found = small_talk(message)
    assert found is not None, message
    assert found.kind is Talk(kind)


@pytest.mark.parametrize("message", NOT_SMALL_TALK)
def test_questions_with_a_greeting_and_bare_domain_words_are_not_small_talk(message: str) -> None:
    assert small_talk(message) is None


def test_no_off_topic_question_is_small_talk() -> None:
    assert [q for q in OFF_TOPIC if small_talk(q)] == []


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("chao", Talk.GREETING),  # no accents typed: any accents match
        ("cháo", None),  # accents typed: "cháo" (porridge) is not "chào"
        ("bai", Talk.GOODBYE),
        ("bài", None),
        ("chao bạn", Talk.GREETING),  # accents judged word by word
        ("helloooo", Talk.GREETING),  # repeated letters count once
        ("okkkk", Talk.ACK),
        ("co ai k", Talk.PING),  # chat shorthand
        ("😀🎉👍", None),  # an emoji outside the table: still NO_WORDS
        ("??? !!! ...", None),
        ("👍 CCCD", None),
        ("chào bạn Lan", None),  # a name is a word outside the table
        ("cảm ơn [số điện thoại]", Talk.THANKS),  # placeholders are not words
        ("", None),
    ],
)
def test_matching_rules(message: str, expected: Talk | None) -> None:
    found = small_talk(message)
    assert (found.kind if found else None) is expected


def test_every_kind_is_kept_and_the_reply_answers_the_strongest() -> None:
    assert small_talk("ok cảm ơn, tạm biệt") == SmallTalk(
        Talk.GOODBYE, frozenset({Talk.ACK, Talk.THANKS, Talk.GOODBYE})
    )
    assert small_talk("bạn ơi") == SmallTalk(Talk.PING, frozenset({Talk.PING}))  # fillers only


def test_a_long_message_is_never_small_talk() -> None:
    assert small_talk(" ".join(["cảm ơn"] * (MAX_WORDS // 2))) is not None
    assert small_talk(" ".join(["cảm ơn"] * MAX_WORDS)) is None


def test_the_table_holds_no_abbreviation_of_the_domain() -> None:
    table = load_table()
    entries = (words for found in table.phrases.values() for words, _ in found)
    words = {w for phrase in entries for w in phrase} | set(table.aliases)
    abbreviations = {k.lower() for k in load_abbreviations()}  # "CA" (công an) is not "cả"
    assert words & abbreviations == set()
    assert all(WORD_RE.fullmatch(a) for a in table.aliases)


@pytest.mark.parametrize(("kind", "message"), SMALL_TALK[::6])
def test_reply_opens_for_the_kind_then_says_what_the_bot_does(kind: str, message: str) -> None:
    assert question_problem(Question(message)) is Outcome.SMALL_TALK
    reply = render_answer(Answer(message, Outcome.SMALL_TALK), CONTACT)
    assert reply == f"{SMALL_TALK_OPENINGS[Talk(kind)]} {SMALL_TALK_INTRO}"
    assert EXAMPLE_QUESTION in reply and NOT_FOUND not in reply and CONTACT not in reply


async def test_small_talk_is_answered_without_searching(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_search(*args: object) -> None:
        raise AssertionError("small talk must not be searched")

    monkeypatch.setattr(kb, "answer_now", no_search)
    answer = await kb.ask("  Chào bạn!!  ")
    assert answer.outcome is Outcome.SMALL_TALK
    assert answer.question == "Chào bạn!!" and answer.hits == () and not answer.answered


async def test_a_greeting_with_a_question_is_answered(kb: KnowledgeBase) -> None:
    answer = await kb.ask("Chào bạn, cho mình hỏi chính quyền số là gì?")
    assert answer.outcome is Outcome.ANSWERED
