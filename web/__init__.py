"""The people's door: server-rendered pages (Jinja2 + htmx) and a JSON API (``/api/v1``), one FastAPI app.

``web.app.create_app(config, engine)`` builds it; ``bagalau web`` serves it. The door knows who is logged in
(:mod:`web.auth`, server-side sessions), speaks Kazakh, Russian and English (:mod:`web.i18n`), refuses forged forms
(CSRF, :mod:`web.deps`) and never shows a traceback (:mod:`web.errors`). What a person may see of an evaluation is
decided by one predicate, ``domain.access.visibility`` (R-2); a refusal is recorded and answered 404.
"""
