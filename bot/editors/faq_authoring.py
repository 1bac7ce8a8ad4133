"""FAQ entries editors write from Telegram: one Markdown file each, in the knowledge folder.

Each entry is an ordinary FAQ file (front matter `type: faq`, the question as a `##` heading,
the answer below), so editors can also open, correct or delete it by hand; the bot lists,
corrects and withdraws only the files of its own sub-folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from bot.core.text import fold

FOLDER = "hoi-dap-bien-tap"  # under the knowledge folder
SLUG_WORDS = 8
ENTRY_RE = re.compile(
    r"\A---\n(?P<meta>.*?)\n---\n+## (?P<question>[^\n]+)\n+(?P<answer>.*)\Z", re.S
)


@dataclass(frozen=True)
class Entry:
    path: Path
    question: str
    answer: str
    author: str
    published: str


def entries_folder(knowledge_dir: Path) -> Path:
    return knowledge_dir / FOLDER


def _slug(question: str) -> str:
    words = re.findall(r"[a-z0-9]+", fold(question.lower()))[:SLUG_WORDS]
    return "-".join(words) or "cau-hoi"


def _render(question: str, answer: str, author: str, published: str) -> str:
    meta = {
        "title": f"Hỏi đáp: {question}",
        "type": "faq",
        "author": author,
        "published": published,
    }
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip()
    return f"---\n{head}\n---\n\n## {question}\n\n{answer.strip()}\n"


def write_entry(knowledge_dir: Path, question: str, answer: str, author: str, today: date) -> Path:
    """A new FAQ file for `question`; never overwrites another one."""
    folder = entries_folder(knowledge_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stem, n = f"{today.isoformat()}-{_slug(question)}", 1
    path = folder / f"{stem}.md"
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.md"
    text = _render(" ".join(question.split()), answer, author, today.isoformat())
    path.write_text(text, encoding="utf-8")
    return path


def read_entry(path: Path) -> Entry | None:
    """The entry a file holds, or None when it is not one the bot wrote (edited beyond it)."""
    try:
        match = ENTRY_RE.match(path.read_text(encoding="utf-8"))
        meta = yaml.safe_load(match["meta"]) if match else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not match or not isinstance(meta, dict):
        return None
    author, published = str(meta.get("author", "")), str(meta.get("published", ""))
    return Entry(path, match["question"].strip(), match["answer"].strip(), author, published)


def list_entries(knowledge_dir: Path) -> list[Entry]:
    """The bot-written entries, oldest first."""
    folder = entries_folder(knowledge_dir)
    paths = sorted(folder.glob("*.md")) if folder.is_dir() else []
    return [e for e in map(read_entry, paths) if e is not None]


def correct_entry(entry: Entry, answer: str, today: date) -> None:
    """A new answer for the same question; the date says when it changed."""
    entry.path.write_text(
        _render(entry.question, answer, entry.author, today.isoformat()), encoding="utf-8"
    )


def withdraw_entry(entry: Entry) -> None:
    entry.path.unlink(missing_ok=True)
