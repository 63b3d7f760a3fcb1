"""The signed-in user's account page: API tokens (created, listed, revoked), password, two-factor."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.forms import ApiTokenForm
from koban.accounts.models import ApiToken, User
from koban.accounts.tokens import create_api_token, revoke_api_token


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _account_page(request: HttpRequest, form: ApiTokenForm, new_secret: str = "") -> HttpResponse:
    user = _user(request)
    context = {
        "tokens": ApiToken.objects.of_user(user),
        "now": timezone.now(),
        "form": form,
        "new_secret": new_secret,
    }
    return render(request, "accounts/account.html", context)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request, ApiTokenForm())


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its secret in this response only (never in a URL or a later page)."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form)
    _token, secret = create_api_token(
        _user(request),
        name=form.cleaned_data["name"],
        scope=form.cleaned_data["scope"],
        days=form.cleaned_data["days"],
    )
    return _account_page(request, ApiTokenForm(), new_secret=secret)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = revoke_api_token(_user(request), token_id)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:account")
