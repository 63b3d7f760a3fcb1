"""Who may draft, edit and publish a box's newsletter, and which issues the public may read.

An issue holds no personal data, but a draft is not yet the box's word: drafts are read by the box's
staff, its chief and HQ, and generated, edited and published by the police of the box, its chief and HQ
(not counsellors). Published issues of boxes with a public page are open to everyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from koban.accounts.access.councils import public_boxes
from koban.accounts.access.network import access_box, boxes_workable_by, has_police_powers
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import User
from koban.organization.models import PoliceBox, PoliceBoxQuerySet

if TYPE_CHECKING:
    from koban.newsletters.models import Newsletter, NewsletterQuerySet


def _issues() -> Any:
    # Looked up by label: newsletters sit above accounts in the dependency order.
    return apps.get_model("newsletters", "Newsletter").objects


def newsletter_boxes_visible_to(user: User) -> PoliceBoxQuerySet:
    """Boxes whose drafts *user* may read: the boxes they work on."""
    return boxes_workable_by(user)


def newsletters_visible_to(user: User) -> NewsletterQuerySet:
    """Issues, drafts included, that *user* may read."""
    return _issues().of_boxes(newsletter_boxes_visible_to(user))  # type: ignore[no-any-return]


def access_newsletter(user: User, issue_id: Any) -> Newsletter:
    """The issue if *user* may read its draft; ``Http404`` otherwise, unknown ids alike (audited)."""
    return fetch_or_refuse(user, newsletters_visible_to(user).with_box(), issue_id)


def can_edit_newsletter(user: User, box: PoliceBox) -> bool:
    """Whether *user* may generate, edit and publish the newsletter of *box*: its police, chief, HQ."""
    return has_police_powers(user) and newsletter_boxes_visible_to(user).filter(pk=box.pk).exists()


def access_newsletter_for_work(user: User, issue_id: Any) -> Newsletter:
    """The issue *user* edits: 404 (audited) if unreadable, 403 if readable without police powers."""
    issue = access_newsletter(user, issue_id)
    if not can_edit_newsletter(user, issue.box):
        raise PermissionDenied(_("Only the police of the box edit its newsletter."))
    return issue


def access_box_for_newsletters(user: User, box_id: Any) -> PoliceBox:
    """The box whose issue *user* generates: 404 (audited) if unseen, 403 without the right."""
    box = access_box(user, box_id)
    if not can_edit_newsletter(user, box):
        raise PermissionDenied(_("Only the police of the box edit its newsletter."))
    return box


def public_newsletters() -> NewsletterQuerySet:
    """Published issues of the boxes with a public page: what anyone may read and download."""
    return _issues().published().filter(box__in=public_boxes()).with_box()  # type: ignore[no-any-return]


def access_public_newsletter(user: Any, issue_id: Any) -> Newsletter:
    """A published issue; ``Http404`` for drafts and unknown ids alike (audited)."""
    return fetch_or_refuse(user, public_newsletters(), issue_id)
