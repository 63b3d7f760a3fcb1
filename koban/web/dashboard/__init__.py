"""The box dashboard ("the state of my area") and the printable daily briefing.

The page and the PDF are made of sections; each section is a ``DashboardSection`` listed by dotted
path in ``koban.web.dashboard.sections.SECTION_PATHS`` (or the ``KOBAN_DASHBOARD_SECTIONS`` setting),
so an app adds its part of the briefing without touching the dashboard code.
"""
