"""Masking personal data for readers who may know that it exists but not what it says."""

from __future__ import annotations


def mask(value: str, keep_start: int = 1, keep_end: int = 0) -> str:
    """Hide personal data but keep its shape: 山田太郎 → 山***, 090-1234-5678 → ***78 (keep_end=2)."""
    value = value or ""
    if not value:
        return ""
    start = value[:keep_start] if len(value) > keep_start + keep_end else ""
    end = value[-keep_end:] if keep_end and len(value) > keep_start + keep_end else ""
    return f"{start}***{end}"
