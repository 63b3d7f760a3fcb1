"""Pages of lost property: receipts, the item list and detail, loss reports, handovers, today's list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_item,
    access_item_for_work,
    access_report,
    access_task,
    boxes_visible_to,
    boxes_workable_by,
    can_dispose,
    can_hand_over,
    can_handle_property,
    can_see_finder_details,
    fetch_or_refuse,
    items_matchable_by,
    items_visible_to,
    reports_visible_to,
)
from koban.analytics.algorithms.matching import explain
from koban.audit.reads import note_read
from koban.lib.forms import apply_errors
from koban.lib.paging import page_of
from koban.lostfound import custody, notify, services
from koban.lostfound.filters import FoundItemFilter, LossReportFilter
from koban.lostfound.forms import (
    ConfirmMatchForm,
    HandoverForm,
    LossReportForm,
    NoteForm,
    PersonalDataForm,
    ReceiptForm,
    SaleForm,
    StorageForm,
    TransferForm,
)
from koban.lostfound.models import FoundItem, LossReport
from koban.lostfound.queries import items_for_report, person_details, reports_for_item, tasks_by_box, timeline

# Lists are paged, never cut: every item can be reached (the list used to stop silently at 500).
LIST_PAGE_SIZE = 50


def _query_without_page(request: HttpRequest) -> str:
    """The list's filters as a query string, without the page number (for the pager's links)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _initial_box(user: Any) -> dict[str, Any]:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {"box": user.box_id, "handed_in_at": now, "found_at": now, "lost_to": now}


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    boxes = boxes_visible_to(request.user)  # type: ignore[arg-type]
    scope = items_visible_to(request.user).with_related()  # type: ignore[arg-type]
    filters = FoundItemFilter(request.GET, queryset=scope, request=request)
    items = filters.qs
    state = request.GET.get("state", "")
    box = request.GET.get("box", "")
    page = page_of(items.order_by("-handed_in_at", "-id"), LIST_PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "lostfound/item_list.html",
        {
            "items": page.object_list,
            "page": page,
            "q": request.GET.get("q", ""),
            "errors": filters.error_messages(),
            "query_rest": _query_without_page(request),
            "states": FoundItem.Status.choices,
            "state": state,
            "boxes": boxes.order_by("station__code", "code"),
            "box": int(box) if box.isdigit() else None,
            "can_receive": boxes_workable_by(request.user).exists(),  # type: ignore[arg-type]
        },
    )


@login_required
def receive(request: HttpRequest) -> HttpResponse:
    boxes = boxes_workable_by(request.user)  # type: ignore[arg-type]
    if not boxes.exists():
        raise PermissionDenied("No box to receive items at")
    form = ReceiptForm(request.POST or None, boxes=boxes, initial=_initial_box(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        box = data.pop("box")
        try:
            item = services.receive_item(request.user, box, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Receipt %(number)s issued.") % {"number": item.receipt_number})
            return redirect("lostfound:receipt", item.pk)
    return render(request, "lostfound/receive.html", {"form": form})


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable receipt (預り書) for the finder."""
    item = access_item_for_work(request.user, pk)  # type: ignore[arg-type]
    note_read([item], ["finder_name"])
    return render(request, "lostfound/receipt.html", {"item": item})


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_item(request.user, pk)  # type: ignore[arg-type]
    can_work = can_hand_over(request.user, item)  # type: ignore[arg-type]
    suggestions = reports_for_item(request.user, item) if item.is_open else []
    for s in suggestions:
        s.owner = person_details(request.user, s.obj.box, s.obj.owner_name, s.obj.owner_contact, s.obj)
        s.explained = explain(s.match)
    handover = getattr(item, "handover", None)
    show_recipient = can_see_finder_details(request.user, item.box)  # type: ignore[arg-type]
    if handover is not None and show_recipient:
        note_read([handover], ["recipient_name"])
    return render(
        request,
        "lostfound/item_detail.html",
        {
            "item": item,
            "finder": person_details(
                request.user, item.box, item.finder_name, item.finder_contact, item, item.finder_email
            ),
            "show_recipient": show_recipient,
            "handover": handover,
            "timeline": timeline(item),
            "suggestions": suggestions,
            "tasks": item.tasks.all(),
            "can_work": can_work,
            "can_dispose": can_dispose(request.user, item),  # type: ignore[arg-type]
            "dispose_form": NoteForm(),
            "transfer_form": TransferForm(auto_id="transfer_%s"),
            "storage_form": StorageForm(auto_id="storage_%s"),
            "storage_moves": item.storage_moves.select_related("station"),
            "personal_form": PersonalDataForm(
                auto_id="personal_%s",
                initial={"inside": item.personal_data_inside, "personal_data_note": item.personal_data_note},
            ),
            "sale_form": SaleForm(auto_id="sale_%s"),
            "can_sell": can_dispose(request.user, item)  # type: ignore[arg-type]
            and custody.sale_allowed(item, timezone.localdate(), perishable=True),
        },
    )


@login_required
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_item_for_work(request.user, pk)  # type: ignore[arg-type]
    initial = {"recipient": "owner", "loss_report": request.GET.get("report") or None}
    form = HandoverForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        report_id = data.pop("loss_report")
        report = access_report(request.user, report_id) if report_id else None  # type: ignore[arg-type]
        data["handed_over_at"] = data.get("handed_over_at") or None
        try:
            services.hand_over(request.user, item, loss_report=report, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Handover recorded."))
            return redirect("lostfound:item", item.pk)
    return render(request, "lostfound/handover.html", {"item": item, "form": form})


@login_required
@require_POST
def dispose(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_item_for_work(request.user, pk)  # type: ignore[arg-type]
    if not can_dispose(request.user, item):  # type: ignore[arg-type]
        raise PermissionDenied(_("Only police officers may dispose of found property."))
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.dispose_item(request.user, item, note=form.cleaned_data["note"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Disposal recorded."))
    return redirect("lostfound:item", item.pk)


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_POST
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand the item to the custody of the box's station (from the item page)."""
    item = access_item_for_work(request.user, pk)  # type: ignore[arg-type]
    form = TransferForm(request.POST)
    if not form.is_valid():
        _flash_errors(request, ValidationError(form.errors))
        return redirect("lostfound:item", item.pk)
    try:
        services.transfer_to_station(request.user, item, **form.cleaned_data)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("The item is now held by the station."))
    return redirect("lostfound:item", item.pk)


def _item_form_post(request: HttpRequest, pk: int, form_class: Any, verb: Any, done: str) -> HttpResponse:
    """Run a verb of the item page: parse the form, call the service, flash its errors or *done*."""
    item = access_item_for_work(request.user, pk)  # type: ignore[arg-type]
    form = form_class(request.POST)
    if not form.is_valid():
        _flash_errors(request, ValidationError(form.errors))
        return redirect("lostfound:item", item.pk)
    try:
        verb(request.user, item, **form.cleaned_data)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("lostfound:item", item.pk)


@login_required
@require_POST
def move_storage(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a new storage place for the item (its history keeps the old one)."""
    return _item_form_post(request, pk, StorageForm, custody.move_storage, _("Storage place recorded."))


@login_required
@require_POST
def personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Flag whether the item carries personal data."""
    return _item_form_post(
        request, pk, PersonalDataForm, custody.mark_personal_data, _("Personal-data flag recorded.")
    )


@login_required
@require_POST
def sell(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the sale of the item and its proceeds (police of the holding box)."""
    item = access_item_for_work(request.user, pk)  # type: ignore[arg-type]
    if not can_dispose(request.user, item):  # type: ignore[arg-type]
        raise PermissionDenied(_("Only police officers may sell found property."))
    return _item_form_post(request, pk, SaleForm, custody.sell_item, _("Sale recorded."))


@login_required
@require_POST
def confirm_match(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm that a found item is the one this report describes; the owner is e-mailed."""
    report = access_report(request.user, pk)  # type: ignore[arg-type]
    if not can_handle_property(request.user, report.box):  # type: ignore[arg-type]
        raise PermissionDenied(_("You may not work on the reports of this box."))
    form = ConfirmMatchForm(request.POST)
    if not form.is_valid():
        _flash_errors(request, ValidationError(form.errors))
        return redirect("lostfound:report", report.pk)
    item = fetch_or_refuse(request.user, items_matchable_by(request.user), form.cleaned_data["item"])  # type: ignore[arg-type]
    try:
        notify.confirm_match(request.user, report, item)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(
            request,
            _("Match with %(receipt)s confirmed.") % {"receipt": item.receipt_number}
            + (" " + _("The owner will be e-mailed.") if report.owner_email else ""),
        )
    return redirect("lostfound:report", report.pk)


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    # The page opens on the open reports; "status=" (all) is a choice of its own.
    params = request.GET.copy()
    params.setdefault("status", LossReport.Status.OPEN)
    status = params["status"]
    reports_in_scope = reports_visible_to(request.user).select_related("box", "category")  # type: ignore[arg-type]
    filters = LossReportFilter(params, queryset=reports_in_scope, request=request)
    reports = filters.qs
    page = page_of(reports.order_by("-reported_at", "-id"), LIST_PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "lostfound/report_list.html",
        {
            "reports": page.object_list,
            "page": page,
            "q": request.GET.get("q", ""),
            "errors": filters.error_messages(),
            "query_rest": _query_without_page(request),
            "status": status,
            "statuses": LossReport.Status.choices,
        },
    )


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    boxes = boxes_workable_by(request.user)  # type: ignore[arg-type]
    if not boxes.exists():
        raise PermissionDenied("No box to take reports at")
    form = LossReportForm(request.POST or None, boxes=boxes, initial=_initial_box(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        box = data.pop("box")
        try:
            report = services.report_loss(request.user, box, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Loss report recorded."))
            return redirect("lostfound:report", report.pk)
    return render(request, "lostfound/report_form.html", {"form": form})


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_report(request.user, pk)  # type: ignore[arg-type]
    suggestions = items_for_report(request.user, report) if report.status == LossReport.Status.OPEN else []
    for s in suggestions:
        s.explained = explain(s.match)
    return render(
        request,
        "lostfound/report_detail.html",
        {
            "report": report,
            "owner": person_details(
                request.user, report.box, report.owner_name, report.owner_contact, report, report.owner_email
            ),
            "suggestions": suggestions,
            "can_close": report.status == LossReport.Status.OPEN
            and can_handle_property(request.user, report.box),  # type: ignore[arg-type]
            "can_confirm": report.status == LossReport.Status.OPEN
            and can_handle_property(request.user, report.box),  # type: ignore[arg-type]
            "close_form": NoteForm(),
        },
    )


@login_required
@require_POST
def report_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a loss report that will not be matched (from the report page)."""
    report = access_report(request.user, pk)  # type: ignore[arg-type]
    if not can_handle_property(request.user, report.box):  # type: ignore[arg-type]
        raise PermissionDenied(_("You may not hand over items of this box."))
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.close_loss_report(request.user, report, note=note)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Loss report closed."))
    return redirect("lostfound:report", report.pk)


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """What each box the user works on must do today for its found items."""
    return render(
        request,
        "lostfound/today.html",
        {
            "grouped": sorted(tasks_by_box(request.user).items(), key=lambda kv: kv[0].code),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = access_task(request.user, pk)  # type: ignore[arg-type]
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.complete_task(request.user, task, note=note)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("lostfound:today")
