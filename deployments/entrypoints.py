"""What Prefect loads by module path: every flow, built once at import from the installation's environment.

A deployment's entrypoint is ``deployments.entrypoints.<flow name>`` (``deployments.schedules``); a worker or the
``bagalau serve`` runner imports this module, which builds the environment from the settings (``BAGALAU_*``) through
the composition root, ``bagalau.bootstrap``, and the flows bound to it.
"""

from __future__ import annotations

from bagalau import bootstrap

_flows = bootstrap.flows()

open_period = _flows.open_period
open_periods = _flows.open_periods
daily_sweep = _flows.daily_sweep
deliver_outbox = _flows.deliver_outbox
survey_360 = _flows.survey_360
annual_final = _flows.annual_final
annual_finals = _flows.annual_finals
commission_cycle = _flows.commission_cycle
retention_purge = _flows.retention_purge
calibration_session = _flows.calibration_session
operator_alert = _flows.operator_alert
