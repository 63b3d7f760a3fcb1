"""The kinds of police box a deployment uses, read from the ``KOBAN_BOX_KINDS`` setting.

Japan has koban (shift-staffed urban boxes) and chuzaisho (residential boxes); other countries name
and divide them differently (Brazil's community bases and mobile vans, Singapore's NPP/NPC), so the
list is configuration, not code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from koban.lib.labels import pick_label


@dataclass(frozen=True)
class BoxKind:
    code: str
    labels: dict[str, str]
    residential: bool

    def label(self, language: str | None = None) -> str:
        """Return the display name in *language* (default: the active one), falling back sensibly."""
        return pick_label(self.labels, self.code, language)


def box_kinds() -> list[BoxKind]:
    return [
        BoxKind(
            code=str(item["code"]),
            labels=dict(item.get("labels", {})),  # type: ignore[call-overload]
            residential=bool(item.get("residential", False)),
        )
        for item in settings.KOBAN_BOX_KINDS
    ]


def get_kind(code: str) -> BoxKind | None:
    return next((k for k in box_kinds() if k.code == code), None)


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, k.label()) for k in box_kinds()]
