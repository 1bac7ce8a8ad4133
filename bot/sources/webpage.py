"""HTML pages (saved files or fetched) → Articles: main text and metadata via trafilatura."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from datetime import datetime
from pathlib import Path

import trafilatura
from trafilatura.settings import Document

from bot.core.models import Article
from bot.sources.knowledge import KnowledgeFileError, derive_title, read_bytes, split_passages
from bot.sources.markdown import parse_markdown

log = logging.getLogger(__name__)
NO_MAIN_TEXT = "không trích được nội dung chính của trang (chỉ có menu, trống hoặc không phải HTML)"
# Dates from the page's metadata only: a full-text search would take any date quoted in the
# article (a decree's, a deadline) for the publication date.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}

# Each unextractable page is reported once, in Vietnamese, by the caller; trafilatura's own
# English log lines about the same page would only repeat it as noise on the terminal.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def load_html_file(path: Path, source: str, max_words: int = 120) -> Article:
    """Parse a saved page; its citation url is the page's canonical address, if it names one."""
    return article_from_html(read_bytes(path), source, where=path, max_words=max_words)


def article_from_html(
    html: bytes | str,
    source: str,
    *,
    where: Path | str,
    url: str | None = None,
    published: datetime | None = None,
    max_words: int = 120,
) -> Article:
    """Main text split into passages, with title, date, author and canonical url of the page.

    `url` is where the page was fetched (kept when it names no canonical address) and
    `published` the date a feed or sitemap gives, used when the page itself has none.
    """
    document = _extract(html, url, where)
    paragraphs, body_meta = parse_markdown(document.text or "")
    passages = split_passages(paragraphs, max_words)
    if not passages:
        raise KnowledgeFileError(where, NO_MAIN_TEXT)
    page_date = _iso_date(document.date)
    article = Article(
        source=source,
        title=document.title or body_meta.get("title") or derive_title(paragraphs, Path(source)),
        passages=passages,
        content_hash="",
        url=document.url or url,
        published=page_date or published,
        author=document.author,
        publisher=document.sitename,
    )
    return dataclasses.replace(article, content_hash=_content_hash(article))


def _extract(html: bytes | str, url: str | None, where: Path | str) -> Document:
    """trafilatura's document in Markdown (headings mark sections), or an error naming `where`."""
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_formatting=True,
            # Precision drops the menu-only fallback text a page without an article yields.
            favor_precision=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception as exc:  # a third-party parser on arbitrary input: any failure is "no text"
        log.debug("trafilatura failed on %s", where, exc_info=True)
        raise KnowledgeFileError(where, NO_MAIN_TEXT) from exc
    if not isinstance(document, Document):  # None: nothing worth keeping was found
        raise KnowledgeFileError(where, NO_MAIN_TEXT)
    return document


def _iso_date(value: str | None) -> datetime | None:
    """trafilatura's YYYY-MM-DD date, or None when absent or malformed."""
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _content_hash(article: Article) -> str:
    """Hash of what is stored, not of the bytes: rotating ads or tokens must not look like edits."""
    fields: list[object] = [article.title, article.url, article.author, article.publisher]
    fields.append(article.published.isoformat() if article.published else None)
    fields.append([[p.section, p.text] for p in article.passages])
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()
