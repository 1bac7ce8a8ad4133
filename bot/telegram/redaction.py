"""The bot token never reaches a log line: in any letter case, whole or its secret part, plain
or URL-encoded (API errors may echo the request URL, and PTB lower-cases some of them)."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

PLACEHOLDER = "[token]"


def secret_pattern(secrets: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for every secret, its part after ':' and encoded forms."""
    forms: set[str] = set()
    for secret in (s for s in secrets if s):
        for form in (secret, secret.partition(":")[2]):
            if form:
                forms |= {form, quote(form, safe=""), quote(quote(form, safe=""), safe="")}
    if not forms:
        return None
    # Longest first, so the whole token is replaced before its secret part could be.
    alternatives = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in alternatives), re.IGNORECASE)


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with every form of each secret replaced by [token]."""
    pattern = secret_pattern(secrets)
    return pattern.sub(PLACEHOLDER, text) if pattern else text


class RedactingFormatter(logging.Formatter):
    """Removes the bot token from every log line, tracebacks included."""

    def __init__(self, fmt: str, secrets: list[str]):
        super().__init__(fmt)
        self.pattern = secret_pattern(secrets)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return self.pattern.sub(PLACEHOLDER, text) if self.pattern else text
