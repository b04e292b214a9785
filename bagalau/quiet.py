"""Quiet, private defaults for every process Bagalau starts: no telemetry, no chatty libraries.

Called by ``bagalau/__init__.py`` (so the CLI, the simulator and anything importing ``bagalau`` get it) and by
``deployments`` (what a Prefect worker loads), before Prefect is imported: Prefect reads its settings from the
environment once, and the ephemeral API server it starts inherits the environment. Only *defaults* are set: a
variable the operator set wins, so ``PREFECT_LOGGING_LEVEL=DEBUG bagalau rerun …`` still shows everything.

- **Telemetry off everywhere** (issue 12): the server's usage heartbeat (``PREFECT_SERVER_ANALYTICS_ENABLED``, the
  "Failed to send telemetry" ERROR when there is no internet), the client SDK's analytics (``DO_NOT_TRACK``, which
  Prefect 3.8 honours), Prefect Cloud's orchestration telemetry and the OS-metrics collector of flow-run
  subprocesses. Bagalau's data are civil servants' evaluations: nothing phones home.
- **Log levels quiet**: Prefect's own loggers at WARNING (a flow's INFO lines are in the Prefect UI); apprise is
  quieted by ``notifications.channels`` itself, which captures its lines per attempt.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

QUIET_DEFAULTS: Mapping[str, str] = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
}
"""Environment defaults set by :func:`quiet_defaults` (an operator's own value is kept)."""


def quiet_defaults(environ: dict[str, str] | None = None) -> None:
    """Set the variables of :data:`QUIET_DEFAULTS` that are not set yet (in ``os.environ`` by default)."""
    target = os.environ if environ is None else environ
    for name, value in QUIET_DEFAULTS.items():
        target.setdefault(name, value)
