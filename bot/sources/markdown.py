"""Markdown bodies → (section, paragraph) pairs, for articles and for FAQ files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_RULE_RE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS_RE = re.compile(r"\*\*|__|`")
Paragraph = tuple[str | None, str]  # (section, text)
Body = tuple[list[Paragraph], dict[str, Any]]
QUESTION_LEVEL = 2  # in an FAQ file every `##` heading is a question


class FaqBody(NamedTuple):
    """An FAQ file's paragraphs, its metadata, and which paragraphs are answers."""

    paragraphs: list[Paragraph]
    meta: dict[str, Any]
    answers: frozenset[int]  # indexes into paragraphs; their section is the question


def parse_markdown(text: str) -> Body:
    """Blank-line paragraphs; headings set the section; the first `# ` is the title."""
    paragraphs: list[Paragraph] = []
    meta: dict[str, Any] = {}
    section: str | None = None
    for paragraph, heading in _blocks(text):
        if paragraph:
            paragraphs.append((section, paragraph))
        if heading is None:
            continue
        level, title = heading
        if level == 1 and title and "title" not in meta:
            # The document title labels the whole article, not a section of it.
            meta["title"] = title
        elif title:
            section = title
    return paragraphs, meta


def is_question(level: int, heading: str) -> bool:
    """In an FAQ file: a `##` heading, or a heading of any level that ends in "?"."""
    return bool(heading) and (level == QUESTION_LEVEL or heading.endswith("?"))


def parse_faq(text: str) -> FaqBody:
    """Each question heading and all the text up to the next heading become one answer.

    Other headings work as in an article (the first `# ` is the title, the rest sections), and
    text outside any question stays ordinary paragraphs; a question without text is dropped.
    """
    paragraphs: list[Paragraph] = []
    meta: dict[str, Any] = {}
    answers: set[int] = set()
    section: str | None = None
    question: str | None = None  # the question whose answer is being read
    answer: list[str] = []
    for paragraph, heading in [*_blocks(text), ("", (0, ""))]:  # a last heading closes all
        if paragraph:
            if question:
                answer.append(paragraph)
            else:
                paragraphs.append((section, paragraph))
        if heading is None:
            continue
        if question and answer:
            answers.add(len(paragraphs))
            paragraphs.append((question, " ".join(answer)))
        question, answer = None, []
        level, title = heading
        if is_question(level, title):
            question = title
        elif level == 1 and title and "title" not in meta:
            meta["title"] = title
        elif title:
            section = title
    return FaqBody(paragraphs, meta, frozenset(answers))


def _blocks(text: str) -> Iterator[tuple[str, tuple[int, str] | None]]:
    """(paragraph, the heading that ended it as (level, text), or None) for each block."""
    block: list[str] = []
    for line in [*text.split("\n"), ""]:
        heading = _HEADING_RE.match(line.strip())
        if line.strip() and not heading and not _RULE_RE.match(line):
            block.append(line)
            continue
        found = (len(heading.group(1)), _clean_inline(heading.group(2))) if heading else None
        yield _join_block(block), found
        block = []


def _join_block(block: list[str]) -> str:
    """Join a block's lines into one paragraph, keeping list items apart with "; "."""
    paragraph = ""
    for line in block:
        item = _LIST_ITEM_RE.match(line)
        text = _clean_inline(item.group(1) if item else line.lstrip(" >"))
        # An intro line ending in ":" reads fine before its items; bare items need "; ".
        joiner = "; " if item and not paragraph.endswith((":", ";", ".", ",")) else " "
        paragraph = f"{paragraph}{joiner}{text}" if paragraph else text
    return " ".join(paragraph.split())


def _clean_inline(text: str) -> str:
    """Drop link targets and emphasis markers that would pollute search and answers."""
    return _EMPHASIS_RE.sub("", _LINK_RE.sub(r"\1", text)).strip()
