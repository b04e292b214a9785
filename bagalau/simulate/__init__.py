"""Dry runs of evaluation cycles (``bagalau simulate``, contract: ``../shared/SCENARIOS.md``).

``scenario`` reads and validates the input file, ``report`` is the JSON output, ``summary`` renders a report as
text, ``runner`` plays a scenario day by day through the real flows and the application's actions (``actions``:
the scenario events' adapters), and ``reporting`` builds the report from the application's read models.
"""

from bagalau.simulate.report import Report, write_report
from bagalau.simulate.scenario import Scenario, ScenarioError, load_scenario
from bagalau.simulate.summary import render_summary

__all__ = ["Report", "Scenario", "ScenarioError", "load_scenario", "render_summary", "write_report"]
