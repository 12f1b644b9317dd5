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
        where = str(self.path)[:MAX_MESSAGE] if self.path else "manifest"
        message = " ".join(self.message.split())  # one line, whatever a quoted value held
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + " …"
        return f"{where}: {message}"
