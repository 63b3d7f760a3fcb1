"""Who may see and record counter matters (including protective custody details).

The counter log names callers and people taken into protective custody: it is read and written by the
officers and counsellors of the box, the chief of its station and HQ of its agency. Officers of other
boxes of the station do not see it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Q, QuerySet

from koban.accounts.access.network import boxes_workable_by
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import Role, User
from koban.organization.models import PoliceBox, PoliceBoxQuerySet

if TYPE_CHECKING:
    from koban.counter.models import CounterMatter, CounterMatterQuerySet


def counter_boxes_visible_to(user: User) -> PoliceBoxQuerySet:
    """Boxes whose counter log *user* may read and write: the boxes they work on."""
    return boxes_workable_by(user)


def matters_visible_to(user: User) -> CounterMatterQuerySet:
    """Counter matters *user* may read (custody details included)."""
    model = apps.get_model("counter", "CounterMatter")
    return model.objects.filter(box__in=counter_boxes_visible_to(user))  # type: ignore[no-any-return]


def access_counter_box(user: User, box_id: Any) -> PoliceBox:
    """The box whose counter log *user* opens; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, counter_boxes_visible_to(user).with_station(), box_id)


def access_matter(user: User, matter_id: Any) -> CounterMatter:
    """The counter matter if *user* may read and edit it; ``Http404`` otherwise (audited)."""
    return fetch_or_refuse(user, matters_visible_to(user).with_related(), matter_id)


def can_record_counter(user: User, box: PoliceBox) -> bool:
    """Whether *user* may record and edit counter matters of *box*.

    Officers and counsellors of the box, the chief of its station and HQ: the boxes *user* works on.
    """
    return boxes_workable_by(user).filter(pk=box.pk).exists()


def counter_handlers(box: PoliceBox, user: User) -> QuerySet[User]:
    """Who may be named as having handled a matter at *box*: its officers and counsellors, and *user*."""
    staff = Q(box=box, role__in=[Role.BOX_OFFICER, Role.BOX_COUNSELLOR]) | Q(pk=user.pk)
    return User.objects.filter(is_active=True).filter(staff)


def can_link_matter(user: User, matter: CounterMatter) -> bool:
    """Whether *user* may link *matter* to an incident or a found item: who may record at its box."""
    return can_record_counter(user, matter.box)
