"""Schemathesis hooks for tests/test_api_fuzz.py: draw ids of rows that exist as well as random ones.

Random ids almost always answer 404, which would leave the detail and action operations (and their
response schemas) untested. ``KOBAN_FUZZ_IDS`` (JSON) maps a collection path such as
``/api/v1/incidents/`` to the ids created by the test, and ``box`` to the boxes of the cast.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis
from hypothesis import strategies as st

IDS: dict[str, list[int]] = json.loads(os.environ.get("KOBAN_FUZZ_IDS", "{}"))


def _collection(context: Any) -> str:
    operation = getattr(context, "operation", None)
    return operation.path.split("{id}")[0] if operation is not None else ""


@schemathesis.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    ids = IDS.get(_collection(context))
    if not ids or not isinstance(path_parameters, dict) or "id" not in path_parameters:
        return st.just(path_parameters)
    known = st.sampled_from(ids).map(lambda pk: {**path_parameters, "id": pk})
    return st.one_of(known, st.just(path_parameters))


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> Any:
    boxes = IDS.get("box")
    if not boxes or not isinstance(body, dict) or not isinstance(body.get("box"), int):
        return st.just(body)
    known = st.sampled_from(boxes).map(lambda pk: {**body, "box": pk})
    return st.one_of(known, st.just(body))
