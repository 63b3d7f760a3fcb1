"""Koban: software for community policing through koban and chuzaisho networks."""

__version__ = "0.1.0"
