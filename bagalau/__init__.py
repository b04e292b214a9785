"""The ``bagalau`` entrance: settings, the composition root (``bootstrap``), the command line and the simulator.

This is where the rooms meet: the settings become one environment (``bagalau.bootstrap``), the CLI parses and
validates input and calls the application and the flows, the simulator plays scenarios through them. It holds no
rules of its own, and nothing below it imports it (docs/decisions/0021).
"""

from bagalau.quiet import quiet_defaults

quiet_defaults()  # before anything imports Prefect: no telemetry, quiet logs (bagalau/quiet.py)

__version__ = "0.1.0"
