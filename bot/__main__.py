"""`python -m bot …` and the `egov-bot` script: the one place that joins the CLI and Telegram."""

from __future__ import annotations

import sys

from bot.cli.main import main as cli_main
from bot.settings import Settings


def run_telegram(settings: Settings) -> int:
    """`run`: python-telegram-bot is imported only here, so other commands start fast."""
    from bot.telegram.app import run_bot

    return run_bot(settings)


def main(argv: list[str] | None = None) -> int:
    return cli_main(argv, run_bot=run_telegram)


if __name__ == "__main__":
    sys.exit(main())
