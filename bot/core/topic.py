"""Whether a question says what it is about: "nộp hồ sơ ở đâu?" asks where, but of which
procedure? Answering it from whichever article ranks first would be a confident answer to a
question the citizen did not ask, so such a question is asked back instead."""

from __future__ import annotations

from bot.core.text import TextPipeline, data_lines

GENERIC_FILE = "generic_words.txt"


class TopicReader:
    """The shipped generic words, read as the pipeline reads a question (folded syllables)."""

    def __init__(self, pipeline: TextPipeline):
        self.pipeline = pipeline
        phrases = (self._folded(line) for line in data_lines(GENERIC_FILE))
        self.generic = frozenset(p for p in phrases if p)
        self.longest = max(map(len, self.generic), default=0)

    def _folded(self, text: str) -> tuple[str, ...]:
        return tuple(s.folded for s in self.pipeline.syllables(text))

    def names_no_topic(self, searched: str) -> bool:
        """True when `searched` is generic words and stop words only, at least one generic: it
        asks about no procedure in particular (a text of stop words alone is left to the search).
        """
        syllables = self.pipeline.syllables(searched)
        accented = self.pipeline.typed_diacritics(searched)
        words = tuple(s.folded for s in syllables)
        at, generic = 0, False
        while at < len(words):
            # A generic phrase first: "đăng ký" typed as "dang ky" holds the stop word "đang".
            step = next(
                (n for n in range(self.longest, 0, -1) if words[at : at + n] in self.generic), 0
            )
            if step == 0 and not self.pipeline.is_stopword(syllables[at], accented):
                return False
            at, generic = at + max(step, 1), generic or step > 0
        return generic
