"""Shift patterns, generated rosters, duty records and empty-box hours."""
