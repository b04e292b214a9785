"""Bagalau's application layer: settings, the ``bagalau`` command line, and the composition root.

This is where the rooms meet: the CLI parses and validates input, then calls domain functions,
repositories and flows. It holds no rules of its own.
"""

from bagalau.quiet import quiet_defaults

quiet_defaults()  # before anything imports Prefect: no telemetry, quiet logs (bagalau/quiet.py)

__version__ = "0.1.0"
