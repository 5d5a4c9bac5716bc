"""Hypothesis profiles: ``ci`` (the default, for ``make test``) and ``thorough`` (``make fuzz``).

``ci`` runs every property test with the example counts written at the test, no per-example
deadline (a busy 2-core machine must not turn slowness into failures) and prints the blob
that reproduces a failure. ``thorough`` (``HYPOTHESIS_PROFILE=thorough``) multiplies every
count by :data:`THOROUGH_FACTOR` and bounds each example at ten seconds, so a hang or a
quadratic blow-up fails instead of stalling; it is meant for an idle machine before a release.

Tests write ``@settings(max_examples=examples(N))``: an explicit ``max_examples`` would
otherwise win over the profile's.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

THOROUGH_FACTOR = 10

settings.register_profile(
    "ci",
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    deadline=timedelta(seconds=10),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """``count`` examples under ``ci``; :data:`THOROUGH_FACTOR` times as many under ``thorough``."""
    return count * THOROUGH_FACTOR if PROFILE == "thorough" else count
