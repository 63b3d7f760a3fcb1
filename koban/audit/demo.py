"""Demo reading: a week of officers opening their box's found items, one of them far more than the rest.

The demo prefecture's other steps write their changes through the services, so the trail already
holds them; reads happen only when someone looks. This step records what a week of box work looks
like (each officer opening a few of their box's found items with the finders' details), and one
officer who opened far more, so that the unusual-reading report (/audit/unusual-reading/) has something
to show. The rows say they come from the demo.
"""

from __future__ import annotations

from koban.accounts.models import Role, User
from koban.audit.services import record_read
from koban.demo.context import DemoContext
from koban.lostfound.models import FoundItem

ORDINARY_READS = (4, 8)  # pages opened by an ordinary officer in the week
HEAVY_READS = 60  # by the one officer who reads far more
ITEMS_PER_PAGE = (1, 2)


def populate(context: DemoContext) -> str:
    officers = list(
        User.objects.filter(role=Role.BOX_OFFICER, box__station__agency=context.agency, is_active=True)
        .exclude(box=None)
        .order_by("username")
    )
    if not officers:
        return "no box officers: no demo reading"
    heavy = context.rng.choice(officers)
    rows = records = 0
    for officer in officers:
        items = list(FoundItem.objects.filter(box_id=officer.box_id).order_by("-handed_in_at")[:200])
        if not items:
            continue
        pages = HEAVY_READS if officer == heavy else context.rng.randint(*ORDINARY_READS)
        for _ in range(pages):
            shown = context.rng.sample(items, min(len(items), context.rng.randint(*ITEMS_PER_PAGE)))
            record_read(officer, shown, FoundItem.PERSONAL_FIELDS, what="demo")
            rows += 1
            records += len(shown)
    return f"{rows} demo read rows ({records} found items opened); {heavy.username} reads far more than the peers"
