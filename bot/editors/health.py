"""Knowledge health: what editors should fix in the articles and the abbreviation table."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.core.text import WORD_RE, TextPipeline, fold, fold_text
from bot.settings import Settings
from bot.sources.files import load_article
from bot.sources.knowledge import KnowledgeFileError, derive_title, scan_knowledge
from bot.store.database import Store

SHORT_WORDS = 5  # fewer words than this rarely answer anything on their own
LONG_FACTOR = 1.5  # passages longer than max_passage_words by this much were split badly
# One Vietnamese syllable, accents folded: onset, vowel cluster, final consonant. A capitalised
# token that is not one ("GPKD", "ĐKKD") is an abbreviation; "XIN", "ĐƯỢC" are just shouting.
SYLLABLE_RE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?"
)
MISSING_LABELS = {"title": "tiêu đề", "date": "ngày đăng", "url": "đường dẫn", "author": "tác giả"}


@dataclass(frozen=True)
class ArticleGap:
    """An article lacking citation details (a warning: it still answers, its citation is thin).

    `missing` holds "title", "date", "url" and/or "author".
    """

    source: str
    title: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class BrokenFile:
    """A file in the knowledge folder that cannot become an article, so nothing of it answers."""

    path: str
    reason: str


@dataclass(frozen=True)
class DuplicatePassage:
    """The same passage text (accents and punctuation aside) in several articles."""

    excerpt: str
    titles: tuple[str, ...]


@dataclass(frozen=True)
class PassageSize:
    """A passage too long or too short to make a good cited answer."""

    title: str
    position: int
    words: int
    excerpt: str


@dataclass(frozen=True)
class UnknownAbbreviation:
    word: str
    asked: int  # unanswered questions that used it


@dataclass(frozen=True)
class HealthReport:
    """What `check` found: problems (`ok` when none) and warnings (citation gaps) apart."""

    articles: int
    passages: int
    gaps: tuple[ArticleGap, ...]
    duplicates: tuple[DuplicatePassage, ...]
    too_long: tuple[PassageSize, ...]
    too_short: tuple[PassageSize, ...]
    abbreviations: tuple[UnknownAbbreviation, ...]
    long_limit: int
    broken: tuple[BrokenFile, ...] = ()

    @property
    def problems(self) -> int:
        found = (self.broken, self.duplicates, self.too_long, self.too_short, self.abbreviations)
        return sum(map(len, found)) + (self.articles == 0)

    @property
    def warnings(self) -> int:
        return len(self.gaps)

    @property
    def ok(self) -> bool:
        return self.problems == 0


def excerpt(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def title_was_derived(title: str, source: str, first_passage: str | None) -> bool:
    """True when the loader made the title up (no title in the file): it is the first sentence."""
    if not title.strip():
        return True
    # Recompute with the loader's own rule, so this check cannot drift from it.
    paragraphs: list[tuple[str | None, str]] = [(None, first_passage)] if first_passage else []
    return title == derive_title(paragraphs, Path(source)) or title == Path(source).stem


async def _article_gaps(store: Store) -> list[ArticleGap]:
    query = (
        "SELECT a.source, a.title, a.published, a.url, a.author, p.text FROM articles a"
        " LEFT JOIN passages p ON p.article_id = a.id AND p.position = 0"
        " ORDER BY a.title, a.source"
    )
    gaps = []
    async with store.db.execute(query) as cur:
        async for source, title, published, url, author, first in cur:
            missing = (
                ("title",) * title_was_derived(title, source, first)
                + ("date",) * (not published)
                + ("url",) * (not (url or "").strip())
                + ("author",) * (not (author or "").strip())
            )
            if missing:
                gaps.append(ArticleGap(source, title, missing))
    return gaps


def passage_key(text: str) -> str:
    """Passage text with case, accents and punctuation dropped: what makes two the same."""
    return " ".join(WORD_RE.findall(fold_text(text.lower())))


async def _passage_problems(
    store: Store, long_limit: int
) -> tuple[list[DuplicatePassage], list[PassageSize], list[PassageSize]]:
    """(duplicated across articles, too long, too short) passages."""
    query = (
        "SELECT p.article_id, p.position, p.text, a.title FROM passages p"
        " JOIN articles a ON a.id = p.article_id ORDER BY a.title, p.article_id, p.position"
    )
    seen: dict[str, dict[int, str]] = defaultdict(dict)  # key → article id → title
    first_text: dict[str, str] = {}
    too_long, too_short = [], []
    async with store.db.execute(query) as cur:
        async for article_id, position, text, title in cur:
            size = PassageSize(title, position, len(text.split()), excerpt(text))
            if size.words > long_limit:
                too_long.append(size)
            elif size.words < SHORT_WORDS:
                too_short.append(size)
            key = passage_key(text)
            seen[key].setdefault(article_id, title)
            first_text.setdefault(key, text)
    duplicates = [
        DuplicatePassage(excerpt(first_text[key]), tuple(articles.values()))
        for key, articles in seen.items()
        if len(articles) > 1
    ]
    return duplicates, too_long, too_short


def looks_like_abbreviation(word: str, pipeline: TextPipeline) -> bool:
    """2–8 letters typed in capitals (or with đ), not a syllable, not in the abbreviation table."""
    if not (2 <= len(word) <= 8 and word.isalpha()):
        return False
    if not (word.isupper() or "đ" in word.lower()):
        return False
    if pipeline.expand(word) or pipeline.expand(fold_text(word)) or pipeline.spell_out(word):
        return False
    return SYLLABLE_RE.fullmatch(fold(word.lower())) is None


async def _unknown_abbreviations(store: Store, pipeline: TextPipeline) -> list[UnknownAbbreviation]:
    """Abbreviation-like words of unanswered questions, by how many questions used them."""
    counts: Counter[str] = Counter()
    query = "SELECT question FROM questions WHERE answered = 0 AND question IS NOT NULL"
    async with store.db.execute(query) as cur:
        async for (question,) in cur:
            words = WORD_RE.findall(unicodedata.normalize("NFC", question))
            # Counted once a question, and "đk" with "ĐK": the same abbreviation either way.
            counts.update({w.upper() for w in words if looks_like_abbreviation(w, pipeline)})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [UnknownAbbreviation(word, n) for word, n in ranked]


def broken_files(folder: Path, max_words: int) -> list[BrokenFile]:
    """Files of the knowledge folder that fail to load (read again: the DB keeps no record)."""
    if not folder.is_dir():
        return []  # a bot fed only from the web has no folder, and that is fine
    files, problems = scan_knowledge([folder])  # broken symlinks, unreadable sub-folders
    broken = [BrokenFile(str(p.path), p.reason) for p in problems]
    for path in files:
        try:
            load_article(path, str(path), max_words)
        except KnowledgeFileError as exc:
            broken.append(BrokenFile(str(path), exc.reason))
    return broken


async def check_knowledge(store: Store, pipeline: TextPipeline, settings: Settings) -> HealthReport:
    """Inspect the stored knowledge base and the unanswered questions."""
    long_limit = int(settings.max_passage_words * LONG_FACTOR)
    duplicates, too_long, too_short = await _passage_problems(store, long_limit)
    articles, passages = await store.counts()
    folder, words = settings.knowledge_dir, settings.max_passage_words
    broken = await asyncio.to_thread(broken_files, folder, words)
    return HealthReport(
        articles,
        passages,
        tuple(await _article_gaps(store)),
        tuple(duplicates),
        tuple(too_long),
        tuple(too_short),
        tuple(await _unknown_abbreviations(store, pipeline)),
        long_limit,
        tuple(broken),
    )


LIST_LIMIT = 20  # longer lists end in "… và N mục khác"; editors fix the top first


def _listed(head: str, lines: list[str]) -> list[str]:
    if not lines:
        return []
    extra = len(lines) - LIST_LIMIT
    more = [f"  … và {extra} mục khác"] if extra > 0 else []
    return ["", f"{head} ({len(lines)}):", *lines[:LIST_LIMIT], *more]


def _summary(report: HealthReport) -> str:
    """'Tìm thấy 2 vấn đề, 1 cảnh báo.' — or that nothing (but warnings) was found."""
    warned = f"{report.warnings} cảnh báo" if report.warnings else ""
    if report.ok:
        return f"Không thấy vấn đề nào; {warned}." if warned else "Không thấy vấn đề nào."
    return f"Tìm thấy {report.problems} vấn đề" + (f", {warned}." if warned else ".")


def health_text(report: HealthReport) -> str:
    """The report in Vietnamese: a summary line, one list per problem, then the warnings."""
    head = f"Kho tri thức: {report.articles} bài, {report.passages} đoạn."
    lines = [f"{head} {_summary(report)}"]
    if report.articles == 0:
        lines.append("Chưa có bài viết nào: hãy nạp bài bằng `python -m bot ingest`.")
    broken = [f"• {b.path}: {b.reason}" for b in report.broken]
    dups = [f"• «{d.excerpt}» trong: {'; '.join(d.titles)}" for d in report.duplicates]
    long_ = [f"• {p.title}, đoạn {p.position + 1}: {p.words} từ" for p in report.too_long]
    short = [f"• {p.title}, đoạn {p.position + 1}: «{p.excerpt}»" for p in report.too_short]
    abbrs = [f"• {a.word}: {a.asked} câu hỏi" for a in report.abbreviations]
    gaps = [
        f"• {r.title} — thiếu {', '.join(MISSING_LABELS[m] for m in r.missing)} ({r.source})"
        for r in report.gaps
    ]
    lines += _listed("Tệp không đọc được (không được nạp)", broken)
    lines += _listed("Đoạn trùng nhau giữa các bài", dups)
    lines += _listed(f"Đoạn quá dài (trên {report.long_limit} từ)", long_)
    lines += _listed(f"Đoạn quá ngắn (dưới {SHORT_WORDS} từ)", short)
    lines += _listed("Từ viết tắt chưa có trong bảng (từ câu hỏi chưa trả lời được)", abbrs)
    lines += _listed("Cảnh báo — bài thiếu thông tin trích dẫn", gaps)
    return "\n".join(lines)
