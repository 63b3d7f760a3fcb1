"""Text of a printout, for asserting what a PDF says (poppler's pdftotext, installed with the stack)."""

from __future__ import annotations

import subprocess


def pdf_text(content: bytes) -> str:
    """The text of the PDF *content*, laid out like the page (columns kept on one line)."""
    assert content.startswith(b"%PDF"), content[:200]
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, check=True, capture_output=True
    ).stdout.decode("utf-8")


def pdf_pages(content: bytes) -> int:
    """The number of pages of the PDF *content* (pages are separated by form feeds)."""
    return pdf_text(content).count("\f")
