"""Walk-in and phone matters handled at the box counter.

Each ``CounterMatter`` is one person or call the box dealt with: directions (地理案内),
consultations, reports, complaints, found items handed in, and protective custody of a lost child
or an elderly wanderer. Categories are configuration (``CounterCategory``). Counsellors
(交番相談員) record matters like officers do; they have no police powers anywhere else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from koban.lib.labels import pick_label
from koban.lib.search import grams_index, text_condition, with_search_text, words_of
from koban.organization.models import PoliceBox


class CounterCategoryQuerySet(models.QuerySet["CounterCategory"]):
    def active(self) -> CounterCategoryQuerySet:
        return self.filter(active=True)


class CounterCategory(models.Model):
    """A kind of counter matter, named per language; ``custody`` ones need the custody details."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    labels = models.JSONField(_("names per language"), default=dict)
    custody = models.BooleanField(
        _("protective custody"),
        default=False,
        help_text=_("Matters of this category take a person into protective custody."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    objects = CounterCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("counter category")
        verbose_name_plural = _("counter categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        return pick_label(self.labels, self.code, language)


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    CALL_PHONE = "call_phone", _("Call-phone at the empty box")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved at the counter")
    REFERRED = "referred", _("Referred to another office")
    REPORT_TAKEN = "report_taken", _("Report taken")
    HANDED_OVER = "handed_over", _("Person handed over")
    FOLLOW_UP = "follow_up", _("Needs follow-up")
    OPEN = "open", _("Open")


# What the counter log's search box looks in: what was asked, what was done, and the person in custody
# and whom they went to (everyone who may read a matter reads those).
COUNTER_SEARCH_FIELDS = ("summary", "outcome_note", "person_description", "handed_over_to")


class CounterMatterQuerySet(models.QuerySet["CounterMatter"]):
    def of_boxes(self, boxes: models.QuerySet[PoliceBox]) -> CounterMatterQuerySet:
        return self.filter(box__in=boxes)

    def with_related(self) -> CounterMatterQuerySet:
        return self.select_related("box", "box__station", "category", "handled_by", "recorded_by")

    def search(self, text: str) -> CounterMatterQuerySet:
        """Matters whose text holds *text* (kana or kanji, any width); only punctuation finds nothing."""
        words = words_of(text)
        if not words:
            return self.none()
        return with_search_text(self, COUNTER_SEARCH_FIELDS).filter(text_condition(words))


class CounterMatter(models.Model):
    """One walk-in, phone call or call-phone call at a box, with what was done and by whom.

    ``client_token`` is a random value the entry form sends once; a second submission of the same
    form finds the first record instead of making a duplicate.
    """

    # A person in protective custody and who took them: personal data.
    PERSONAL_FIELDS = ("person_description", "handed_over_to")

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="counter_matters"
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WALK_IN)
    category = models.ForeignKey(
        CounterCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="matters"
    )
    summary = models.CharField(_("summary"), max_length=500)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.RESOLVED)
    outcome_note = models.TextField(_("outcome details"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        related_name="counter_matters",
    )
    # Protective custody (保護) of a lost child or a wandering elderly person.
    person_description = models.CharField(_("person in custody"), max_length=300, blank=True)
    handed_over_to = models.CharField(_("handed over to"), max_length=200, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client_token = models.UUIDField(_("submission token"), null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CounterMatterQuerySet.as_manager()

    class Meta:
        verbose_name = _("counter matter")
        verbose_name_plural = _("counter matters")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["box", "-received_at"]),
            grams_index("countermatter_search_grams", *COUNTER_SEARCH_FIELDS),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(handed_over_at__isnull=True) | Q(handed_over_at__gte=F("received_at")),
                name="counter_handover_after_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.box} · {self.category} {self.received_at:%Y-%m-%d %H:%M}"
