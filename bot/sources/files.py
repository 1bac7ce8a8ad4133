"""One knowledge file of any supported kind → an Article, chosen by its suffix."""

from __future__ import annotations

from pathlib import Path

from bot.core.models import Article
from bot.sources.knowledge import HTML_SUFFIXES, load_text_file


def load_article(path: Path, source: str | None = None, max_words: int = 120) -> Article:
    """Parse one knowledge file (plus its sidecar) into an Article."""
    if path.suffix.lower() in HTML_SUFFIXES:
        # Imported on demand: trafilatura adds ~0.3 s to every start-up, and few folders hold HTML.
        from bot.sources.webpage import load_html_file

        return load_html_file(path, source if source is not None else str(path), max_words)
    return load_text_file(path, source, max_words)
