"""The box newsletter (交番だより) and each box's public page."""
