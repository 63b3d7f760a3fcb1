"""Found items, loss reports, handovers and the statutory clocks (遺失物).

A found item is handed in at a box, which gives the finder a receipt (預り書) and keeps the item;
owners file loss reports (遺失届); matching suggests which report belongs to which item; the daily
job moves items along the clocks of ``koban.lostfound.rules`` and lists each box's tasks.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import OpClass
from django.db.models.functions import Reverse
from django.utils.translation import gettext_lazy as _

from koban.analytics.algorithms.matching import SYNONYMS, normalise, to_hiragana
from koban.lib.labels import pick_label
from koban.lib.search import (
    SearchFold,
    grams_index,
    reference_form,
    text_condition,
    with_search_text,
    words_of,
)
from koban.lostfound.clocks import Clock, State
from koban.organization.models import PoliceBox, PoliceStation


class ItemCategory(models.Model):
    """A kind of lost property, configurable per deployment (seeded with Japan's common kinds).

    ``holds_personal_data`` marks phones, cards and IDs, which never go to the finder;
    ``bulky`` marks kinds (umbrellas, bicycles, clothing) that may be disposed of early when cheap.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    labels = models.JSONField(_("labels per language"), default=dict)
    holds_personal_data = models.BooleanField(_("holds personal data"), default=False)
    bulky = models.BooleanField(_("bulky"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        verbose_name = _("item category")
        verbose_name_plural = _("item categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        return pick_label(self.labels, self.code, language)


# The languages e-mails to owners and finders may be written in ("": the deployment's default).
MAIL_LANGUAGE_CHOICES = [("", "—"), *((code, code) for code, _name in settings.LANGUAGES)]

# The fields that words typed in a list's search box are looked for in (indexed by their grams).
FOUND_ITEM_SEARCH_FIELDS = ("description", "found_place")
LOSS_REPORT_SEARCH_FIELDS = ("description", "lost_place")


def search_terms(text: str) -> list[str]:
    """What a typed search looks for: NFKC (full-width digits and letters, half-width kana), the
    same in hiragana and in katakana, and the one written form of a known synonym (さいふ → 財布).

    Only punctuation or spaces: no terms (an empty result, not an error).
    """
    cleaned = unicodedata.normalize("NFKC", text or "").strip()[:100]
    if not any(ch.isalnum() for ch in cleaned):
        return []
    written = normalise(cleaned)
    words = [cleaned, written]
    # The other ways of writing the same thing: スマホ also finds 携帯電話 and the reverse.
    words += [key for key, form in SYNONYMS.items() if form in written or key in to_hiragana(cleaned)]
    words += [form for key, form in SYNONYMS.items() if key in to_hiragana(cleaned)]
    out: list[str] = []
    for word in words:
        out += [word, to_hiragana(word), _to_katakana(word)]
    return list(dict.fromkeys(out))


def categories_named(terms: list[str]) -> list[int]:
    """Ids of the item categories whose label, in any language, the search *terms* name.

    A label in Latin letters must stand as a word ("bag" is not found in "handbag's"); a Japanese label
    anywhere in a term (日傘 names 傘).
    """
    lowered = [term.lower() for term in terms]
    found = []
    for pk, labels in ItemCategory.objects.values_list("pk", "labels"):
        for label in (labels or {}).values():
            name = unicodedata.normalize("NFKC", str(label)).lower().strip()
            if name and any(_names(name, term) for term in lowered):
                found.append(pk)
                break
    return found


def _names(label: str, term: str) -> bool:
    if label.isascii():
        return re.search(rf"\b{re.escape(label)}\b", term) is not None
    return label in term


def _to_katakana(text: str) -> str:
    return re.sub(r"[\u3041-\u3096]", lambda m: chr(ord(m.group(0)) + 0x60), text)


class FoundItemQuerySet(models.QuerySet["FoundItem"]):
    def open(self) -> FoundItemQuerySet:
        return self.filter(state__in=State.OPEN)

    def of_boxes(self, boxes: models.QuerySet[PoliceBox]) -> FoundItemQuerySet:
        return self.filter(box__in=boxes)

    def with_related(self) -> FoundItemQuerySet:
        return self.select_related("box", "box__station", "category")

    def search(
        self,
        text: str,
        personal_boxes: models.QuerySet[PoliceBox] | None = None,
        *,
        personal_features: bool = True,
        by_kind: bool = False,
    ) -> FoundItemQuerySet:
        """Items whose description or place holds *text* (kana or kanji, synonyms; see ``search_terms``),
        or whose receipt number (also the former one) starts or ends with it as typed.

        The finder's name is searched only on the items of *personal_boxes*, the boxes whose finders the
        searching user may see. Only punctuation finds nothing. With ``personal_features=False`` (the
        public notice) the descriptions of items that may hold personal data are not searched (their
        numbers still are); with ``by_kind`` a word naming a kind of item in any language ("umbrella",
        傘, さいふ) finds the items of that kind.
        """
        words = words_of(text, search_terms(text))
        if not words:
            return self.none()
        # Each way of matching is its own subquery of ids, so that each uses its own index: OR-ing the
        # conditions in one WHERE made the database compute every row's search text instead.
        every = FoundItem.objects.all()
        described = with_search_text(every, FOUND_ITEM_SEARCH_FIELDS).filter(text_condition(words))
        if not personal_features:
            described = described.filter(category__holds_personal_data=False)
        condition = models.Q(pk__in=described.values("pk"))
        if by_kind:
            condition |= models.Q(category__in=categories_named(search_terms(text)))
        reference = reference_form(text)
        if reference:
            tail = every.alias(receipt_reversed=Reverse("receipt_number")).filter(
                receipt_reversed__startswith=reference[::-1]
            )
            condition |= (
                models.Q(receipt_number__startswith=reference)
                | models.Q(pk__in=tail.values("pk"))
                | models.Q(former_receipt_number=reference)
            )
        if personal_boxes is not None:
            named = every.filter(box__in=personal_boxes).alias(finder_folded=SearchFold("finder_name"))
            condition |= models.Q(pk__in=named.filter(finder_folded__contains=words[0]).values("pk"))
        return self.filter(condition)


class FoundItem(models.Model):
    """One found item received at a box, from receipt to its final owner (or disposal)."""

    # Personal data: reading these unmasked leaves a read row in the audit trail.
    PERSONAL_FIELDS = ("finder_name", "finder_contact", "finder_email")

    class Status(models.TextChoices):
        RECEIVED = State.RECEIVED, _("Received")
        IN_NOTICE = State.IN_NOTICE, _("Public notice period")
        FINDER_MAY_CLAIM = State.FINDER_MAY_CLAIM, _("Finder may claim")
        RETURNED = State.RETURNED, _("Returned to owner")
        HANDED_TO_FINDER = State.HANDED_TO_FINDER, _("Handed to finder")
        VESTED = State.VESTED, _("Vested in the prefecture")
        DISPOSED = State.DISPOSED, _("Disposed of")

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="found_items"
    )
    receipt_year = models.PositiveSmallIntegerField(_("receipt year"))
    receipt_seq = models.PositiveIntegerField(_("receipt sequence"))
    receipt_number = models.CharField(_("receipt number"), max_length=60, db_index=True)
    # The number printed on receipts issued before numbers carried the station (still searchable).
    former_receipt_number = models.CharField(_("former receipt number"), max_length=60, blank=True)
    # The finder's identity is personal data: shown only to the box, its station chief and HQ.
    finder_name = models.CharField(_("finder's name"), max_length=200, blank=True)
    finder_contact = models.CharField(_("finder's contact"), max_length=200, blank=True)
    # Where to e-mail the finder when their claim period opens, in their language (personal data).
    finder_email = models.EmailField(_("finder's e-mail"), max_length=254, blank=True)
    finder_language = models.CharField(_("finder's language"), max_length=8, blank=True)
    # Set once the e-mail "you may now collect the item" went out (the daily job sends it once).
    finder_notified_at = models.DateTimeField(_("finder e-mailed at"), null=True, blank=True)
    found_in_facility = models.BooleanField(
        _("found in a facility"), default=False, help_text=_("Stations, shops, trains: 24-hour hand-in.")
    )
    # The facility occupier (施設占有者) who took the item from the finder and brought it in: it shares
    # the reward half and half with the finder, and acquires the item if the finder waived it.
    facility_name = models.CharField(_("facility"), max_length=200, blank=True)
    facility_claims_reward = models.BooleanField(_("facility claims its share of a reward"), default=False)
    facility_claims_item = models.BooleanField(_("facility claims the item if unclaimed"), default=False)
    finder_claims_reward = models.BooleanField(_("finder claims a reward"), default=False)
    finder_claims_item = models.BooleanField(_("finder claims the item if unclaimed"), default=False)
    found_at = models.DateTimeField(_("found at"))
    found_place = models.CharField(_("place found"), max_length=300)
    found_point = models.PointField(_("place found (map)"), srid=4326, null=True, blank=True)
    handed_in_at = models.DateTimeField(_("handed in at"))
    late_hand_in = models.BooleanField(_("handed in late"), default=False)
    category = models.ForeignKey(
        ItemCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="items"
    )
    description = models.TextField(_("description"))
    value_estimate = models.PositiveBigIntegerField(_("estimated value"), null=True, blank=True)
    cash_amount = models.PositiveBigIntegerField(_("cash amount"), null=True, blank=True)
    # A wallet holding a driving licence, a bag holding a phone: the item carries personal data although
    # its category does not. The contents named here never go to the finder or facility.
    personal_data_inside = models.BooleanField(_("holds personal data"), default=False)
    personal_data_note = models.CharField(_("what holds personal data"), max_length=200, blank=True)
    # Sold under the Act (cheap bulky item after its waiting period, perishable, costly to keep, vested):
    # the proceeds take the item's place for the owner, the finder and the reward.
    sold_on = models.DateField(_("sold on"), null=True, blank=True)
    sale_proceeds = models.PositiveBigIntegerField(_("sale proceeds"), null=True, blank=True)
    storage_location = models.CharField(_("storage location"), max_length=200, blank=True)
    # Set when the box hands the item to its station's custody (a safe, a store room): the station
    # then holds it, while the record stays on the box's list.
    custody_station = models.ForeignKey(
        PoliceStation,
        verbose_name=_("held by the station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="found_items_in_custody",
    )
    custody_since = models.DateTimeField(_("held by the station since"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=24, choices=Status.choices, default=Status.RECEIVED)
    state_changed_on = models.DateField(_("state changed on"))
    notice_ends_on = models.DateField(_("notice ends on"))
    finder_claim_ends_on = models.DateField(_("finder's claim ends on"), null=True, blank=True)
    disposable_from = models.DateField(_("disposable from"), null=True, blank=True)
    disposal_note = models.CharField(_("disposal note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FoundItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("found item")
        verbose_name_plural = _("found items")
        ordering = ["-handed_in_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["box", "receipt_year", "receipt_seq"], name="receipt_number_unique_per_box_year"
            ),
            models.CheckConstraint(
                condition=models.Q(handed_in_at__gte=models.F("found_at")),
                name="found_item_handed_in_after_found",
            ),
        ]
        indexes = [
            models.Index(fields=["box", "state"]),
            grams_index("founditem_search_grams", *FOUND_ITEM_SEARCH_FIELDS),
            # The lists open on the newest items (HQ: of the whole agency).
            models.Index(fields=["-handed_in_at", "-id"], name="founditem_newest_first"),
            # Matching a loss report: the items of its kind from the start of its window on.
            models.Index(fields=["category", "found_at"], name="founditem_kind_found_at"),
            # Receipt numbers typed from the start or from the end (the tail a finder reads out).
            models.Index(
                OpClass(Reverse("receipt_number"), name="text_pattern_ops"), name="founditem_receipt_tail"
            ),
            models.Index(
                fields=["receipt_number"], opclasses=["varchar_pattern_ops"], name="founditem_receipt_head"
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def clock(self) -> Clock:
        return Clock(self.notice_ends_on, self.finder_claim_ends_on, self.disposable_from)

    @property
    def is_open(self) -> bool:
        return self.state in State.OPEN

    @property
    def contact_office(self) -> PoliceStation:
        """The office owners and finders contact about the item: the station holding it, else the
        station of the receiving box (which handles the lost property of its boxes)."""
        return self.custody_station or self.box.station

    @property
    def all_personal_data(self) -> bool:
        """The whole item is personal data (a phone, a card, an ID): nothing of it leaves to the finder."""
        return self.category.holds_personal_data

    @property
    def holds_personal_data(self) -> bool:
        """The item is, or carries, personal data (its category, or the flag of this item)."""
        return self.category.holds_personal_data or self.personal_data_inside


class StorageMove(models.Model):
    """One change of where a found item is kept (box shelf, station safe, store room), with who and when.

    The item's ``storage_location`` is the latest of these; the rows are its history.
    """

    item = models.ForeignKey(
        FoundItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="storage_moves"
    )
    location = models.CharField(_("kept at"), max_length=200)
    # The station that held the item from this move on (None: the box itself).
    station = models.ForeignKey(
        PoliceStation, verbose_name=_("held by the station"), null=True, blank=True, on_delete=models.PROTECT
    )
    moved_at = models.DateTimeField(_("moved at"))
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("moved by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    moved_by_label = models.CharField(_("moved by"), max_length=150, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("storage change")
        verbose_name_plural = _("storage changes")
        ordering = ["moved_at", "id"]

    def __str__(self) -> str:
        return f"{self.item}: {self.location}"


class LossReportQuerySet(models.QuerySet["LossReport"]):
    def open(self) -> LossReportQuerySet:
        return self.filter(status=LossReport.Status.OPEN)

    def search(
        self, text: str, personal_boxes: models.QuerySet[PoliceBox] | None = None
    ) -> LossReportQuerySet:
        """Reports whose description or place holds *text* (kana or kanji, synonyms), or whose owner's
        name does, on the reports of *personal_boxes* (the boxes whose owners the user may see)."""
        words = words_of(text, search_terms(text))
        if not words:
            return self.none()
        condition = text_condition(words)
        if personal_boxes is not None:
            condition |= models.Q(box__in=personal_boxes, owner_folded__contains=words[0])
        qs = with_search_text(self, LOSS_REPORT_SEARCH_FIELDS).alias(owner_folded=SearchFold("owner_name"))
        return qs.filter(condition)


class LossReport(models.Model):
    """An owner's report of a lost item (遺失届): what, when (a window), where, and how to reach them."""

    PERSONAL_FIELDS = ("owner_name", "owner_contact", "owner_email")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FOUND = "found", _("Item returned")
        CLOSED = "closed", _("Closed")

    box = models.ForeignKey(
        PoliceBox, verbose_name=_("police box"), on_delete=models.PROTECT, related_name="loss_reports"
    )
    reported_at = models.DateTimeField(_("reported at"))
    owner_name = models.CharField(_("owner's name"), max_length=200)
    owner_contact = models.CharField(_("owner's contact"), max_length=200)
    owner_email = models.EmailField(_("owner's e-mail"), max_length=254, blank=True)
    owner_language = models.CharField(_("owner's language"), max_length=8, blank=True)
    lost_from = models.DateTimeField(_("lost from"))
    lost_to = models.DateTimeField(_("lost by"))
    lost_place = models.CharField(_("place lost"), max_length=300, blank=True)
    lost_point = models.PointField(_("place lost (map)"), srid=4326, null=True, blank=True)
    category = models.ForeignKey(
        ItemCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="loss_reports"
    )
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # An officer confirmed that this found item is the one the owner lost (before the handover).
    matched_item = models.ForeignKey(
        "FoundItem",
        verbose_name=_("confirmed match"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="confirmed_reports",
    )
    matched_at = models.DateTimeField(_("match confirmed at"), null=True, blank=True)
    owner_notified_at = models.DateTimeField(_("owner e-mailed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL
    )

    objects = LossReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("loss report")
        verbose_name_plural = _("loss reports")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lost_to__gte=models.F("lost_from")), name="loss_window_in_order"
            ),
        ]
        indexes = [grams_index("lossreport_search_grams", *LOSS_REPORT_SEARCH_FIELDS)]

    def __str__(self) -> str:
        return f"{self.box.code}-L{self.pk}"


class Handover(models.Model):
    """The moment an item leaves the box: to its owner or to the finder, after an identity check."""

    PERSONAL_FIELDS = ("recipient_name", "recipient_contact", "id_document", "id_number_last_digits")

    class Recipient(models.TextChoices):
        OWNER = "owner", _("Owner")
        FINDER = "finder", _("Finder")
        FACILITY = "facility", _("Facility")

    class Document(models.TextChoices):
        DRIVING_LICENCE = "driving_licence", _("Driving licence")
        MY_NUMBER = "my_number_card", _("My Number card")
        PASSPORT = "passport", _("Passport")
        RESIDENCE_CARD = "residence_card", _("Residence card")
        INSURANCE = "health_insurance", _("Health insurance card")
        OTHER = "other", _("Other document")

    item = models.OneToOneField(
        FoundItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="handover"
    )
    recipient = models.CharField(_("handed to"), max_length=10, choices=Recipient.choices)
    loss_report = models.ForeignKey(
        LossReport, verbose_name=_("loss report"), null=True, blank=True, on_delete=models.SET_NULL
    )
    recipient_name = models.CharField(_("recipient's name"), max_length=200)
    recipient_contact = models.CharField(_("recipient's contact"), max_length=200, blank=True)
    id_document = models.CharField(_("identity document"), max_length=20, choices=Document.choices)
    id_number_last_digits = models.CharField(_("last digits of the document number"), max_length=4)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("identity checked by"), on_delete=models.PROTECT
    )
    handed_over_at = models.DateTimeField(_("handed over at"))
    reward_percent = models.DecimalField(
        _("reward agreed (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # The reward in yen owed by the owner, split between finder and facility (Lost Property Act §28).
    finder_reward = models.PositiveBigIntegerField(_("reward to the finder"), null=True, blank=True)
    facility_reward = models.PositiveBigIntegerField(_("reward to the facility"), null=True, blank=True)
    # Contents holding personal data kept back when the item went to the finder or facility.
    withheld = models.CharField(_("kept back (personal data)"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.item} → {self.get_recipient_display()}"


class ItemTask(models.Model):
    """Something a box must do for an item, put on its list by the daily job and ticked off by officers."""

    class Kind(models.TextChoices):
        NOTIFY_FINDER = "notify_finder", _("Tell the finder they may collect the item")
        CLAIM_LAPSING = "claim_lapsing", _("Finder's claim lapses soon: remind the finder")
        DISPOSE_BULKY = "dispose_bulky", _("Cheap bulky item: may be sold or disposed of")
        SEND_PERSONAL_DATA = "send_personal_data", _("Personal-data item: send on for data erasure")
        SEND_TO_PREFECTURE = "send_to_prefecture", _("Vested item: hand over to the prefecture")

    item = models.ForeignKey(
        FoundItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="tasks"
    )
    kind = models.CharField(_("task"), max_length=24, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    created_on = models.DateField(_("listed on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    done_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("item task")
        verbose_name_plural = _("item tasks")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "kind"], name="one_task_per_item_and_kind")]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_kind_display()}"
