"""Requests, opinions and tips from residents (Open311 GeoReport v2) and the box's action items."""
