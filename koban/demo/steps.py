"""The order in which apps add their part of the demo prefecture.

The network (agency, stations, boxes, areas, roads, beats, officers) comes first from
``koban.demo.generator``; then each app listed here that has a ``demo.py`` with
``populate(context: DemoContext) -> str`` adds its own records on top and returns a one-line summary.
"""

from __future__ import annotations

APP_STEPS = [
    "koban.rosters",
    "koban.counter",
    "koban.incidents",
    "koban.lostfound",
    "koban.patrols",
    "koban.voice",
    "koban.councils",
    "koban.newsletters",
    "koban.partners",
    "koban.volunteers",
    "koban.alerts",
    "koban.audit",
    "koban.households",
    # After the household registry (koban.households), whose addresses the cards belong to.
    "koban.visitcards",
]
