"""Access to the public datasets in ``../shared/data`` (present in CI, maybe not on a user's clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """Return the path of a shared dataset file, or skip the calling test with the reason."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared dataset {'/'.join(parts)} is not available at {SHARED_DATA}")
    return path
