"""Volunteer crime-prevention groups, blue-light patrol certification, volunteer activity and the national survey statistics."""
