"""Visit card pages: the officer's list and name search, a card with its consent (view, edit, withdraw),
the station chief's reason form, the card's audit trail, the retention review and the household export.

Every decision about who may see what is asked of ``koban.accounts.access``; every decryption goes
through ``services.open_card`` (audited). Pages never show card contents in lists: a list shows the
address, the type and the dates only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from koban.accounts.access.visitcards import (
    access_card,
    access_card_for_edit,
    access_card_for_review,
    access_household_for_card,
    boxes_for_custodians,
    can_break_glass,
    can_edit_card,
    can_review_card,
    card_needs_reason,
    cards_editable_by,
    cards_reviewable_by,
    cards_visible_to,
    custodian_candidates,
)
from koban.accounts.models import User
from koban.audit.models import AuditEvent
from koban.audit.reads import note_read
from koban.lib.forms import apply_errors
from koban.visitcards.export import export_json, export_pdf
from koban.visitcards.forms import CardForm, CustodianForm, NameSearchForm, ReasonForm
from koban.visitcards.labels import card_labels
from koban.visitcards.models import CardCustodian, Consent, VisitCard
from koban.visitcards.services import (
    CardConflictError,
    CardInput,
    appoint_custodian,
    create_card,
    delete_after_review,
    grant_with_reason,
    open_card,
    search_cards,
    update_card,
    withdraw_consent,
)

ADDRESS = ("address",)
TRAIL_LIMIT = 200


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _note_addresses(cards: list[VisitCard]) -> None:
    note_read([card.household for card in cards], ADDRESS)


@login_required
@sensitive_post_parameters("name")
def index(request: HttpRequest) -> HttpResponse:
    """The cards the user works on (metadata only) and the search by name over them."""
    user = _user(request)
    # Names are searched by POST so that they stay out of URLs, server logs and the trail's paths.
    form = NameSearchForm(request.POST or None)
    scope = cards_visible_to(user)
    searched = form.is_valid() and bool(form.cleaned_data["name"])
    if searched:
        cards = search_cards(user, scope, form.cleaned_data["name"])
    else:
        cards = list(scope.select_related("household", "box").order_by("household__address", "pk")[:200])
    _note_addresses(cards)
    context = {
        "form": form,
        "cards": cards,
        "searched": searched,
        "reviewer": cards_reviewable_by(user).exists(),
    }
    return render(request, "visitcards/index.html", context)


def _card_input(form: CardForm) -> CardInput:
    return CardInput(form.cleaned_data["card_type"], form.cleaned_data["language"], form.contents())


@login_required
@sensitive_post_parameters()
@sensitive_variables()
def new_card(request: HttpRequest) -> HttpResponse:
    """Record a card for a household of the officer's beat, with the household's consent."""
    user = _user(request)
    household = access_household_for_card(user, request.POST.get("household") or request.GET.get("household"))
    language = request.GET.get("language", "ja")
    form = CardForm(request.POST or None, language=language, initial={"language": language})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            card = create_card(user, household, _card_input(form), consent_scopes=form.consent_scopes())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Card recorded with the household's consent."))
            return redirect("visitcards:card", card.pk)
    if request.method == "POST":
        status = 400
    note_read([household], ADDRESS)
    context = {"form": form, "household": household, "new": True}
    return render(request, "visitcards/card_form.html", context, status=status)


@login_required
@sensitive_variables()
def card(request: HttpRequest, card_id: int) -> HttpResponse:
    """One card with its contents in the card's own labels, consents, and what the user may do with it."""
    user = _user(request)
    if card_needs_reason(user, card_id):
        return redirect("visitcards:reason", card_id)
    found = access_card(user, card_id)
    contents = open_card(user, found, what="card page", request=request)
    note_read([found.household], ADDRESS)
    context = {
        "card": found,
        "contents": contents,
        "labels": card_labels(found.language),
        "consents": Consent.objects.filter(card=found).select_related("recorded_by"),
        "can_edit": can_edit_card(user, found),
        "can_review": can_review_card(user, found),
    }
    return render(request, "visitcards/card.html", context)


@login_required
@sensitive_post_parameters()
@sensitive_variables()
def edit_card(request: HttpRequest, card_id: int) -> HttpResponse:
    """Change a card; an edit made on an older version than the saved one is refused (no lost update)."""
    user = _user(request)
    found = access_card_for_edit(user, card_id)
    if not found.has_contents:
        raise PermissionDenied(_("The household withdrew its consent: this card can no longer be filled in."))
    contents = open_card(user, found, what="card edit form", request=request)
    initial = {"card_type": found.card_type, "language": found.language, "version": found.version}
    form = CardForm(
        request.POST or None, contents=contents, new=False, language=found.language, initial=initial
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            update_card(
                user,
                found,
                _card_input(form),
                version=form.cleaned_data["version"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except CardConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Card saved."))
            return redirect("visitcards:card", found.pk)
    if request.method == "POST" and status == 200:
        status = 400
    context = {"form": form, "household": found.household, "card": found, "new": False}
    return render(request, "visitcards/card_form.html", context, status=status)


@login_required
def withdraw(request: HttpRequest, card_id: int) -> HttpResponse:
    """The household withdraws its consent: confirm, then the card's personal contents are deleted at once."""
    user = _user(request)
    found = access_card_for_edit(user, card_id)
    if request.method == "POST":
        withdraw_consent(user, found)
        messages.success(request, _("Consent withdrawn: the card's personal contents were deleted."))
        return redirect("visitcards:card", found.pk)
    return render(request, "visitcards/withdraw.html", {"card": found})


@login_required
def reason(request: HttpRequest, card_id: int) -> HttpResponse:
    """A station chief opens a card of the station by recording why (time-limited, audited)."""
    user = _user(request)
    found = access_card_for_review(user, card_id)
    if not can_break_glass(user, found):
        raise PermissionDenied(_("Only the station chief may open a card with a reason."))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant_with_reason(user, found, form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("visitcards:card", found.pk)
    return render(request, "visitcards/reason.html", {"card": found, "form": form})


def _card_events(card: VisitCard) -> Any:
    """The trail of one card: its changes, reads (alone or in a list), refusals and consents."""
    label, pk = "visitcards.visitcard", str(card.pk)
    return AuditEvent.objects.filter(
        Q(object_type=label, object_id=pk)
        | Q(object_type=label, after__ids__contains=[pk])
        | Q(object_type="visitcards.consent", after__card=card.pk)
    ).order_by("-at", "-pk")


@login_required
def trail(request: HttpRequest, card_id: int) -> HttpResponse:
    """Who read and changed the card, and who was refused it: for its custodian and the station chief."""
    user = _user(request)
    found = access_card_for_review(user, card_id)
    events = list(_card_events(found).select_related("actor")[:TRAIL_LIMIT])
    return render(request, "visitcards/trail.html", {"card": found, "events": events})


@login_required
def retention(request: HttpRequest) -> HttpResponse:
    """Cards not confirmed within the retention period, for their custodian or station chief to delete."""
    user = _user(request)
    cards = list(
        cards_reviewable_by(user)
        .flagged_for_review()
        .select_related("household", "box")
        .order_by("confirmed_at")
    )
    _note_addresses(cards)
    return render(request, "visitcards/retention.html", {"cards": cards})


@login_required
@require_POST
def delete(request: HttpRequest, card_id: int) -> HttpResponse:
    user = _user(request)
    found = access_card_for_review(user, card_id)
    try:
        delete_after_review(user, found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Card deleted after review."))
    return redirect("visitcards:retention")


@login_required
def export(request: HttpRequest, household_id: int, fmt: str) -> HttpResponse:
    """The household's own data (right of access), as JSON or PDF, produced by an officer of its beat."""
    user = _user(request)
    household = access_household_for_card(user, household_id)
    cards = cards_editable_by(user)
    if fmt == "pdf":
        body, content_type = export_pdf(user, household, cards), "application/pdf"
    else:
        body, content_type = export_json(user, household, cards), "application/json"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="household-{household.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def custodians(request: HttpRequest) -> HttpResponse:
    """The card custodian of each box of the chief's station, and the form to appoint one."""
    user = _user(request)
    boxes = boxes_for_custodians(user).order_by("code")
    if not boxes.exists():
        raise PermissionDenied(_("Only the station chief appoints card custodians."))
    officers = User.objects.filter(pk__in=[o.pk for box in boxes for o in custodian_candidates(box)])
    form = CustodianForm(
        request.POST or None, boxes=boxes, officers=officers.order_by("box__code", "username")
    )
    if request.method == "POST" and form.is_valid():
        appoint_custodian(user, form.cleaned_data["box"], form.cleaned_data["user"])
        messages.success(request, _("Card custodian appointed."))
        return redirect("visitcards:custodians")
    current = (
        CardCustodian.objects.in_force_at(timezone.now()).filter(box__in=boxes).select_related("box", "user")
    )
    context = {"form": form, "current": current.order_by("box__code")}
    return render(request, "visitcards/custodians.html", context, status=400 if form.errors else 200)
