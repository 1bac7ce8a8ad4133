"""Telegram HTML: escaped text, bold marks, links, and messages split to fit 4096 characters."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.core.formatting import Markup

TELEGRAM_LIMIT = 4096
TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class HtmlMarkup(Markup):
    """Telegram's HTML parse mode: everything escaped, emphasis as <b>, titles as links."""

    bold_open: str = "<b>"
    bold_close: str = "</b>"

    def escape(self, text: str) -> str:
        return html.escape(text, quote=False)

    def link(self, title: str, url: str | None) -> str:
        if not url or not url.startswith(("http://", "https://")):
            return title
        return f'<a href="{html.escape(url, quote=True)}">{title}</a>'


HTML = HtmlMarkup()


def utf16_length(text: str) -> int:
    """Telegram counts lengths in UTF-16 code units: an emoji outside the BMP counts two."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def plain_length(fragment: str) -> int:
    """Length as Telegram counts it: UTF-16 units of the text after entities are parsed."""
    return utf16_length(html.unescape(TAG_RE.sub("", fragment)))


def utf16_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units."""
    units = 0
    for count, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return count
    return len(text)


def cut_plain(text: str, limit: int) -> str:
    """Plain text cut to at most `limit` UTF-16 units at a space, ending with '…'."""
    if utf16_length(text) <= limit:
        return text
    end = utf16_prefix(text, limit - 1)
    space = text.rfind(" ", 0, end)
    return text[: space if space > 0 else end].rstrip() + "…"


def _hard_split(block: str, limit: int) -> list[str]:
    """Last resort for one oversized paragraph: drop its markup, cut at spaces, re-escape."""
    text = html.unescape(TAG_RE.sub("", block))
    pieces: list[str] = []
    while utf16_length(text) > limit:
        end = max(utf16_prefix(text, limit), 1)
        cut = text.rfind(" ", 0, end)
        cut = cut if cut > 0 else end
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    pieces.append(text)
    return [html.escape(p, quote=False) for p in pieces if p]


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Messages of at most `limit` UTF-16 units (Telegram's count), cut between paragraphs,
    then lines, then words."""
    chunks: list[str] = []
    current = ""
    for block in _blocks(text, limit):
        joined = f"{current}\n\n{block}" if current else block
        if plain_length(joined) <= limit:
            current = joined
            continue
        if current:
            chunks.append(current)
        current = block
    if current:
        chunks.append(current)
    return _balanced(chunks)


def _balanced(chunks: list[str]) -> list[str]:
    """Each part valid HTML on its own: a tag open at a cut (a long <pre> report) is closed at
    the end of its part and opened again at the start of the next; stray closings dropped."""
    out: list[str] = []
    opened: list[tuple[str, str]] = []  # (opening tag as written, tag name), carried over
    for chunk in chunks:
        text = "".join(tag for tag, _ in opened)
        end = 0
        for match in TAG_RE.finditer(chunk):
            text += chunk[end : match.start()] + _track(match.group(0), opened)
            end = match.end()
        text += chunk[end:]
        out.append(text + "".join(f"</{name}>" for _, name in reversed(opened)))
    return out


def _track(tag: str, opened: list[tuple[str, str]]) -> str:
    """Update `opened` with one tag; returns it, or '' for a closing tag nothing opened."""
    name = (tag.strip("</>").split() or [""])[0].lower()
    if not tag.startswith("</"):
        opened.append((tag, name))
        return tag
    if opened and opened[-1][1] == name:
        opened.pop()
        return tag
    return ""


def _blocks(text: str, limit: int) -> list[str]:
    """Paragraphs no longer than `limit`; an oversized one is cut by lines, then by words."""
    blocks: list[str] = []
    for paragraph in text.split("\n\n"):
        if plain_length(paragraph) <= limit:
            blocks.append(paragraph)
            continue
        for line in paragraph.split("\n"):
            blocks += [line] if plain_length(line) <= limit else _hard_split(line, limit)
    return blocks
