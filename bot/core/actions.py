"""The administrative action a question asks (cấp lại, đổi, hủy, mất…), and whether a passage
holds it: the one word that tells apart procedures on the same subject."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from bot.core.index import BM25Index
from bot.core.text import ACCENTED_PREFIX, Syllable, TextPipeline, ngrams
from bot.core.text import table_lines as text_table_lines

ACTIONS_FILE = "actions.tsv"
NOT_ACTION = "-"  # the first column of a wording that contains an action's but is none


def table_lines(extra: Path | None = None) -> list[str]:
    """The shipped ACTION<TAB>wording lines, then an editor's optional file's."""
    return text_table_lines(ACTIONS_FILE, extra)


Wording = tuple[str, ...]  # the index terms a passage holds when it holds one wording
NGRAM = 3  # the longest syllable run the index keeps as one term (text.Features)
Place = tuple[BM25Index, int]  # an index and one of its documents


class ActionReader:
    """Reads a question's actions as the pipeline reads its syllables, longest wording first;
    a passage's are looked up in the index, so answering reads no passage text."""

    def __init__(self, pipeline: TextPipeline, lines: Iterable[str] | None = None):
        self.pipeline = pipeline
        self.accented: dict[tuple[str, ...], str] = {}
        self.folded: dict[tuple[str, ...], str] = {}
        self.wordings: dict[tuple[str, bool], list[Wording]] = {}
        for line in table_lines() if lines is None else lines:
            action, wording = (part.strip() for part in line.split("\t", 1))
            syllables = pipeline.syllables(wording)
            if action and syllables:
                self._add(action, syllables)
        self.longest = max(map(len, self.accented), default=0)
        # A wording can start only at its first syllable: the other words are stepped over.
        self.starts = {
            True: frozenset(w[0] for w in self.accented),
            False: frozenset(w[0] for w in self.folded),
        }

    def _add(self, action: str, syllables: list[Syllable]) -> None:
        self.accented[tuple(s.accented for s in syllables)] = action
        folded = tuple(s.folded for s in syllables)
        # Without accents "bi mat" is "bị mất" or "bí mật": the action is read, and a passage
        # on "bí mật" holds the same folded words.
        if action != NOT_ACTION or self.folded.get(folded, NOT_ACTION) == NOT_ACTION:
            self.folded[folded] = action
        if action == NOT_ACTION:
            return
        for accented in (True, False):
            self.wordings.setdefault((action, accented), []).append(_terms(syllables, accented))

    def read(self, text: str, accented: bool) -> frozenset[str]:
        """The actions `text` names, compared with accents or without them."""
        table, starts = self.accented if accented else self.folded, self.starts[accented]
        words = [s.accented if accented else s.folded for s in self.pipeline.syllables(text)]
        found: set[str] = set()
        free = 0  # the first word no wording read so far covers
        for at in [i for i, word in enumerate(words) if word in starts]:
            if at < free:
                continue
            step = next(
                (n for n in range(self.longest, 0, -1) if tuple(words[at : at + n]) in table), 0
            )
            if step:
                found.add(table[tuple(words[at : at + step])])
                free = at + step
        found.discard(NOT_ACTION)
        return frozenset(found)

    def asked(self, text: str, accented: bool | None = None) -> AskedActions:
        """The actions a question asks, each as the wordings a passage may hold it in; accents
        count only if the citizen typed them (in `text`, unless `accented` says)."""
        accented = self.pipeline.typed_diacritics(text) if accented is None else accented
        actions = sorted(self.read(text, accented))
        return AskedActions(tuple(tuple(self.wordings[a, accented]) for a in actions))


def _terms(syllables: list[Syllable], accented: bool) -> Wording:
    """The terms that say a passage holds this wording: the accented syllable (if accents
    count), or the folded syllables' runs of up to NGRAM."""
    if len(syllables) == 1:
        s = syllables[0]
        return (ACCENTED_PREFIX + s.accented,) if accented else (s.folded,)
    folded = [s.folded for s in syllables]
    return tuple(ngrams(folded, min(len(folded), NGRAM)))


class AskedActions(NamedTuple):
    """The actions a question asks: for each, the wordings a passage may hold it in."""

    actions: tuple[tuple[Wording, ...], ...] = ()

    def missing(self, places: Sequence[Place]) -> float:
        """The share of the asked actions that none of `places` (a passage, its title included,
        and its whole article) holds in any wording; 0 when none is asked."""
        if not self.actions:
            return 0.0
        held = sum(
            any(
                all(index.holds(term, doc) for term in w) for w in wordings for index, doc in places
            )
            for wordings in self.actions
        )
        return 1.0 - held / len(self.actions)


NO_ACTIONS = AskedActions()
