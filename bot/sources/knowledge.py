"""Load knowledge files (Markdown, scraped plain text, saved HTML) into Articles with passages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import frontmatter

from bot.core.models import Article, Passage
from bot.core.sentences import SENTENCE_END, sentence_units
from bot.sources.folders import Entry, scan_folder
from bot.sources.front_matter import MetaError, parse_date, parse_meta
from bot.sources.markdown import Body, Paragraph, parse_faq, parse_markdown

HTML_SUFFIXES = (".html", ".htm")
KNOWLEDGE_SUFFIXES = (".md", ".markdown", ".txt", *HTML_SUFFIXES)
SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml")

_TIMESTAMP_RE = re.compile(r"^\d{1,2}:\d{2} \d{1,2}/\d{1,2}/\d{4}$")
_YAML = frontmatter.YAMLHandler()


class KnowledgeFileError(Exception):
    """A knowledge file (or its sidecar), or a web address, that cannot become an Article."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path  # a Path for files, the URL text for web pages
        self.reason = reason


def scan_knowledge(paths: Iterable[Path]) -> tuple[list[Path], list[KnowledgeFileError]]:
    """Folders expanded into sorted knowledge files, explicit files kept as given; plus what
    in those folders could not be read (broken symlinks, unreadable sub-folders)."""
    found: list[Path] = []
    problems: list[KnowledgeFileError] = []
    for path in map(Path, paths):
        if path.is_dir():
            scan = scan_folder(path)
            found.extend(sorted(e.path for e in scan.entries if _is_knowledge_file(e)))
            problems += [KnowledgeFileError(p.path, p.reason) for p in scan.problems]
        elif path.is_file():
            found.append(path)
        else:
            raise KnowledgeFileError(path, "không tìm thấy tệp hoặc thư mục")
    # A file reachable from two arguments must not be indexed twice.
    return list(dict.fromkeys(found)), problems


def iter_knowledge_files(paths: Iterable[Path]) -> list[Path]:
    """The knowledge files of scan_knowledge, without its problems."""
    return scan_knowledge(paths)[0]


def folder_problem(folder: Path) -> str | None:
    """Why `folder` cannot serve as the knowledge folder (missing, not a folder, no articles)."""
    if not folder.exists():
        return f"không có thư mục kho tri thức {folder}"
    if not folder.is_dir():
        return f"{folder} không phải là thư mục"
    try:
        found = iter_knowledge_files([folder])
    except OSError as exc:
        return f"không đọc được thư mục kho tri thức {folder}: {exc.strerror or exc}"
    if not found:
        suffixes = ", ".join(KNOWLEDGE_SUFFIXES)
        return f"thư mục kho tri thức {folder} không có bài viết nào ({suffixes})"
    return None


def _is_knowledge_file(entry: Entry) -> bool:
    """True for a file with a knowledge suffix (sidecars are .yaml; hidden ones never listed)."""
    return entry.is_file and entry.path.suffix.lower() in KNOWLEDGE_SUFFIXES


def load_text_file(path: Path, source: str | None = None, max_words: int = 120) -> Article:
    """Parse one Markdown or scraped-text file (plus its sidecar) into an Article."""
    data, text = _read(path)
    if not text.strip():
        raise KnowledgeFileError(path, "tệp rỗng")
    file_meta, body_text = _split_front_matter(path, text)
    sidecar_data, sidecar_meta = _read_sidecar(path)
    answers: frozenset[int] = frozenset()
    if {**file_meta, **sidecar_meta}.get("faq"):
        paragraphs, body_meta, answers = parse_faq(body_text)
    else:
        paragraphs, body_meta = _parse_body(path, text, body_text)
    meta = {**body_meta, **file_meta, **sidecar_meta}
    passages = split_passages(paragraphs, max_words, answers)
    if not passages:
        raise KnowledgeFileError(path, "không có đoạn văn nào")
    return Article(
        source=source if source is not None else str(path),
        title=meta.get("title") or derive_title(paragraphs, path),
        passages=passages,
        content_hash=hashlib.sha256(data + sidecar_data).hexdigest(),
        url=meta.get("url"),
        published=meta.get("published"),
        author=meta.get("author"),
        publisher=meta.get("publisher"),
        tags=meta.get("tags", ()),
    )


def _parse_body(path: Path, text: str, body_text: str) -> Body:
    """An article's body, as Markdown or as scraped text."""
    suffix = path.suffix.lower()
    # Front matter marks Markdown, except in .txt where it only adds metadata to scraped text.
    is_markdown = suffix in (".md", ".markdown") or (_YAML.detect(text) and suffix != ".txt")
    return (parse_markdown if is_markdown else _parse_text)(body_text)


def read_bytes(path: Path) -> bytes:
    """A knowledge file's bytes; unreadable and binary files are reported by name."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KnowledgeFileError(path, f"không đọc được: {exc.strerror or exc}") from exc
    if b"\x00" in data:
        raise KnowledgeFileError(path, "tệp nhị phân")
    return data


def _read(path: Path) -> tuple[bytes, str]:
    """Read raw bytes and strict UTF-8 text (BOM allowed), rejecting binary files."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Guessing cp1258/latin-1 would silently index mojibake; the owner must re-save.
        raise KnowledgeFileError(path, "không đọc được: không phải UTF-8") from exc
    return data, text.replace("\r\n", "\n").replace("\r", "\n")


def _read_sidecar(path: Path) -> tuple[bytes, dict[str, Any]]:
    """Bytes and metadata of `<file>.meta.yaml` or `<stem>.meta.yaml`, if one exists."""
    names = [base + suffix for base in (path.name, path.stem) for suffix in SIDECAR_SUFFIXES]
    sidecar = next((path.with_name(n) for n in names if path.with_name(n).is_file()), None)
    if sidecar is None:
        return b"", {}
    data, text = _read(sidecar)
    return data, _parse_meta(sidecar, text, "sidecar hỏng")


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    """Separate a leading `---` YAML block from the body and normalise it."""
    if not _YAML.detect(text):
        return {}, text
    try:
        raw_meta, body = _YAML.split(text)
    except ValueError as exc:
        raise KnowledgeFileError(path, "front matter hỏng: thiếu dòng --- đóng") from exc
    return _parse_meta(path, raw_meta, "front matter hỏng"), body


def _parse_meta(path: Path, yaml_text: str, problem: str) -> dict[str, Any]:
    """Load a YAML block's metadata; a bad or oversized one names the file."""
    try:
        return parse_meta(yaml_text)
    except MetaError as exc:
        raise KnowledgeFileError(path, f"{problem}: {exc}") from exc


def _parse_text(text: str) -> Body:
    """One paragraph per line; a leading timestamp enables byline and noise detection."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    published = _parse_timestamp(lines[0]) if lines else None
    if published is None:
        return [(None, line) for line in lines], {}
    paragraphs: list[Paragraph] = []
    meta: dict[str, Any] = {"published": published}
    for line in lines[1:]:
        # Scraped pages append related-news timestamps and headlines after the article.
        if _parse_timestamp(line) is not None:
            break
        if paragraphs and _is_byline(line):
            meta["author"] = line
            break
        paragraphs.append((None, line))
    return paragraphs, meta


def _parse_timestamp(line: str) -> datetime | None:
    """Parse a whole line of the scraper's `HH:MM DD/MM/YYYY` form, else None."""
    return parse_date(line) if _TIMESTAMP_RE.match(line) else None


def _is_byline(line: str) -> bool:
    """A short, fully capitalised line without final punctuation, e.g. "Hoàng Minh"."""
    words = line.split()
    short = 0 < len(words) <= 5 and not line.endswith((*SENTENCE_END, ":", ";", ","))
    return short and all(word[0].isupper() for word in words)


def split_passages(
    paragraphs: Iterable[Paragraph], max_words: int = 120, answers: Collection[int] = ()
) -> tuple[Passage, ...]:
    """Split (section, paragraph) pairs into passages of at most max_words words.

    The paragraphs whose index is in `answers` are FAQ answers: their section is the question.
    """
    if max_words < 1:
        raise ValueError("max_words must be at least 1")
    passages: list[Passage] = []
    for n, (section, paragraph) in enumerate(paragraphs):
        chunks: list[list[str]] = []
        # Greedy packing keeps whole sentences together whenever they fit.
        for unit in sentence_units(paragraph.split(), max_words):
            if chunks and len(chunks[-1]) + len(unit) <= max_words:
                chunks[-1].extend(unit)
            else:
                chunks.append(unit)
        for chunk in chunks:
            passages.append(Passage(len(passages), " ".join(chunk), section, n in answers))
    return tuple(passages)


def derive_title(paragraphs: list[Paragraph], path: Path) -> str:
    """First sentence of the first paragraph, cut to 12 words with "…"."""
    words = paragraphs[0][1].split() if paragraphs else []
    sentence = next(iter(sentence_units(words, max(len(words), 1))), [])
    if len(sentence) > 12:
        return " ".join(sentence[:12]).rstrip(",;:") + "…"
    return " ".join(sentence).rstrip(".") or path.stem
