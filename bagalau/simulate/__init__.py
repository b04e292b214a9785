"""Dry runs of evaluation cycles (``bagalau simulate``, contract: ``../shared/SCENARIOS.md``).

``scenario`` reads and validates the input file, ``report`` is the JSON output, ``summary`` renders a report as
text, and ``runner`` (the flows' side) plays a scenario day by day through the real flows and services.
"""

from bagalau.simulate.report import Report, write_report
from bagalau.simulate.scenario import Scenario, ScenarioError, load_scenario
from bagalau.simulate.summary import render_summary

__all__ = ["Report", "Scenario", "ScenarioError", "load_scenario", "render_summary", "write_report"]
