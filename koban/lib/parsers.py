"""Request-body parsers that refuse control characters in any value (DRF's DEFAULT_PARSER_CLASSES).

Kept apart from ``koban.lib.api``: DRF imports its parsers while it defines its views, so this module may
import nothing that imports ``rest_framework.views``.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from koban.lib.validation import control_character_problem


def refuse_controls_in(data: Any) -> None:
    """Refuse a request body with a control character in any value (the field is named)."""
    if hasattr(data, "getlist"):  # form data
        items = [(key, data.getlist(key)) for key in data]
    elif isinstance(data, dict):
        items = list(data.items())
    else:
        items = [("non_field_errors", data)]
    for key, value in items:
        problem = control_character_problem(key) or control_character_problem(value)
        if problem:
            raise ValidationError({str(key): [problem]})


class CheckedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        refuse_controls_in(data)
        return data


class CheckedFormParser(FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        refuse_controls_in(data)
        return data


class CheckedMultiPartParser(MultiPartParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        refuse_controls_in(parsed.data)
        return parsed
