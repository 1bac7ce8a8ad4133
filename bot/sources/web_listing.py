"""Read the pages a sitemap or an RSS/Atom feed lists, with the date each listing gives."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import urldefrag, urljoin

import feedparser
from lxml import etree

SITEMAP_ROOTS = {"urlset": False, "sitemapindex": True}


class Listed(NamedTuple):
    """A page (or child sitemap) named by a listing, and the date the listing gives it."""

    url: str
    published: datetime | None


@dataclass(frozen=True)
class Sitemap:
    """A `<urlset>` of pages, or a `<sitemapindex>` of further sitemaps."""

    is_index: bool
    entries: list[Listed]


def sitemap_entries(body: bytes) -> Sitemap | None:
    """The sitemap's `<loc>`/`<lastmod>` entries, or None when the body is no sitemap."""
    # No entities, DTDs or network: a hostile sitemap must not read local files or hosts.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(body.lstrip(), parser)
    except etree.XMLSyntaxError:
        return None
    is_index = SITEMAP_ROOTS.get(etree.QName(root).localname)
    if is_index is None:
        return None
    entries = []
    for element in root.iterfind("{*}sitemap" if is_index else "{*}url"):
        loc = (element.findtext("{*}loc") or "").strip()
        lastmod = _iso_datetime(element.findtext("{*}lastmod"))
        if loc:
            entries.append(Listed(urldefrag(loc).url, lastmod))
    return Sitemap(is_index, entries)


def feed_pages(body: bytes, base_url: str) -> list[Listed] | None:
    """Each RSS/Atom item's link (resolved against the feed), or None when it is no feed."""
    # Bytes, never a string: feedparser would fetch a string that looks like an address itself.
    feed = feedparser.parse(body, response_headers={"content-location": base_url})
    if not feed.get("version"):
        return None
    return [
        Listed(urldefrag(urljoin(base_url, entry.link)).url, _entry_date(entry))
        for entry in feed.entries
        if entry.get("link")
    ]


def _entry_date(entry: Any) -> datetime | None:
    """The item's publish (else update) date on the publisher's clock, as its pages show it."""
    for key in ("published", "updated"):
        raw = entry.get(key)
        if raw and (parsed := _rfc822_datetime(raw) or _iso_datetime(raw)):
            return parsed
    # feedparser's own parse knows odder formats, but only as UTC, which can shift the day.
    parsed_time = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed_time[:6]) if parsed_time else None


def _rfc822_datetime(text: str) -> datetime | None:
    """RSS's `Thu, 02 May 2024 08:30:00 +0700` as a naive local datetime."""
    try:
        return email.utils.parsedate_to_datetime(text).replace(tzinfo=None)
    except (TypeError, ValueError):
        return None


def _iso_datetime(text: str | None) -> datetime | None:
    """Atom's and sitemaps' W3C datetime (or bare date) as a naive local datetime."""
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=None) if text else None
    except ValueError:
        return None
