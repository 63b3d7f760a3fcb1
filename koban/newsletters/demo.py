"""Demo newsletters: a year of issues for every operating box, generated from the demo records.

The eleven older months are published (the public pages have an archive), last month's issue is a draft
for the officers to edit. Only the figures are built here; each PDF is made the first time someone
opens it, so the demo loads in seconds rather than rendering hundreds of PDFs.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import translation

from koban.demo.context import DemoContext
from koban.newsletters import services
from koban.newsletters.content import add_months
from koban.newsletters.models import month_start
from koban.newsletters.render import languages
from koban.organization.models import PoliceBox
from koban.rosters.reports import box_zone

MONTHS = 12
GREETINGS = {
    "ja": "いつも地域の安全にご協力いただきありがとうございます。{box}の警察官一同、皆さまの声をもとに"
    "パトロールを続けています。気になることがあれば、いつでも交番にお立ち寄りください。",
    "en": "Thank you for helping to keep our neighbourhood safe. The officers of {box} patrol where you "
    "asked us to; drop in at the box whenever something worries you.",
}


def populate(context: DemoContext) -> str:
    this_month = month_start(context.now.astimezone(box_zone()).date())
    boxes = list(
        PoliceBox.objects.filter(station__agency=context.agency).operating().order_by("station__code", "code")
    )
    published = drafts = 0
    for box in boxes:
        for back in range(MONTHS, 0, -1):
            month = add_months(this_month, -back)
            with transaction.atomic(), translation.override("ja"):
                issue = services.generate_issue(None, box, month)
                greeting = {
                    lang: GREETINGS.get(lang, GREETINGS["en"]).format(box=box.name) for lang in languages()
                }
                services.edit_greeting(None, issue, greeting)
                if back > 1:
                    services.publish_issue(None, issue)
                    published += 1
                else:
                    drafts += 1
    return f"{published} published newsletter issues, {drafts} drafts"
