"""The one exception that stops a build: a source that cannot be used at all."""
from __future__ import annotations

from pathlib import Path


class FatalInput(Exception):
    """A file (or manifest) that cannot be loaded; the message is for people."""

    def __init__(self, path: Path | str | None, message: str):
        self.path = Path(path) if path else None
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) if self.path else "manifest"
        return f"{where}: {self.message}"
