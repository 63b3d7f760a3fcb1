from typing import Any

from django.conf import settings
from django.http import HttpRequest

from koban.accounts.access import can_review_audit


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        # The navigation offers the audit trail to those who may review it.
        "can_review_audit": bool(user is not None and can_review_audit(user)),  # type: ignore[arg-type]
    }
