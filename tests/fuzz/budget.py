"""The fuzz suite's budget: a bounded number of generated cases inside the normal test command (well under a
minute in all), the same cases on every run (``derandomize``), so that a red build is a bug, not luck.

``BAGALAU_FUZZ=deep`` explores instead: random cases, ten times as many (``make test`` never sets it).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DEEP = os.environ.get("BAGALAU_FUZZ") == "deep"


def budget(examples: int) -> settings:
    """Settings for one fuzz test: ``examples`` cases (ten times as many, random, with ``BAGALAU_FUZZ=deep``)."""
    return settings(
        max_examples=examples * (10 if DEEP else 1),
        deadline=None,
        derandomize=not DEEP,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    )
