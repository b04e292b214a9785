"""The rules engine: the law as pure functions and validated data.

Everything here is pure Python with no I/O: rulebooks (one per methodology, loaded from YAML into pydantic
models), the Kazakhstan working-day calendar, category codes, and the decisions the methodology prescribes
(eligibility, evaluator routing, deadlines, scoring, banding, calibration and Commission votes). Dates and
facts go in, decisions come out, and every refusal names the rule id of ``METHODOLOGY.md`` it enforces.
Nothing in this package imports SQLModel, Prefect, apprise or FastAPI.
"""
