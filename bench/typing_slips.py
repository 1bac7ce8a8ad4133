"""Typing slips on BEIR dev sets: questions read differently as asked, and one slip injected.

For each dataset (whole corpus as the knowledge base, questions as written and folded):
- how many questions `bot.core.spelling.corrections` reads differently, and MRR@10 with and
  without the reading;
- one slip (a swap, a missing, an extra or a neighbouring key, so the word is no syllable) put
  into one content word of ≥ 4 letters of each question, chosen by a hash of the question id:
  how many slips are read as the word meant, how many as another word, and MRR@10 both ways.

    python bench/typing_slips.py ../shared/eval/dev/alqac ../shared/eval/dev/legal_faq
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
from pathlib import Path

import numpy as np

from bot.core.index import BM25Index, Postings
from bot.core.spelling import apply, corrections, is_syllable
from bot.core.text import WORD_RE, TextPipeline, fold
from bot.engine import bm25_params
from bot.evaluation.beir import (
    Dataset,
    article_passages,
    load_dataset,
    score_rankings,
    top_articles,
)
from bot.settings import Settings
from bot.sources.parallel import terms_for_all

KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def neighbour_keys(c: str) -> list[str]:
    for row in KEY_ROWS:
        if c in row:
            i = row.index(c)
            return [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
    return []


def inject(word: str, rng: random.Random) -> str | None:
    """One typing slip that leaves no Vietnamese syllable, or None."""
    for _ in range(20):
        kind, i = rng.choice(("swap", "delete", "insert", "replace")), rng.randrange(len(word))
        keys = neighbour_keys(word[i])
        if kind == "swap" and i < len(word) - 1:
            typed = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif kind == "delete":
            typed = word[:i] + word[i + 1 :]
        elif kind == "insert":
            typed = word[:i] + rng.choice(keys or [word[i]]) + word[i:]
        elif kind == "replace" and keys:
            typed = word[:i] + rng.choice(keys) + word[i + 1 :]
        else:
            continue
        if typed != word and not is_syllable(typed):
            return typed
    return None


class Bench:
    def __init__(self, ds: Dataset):
        self.ds, self.pipe, settings = ds, TextPipeline(), Settings()
        passages = [article_passages(t, settings.max_passage_words) for t in ds.texts]
        self.article_of = np.repeat(np.arange(len(passages)), [len(p) for p in passages])
        terms = terms_for_all(self.pipe, ds.titles + [p for ps in passages for p in ps])
        titles, bodies = terms[: len(ds.titles)], terms[len(ds.titles) :]
        lists = (titles[a] * settings.title_weight + b for a, b in zip(self.article_of, bodies))
        self.index = BM25Index(Postings.build(lists), bm25_params(settings))

    def reserved(self, word: str) -> bool:
        return self.pipe.spell_out(word) is not None or self.pipe.expand(word) is not None

    def fixes(self, text: str) -> tuple:
        return corrections(text, self.index.doc_freq, self.reserved)

    def mrr(self, questions: dict[str, str], read: bool) -> float:
        def rank(q: str) -> list[str]:
            q = apply(q, self.fixes(q)) if read else q
            found = top_articles(self.index, self.article_of, self.pipe.terms(q))
            return [self.ds.doc_ids[d] for d in found]

        rankings = {qid: rank(q) for qid, q in questions.items()}
        return score_rankings("", rankings, self.ds.qrels).mrr10

    def slipped(self, questions: dict[str, str]) -> tuple[dict[str, str], dict[str, tuple]]:
        out, slips = dict(questions), {}
        for qid, text in questions.items():
            rng = random.Random(hashlib.sha1(qid.encode()).hexdigest())
            words = [w for w in WORD_RE.findall(text) if self._content(w)]
            typed = inject(fold(word := rng.choice(words)).lower(), rng) if words else None
            if typed:
                out[qid] = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", typed, text, count=1)
                slips[qid] = (typed, fold(word.lower()))
        return out, slips

    def _content(self, word: str) -> bool:
        folded = fold(word.lower())
        syllable = self.pipe.syllables(word)[0]
        return len(folded) >= 4 and folded.isalpha() and not self.pipe.is_stopword(syllable, False)


def report(folder: Path) -> None:
    bench = Bench(load_dataset(folder))
    for name, prepare in (("written", str), ("folded", fold)):
        questions = {q: prepare(t) for q, t in bench.ds.queries.items()}
        changed = [bench.fixes(t) for t in questions.values()]
        print(f"{folder.name} {name}: read differently {sum(map(bool, changed))}")
        print(f"  MRR@10 {bench.mrr(questions, False):.4f} → {bench.mrr(questions, True):.4f}")
        slipped, slips = bench.slipped(questions)
        meant = other = 0
        for qid, (typed, word) in slips.items():
            reading = {f.typed.lower(): f.read_as for f in bench.fixes(slipped[qid])}.get(typed)
            meant, other = meant + (reading == word), other + (reading not in (None, word))
        before, after = bench.mrr(slipped, False), bench.mrr(slipped, True)
        print(f"  one slip in {len(slips)}: read as meant {meant}, as another word {other}")
        print(f"  MRR@10 with the slips {before:.4f} → {after:.4f}")


def main(folders: list[str]) -> None:
    for folder in folders:
        report(Path(folder))


if __name__ == "__main__":
    main(sys.argv[1:])
