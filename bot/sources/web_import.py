"""Web sources for `ingest`: a page, an RSS/Atom feed or a sitemap, fetched and made Articles."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from urllib.parse import urldefrag

import httpx

from bot import __version__
from bot.core.models import Article
from bot.sources.knowledge import KnowledgeFileError
from bot.sources.web_listing import Listed, feed_pages, sitemap_entries
from bot.sources.webpage import article_from_html

USER_AGENT = f"haiphong-egov-bot/{__version__} (e-government Q&A bot; ingest)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
NOT_A_PAGE = "không phải trang HTML, nguồn tin RSS/Atom hay sitemap (kiểu nội dung: {})"


@dataclass(frozen=True)
class FetchLimits:
    """How far one import may go: time per request, bytes per page, parallel requests, depth."""

    timeout: float = 20.0
    max_bytes: int = 5 * 1024 * 1024
    concurrency: int = 4
    max_sitemap_depth: int = 3
    max_pages: int = 5000


@dataclass(frozen=True)
class Fetched:
    """A successful response: its final address (after redirects), media type and body."""

    url: str
    media_type: str
    charset: str | None
    body: bytes


@dataclass
class WebImport:
    """The pages that became Articles and one error per address that did not."""

    articles: list[Article] = field(default_factory=list)
    errors: list[KnowledgeFileError] = field(default_factory=list)


def page_source(url: str) -> str:
    """A page's identity in the DB: its address as given or listed, without the #fragment."""
    return urldefrag(url.strip()).url


async def import_urls(
    urls: Sequence[str], max_words: int = 120, limits: FetchLimits | None = None
) -> WebImport:
    """Fetch every address; feeds and sitemaps bring in the pages they list."""
    limits = limits or FetchLimits()
    sources = list(dict.fromkeys(page_source(u) for u in urls))
    client = httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT}, timeout=limits.timeout, follow_redirects=True
    )
    async with client:
        importer = _Importer(client, limits, max_words, taken=set(sources))
        found = await asyncio.gather(*(importer.source(url) for url in sources))
        listed = [page for page in chain.from_iterable(found) if isinstance(page, Listed)]
        fresh = _first_visits(listed, importer.pages)
        pages = await asyncio.gather(*(importer.page(page) for page in fresh))
    articles = [a for a in chain(chain.from_iterable(found), pages) if isinstance(a, Article)]
    # Completion order varies from run to run; the report should not.
    return WebImport(articles, sorted(importer.errors, key=str))


class _Importer:
    """One import run: the shared client, the request slots, the addresses already taken."""

    def __init__(
        self, client: httpx.AsyncClient, limits: FetchLimits, max_words: int, taken: set[str]
    ) -> None:
        self.client = client
        self.limits = limits
        self.max_words = max_words
        # Apart: an address that failed as a child sitemap may still be listed as a page.
        self.pages = set(taken)
        self.sitemaps = set(taken)
        self.slots = asyncio.Semaphore(limits.concurrency)
        self.errors: list[KnowledgeFileError] = []

    async def source(self, url: str) -> list[Article | Listed]:
        """An argument: a page gives its Article, a feed or a sitemap the pages it lists."""
        try:
            fetched = await self.fetch(url)
            if (sitemap := sitemap_entries(fetched.body)) is not None:
                listed = await self.sitemap(url, sitemap.entries, sitemap.is_index, depth=0)
            elif (items := feed_pages(fetched.body, fetched.url)) is not None:
                listed = items or self.fail(url, "nguồn tin RSS/Atom không có mục nào có liên kết")
            else:
                return [await self.extract(url, fetched)]
        except KnowledgeFileError as exc:
            self.errors.append(exc)
            return []
        if len(listed) > self.limits.max_pages:
            cap = self.limits.max_pages
            self.fail(url, f"liệt kê {len(listed)} trang, chỉ nạp {cap} trang đầu")
        return list(listed[: self.limits.max_pages])

    async def sitemap(
        self, url: str, entries: list[Listed], is_index: bool, depth: int
    ) -> list[Listed]:
        """The pages of a sitemap; an index's child sitemaps are followed a few levels deep."""
        if not is_index:
            return entries or self.fail(url, "sitemap không liệt kê trang nào")
        if depth >= self.limits.max_sitemap_depth:
            return self.fail(url, f"sitemap lồng quá {self.limits.max_sitemap_depth} cấp")
        children = [entry.url for entry in _first_visits(entries, self.sitemaps)]
        found = await asyncio.gather(*(self.child_sitemap(c, depth + 1) for c in children))
        return list(chain.from_iterable(found))

    async def child_sitemap(self, url: str, depth: int) -> list[Listed]:
        """A sitemap named by an index; anything else there is an error, not a page."""
        try:
            fetched = await self.fetch(url)
        except KnowledgeFileError as exc:
            self.errors.append(exc)
            return []
        sitemap = sitemap_entries(fetched.body)
        if sitemap is None:
            return self.fail(url, "không phải sitemap (được nêu trong một sitemap index)")
        return await self.sitemap(url, sitemap.entries, sitemap.is_index, depth)

    async def page(self, listed: Listed) -> Article | None:
        """A page a feed or sitemap lists; its own date wins over the listing's."""
        try:
            return await self.extract(listed.url, await self.fetch(listed.url), listed.published)
        except KnowledgeFileError as exc:
            self.errors.append(exc)
            return None

    async def extract(
        self, source: str, fetched: Fetched, published: datetime | None = None
    ) -> Article:
        """The fetched HTML as an Article, its citation url the final (or canonical) address."""
        if not _is_html(fetched):
            raise KnowledgeFileError(source, NOT_A_PAGE.format(fetched.media_type or "không rõ"))
        return await asyncio.to_thread(
            article_from_html,
            _html_text(fetched),
            source,
            where=source,
            url=fetched.url,
            published=published,
            max_words=self.max_words,
        )

    def fail(self, url: str, reason: str) -> list[Listed]:
        """Record an error for `url`; the empty list lets callers `return self.fail(...)`."""
        self.errors.append(KnowledgeFileError(url, reason))
        return []

    async def fetch(self, url: str) -> Fetched:
        """GET within the request slots; every failure becomes one error naming the address."""
        async with self.slots:
            try:
                return await _get(self.client, url, self.limits.max_bytes)
            except httpx.TimeoutException as exc:
                reason = f"hết thời gian chờ ({self.limits.timeout:g} giây)"
                raise KnowledgeFileError(url, reason) from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise KnowledgeFileError(url, _transport_reason(exc)) from exc


async def _get(client: httpx.AsyncClient, url: str, max_bytes: int) -> Fetched:
    """The response body, refused past `max_bytes` (declared or actually received)."""
    too_big = KnowledgeFileError(url, f"trang lớn hơn {max_bytes / 1024 / 1024:g} MB")
    async with client.stream("GET", url) as response:
        if not response.is_success:
            status = f"{response.status_code} {response.reason_phrase}".strip()
            raise KnowledgeFileError(url, f"máy chủ trả lỗi HTTP {status}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_big
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise too_big
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        return Fetched(str(response.url), media_type, response.charset_encoding, bytes(body))


def _first_visits(listed: list[Listed], taken: set[str]) -> list[Listed]:
    """The entries whose address is not in `taken` yet, each once; `taken` gains them."""
    fresh: list[Listed] = []
    for entry in listed:
        if entry.url not in taken:
            taken.add(entry.url)
            fresh.append(entry)
    return fresh


def _transport_reason(exc: Exception) -> str:
    """A short Vietnamese reason for an httpx failure other than a timeout."""
    detail = f" ({exc})" if str(exc) else ""
    if isinstance(exc, httpx.ConnectError):
        return f"không kết nối được tới máy chủ{detail}"
    if isinstance(exc, httpx.TooManyRedirects):
        return "chuyển hướng quá nhiều lần"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return f"địa chỉ không hợp lệ{detail}"
    return f"lỗi khi tải{detail}"


def _html_text(fetched: Fetched) -> bytes | str:
    """Decoded by the header's charset; without a usable one trafilatura reads <meta charset>."""
    if not fetched.charset:
        return fetched.body
    try:
        return fetched.body.decode(fetched.charset, errors="replace")
    except LookupError:  # a charset name Python does not know
        return fetched.body


def _is_html(fetched: Fetched) -> bool:
    """HTML by its Content-Type, or by its first bytes when the server names no type."""
    if fetched.media_type:
        return fetched.media_type in HTML_TYPES
    head = fetched.body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))
