"""Server-rendered pages: one Jinja2 environment (autoescaped, gettext through ``web.i18n``) and :class:`Pages`.

Every page extends ``base.html`` and receives the same context: the request, the :class:`~web.auth.Login` (or
``None``), a freshly masked CSRF token (``csrf_token``: a hidden field in every form, and the ``X-CSRF-Token`` header
htmx sends, set once on ``<body hx-headers=…>``), the language and the switcher's languages, and the formatting
helpers (``format_date``, ``format_number``, ``format_datetime``). Texts are ``{{ _("…") }}`` and
``{{ ngettext("%(num)d day", "%(num)d days", n) }}`` (newstyle gettext: the values are escaped before they are put in).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from application.errors import Rejected
from domain.errors import RuleViolation
from domain.vocabulary import Language, Role
from web import i18n
from web.auth import Login

Refusal = Rejected | RuleViolation
TEMPLATES_DIR = Path(__file__).parent / "templates"

#: Role names as pages show them (translated where shown).
ROLE_NAMES: dict[Role, str] = {
    Role.HR: i18n.N_("HR service"),
    Role.HR_HEAD: i18n.N_("Head of the HR service"),
    Role.APPOINTING_OFFICIAL: i18n.N_("Appointing official"),
    Role.ADMIN: i18n.N_("Administrator"),
    Role.EVALUATOR: i18n.N_("Evaluator"),
    Role.EMPLOYEE: i18n.N_("Employee"),
    Role.OPERATOR: i18n.N_("Operator"),
}


def _say(message: Any, rule: str | None = None) -> str:
    """A refusal (or a refusal's sentence) in the page's language; in English exactly as the CLI says it."""
    translator = i18n.current()
    if isinstance(message, Rejected | RuleViolation):
        if translator.language == Language.EN:
            return str(message)
        return translator.say(message.phrase, message.rule)
    return translator.say(message, rule)


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        lambda message: i18n.gettext(message),
        lambda singular, plural, count: i18n.ngettext(singular, plural, count),
        newstyle=True,
    )
    environment.globals.update(
        format_date=lambda value, form="long": i18n.current().format_date(value, form),
        format_datetime=lambda value, form="medium": i18n.current().format_datetime(value, form),
        format_number=lambda value, places=None: i18n.current().format_number(value, places=places),
        role_name=lambda role: i18n.gettext(ROLE_NAMES.get(Role(role), str(role))),
        say=_say,
        language_names=i18n.LANGUAGE_NAMES,
        languages=i18n.LANGUAGES,
    )
    return environment


class Pages:
    """Renders the templates in the request's language."""

    def __init__(self, catalogs: i18n.Catalogs, *, sso_enabled: bool) -> None:
        self.environment = _environment()
        self.catalogs = catalogs
        self.sso_enabled = sso_enabled

    def translator(self, request: Request) -> i18n.Translator:
        """The request's language: the account's, else the visitor's cookie, else Kazakh."""
        return self.catalogs.translator(request_language(request))

    def say(self, request: Request, refusal: Refusal) -> str:
        """A refusal in the request's language (decision 0150); in English, its reason exactly as the CLI says it."""
        with i18n.speaking(self.translator(request)):
            return _say(refusal)

    def render(
        self,
        request: Request,
        template: str,
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """The page ``template`` rendered with ``context`` (plus the shared context) in the request's language."""
        login: Login | None = getattr(request.state, "login", None)
        translator = self.translator(request)
        shared: dict[str, Any] = {
            "request": request,
            "login": login,
            "csrf_token": login.csrf_token() if login and login.via == "cookie" else context.pop("csrf_token", ""),
            "language": translator.language,
            "sso_enabled": self.sso_enabled,
            "today": getattr(request.state, "today", None),
        }
        shared.update(context)
        with i18n.speaking(translator):
            body = self.environment.get_template(template).render(shared)
        response = HTMLResponse(body, status_code=status_code, headers=headers)
        response.headers["Content-Language"] = translator.language.value
        return response


LANGUAGE_COOKIE = "bagalau_lang"


def request_language(request: Request) -> Language:
    """The account's language when logged in, else the ``bagalau_lang`` cookie, else Kazakh."""
    login: Login | None = getattr(request.state, "login", None)
    if login is not None:
        return login.language
    return i18n.language_of(request.cookies.get(LANGUAGE_COOKIE)) or i18n.DEFAULT_LANGUAGE
