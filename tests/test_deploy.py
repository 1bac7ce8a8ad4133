"""deploy/: the systemd unit (checked statically, and by systemd-analyze where it exists), the
env file example and the nginx example for webhook mode agree with the bot's settings."""

from __future__ import annotations

import configparser
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.helpers.files import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
UNIT = DEPLOY / "egov-bot.service"
EXEC_START = "/opt/egov-bot/.venv/bin/egov-bot run"
STATE = "/var/lib/egov-bot"


def unit() -> configparser.ConfigParser:
    """The unit as sections of keys; repeated keys (Environment=) joined by newlines."""
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(_join_repeats(UNIT.read_text(encoding="utf-8")))
    return parser


def _join_repeats(text: str) -> str:
    """configparser keeps only the last of repeated keys: number them Environment.1, .2 …"""
    seen: dict[str, int] = {}
    lines = []
    for line in text.splitlines():
        key = line.split("=", 1)[0] if "=" in line and not line.startswith("#") else None
        if key is not None:
            seen[key] = seen.get(key, 0) + 1
            line = f"{key}.{seen[key]}={line.split('=', 1)[1]}" if seen[key] > 1 else line
        elif line.startswith("["):
            seen = {}
        lines.append(line)
    return "\n".join(lines)


def environment(service: configparser.SectionProxy) -> dict[str, str]:
    values = [v for k, v in service.items() if k.split(".")[0] == "Environment"]
    return dict(pair.split("=", 1) for value in values for pair in value.split())


def test_unit_runs_the_console_script_as_its_own_user_with_state_in_var_lib():
    service = unit()["Service"]

    assert service["ExecStart"] == EXEC_START
    assert service["User"] == service["Group"] == "egov-bot"
    assert service["EnvironmentFile"] == "/etc/egov-bot/env"  # no "-": required
    assert service["StateDirectory"] == "egov-bot" and service["WorkingDirectory"] == STATE
    assert environment(service)["BOT_DB_PATH"].startswith(STATE + "/")
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_unit_restarts_on_failure_but_not_for_bad_settings():
    service = unit()["Service"]

    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # bad token/settings: a restart won't help
    assert int(service["TimeoutStopSec"]) >= 10  # graceful stop takes a few seconds
    assert service.get("KillSignal", "SIGTERM") == "SIGTERM"


def test_unit_is_hardened():
    service = unit()["Service"]

    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"  # only StateDirectory (and ReadWritePaths) write
    assert service["PrivateTmp"] == service["ProtectHome"] == "yes"
    assert service["CapabilityBoundingSet"] == ""


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze not installed (apt-get install systemd); static checks still run",
)
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path):
    """verify wants ExecStart to exist: a copy points it at a stub; any warning fails."""
    stub = tmp_path / "egov-bot"
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    copy = tmp_path / "egov-bot.service"
    copy.write_text(UNIT.read_text(encoding="utf-8").replace(EXEC_START, f"{stub} run"))

    done = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )

    # Unknown or invalid settings are only warnings (exit 0) naming the file: none allowed.
    about_unit = [line for line in (done.stdout + done.stderr).splitlines() if copy.name in line]
    assert done.returncode == 0 and about_unit == [], done.stdout + done.stderr


def test_env_example_keys_are_settings():
    keys = re.findall(r"^([A-Z0-9_]+)=", (DEPLOY / "env.example").read_text(), flags=re.M)
    known = {f.validation_alias.choices[0] for f in Settings.model_fields.values()}  # type: ignore[union-attr]
    assert keys and set(keys) <= known


def test_nginx_example_proxies_to_the_local_webhook_port():
    conf = (DEPLOY / "nginx-egov-bot.conf").read_text()
    env = dict(re.findall(r"^(\w+)=(.*)$", (DEPLOY / "env.example").read_text(), flags=re.M))

    upstream = re.search(r"server 127\.0\.0\.1:(\d+);", conf)
    assert upstream and upstream[1] == env["WEBHOOK_PORT"]
    assert env["WEBHOOK_LISTEN"] == "127.0.0.1"
    assert re.search(r"^\s*listen 443 ssl;", conf, flags=re.M)  # Telegram: 443, 80, 88, 8443
    assert "proxy_pass http://egov_bot;" in conf
