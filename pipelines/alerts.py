"""Alerting: a failed, degraded or stopped run is sent to an optional webhook (HTTP POST of
the run summary as JSON) and/or command (the summary on its stdin). A broken alert never
breaks the run: it is reported in one line."""

from __future__ import annotations

import json
import shlex
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable

WEBHOOK_ENV = "GJJ_ALERT_WEBHOOK"
COMMAND_ENV = "GJJ_ALERT_COMMAND"


def send(summary: dict, *, webhook: str | None, command: str | None, warn: Callable[[str], None]) -> None:
    body = json.dumps(summary, ensure_ascii=False, default=str).encode()
    if webhook:
        request = urllib.request.Request(
            webhook, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            warn(f"alert webhook {webhook} failed: {getattr(exc, 'reason', exc)}")
    if command:
        try:
            proc = subprocess.run(shlex.split(command), input=body, capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            warn(f"alert command {command!r} failed: {exc}")
            return
        if proc.returncode:
            warn(f"alert command {command!r} exited {proc.returncode}")
