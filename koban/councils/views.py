"""Council pages for the box's police, its chief and HQ: councils, members, meetings, opinions, summaries."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_box_for_council,
    access_council,
    access_council_for_meetings,
    access_council_for_members,
    access_meeting,
    access_meeting_for_work,
    access_member_for_work,
    access_summary_station,
    can_appoint_members,
    can_open_council,
    can_record_meetings,
    council_boxes_visible_to,
    councils_visible_to,
    summary_stations_visible_to,
)
from koban.accounts.models import User
from koban.audit.reads import note_read
from koban.councils import services
from koban.councils.forms import LeaveForm, MeetingForm, MemberForm, OpinionForm
from koban.councils.models import Council, CouncilMember
from koban.councils.reports import opinion_lines, renewal_days, report_back, station_summary, terms_ending
from koban.lib.forms import apply_errors


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The councils one may see, members due for renewal, and boxes still without a council."""
    user = _user(request)
    today = timezone.localdate()
    councils = list(councils_visible_to(user).with_box())
    without = council_boxes_visible_to(user).operating().with_station().filter(council__isnull=True)
    due = list(terms_ending(councils_visible_to(user), today))
    note_read(due, ("name",))
    context = {
        "councils": councils,
        "boxes_without": [b for b in without if can_open_council(user, b)],
        "due": due,
        "renewal_days": renewal_days(),
        "stations": summary_stations_visible_to(user).order_by("code"),
    }
    return render(request, "councils/index.html", context)


@login_required
@require_POST
def open_council(request: HttpRequest, box_id: int) -> HttpResponse:
    box = access_box_for_council(_user(request), box_id)
    try:
        council = services.open_council(_user(request), box)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("councils:index")
    return redirect("councils:council", council.pk)


@login_required
def council(request: HttpRequest, council_id: int) -> HttpResponse:
    """A council: its serving and past members (names and contacts, read-audited) and its meetings."""
    user = _user(request)
    item = access_council(user, council_id)
    today = timezone.localdate()
    members = list(item.members.all())
    note_read(members, CouncilMember.PERSONAL_FIELDS)
    context = {
        "council": item,
        "box": item.box,
        "serving": [m for m in members if m.serves_on(today)],
        "others": [m for m in members if not m.serves_on(today)],
        "due_ids": set(terms_ending(Council.objects.filter(pk=item.pk), today).values_list("pk", flat=True)),
        "meetings": item.meetings.all(),
        "can_appoint": can_appoint_members(user, item),
        "can_record": can_record_meetings(user, item),
        "leave_form": LeaveForm(initial={"left_on": today}),
    }
    return render(request, "councils/council.html", context)


@login_required
def new_member(request: HttpRequest, council_id: int) -> HttpResponse:
    user = _user(request)
    item = access_council_for_members(user, council_id)
    form = MemberForm(request.POST or None, initial={"term_start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.appoint_member(user, item, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The member was appointed."))
            return redirect("councils:council", item.pk)
    status = 400 if form.errors else 200
    return render(request, "councils/member_form.html", {"form": form, "council": item}, status=status)


@login_required
@require_POST
def renew_member(request: HttpRequest, member_id: int) -> HttpResponse:
    user = _user(request)
    member = access_member_for_work(user, member_id)
    try:
        renewal = services.renew_member(user, member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Renewed until %(day)s.") % {"day": renewal.term_end.isoformat()})
    return redirect("councils:council", member.council_id)


@login_required
@require_POST
def end_member(request: HttpRequest, member_id: int) -> HttpResponse:
    user = _user(request)
    member = access_member_for_work(user, member_id)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("councils:council", member.council_id)
    try:
        services.end_membership(user, member, left_on=form.cleaned_data["left_on"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The member's leaving was recorded."))
    return redirect("councils:council", member.council_id)


@login_required
def new_meeting(request: HttpRequest, council_id: int) -> HttpResponse:
    """Record a meeting: held (with minutes and attendance) or planned."""
    user = _user(request)
    item = access_council_for_meetings(user, council_id)
    form = MeetingForm(request.POST or None, council=item, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.record_meeting(user, item, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting was recorded."))
            return redirect("councils:meeting", meeting.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "council": item, "meeting": None}
    return render(request, "councils/meeting_form.html", context, status=status)


@login_required
def edit_meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    meeting = access_meeting_for_work(user, meeting_id)
    initial = {
        "held_on": meeting.held_on,
        "place": meeting.place,
        "status": meeting.status,
        "agenda": meeting.agenda,
        "attendees": list(meeting.attendees.all()),
        "other_attendees": meeting.other_attendees,
        "minutes": meeting.minutes,
    }
    form = MeetingForm(request.POST or None, council=meeting.council, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        attendees = data.pop("attendees")
        try:
            services.update_meeting(user, meeting, attendees=attendees, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting was updated."))
            return redirect("councils:meeting", meeting.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "council": meeting.council, "meeting": meeting}
    return render(request, "councils/meeting_form.html", context, status=status)


@login_required
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A meeting: agenda, attendance, minutes, the opinions raised, and the report back on the last one."""
    user = _user(request)
    item = access_meeting(user, meeting_id)
    can_record = can_record_meetings(user, item.council)
    form = OpinionForm(request.POST or None, meeting=item) if can_record else None
    if request.method == "POST":
        if form is None:
            access_meeting_for_work(user, meeting_id)  # answers the 403
        elif form.is_valid():
            try:
                services.record_opinion(user, item, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The opinion was recorded and passed on as a request."))
                return redirect("councils:meeting", item.pk)
    attendees = list(item.attendees.all())
    note_read(attendees, ("name",))
    previous, reported = report_back(item)
    context = {
        "meeting": item,
        "council": item.council,
        "attendees": attendees,
        "opinions": opinion_lines(list(item.opinions.select_related("raised_by", "category"))),
        "previous": previous,
        "reported": reported,
        "can_record": can_record,
        "form": form,
    }
    return render(request, "councils/meeting.html", context, status=400 if form and form.errors else 200)


@login_required
def renewals(request: HttpRequest) -> HttpResponse:
    """Members whose term ends soon (``?days=N``, default from the setting), for the chief to renew."""
    user = _user(request)
    try:
        days = max(1, min(int(request.GET.get("days", "")), 3650))
    except ValueError:
        days = renewal_days()
    due = list(terms_ending(councils_visible_to(user), timezone.localdate(), days))
    note_read(due, ("name",))
    return render(request, "councils/renewals.html", {"due": due, "days": days})


@login_required
def summary(request: HttpRequest, station_id: int) -> HttpResponse:
    """Opinions raised at the station's councils in the last 365 days, by category and state."""
    user = _user(request)
    station = access_summary_station(user, station_id)
    today = timezone.localdate()
    since = today - dt.timedelta(days=365)
    rows, statuses = station_summary(station, since)
    context = {"station": station, "rows": rows, "statuses": statuses, "since": since}
    return render(request, "councils/summary.html", context)
