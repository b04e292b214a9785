"""The application: what every entrance calls — the CLI, the web app, the Prefect flows and the simulator.

``actions`` are people's actions (one function per action, taking the :class:`~application.environment.Environment`
and the acting :class:`~domain.access.Principal`, raising :class:`~application.errors.Rejected` naming the rule);
``cycle`` holds the automated daily steps the flows run; ``queries`` the read models (frozen typed views).
``environment`` is what the composition root hands in: the engine, the clock, the rulebooks, the launcher, the
channel. This package imports ``domain``, ``persistence`` and ``notifications``, never an entrance or a framework
(Prefect, Typer, FastAPI): docs/decisions/0021.
"""
