"""A BI client in its own process: holds a read-only DuckDB connection and answers commands.

    python bi_reader.py <warehouse>      then, one per line on stdin:
    query <sql>    -> prints the first column of the first row (or `error: <reason>`)
    reconnect      -> closes and reopens the connection, prints `ok`
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb


def main(path: str) -> None:
    con = duckdb.connect(path, read_only=True)
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "reconnect":
            con.close()
            con = duckdb.connect(path, read_only=True)
            print("ok", flush=True)
        elif command == "query":
            try:
                print(con.execute(arg).fetchone()[0], flush=True)
            except duckdb.Error as exc:
                print(f"error: {str(exc).splitlines()[0]}", flush=True)


class Reader:
    """The test side: start the reader process, send commands, read answers."""

    def __init__(self, warehouse: Path):
        self.proc = subprocess.Popen(
            [sys.executable, __file__, str(warehouse)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self._answer() == "ready"

    def query(self, sql: str) -> str:
        self.proc.stdin.write(f"query {sql}\n")
        self.proc.stdin.flush()
        return self._answer()

    def reconnect(self) -> None:
        self.proc.stdin.write("reconnect\n")
        self.proc.stdin.flush()
        assert self._answer() == "ok"

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)

    def _answer(self) -> str:
        return self.proc.stdout.readline().strip()


if __name__ == "__main__":
    main(sys.argv[1])
