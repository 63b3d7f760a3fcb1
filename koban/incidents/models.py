"""Incidents and 110 calls: intake, dispatch, status history, response times."""
