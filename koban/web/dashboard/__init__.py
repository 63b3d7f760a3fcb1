"""The box dashboard ("the state of my area") and the printable daily briefing.

The page and the PDF are made of sections. Sections belong to the apps whose data they show: each
app defines and registers its own in ``koban/<app>/dashboard.py`` (``koban.lib.dashboard.register``),
and this package only renders the registered ones, so an app adds its part of the dashboard and of
the briefing without touching ``koban.web``.
"""
