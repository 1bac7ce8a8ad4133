"""The engine ranks passages with their whole article's score added (BOT_ARTICLE_WEIGHT)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.text import TextPipeline
from tests.helpers.files import make_settings, markdown, open_kb, write
from tests.helpers.spread_answer import ARTICLES, QUESTION


@pytest.mark.parametrize(("weight", "expected"), [(0.5, "spread"), (0.0, "one")])
async def test_the_first_source_is_the_article_answering_across_its_passages(
    tmp_path: Path, pipeline: TextPipeline, weight: float, expected: str
) -> None:
    folder = tmp_path / "procedures"
    for n, paragraphs in enumerate(ARTICLES.values(), start=1):
        write(folder / f"{n}.md", markdown(f"Hướng dẫn số {n}", paragraphs))
    settings = make_settings(tmp_path, folder, article_weight=weight)
    async with open_kb(settings, pipeline) as kb:
        answer = await kb.ask(QUESTION)
    assert answer.hits[0].citation.title == f"Hướng dẫn số {list(ARTICLES).index(expected) + 1}"
