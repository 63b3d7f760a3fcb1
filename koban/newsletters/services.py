"""Verbs of the box newsletter: generate an issue, edit its greeting, publish it; generate for every box.

Each verb runs in one transaction and writes an audit row. The monthly job and ``koban
make_newsletters`` generate as the system (no actor); pages and the API pass the officer, whose right is
checked here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from koban.accounts.access import can_edit_newsletter, public_boxes
from koban.audit.services import record, snapshot
from koban.lib.validation import control_character_problem
from koban.newsletters.content import add_months, build_content
from koban.newsletters.models import Newsletter, month_start
from koban.newsletters.render import languages
from koban.organization.models import PoliceBox

GREETING_MAX = 1500
SYSTEM = "newsletters.monthly"


def _require(actor: Any, box: PoliceBox) -> None:
    if actor is not None and not can_edit_newsletter(actor, box):
        raise PermissionDenied(_("Only the police of the box edit its newsletter."))


def default_greeting(box: PoliceBox, month: dt.date) -> dict[str, str]:
    """The greeting a new issue starts with, in every language (officers rewrite it before publishing)."""
    texts = {}
    for language in languages():
        with translation.override(language):
            texts[language] = _(
                "This is the newsletter of %(box)s for %(month)s. Thank you for your help in keeping our "
                "neighbourhood safe; drop in at the box whenever you need us."
            ) % {"box": box.name, "month": month.strftime("%Y-%m")}
    return texts


def check_month(month: dt.date, today: dt.date) -> None:
    """Refuse months that have not started yet or lie before the date window."""
    if month > month_start(today):
        raise ValidationError({"month": _("This month has not started yet.")})
    if month < add_months(month_start(today), -12 * 30):
        raise ValidationError({"month": _("This month is too far in the past.")})


@transaction.atomic
def generate_issue(actor: Any, box: PoliceBox, month: dt.date) -> Newsletter:
    """Create the draft issue of *box* for *month*, or refresh the figures of its draft (greeting kept).

    A published issue is not regenerated: what residents received stays as it was.
    """
    _require(actor, box)
    month = month_start(month)
    check_month(month, timezone.localdate())
    issue = Newsletter.objects.select_for_update().filter(box=box, month=month).first()
    if issue is not None and issue.is_published:
        raise ValidationError({"month": _("This issue is published; it is not generated again.")})
    content = build_content(box, month)
    now = timezone.now()
    if issue is None:
        issue = Newsletter.objects.create(
            box=box, month=month, greeting=default_greeting(box, month), content=content, generated_at=now
        )
        action = "newsletters.issue.generate"
    else:
        issue.content = content
        issue.generated_at = now
        issue.save(update_fields=["content", "generated_at", "updated_at"])
        action = "newsletters.issue.refresh"
    record(actor or SYSTEM, action, issue, after=snapshot(issue, exclude=("content",)))
    return issue


@transaction.atomic
def edit_greeting(actor: Any, issue: Newsletter, greeting: dict[str, str]) -> Newsletter:
    """Replace the officers' greeting (per language) of a draft issue."""
    issue = Newsletter.objects.select_for_update().select_related("box").get(pk=issue.pk)
    _require(actor, issue.box)
    errors: dict[str, str] = {}
    if issue.is_published:
        errors["greeting"] = _("A published issue cannot be changed.")
    clean = {}
    for language in languages():
        text = str(greeting.get(language, "")).strip()
        field = f"greeting_{language}"
        problem = control_character_problem(text, multiline=True)
        if problem:
            errors[field] = problem
        elif len(text) > GREETING_MAX:
            errors[field] = _("At most %(n)d characters.") % {"n": GREETING_MAX}
        clean[language] = text
    unknown = set(greeting) - set(languages())
    if unknown:
        errors["greeting"] = _("Unknown language.")
    if errors:
        raise ValidationError(errors)
    before = {"greeting": issue.greeting}
    issue.greeting = clean
    issue.save(update_fields=["greeting", "updated_at"])
    record(actor, "newsletters.issue.edit", issue, before=before, after={"greeting": clean})
    return issue


@transaction.atomic
def publish_issue(actor: Any, issue: Newsletter) -> Newsletter:
    """Publish a draft: it appears in the archive of the box's public page and can no longer change."""
    issue = Newsletter.objects.select_for_update().select_related("box").get(pk=issue.pk)
    _require(actor, issue.box)
    if issue.is_published:
        raise ValidationError({"status": _("This issue is already published.")})
    if not all(str(issue.greeting.get(language, "")).strip() for language in languages()):
        raise ValidationError({"greeting": _("Write the greeting in every language before publishing.")})
    before = snapshot(issue, exclude=("content",))
    issue.status = Newsletter.Status.PUBLISHED
    issue.published_at = timezone.now()
    issue.published_by = actor if getattr(actor, "is_authenticated", False) else None
    issue.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    record(
        actor or SYSTEM,
        "newsletters.issue.publish",
        issue,
        before=before,
        after=snapshot(issue, exclude=("content",)),
    )
    return issue


def generate_for_boxes(month: dt.date, boxes: Iterable[PoliceBox] | None = None) -> dict[str, int]:
    """Generate (or refresh) the draft of *month* for every box with a public page; one transaction each.

    Returns counts: ``generated`` (new or refreshed drafts) and ``published`` (left alone).
    """
    counts = {"generated": 0, "published": 0}
    for box in boxes if boxes is not None else public_boxes():
        if Newsletter.objects.filter(
            box=box, month=month_start(month), status=Newsletter.Status.PUBLISHED
        ).exists():
            counts["published"] += 1
            continue
        generate_issue(None, box, month)
        counts["generated"] += 1
    return counts
