"""Liaison councils of boxes (交番・駐在所連絡協議会): members, meetings, minutes and the opinions raised."""
