"""Patrol records, GPS tracks, stops, observations and patrol cards."""
