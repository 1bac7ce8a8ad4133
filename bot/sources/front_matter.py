"""Front matter and sidecar YAML → Article metadata, within limits a hostile file cannot pass.

PyYAML builds nested nodes recursively (a few thousand `[` raise RecursionError) and shares
aliased nodes, so a 1 KB alias bomb expands to gigabytes once a value is turned into text.
Metadata needs neither: aliases are refused, and size, depth and field lengths are capped.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml

MAX_META_BYTES = 16 * 1024  # a front matter block or a sidecar file
MAX_DEPTH = 10  # nested mappings and lists (tags inside the front matter: 2)
MAX_FIELD_CHARS = 1000  # title, url, author, publisher
MAX_TAGS, MAX_TAG_CHARS = 50, 100
META_KEYS = ("title", "url", "published", "author", "publisher", "tags")
FAQ_TYPE = "faq"  # `type: faq` in the front matter or sidecar: a file of questions and answers
DATE_FORMATS = ("%d/%m/%Y", "%H:%M %d/%m/%Y", "%d/%m/%Y %H:%M", "%H:%M:%S %d/%m/%Y")


class MetaError(ValueError):
    """Why a front matter block or sidecar cannot be used, in Vietnamese."""


def _where(mark: Any) -> str:
    """' (dòng N)' for a YAML position, or nothing."""
    return f" (dòng {mark.line + 1})" if mark is not None else ""


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and stops nesting at MAX_DEPTH, before recursing."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise MetaError(f"không dùng alias YAML (*{event.anchor}){_where(event.start_mark)}")
        if self._depth >= MAX_DEPTH:
            raise MetaError(f"lồng nhau quá {MAX_DEPTH} tầng{_where(event.start_mark)}")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_mapping(text: str) -> dict[str, Any]:
    """The YAML mapping in `text` (empty text: {}); MetaError when it is not one."""
    size = len(text.encode("utf-8"))
    if size > MAX_META_BYTES:
        raise MetaError(f"dài {size // 1024} KB, tối đa {MAX_META_BYTES // 1024} KB")
    try:
        loaded = yaml.load(text, Loader=_LimitedLoader) or {}  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        where = _where(getattr(exc, "problem_mark", None))
        raise MetaError(f"{getattr(exc, 'problem', None) or exc}{where}") from exc
    if not isinstance(loaded, dict):
        raise MetaError(f"cần mapping, nhận {type(loaded).__name__}")
    return loaded


def parse_meta(text: str) -> dict[str, Any]:
    """The known keys of a YAML block converted to Article field types (plus `faq`)."""
    loaded = load_mapping(text)
    meta: dict[str, Any] = {}
    for key in (k for k in META_KEYS if loaded.get(k) is not None):
        value = loaded[key]
        if key == "published":
            meta[key] = parse_date(value)
        elif key == "tags":
            meta[key] = _parse_tags(value)
        elif str(value).strip():
            meta[key] = _field_text(key, value)
        if key in meta and meta[key] is None:
            raise MetaError(f"{key} không hợp lệ: {_shown(value)}")
    # Only `faq` means anything; other types (a site generator's "post") change nothing.
    if str(loaded.get("type") or "").strip().casefold() == FAQ_TYPE:
        meta["faq"] = True
    return meta


def _shown(value: object) -> str:
    """A value as an error line quotes it: never more than a few dozen characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _field_text(key: str, value: object) -> str:
    """A one-line field (title, url, author, publisher) as text, within MAX_FIELD_CHARS."""
    if isinstance(value, list | dict):
        raise MetaError(f"{key} phải là một dòng chữ, không phải danh sách hay mapping")
    text = str(value).strip()
    if len(text) > MAX_FIELD_CHARS:
        raise MetaError(f"{key} dài {len(text)} ký tự, tối đa {MAX_FIELD_CHARS}")
    return text


def parse_date(value: object) -> datetime | None:
    """Accept YAML dates, ISO strings and Vietnamese `[HH:MM] DD/MM/YYYY [HH:MM]` forms."""
    if isinstance(value, date):
        # YAML already typed it; a bare date means midnight of that day.
        return (
            value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        )
    text = str(value).strip()
    for fmt in (None, *DATE_FORMATS):
        try:
            return datetime.fromisoformat(text) if fmt is None else datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _parse_tags(value: object) -> tuple[str, ...] | None:
    """Tags come as a YAML list or a comma-separated string; anything else is invalid."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        return None
    if len(items) > MAX_TAGS:
        raise MetaError(f"tags có {len(items)} thẻ, tối đa {MAX_TAGS}")
    if any(isinstance(item, list | dict) for item in items):
        raise MetaError("mỗi thẻ trong tags phải là một từ hoặc cụm từ")
    tags = tuple(str(item).strip() for item in items if item is not None and str(item).strip())
    if long := next((tag for tag in tags if len(tag) > MAX_TAG_CHARS), None):
        raise MetaError(f"thẻ {_shown(long)} dài quá {MAX_TAG_CHARS} ký tự")
    return tags
