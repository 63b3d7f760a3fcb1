"""What every demo step receives: the seed, a private random generator, the agency and "now"."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import TextIO

from koban.organization.models import Agency


@dataclass
class DemoContext:
    """Input of each app's ``demo.populate``.

    ``rng`` is seeded from the demo seed and the step's name, so one step's output does not change
    when another step draws more or fewer numbers. ``now`` is the moment the demo is generated for:
    history (a year of incidents, a month of rosters) is laid out before it.
    """

    seed: int
    agency: Agency
    now: datetime.datetime
    stdout: TextIO
    step: str = ""
    rng: random.Random = field(default_factory=random.Random)

    def for_step(self, step: str) -> DemoContext:
        return DemoContext(
            seed=self.seed,
            agency=self.agency,
            now=self.now,
            stdout=self.stdout,
            step=step,
            rng=random.Random(f"{self.seed}:{step}"),
        )

    def progress(self, message: str) -> None:
        self.stdout.write(f"  [{self.step or 'network'}] {message}\n")
        self.stdout.flush()
