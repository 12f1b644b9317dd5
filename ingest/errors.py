"""The one exception that stops a build: a source that cannot be used at all."""

from __future__ import annotations

from pathlib import Path

MAX_MESSAGE = 400  # one line a person reads: a value quoted from a hostile file never makes it longer


class FatalInput(Exception):
    """A file (or manifest) that cannot be loaded; the message is for people."""

    def __init__(self, path: Path | str | None, message: str):
        self.path = Path(path) if path else None
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) if self.path else "manifest"
        return f"{one_line(where)}: {one_line(self.message)}"


def one_line(text: object, limit: int = MAX_MESSAGE) -> str:
    """One line a person can read, whatever a quoted value or a path held."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit] + " …"
