"""Newsletter pages: the officers' editor (generate, edit, publish) and the public box page with its archive.

The public pages need no login and show only public-safe data: the box's address and phone, officers
(named only when ``KOBAN_PUBLIC_OFFICER_NAMES`` allows), published issues and voice's public outcomes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_box_for_newsletters,
    access_newsletter,
    access_newsletter_for_work,
    access_public_box,
    access_public_newsletter,
    can_edit_newsletter,
    newsletter_boxes_visible_to,
    newsletters_visible_to,
    public_newsletters,
    public_officer_names_shown,
    public_officers,
)
from koban.accounts.models import User
from koban.lib.forms import apply_errors
from koban.newsletters import charts, services
from koban.newsletters.forms import GreetingForm, MonthForm
from koban.newsletters.models import Newsletter
from koban.newsletters.render import issue_context, issue_pdf, languages, pick_language
from koban.voice.public import public_outcomes

PUBLIC_OUTCOMES = 8


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# -- The officers' side -----------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The issues of the boxes one works on, newest first, with a form to generate a month."""
    user = _user(request)
    boxes = list(newsletter_boxes_visible_to(user).operating().with_station())
    issues = list(newsletters_visible_to(user).with_box().order_by("box__name", "-month")[:200])
    by_box = {box.pk: [i for i in issues if i.box_id == box.pk] for box in boxes}
    rows = [(box, by_box[box.pk], can_edit_newsletter(user, box)) for box in boxes]
    return render(request, "newsletters/index.html", {"rows": rows, "form": MonthForm()})


@login_required
@require_POST
def generate(request: HttpRequest, box_id: int) -> HttpResponse:
    user = _user(request)
    box = access_box_for_newsletters(user, box_id)
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("newsletters:index")
    try:
        issue = services.generate_issue(user, box, form.cleaned_data["month"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("newsletters:index")
    messages.success(request, _("The draft was generated."))
    return redirect("newsletters:edit", issue.pk)


@login_required
def edit(request: HttpRequest, issue_id: int) -> HttpResponse:
    """The editor: adjust the greeting of a draft, preview the issue, publish it."""
    user = _user(request)
    issue = access_newsletter(user, issue_id)
    may_edit = can_edit_newsletter(user, issue.box) and not issue.is_published
    initial = {f"greeting_{code}": text for code, text in (issue.greeting or {}).items()}
    form = GreetingForm(request.POST or None, initial=initial)
    if request.method == "POST":
        issue = access_newsletter_for_work(user, issue_id)
        if form.is_valid():
            try:
                services.edit_greeting(user, issue, form.greeting())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The greeting was saved."))
                return redirect("newsletters:edit", issue.pk)
    language = pick_language(request.GET.get("lang") or translation.get_language())
    context = {
        "issue": issue,
        "form": form,
        "may_edit": may_edit,
        "preview": _issue_body(issue, language),
        "language": language,
        "issue_languages": languages(),
    }
    return render(request, "newsletters/edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def publish(request: HttpRequest, issue_id: int) -> HttpResponse:
    user = _user(request)
    issue = access_newsletter_for_work(user, issue_id)
    try:
        services.publish_issue(user, issue)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The issue was published on the box's public page."))
    return redirect("newsletters:edit", issue.pk)


@login_required
def draft_pdf(request: HttpRequest, issue_id: int) -> HttpResponse:
    """The PDF of an issue, drafts included, for the box's staff."""
    issue = access_newsletter(_user(request), issue_id)
    return _pdf_response(issue, pick_language(request.GET.get("lang")))


# -- The public side ----------------------------------------------------------------------------------


def _issue_body(issue: Newsletter, language: str) -> str:
    with translation.override(language):
        return render_to_string("newsletters/_issue.html", issue_context(issue, language))


def _pdf_response(issue: Newsletter, language: str) -> HttpResponse:
    response = HttpResponse(issue_pdf(issue, language), content_type="application/pdf")
    name = f"newsletter-{issue.box.code}-{issue.month:%Y-%m}-{language}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def public_box(request: HttpRequest, box_id: int) -> HttpResponse:
    """The box's public page: where and how to reach it, who serves there, its newsletters, outcomes."""
    box = access_public_box(request.user, box_id)
    officers = list(public_officers(box))
    context = {
        "box": box,
        "station": box.station,
        "officer_count": len(officers),
        "officer_names": [o.display_name or o.get_full_name() or _("Officer") for o in officers]
        if public_officer_names_shown()
        else [],
        "issues": public_newsletters().filter(box=box).order_by("-month"),
        "issue_languages": languages(),
        "outcomes": public_outcomes(box, PUBLIC_OUTCOMES),
    }
    return render(request, "newsletters/public_box.html", context)


def public_box_map(request: HttpRequest, box_id: int) -> HttpResponse:
    """A small static map of the box and its beat (PNG; no script, no tiles)."""
    from koban.newsletters.content import beat_outlines

    box = access_public_box(request.user, box_id)
    png = charts.grid_map_png(beat_outlines(box), [], 0, [box.location.x, box.location.y], size_inches=3.0)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def public_issue(request: HttpRequest, issue_id: int) -> HttpResponse:
    """A published issue as a web page (``?lang=ja|en``; Japanese by default)."""
    issue = access_public_newsletter(request.user, issue_id)
    language = pick_language(request.GET.get("lang"))
    context = {"issue": issue, "box": issue.box, "body": _issue_body(issue, language), "language": language}
    context["issue_languages"] = languages()
    return render(request, "newsletters/public_issue.html", context)


def public_pdf(request: HttpRequest, issue_id: int) -> HttpResponse:
    """A published issue as PDF (made on the first request, then kept)."""
    issue = access_public_newsletter(request.user, issue_id)
    return _pdf_response(issue, pick_language(request.GET.get("lang")))
