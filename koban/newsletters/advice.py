"""Crime-prevention advice for the newsletter, chosen by the month's main incident categories.

The texts are translatable data (each language from the catalogue); a deployment with other categories
falls back to the general advice. Keys are incident category codes.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ADVICE: dict[str, Promise] = {
    "bicycle_theft": _(
        "Lock your bicycle with two locks, even for a short stop, and register it (防犯登録)."
    ),
    "theft": _("Keep bags closed and in front of you in crowds; never leave valuables unattended."),
    "burglary": _(
        "Lock doors and windows even when you are at home or out for a moment; light the entrance at night."
    ),
    "vehicle_theft": _("Take the key with you, lock the car and use a steering lock or an immobiliser."),
    "theft_from_vehicle": _("Leave nothing visible in a parked car, not even for a few minutes."),
    "snatching": _("Carry your bag on the side away from the road and walk facing the traffic."),
    "fraud": _(
        "A caller who asks for money or your bank card is a fraudster: hang up and call your family or 110."
    ),
    "suspicious_person": _(
        "If you see someone acting suspiciously near homes or school routes, call 110 at once and note "
        "what they look like."
    ),
    "assault": _("Avoid dark, empty streets at night and walk with others when you can."),
    "traffic_accident": _("Slow down near schools and crossings; wear a reflector when you walk at night."),
    "noise_trouble": _("Talk to your neighbours early; for a dispute that grows, consult the box."),
}
GENERAL = _("Lock your door, greet your neighbours and call 110 when something is wrong.")
# At most this many pieces of advice per issue: the sheet is one page.
MAX_ADVICE = 3


def advice_for(category_codes: list[str]) -> list[str]:
    """The advice for the month's main categories (most frequent first), or the general advice."""
    chosen = [str(ADVICE[code]) for code in category_codes if code in ADVICE][:MAX_ADVICE]
    return chosen or [str(GENERAL)]
