"""The automated steps of an evaluation cycle, run by the flows (``flows``) and by ``bagalau rerun``.

Each takes the environment and an as-of day, works for one body in one unit of work acting as a named system
principal (``flow:<name>``), and is idempotent. ``sweep`` holds the daily sweep's ordered step list; ``opening``,
``annual``, ``deadlines``, ``acquaintance``, ``calibration``, ``commission``, ``survey`` and ``retention`` the steps.
"""
