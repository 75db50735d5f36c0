"""Typed records of what a run did: per city (the parse asset's counts), the load, and the
whole run (printed at the end of `gjj run` and written as JSON beside the warehouse).

The assets put CityCounts and LoadCounts into their Dagster metadata; the launcher reads
them back with `from_metadata`, so the field names are written once, here."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Self

# exit codes of `gjj run` (README): 0 ok, 1 degraded, 2 bad arguments or locked, 3 failed,
# 124 deadline, 130/143 stopped by SIGINT/SIGTERM
OK, DEGRADED, FAILED, DEADLINE = 0, 1, 3, 124
DEGRADING_STATUSES = ("failed", "stale")  # document statuses that make a published run degraded
SHOWN_DOCUMENTS = 10  # failed and stale documents listed in the summary lines


@dataclass(frozen=True)
class _Counts:
    @classmethod
    def from_metadata(cls, metadata: dict[str, Any]) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: int(v) for k, v in metadata.items() if k in names})

    def metadata(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class CityCounts(_Counts):
    documents: int = 0
    parsed: int = 0
    stale: int = 0  # failed this run, facts kept from the last good parse
    failed: int = 0
    unsupported: int = 0
    duplicate: int = 0
    facts: int = 0
    from_cache: int = 0
    parsed_now: int = 0


@dataclass(frozen=True)
class LoadCounts(_Counts):
    documents: int = 0
    unreadable: int = 0
    facts: int = 0
    removed: int = 0


@dataclass
class RunSummary:
    warehouse: str
    cities: int = 0
    failed_cities: dict[str, str] = field(default_factory=dict)  # city code -> one-line reason
    empty_cities: int = 0  # cities the archive (or the live crawl) holds no document of
    unchanged_cities: int = 0  # nothing new since their last parse: not run again
    updated_cities: list[str] = field(default_factory=list)
    documents: int = 0
    parsed_now: int = 0  # parsed in this run (the rest came from the cache)
    failed_documents: int = 0  # failed or unsupported: no facts of theirs in the warehouse
    stale_documents: int = 0  # failed this run, facts kept from their last good parse
    # the published warehouse's documents that are failed, unsupported or stale: document_id, status, reason
    unreadable: list[dict[str, str]] = field(default_factory=list)
    facts: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)  # severity ERROR: blocks publishing
    checks_warned: list[str] = field(default_factory=list)  # severity WARN: annotates only
    published: bool = False
    unchanged: bool = False  # inputs as at the last publish: nothing rebuilt, nothing published
    problem: str | None = None  # why the warehouse was not published
    stopped: str | None = None  # a signal or the deadline stopped the run
    stop_signal: int | None = None
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds
    dagster_runs: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.stopped:
            return 128 + self.stop_signal if self.stop_signal else DEADLINE
        if not (self.published or self.unchanged):
            return FAILED
        return DEGRADED if self.failed_cities or self.degraded_documents else OK

    @property
    def degraded_documents(self) -> list[dict[str, str]]:
        """Documents that failed (or failed this run and kept their last good facts, stale): the
        city went on without them (issue 19), but the operator must see them, so the run is
        degraded. Unsupported formats are a known limit, not a failure of the run."""
        return [d for d in self.unreadable if d.get("status") in DEGRADING_STATUSES]

    @property
    def status(self) -> str:
        if self.stopped:
            return "stopped"
        return {OK: "ok", DEGRADED: "degraded", FAILED: "failed"}[self.exit_code]

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "exit_code": self.exit_code, **dataclasses.asdict(self)}

    def lines(self) -> list[str]:
        out = [
            f"cities: {self.cities} ({len(self.failed_cities)} failed)"
            + (f"; {self.empty_cities} with no document in the archive" if self.empty_cities else "")
            + (f"; {self.unchanged_cities} with nothing new" if self.unchanged_cities else ""),
            f"documents: {self.documents} ({self.parsed_now} parsed in this run, "
            f"{self.failed_documents} unreadable"
            + (f", {self.stale_documents} stale: facts kept from their last good parse" if self.stale_documents else "")
            + ")",
            f"facts: {self.facts}",
            f"checks: {self.checks_passed} passed, {len(self.checks_failed)} failed, "
            f"{len(self.checks_warned)} with warnings",
        ]
        out += [f"  failed check: {name}" for name in self.checks_failed]
        out += [f"  warning: {name}" for name in self.checks_warned]
        out += [f"  failed city: {code}: {reason}" for code, reason in self.failed_cities.items()]
        degraded = self.degraded_documents
        out += [f"  {d['status']} document: {d['document_id']}: {d['reason']}" for d in degraded[:SHOWN_DOCUMENTS]]
        if len(degraded) > SHOWN_DOCUMENTS:
            out.append(f"  … and {len(degraded) - SHOWN_DOCUMENTS} more failed or stale documents (raw.documents)")
        if self.stopped:
            out.append(f"STOPPED: {self.stopped}")
        if self.published:
            out.append(f"warehouse: {self.warehouse}")
        elif self.unchanged:
            out.append(f"warehouse: {self.warehouse} (nothing changed since the last publish; not rebuilt)")
        else:
            out.append(f"warehouse NOT published ({self.problem or self.stopped}); {self.warehouse} is unchanged")
        return out
