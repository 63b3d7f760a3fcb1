"""The registry follows the network: addresses placed again on the beats just activated.

A household's beat and box are derived from its point when it is registered. When a new beat version
goes live, ``replace_households`` places every address of the agency again with the one bulk assigner
(``koban.geography.assign``), so worklists, coverage and "visits due" follow the new beats. Activating
beats queues it as the run ``households.replace`` (``koban.households.jobs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction

from koban.accounts.access import require_network_manager
from koban.audit.services import record
from koban.geography.assign import assign_points_to_beats
from koban.geography.models import Beat, BeatVersion
from koban.households.models import Household
from koban.organization.models import Agency

_BATCH = 5000


@dataclass
class HouseholdReplacement:
    """What re-placing an agency's addresses changed."""

    households: int = 0
    moved: int = 0  # addresses now in another beat (or in none)
    changed_box: int = 0  # … of which now with another box (or none)
    unplaced: int = 0  # addresses outside every active beat afterwards
    committed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "households": self.households,
            "moved": self.moved,
            "changed_box": self.changed_box,
            "unplaced": self.unplaced,
            "committed": self.committed,
        }


@transaction.atomic
def replace_households(actor: Any, agency: Agency, *, commit: bool = True) -> HouseholdReplacement:
    """Place every address of *agency* again on its active beats (a dry run unless *commit*)."""
    if not isinstance(actor, str):  # the operator's command names itself with a string
        require_network_manager(actor, agency)
    version = BeatVersion.objects.active().filter(agency=agency).first()
    rows = list(
        Household.objects.filter(agency=agency).order_by("id").values_list("id", "point", "beat_id", "box_id")
    )
    result = HouseholdReplacement(households=len(rows))
    if not rows:
        return result
    lons = np.array([r[1].x for r in rows])
    lats = np.array([r[1].y for r in rows])
    beat_ids = (
        assign_points_to_beats(lons, lats, version) if version else np.full(len(rows), -1, dtype=np.int64)
    )
    boxes = dict(Beat.objects.filter(version=version).values_list("pk", "box_id")) if version else {}
    changed = []
    for (pk, _point, old_beat, old_box), new_beat in zip(rows, beat_ids.tolist(), strict=True):
        beat_id = new_beat if new_beat in boxes else None
        result.unplaced += beat_id is None
        if beat_id == old_beat:
            continue
        box_id = boxes.get(new_beat)
        result.changed_box += box_id != old_box
        changed.append(Household(pk=pk, beat_id=beat_id, box_id=box_id))
    result.moved = len(changed)
    Household.objects.bulk_update(changed, ["beat", "box"], batch_size=_BATCH)
    record(actor, "household.replace", agency, after=result.as_dict())
    if commit:
        result.committed = True
    else:
        transaction.set_rollback(True)
    return result
