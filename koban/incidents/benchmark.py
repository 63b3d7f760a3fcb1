"""The national 110 response-time figure that a deployment's response times are compared with.

Japan's National Police Agency reported a national **mean** of 8 min 16 s from receipt of a 110 call
to the first unit on scene (January–November 2021). Because it is a mean, it is compared with the mean
of our responses, never with the median: response times are right-skewed, so the median is lower than
the mean and comparing it with a mean would flatter every box.

This module holds no Django code so that ``koban.settings`` can use the figure as the default of
``KOBAN_RESPONSE_BENCHMARK_SECONDS`` (a deployment abroad sets its own national mean there).
"""

from __future__ import annotations

NATIONAL_MEAN_RESPONSE_SECONDS = 8 * 60 + 16
