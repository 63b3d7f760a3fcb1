"""The printed counter log of one day (窓口取扱簿): every counter matter of a box's day in order, with
time, channel, kind, summary, outcome and who handled it, and the day's count per kind.

Read like the counter page (``access_counter_box``: the box's staff, its chief, HQ); custody details
printed leave a read row in the audit trail, as on the page.
"""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from koban.accounts.access import access_counter_box, matters_visible_to
from koban.accounts.models import User
from koban.audit.reads import note_read
from koban.counter.models import CounterMatter
from koban.lib.pdf import (
    PrintInputError,
    bad_print_input,
    pdf_response,
    print_language,
    query_day,
    render_pdf,
)
from koban.rosters.reports import box_zone, local_day_bounds


@login_required
def day_log_pdf(request: HttpRequest, box_id: int) -> HttpResponse:
    """The counter log of *box_id* for ``?day=YYYY-MM-DD`` (default today, in the box's zone) as PDF."""
    user: User = request.user  # type: ignore[assignment]
    box = access_counter_box(user, box_id)
    zone = box_zone(box)
    try:
        language = print_language(request)
        day = query_day(request, "day", timezone.localdate(timezone=zone))
    except PrintInputError as exc:
        return bad_print_input(exc)
    start, end = local_day_bounds(day, day, zone)
    matters = list(
        matters_visible_to(user)
        .filter(box=box, received_at__gte=start, received_at__lt=end)
        .with_related()
        .order_by("received_at", "id")
    )
    note_read([m for m in matters if m.person_description], CounterMatter.PERSONAL_FIELDS)
    with translation.override(language):
        counts = Counter(m.category.label(language) for m in matters).most_common()
    context = {
        "box": box,
        "day": day,
        "matters": matters,
        "counts": counts,
        "printed_at": timezone.localtime(timezone=zone),
        "printed_by": user,
    }
    pdf = render_pdf("counter/print/day_log.html", context, language, zone)
    return pdf_response(pdf, f"counter-{box.code}-{day:%Y%m%d}-{language}.pdf")
