"""``saytype doctor [--json]``: what works on this desktop, and one sentence of fix for the rest.

Fast: it loads no model and opens no microphone. The checks are Qt-free
(``app/core/desktop_doctor.py``), so it answers where the GUI cannot start.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.desktop_doctor import Finding

_MARKS = {"ok": "ok  ", "warning": "warn", "problem": "FAIL"}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``saytype doctor``."""
    parser = subparsers.add_parser(
        "doctor",
        help="check what works on this desktop (hotkey, typing, clipboard, microphone…)",
        description="Check the session, compositor, hotkey and delivery routes, clipboard, "
        "tray, sound server, microphones, model, disk space and Saytype's folders; say how to "
        "fix the rest. "
        "Exits 1 when a check fails (FAIL), 0 otherwise (warnings included).",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the findings; 1 when any is a problem (for scripts), else 0."""
    from app.commands.cli_settings import settings_for_command
    from app.core.desktop_doctor import diagnose
    from app.core.paths import config_dir, data_dir

    settings = settings_for_command()
    findings = diagnose(os.environ, settings.model, {"settings": config_dir(), "data": data_dir()})
    if args.json:
        sys.stdout.write(json.dumps({"checks": [asdict(f) for f in findings]}, ensure_ascii=False))
        sys.stdout.write("\n")
        return _status(findings)
    width = max(len(finding.topic) for finding in findings)
    for finding in findings:
        sys.stdout.write(f"{_MARKS[finding.status]}  {finding.topic:<{width}}  {finding.found}\n")
        if finding.fix:
            sys.stdout.write(f"{'':4}  {'':<{width}}  -> {finding.fix}\n")
    return _status(findings)


def _status(findings: list[Finding]) -> int:
    return 1 if any(finding.status == "problem" for finding in findings) else 0
