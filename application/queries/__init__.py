"""Read models: frozen typed views of the state, for the simulation report, the dashboard, the API and exports.

``report`` (evaluations, calibrations, annual results, deliveries, escalations), ``surveys`` (360 reports, T-6),
``access`` (R-2: the parties of an evaluation and what a principal may see), ``people`` (who holds a duty).
"""
