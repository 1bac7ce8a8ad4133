"""argparse in Vietnamese: usage line, headings, the help flag and argparse's error messages.

argparse writes its texts through gettext, which would need a compiled catalogue and a
Vietnamese locale on every machine; a parser subclass that sets them itself needs neither.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

from bot.cli.common import EXIT_USAGE

USAGE_PREFIX = "Cách dùng: "
# argparse's English messages (as of Python 3.11–3.13), with {named} holes, and what we say.
ERRORS_VI = (
    ("argument {name}: {message}", "tham số {name}: {message}"),
    ("the following arguments are required: {names}", "thiếu tham số bắt buộc: {names}"),
    ("one of the arguments {names} is required", "cần một trong các tham số {names}"),
    ("unrecognized arguments: {args}", "không hiểu tham số: {args}"),
    (
        "invalid choice: {value} (choose from {choices})",
        "lựa chọn không hợp lệ: {value} (chọn một trong: {choices})",
    ),
    ("invalid {type} value: {value}", "giá trị {value} không hợp lệ: cần {type}"),
    ("expected one argument", "cần một giá trị"),
    ("expected at most one argument", "cần nhiều nhất một giá trị"),
    ("expected at least one argument", "cần ít nhất một giá trị"),
    ("ambiguous option: {option} could match {matches}", "tùy chọn {option} mơ hồ: {matches}"),
    ("not allowed with argument {name}", "không dùng được cùng {name}"),
    ("ignored explicit argument {value}", "tham số thừa: {value}"),
    ("unexpected option string: {option}", "tùy chọn không mong đợi: {option}"),
)
TYPE_NAMES = {"int": "số nguyên", "float": "số", "Path": "đường dẫn", "day_count": "số ngày"}


def _pattern(template: str) -> re.Pattern[str]:
    """A regex matching the English template; each {hole} becomes a named group."""
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile(
        "".join(f"(?P<{p}>.+?)" if i % 2 else re.escape(p) for i, p in enumerate(parts)), re.S
    )


PATTERNS = tuple((_pattern(english), vietnamese) for english, vietnamese in ERRORS_VI)


def translate(message: str) -> str:
    """argparse's error message in Vietnamese (nested ones too); others come back unchanged."""
    for pattern, vietnamese in PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            holes = {k: TYPE_NAMES.get(v) or translate(v) for k, v in found.groupdict().items()}
            return vietnamese.format(**holes)
    return message


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's layout (descriptions kept as written) with a Vietnamese usage prefix."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)


class VietnameseParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors speak Vietnamese; subparsers inherit it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.get("add_help", True)
        # argparse's own -h would carry its English help text; ours is added below instead.
        kwargs |= {
            "add_help": False,
            "formatter_class": kwargs.get("formatter_class", HelpFormatter),
        }
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")

    def error(self, message: str) -> NoReturn:
        """Usage and one translated line on stderr, exit code 2 (argparse's own convention)."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {translate(message)}\n")
