"""Framing that carries no content ("cho em hỏi", "anh chị ơi", "ạ", "cảm ơn"): cut from the text
the search and the confidence read, so a polite question is not weighed by its politeness."""

from __future__ import annotations

import re
import unicodedata

from bot.core.text import fold_text

_WHO = r"(?:em|minh|toi|to|tui|chau|con|tao)"
_YOU = (
    r"(?:quy )?(?:ban bien tap|ban|anh chi|anh/chi|anh|chi|em|ad|admin|bot|ca nha|moi nguoi"
    r"|luat su|ls|co quan)"
)
_LEADING = (
    rf"(?:xin |kinh )?chao(?: {_YOU})?(?: a)?",
    r"alo|hi|hello|hey",
    rf"{_YOU} oi",
    rf"(?:cho|xin cho|cho phep) ?{_WHO}? hoi(?: chut| voi| la| ve| mot chut)?(?: a)?",
    r"xin hoi(?: la)?(?: a)?|cau hoi(?: la)?",
    rf"{_WHO}(?: muon| can| dang muon| co viec muon| xin)? hoi(?: la| ve| chut| mot chut)?(?: a)?",
    rf"{_WHO} (?:co|xin) (?:mot )?(?:cau hoi|van de)(?: nhu sau| muon hoi)?",
)
_TRAILING = (
    r"a|a oi|voi a|voi|nhe|nha|nhe a|nha a|vay a|the a",
    rf"(?:giup|gium|ho) {_WHO}?(?: voi)?(?: a)?",
    rf"(?:{_WHO} )?(?:xin )?(?:chan thanh )?cam on(?: {_YOU})?(?: nhieu)?(?: a)?",
    r"thanks|thank you|tks",
)
_SEP = r"[\s,.;:!?…\-–—]*"
LEADING_RE = re.compile(rf"^{_SEP}(?:(?:{'|'.join(_LEADING)})(?=[\s,.;:!?…]|$){_SEP})+")
TRAILING_RE = re.compile(rf"(?:(?<=[\s,.;:!?…])(?:{'|'.join(_TRAILING)}){_SEP})+$")


def without_framing(text: str) -> str:
    """`text` without leading and trailing framing; unchanged when nothing else would remain."""
    text = unicodedata.normalize("NFC", text)
    folded = fold_text(text.lower())
    if len(folded) != len(text):  # the spans below index both strings alike
        return text
    start = m.end() if (m := LEADING_RE.match(folded)) else 0
    end = m.start() if (m := TRAILING_RE.search(folded, start)) else len(text)
    kept = text[start:end].strip()
    return kept if re.search(r"\w", kept) else text
