"""Pages for attachments: upload to a record, open a file or its thumbnail, remove one.

Files are served only here, after ``access_attachment`` (404 for unknown and forbidden ids alike, the
refusal recorded); opening a file is a read of personal data and leaves a read row in the audit trail.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from koban.accounts.access import access_attachment
from koban.attachments import links, services
from koban.attachments.models import Attachment, RecordLink
from koban.attachments.registry import kind_for_label, kind_for_slug
from koban.audit.reads import note_read
from koban.runs.uploads import upload_rejection


def _file_response(attachment: Attachment, thumbnail: bool) -> FileResponse:
    field = attachment.thumbnail if thumbnail else attachment.file
    if not field.name or not field.storage.exists(field.name):
        raise Http404("The file is missing")
    content_type = "image/jpeg" if thumbnail else attachment.content_type
    response = FileResponse(
        field.open("rb"),
        content_type=content_type,
        as_attachment=not attachment.is_image and not thumbnail,
        filename=attachment.original_name,
    )
    # The content was checked when stored; the browser must not second-guess it into something else.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    """The stored file, to those who may read its record (audited read)."""
    attachment = access_attachment(request.user, pk)  # type: ignore[arg-type]
    note_read([attachment], Attachment.PERSONAL_FIELDS)
    return _file_response(attachment, thumbnail=False)


@login_required
@require_GET
def attachment_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    """The thumbnail of a photo, to those who may read its record (audited read)."""
    attachment = access_attachment(request.user, pk)  # type: ignore[arg-type]
    note_read([attachment], Attachment.PERSONAL_FIELDS)
    return _file_response(attachment, thumbnail=True)


@login_required
@require_POST
def upload(request: HttpRequest, kind: str, parent_id: int) -> HttpResponse:
    """Attach a file to a record, from the form on the record's page; back to that page."""
    parent_kind = kind_for_slug(kind, attachments=True)
    parent = parent_kind.access(request.user, parent_id)
    rejected = upload_rejection(request)
    try:
        if rejected:
            raise ValidationError({"file": [rejected]})
        services.add_attachment(
            request.user, parent, request.FILES.get("file"), caption=request.POST.get("caption", "")
        )
    except ValidationError as exc:
        for field, problems in exc.message_dict.items():
            for problem in problems:
                messages.error(request, f"{_label(field)}: {problem}")
    else:
        messages.success(request, _("Attached."))
    return redirect(parent_kind.page(parent) + "#attachments")


def _label(field: str) -> str:
    return {"file": _("File"), "caption": _("Caption")}.get(field, field)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an attachment (audited); back to its record's page."""
    attachment = access_attachment(request.user, pk)  # type: ignore[arg-type]
    parent_kind = kind_for_label(attachment.parent_type)
    parent = parent_kind.access(request.user, attachment.parent_id)
    if not parent_kind.can_attach(request.user, parent):
        raise PermissionDenied
    services.delete_attachment(request.user, attachment)
    messages.success(request, _("Attachment removed."))
    return redirect(parent_kind.page(parent) + "#attachments")


@login_required
@require_POST
def link(request: HttpRequest, kind: str, parent_id: int) -> HttpResponse:
    """Link a record to another (``other``: incident, item or matter; ``other_id``), from its page."""
    parent_kind = kind_for_slug(kind)
    parent = parent_kind.access(request.user, parent_id)
    other_id = (request.POST.get("other_id") or "").strip()
    try:
        if not other_id.isdigit() or len(other_id) > 18:
            raise ValidationError({"other_id": [_("Give the number of the record to link.")]})
        links.link_records(request.user, parent, request.POST.get("other") or "", other_id)
    except ValidationError as exc:
        for problems in exc.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    except Http404:
        messages.error(request, _("No such record that you may read."))
    else:
        messages.success(request, _("Linked."))
    return redirect(parent_kind.page(parent) + "#links")


@login_required
@require_POST
def unlink(request: HttpRequest, kind: str, parent_id: int, pk: int) -> HttpResponse:
    """Remove a link of a record, from its page."""
    parent_kind = kind_for_slug(kind)
    parent = parent_kind.access(request.user, parent_id)
    found = RecordLink.objects.touching(parent).filter(pk=pk).first()
    if found is None:
        raise Http404("No such link")
    links.unlink_records(request.user, parent, found)
    messages.success(request, _("Link removed."))
    return redirect(parent_kind.page(parent) + "#links")
