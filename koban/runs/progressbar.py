"""A progress bar on a terminal stream for commands (no extra dependency)."""

from __future__ import annotations

import sys
from typing import TextIO

BAR_WIDTH = 30


class ProgressBar:
    """A ``Progress`` callback drawing ``stage [#####-----]  45 % 1234/2700`` on one line of *stream*.

    Without a known total it shows the stage and the count. A new stage starts a new line.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.stage: str | None = None

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self.stage is not None and stage != self.stage:
            self.stream.write("\n")
        self.stage = stage
        self.stream.write("\r" + self.line(stage, done, total))
        self.stream.flush()

    @staticmethod
    def line(stage: str, done: int, total: int | None) -> str:
        if not total:
            return f"{stage}: {done}" if done else f"{stage}…"
        share = min(done, total) / total
        filled = round(share * BAR_WIDTH)
        return (
            f"{stage} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {round(share * 100):3d} % {done}/{total}"
        )

    def close(self) -> None:
        if self.stage is not None:
            self.stream.write("\n")
            self.stream.flush()
            self.stage = None
