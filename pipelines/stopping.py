"""Stopping a run when told: a signal or the deadline sets one request for the whole process;
the stages check it at their safe points (between cities, between documents, before each
warehouse step) and end with StopRequested. Child processes (dbt) are registered here so a
stop ends them too. No Dagster here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

PAUSE_ENV = "GJJ_TEST_PAUSE_AT"  # tests: wait at this phase until a stop is requested


class StopRequested(Exception):
    """The run was told to stop (one-line reason)."""


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reason: str | None = None
        self.signum: int | None = None
        self.children: set[subprocess.Popen] = set()
        self.event = threading.Event()


_state = _State()


def reset() -> None:
    global _state
    _state = _State()


def request(reason: str, signum: int | None = None) -> None:
    """Ask the run to stop at its next safe point, and end its child processes now."""
    with _state.lock:
        if _state.reason is None:
            _state.reason, _state.signum = reason, signum
        children = list(_state.children)
    _state.event.set()
    for child in children:
        _end(child, signal.SIGTERM)


def requested() -> str | None:
    return _state.reason


def signum() -> int | None:
    return _state.signum


def pause_point(phase: str) -> None:
    """Tests only (GJJ_TEST_PAUSE_AT=phase): wait here until a stop is requested."""
    if os.environ.get(PAUSE_ENV) == phase:
        print(f"paused at {phase}", file=sys.stderr, flush=True)
        _state.event.wait(timeout=120)


def checkpoint(phase: str, *, pause: bool = True) -> None:
    """A safe point: raise StopRequested if a stop was asked for."""
    if pause:
        pause_point(phase)
    if _state.reason is not None:
        raise StopRequested(f"{_state.reason} (during {phase})")


def sleep(seconds: float, phase: str) -> None:
    """Wait, unless a stop is asked for first (then StopRequested at once)."""
    _state.event.wait(timeout=seconds)
    checkpoint(phase, pause=False)


@contextmanager
def child(process: subprocess.Popen) -> Iterator[None]:
    """Track a child process for the time it runs; a stop terminates it."""
    with _state.lock:
        _state.children.add(process)
        stopping = _state.reason is not None
    if stopping:
        _end(process, signal.SIGTERM)
    try:
        yield
    finally:
        with _state.lock:
            _state.children.discard(process)


def kill_children() -> None:
    """At once: what a second signal does before the process exits."""
    with _state.lock:
        children = list(_state.children)
    for process in children:
        _end(process, signal.SIGKILL)


def _end(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        with suppress(ProcessLookupError):
            process.send_signal(sig)


def wait_children(timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for process in list(_state.children):
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _end(process, signal.SIGKILL)
