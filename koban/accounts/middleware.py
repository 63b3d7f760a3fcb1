"""Session idle timeout and ``Cache-Control: no-store`` for signed-in responses."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

LAST_SEEN_KEY = "koban_last_seen"
# The last-seen time is written at most this often, so that a busy page does not write its session on
# every request; the idle limit is therefore exact to within this many seconds.
LAST_SEEN_RESOLUTION_SECONDS = 60


def idle_limit_seconds() -> int:
    """Seconds without a request after which a page session ends (shorter on shared terminals)."""
    return int(settings.KOBAN_SESSION_IDLE_MINUTES) * 60


class IdleTimeoutMiddleware:
    """Signs a page session out after ``KOBAN_SESSION_IDLE_MINUTES`` without a request.

    The session cookie also ends when the browser closes (``SESSION_EXPIRE_AT_BROWSER_CLOSE``) and the
    server drops the session row after the same idle time (``SESSION_COOKIE_AGE``). The sign-out is
    audited like any other (``koban.accounts.signin``), with the reason "idle".
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if isinstance(last_seen, int | float) and now - last_seen > idle_limit_seconds():
                request.koban_logout_reason = "idle"  # type: ignore[attr-defined]
                logout(request)
            elif not isinstance(last_seen, int | float) or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Tells browsers and proxies to keep no copy of anything served to a signed-in user or a token.

    Pages, PDFs, exports and API answers for a signed-in user may carry personal data (finders, callers,
    officers' duty); a shared koban terminal's cache or a proxy must not keep them. ``request.user`` is
    read after the view, so an API request authenticated by a token counts too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class TwoFactorRequiredMiddleware:
    """Where two-factor sign-in is required, leads HQ and administrators without a verified code to the
    enrolment page (``access.two_factor_required``). Runs after django-otp's middleware."""

    EXEMPT_PREFIXES = ("/account/two-factor/", "/login/", "/logout/", "/static/", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.shortcuts import redirect

        from koban.accounts.access import two_factor_required

        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and two_factor_required(user)  # type: ignore[arg-type]
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]  # set by OTPMiddleware
        ):
            from koban.accounts.two_factor import confirmed_device

            if confirmed_device(user) is None:  # type: ignore[arg-type]
                return redirect("accounts:two-factor")
            # Enrolled, but this session began without the code (e.g. before enrolling elsewhere).
            logout(request)
            return redirect("login")
        return self.get_response(request)
