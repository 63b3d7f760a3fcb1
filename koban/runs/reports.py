"""The shape of a kept run report (JSON), so that the run page can show any kind of run.

Every key is optional::

    {
      "summary": "text, one paragraph per line",
      "ok": true,                # no errors: a dry run of a commit_step kind may be committed
      "failed": false,           # the work could not be done (bad file, unknown agency): run "failed"
      "committed": false,        # the work was written
      "errors": [{"where": "line 4", "field": "lat", "message": "…"}],   # at most ISSUES_KEPT
      "error_count": 1,
      "warnings": [...], "warning_count": 0,
      "notes": ["…"],
    }
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# A file with a broken column can have an error on every one of its 400,000 lines: keep the first ones.
ISSUES_KEPT = 500


def issues_json(issues: Iterable[Any]) -> list[dict[str, str]]:
    """Objects with ``where()``, ``field`` and ``message`` (import issues) as JSON rows."""
    rows: list[dict[str, str]] = []
    for issue in issues:
        if len(rows) >= ISSUES_KEPT:
            break
        rows.append({"where": str(issue.where()), "field": issue.field, "message": str(issue.message)})
    return rows


def failure_report(message: str) -> dict[str, Any]:
    return {"summary": message, "ok": False, "failed": True, "committed": False}
