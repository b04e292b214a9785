"""Application services: one function per human action, called alike by the simulator, the CLI and the dashboard.

Each takes where to write (an engine, or an open ``UnitOfWork``), ``as_of`` (the day of the action) and ``actor``
(the personnel number or login of who acts), checks the action against the domain, writes it with its audit row
in one transaction, queues the notices it calls for, and returns what it did — or raises :class:`Rejected`
naming the rule, having changed nothing.

``ACTIONS`` maps the actions of a scenario file (``submit``, ``acknowledge`` …) to adapters that call the
service with the event's fields; a module adding services registers its actions with :func:`action`.
"""

from bagalau.services.acquaintance import acknowledge, disagree
from bagalau.services.calibration import calibration_vote, compose_calibration
from bagalau.services.errors import Rejected
from bagalau.services.people import dismiss, record_absence
from bagalau.services.registry import ACTIONS, action, apply_action
from bagalau.services.sheets import submit_sheet

# The yearly services register their scenario actions (respond_360, approve, return, …) when imported.
from bagalau.services import commission, survey  # noqa: E402, F401  isort: skip

__all__ = [
    "ACTIONS",
    "Rejected",
    "acknowledge",
    "action",
    "apply_action",
    "calibration_vote",
    "compose_calibration",
    "disagree",
    "dismiss",
    "record_absence",
    "submit_sheet",
]
