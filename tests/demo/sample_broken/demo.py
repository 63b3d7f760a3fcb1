"""A demo step with a broken import: the runner must not mistake it for a missing step."""

from __future__ import annotations

import koban.no_such_module  # noqa: F401


def populate(context) -> str:  # type: ignore[no-untyped-def]
    return "never"
