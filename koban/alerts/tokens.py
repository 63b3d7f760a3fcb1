"""Signed links of subscriptions: the double opt-in confirmation and the one-click unsubscribe.

Both carry only the subscription id, signed with the site's secret key and a salt per purpose, so a token of
one kind is useless as the other and any change to it is refused. Confirmation links expire; unsubscribe links
keep working for as long as old alert e-mails are read.
"""

from __future__ import annotations

from django.core import signing

CONFIRM_SALT = "koban.alerts.confirm"
UNSUBSCRIBE_SALT = "koban.alerts.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600


class BadTokenError(ValueError):
    """A link that was changed, belongs to another purpose or has expired."""


def confirm_token(subscription_id: int) -> str:
    return signing.dumps(subscription_id, salt=CONFIRM_SALT)


def unsubscribe_token(subscription_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription_id))


def read_confirm_token(token: str) -> int:
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise BadTokenError(str(exc)) from None
    if not isinstance(value, int):
        raise BadTokenError("not a subscription id")
    return value


def read_unsubscribe_token(token: str) -> int:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise BadTokenError(str(exc)) from None
    if not value.isdigit():
        raise BadTokenError("not a subscription id")
    return int(value)
