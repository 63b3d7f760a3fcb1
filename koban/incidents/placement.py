"""Incidents follow the network: re-placing them on the current beats, and removing an import.

When a new beat version goes live, incidents recorded earlier still name the beats, boxes and
stations of the version active when they came in. ``replace_incidents`` places every located
incident of the agency again on the active beats with the one bulk assigner
(``koban.geography.assign``) and reports, per box, the count before and after. Activating a beat
version queues it as a run (``koban.incidents.jobs``); ``koban replace_incidents`` runs it by hand.

``delete_import`` removes one import batch and its incidents, audited; ``koban incident_imports``
lists and removes them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from koban.accounts.access import require_network_manager
from koban.audit.services import record, snapshot
from koban.geography.assign import assign_points_to_beats
from koban.geography.models import Beat, BeatVersion
from koban.incidents.models import Incident, IncidentImport
from koban.organization.models import Agency

_BATCH = 5000


@dataclass
class Replacement:
    """What re-placing an agency's incidents changed: how many moved, and counts per box."""

    agency: str
    version: str = ""
    incidents: int = 0
    moved: int = 0  # incidents now in another beat (every one, when the beats are new)
    changed_box: int = 0  # … of which now in another box (or none)
    committed: bool = False
    before: Counter[str] = field(default_factory=Counter)
    after: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        boxes = sorted(set(self.before) | set(self.after))
        return {
            "agency": self.agency,
            "version": self.version,
            "incidents": self.incidents,
            "moved": self.moved,
            "changed_box": self.changed_box,
            "committed": self.committed,
            "boxes": [{"box": b, "before": self.before[b], "after": self.after[b]} for b in boxes],
        }

    def lines(self) -> list[str]:
        out = [
            _(
                "%(moved)d of %(n)d located incidents of %(agency)s change beat, %(boxes)d of them box "
                "(beats: %(version)s)."
            )
            % {
                "moved": self.moved,
                "boxes": self.changed_box,
                "n": self.incidents,
                "agency": self.agency,
                "version": self.version,
            }
        ]
        for row in self.as_dict()["boxes"]:
            if row["before"] != row["after"]:
                out.append(f"  {row['box']}: {row['before']} → {row['after']}")
        return out


def _authorize(actor: Any, agency: Agency) -> None:
    # A command run by the operator names itself with a string; people must manage the network.
    if not isinstance(actor, str):
        require_network_manager(actor, agency)


@transaction.atomic
def replace_incidents(actor: Any, agency: Agency, *, commit: bool = True) -> Replacement:
    """Place every located incident of *agency* again on its active beats (a dry run unless *commit*)."""
    _authorize(actor, agency)
    version = BeatVersion.objects.active().filter(agency=agency).first()
    result = Replacement(agency.name, version.name if version else _("(no active beats)"))
    rows = list(
        Incident.objects.filter(agency=agency, location__isnull=False)
        .order_by("id")
        .values_list("id", "location", "beat_id", "box_id", "box__name")
    )
    result.incidents = len(rows)
    if not rows:
        return result
    lons = np.array([r[1].x if r[1] is not None else np.nan for r in rows])
    lats = np.array([r[1].y if r[1] is not None else np.nan for r in rows])
    beat_ids = (
        assign_points_to_beats(lons, lats, version) if version else np.full(len(rows), -1, dtype=np.int64)
    )
    places = {b.pk: b for b in Beat.objects.filter(version=version).select_related("box")} if version else {}
    nowhere = _("(outside every beat)")
    changed = []
    for (pk, _location, old_beat, old_box, old_box_name), new_beat in zip(
        rows, beat_ids.tolist(), strict=True
    ):
        beat = places.get(new_beat)
        result.before[old_box_name or nowhere] += 1
        result.after[beat.box.name if beat else nowhere] += 1
        if (beat.pk if beat else None) == old_beat:
            continue
        if (beat.box_id if beat else None) != old_box:
            result.changed_box += 1
        changed.append(
            Incident(
                pk=pk,
                beat=beat,
                box_id=beat.box_id if beat else None,
                station_id=beat.box.station_id if beat else None,
                outside_jurisdiction=beat is None,
            )
        )
    result.moved = len(changed)
    Incident.objects.bulk_update(
        changed, ["beat", "box", "station", "outside_jurisdiction"], batch_size=_BATCH
    )
    record(actor, "incident.replace", agency, after=result.as_dict())
    if commit:
        result.committed = True
    else:
        transaction.set_rollback(True)
    return result


@transaction.atomic
def delete_import(actor: Any, batch: IncidentImport) -> int:
    """Remove an import and the incidents it brought; return how many incidents went."""
    if batch.agency is not None:
        _authorize(actor, batch.agency)
    elif not isinstance(actor, str):
        require_network_manager(actor)
    count = batch.incidents.count()
    before = snapshot(batch) | {"incidents": count}
    record(actor, "incident_import.delete", batch, before=before)
    batch.delete()
    return count
