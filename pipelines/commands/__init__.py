"""Sub-commands of `gjj`, one module each (`register(subparsers)`); pipelines/cli.py wires them.

They import nothing from pipelines/cli.py: the error they raise lives here."""


class CliError(Exception):
    """An expected failure: printed as one line on stderr, exit code 2 (or `code`)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code
