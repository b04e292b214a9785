"""``bagalau user``: the accounts of the web app and API — add one (linked to a person), list them, disable one.

``bagalau user add LOGIN --person NUMBER [--body CODE] [--role ROLE …] [--language kk|ru|en] --password-stdin``
reads the password from standard input (never from the command line, where ``ps`` and the shell history see it);
``--sso-only`` makes an account without a password, for single sign-on. Bad input exits 2 naming the field and the
allowed values, and writes nothing.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bagalau.settings import Settings

app = typer.Typer(help="Accounts of the web app and API: add, list, disable.", no_args_is_help=True)

EXIT_BAD_INPUT = 2
EXIT_DATABASE = 1
GRANTABLE = ("hr", "hr_head", "appointing_official", "admin")
LANGUAGES = ("kk", "ru", "en")
LOGIN_CHARACTERS = "letters, digits and . _ @ -"

DbOption = Annotated[
    str | None, typer.Option("--db", metavar="URL", help="database URL (default: BAGALAU_DATABASE_URL)")
]


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    typer.echo(f"bagalau user: {message}", err=True)
    return typer.Exit(code)


def _settings(db: str | None) -> Settings:
    from pydantic import ValidationError

    from bagalau.settings import Settings, get_settings

    try:
        return Settings(database_url=db) if db else get_settings()
    except ValidationError as exc:
        messages = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        raise _fail(f"--db: {messages}") from None


def _engine(settings: Settings) -> Engine:
    """An engine on a database at the latest revision (else exit 1 saying `bagalau db upgrade`)."""
    import sqlalchemy as sa

    from bagalau.bootstrap import app_engine, check_app_engine
    from bagalau.settings import SettingsError
    from persistence import db as database

    engine = app_engine(settings)  # the application role (issue 12): never the owner's rights
    try:
        revision = database.current(engine)
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise _fail(f"the database cannot be reached: {_cause(exc)}", EXIT_DATABASE) from None
    if revision != database.head():
        engine.dispose()
        raise _fail(
            f"the database is at revision {revision or 'base (empty)'}; run `bagalau db upgrade` first", EXIT_DATABASE
        )
    try:
        check_app_engine(settings, engine)  # the start-up check: no superuser or owner login outside development
    except SettingsError as exc:
        engine.dispose()
        raise _fail(str(exc)) from None
    return engine


def _login(value: str) -> str:
    import re

    login = value.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9._@-]{1,199}", login):
        raise _fail(
            f"LOGIN: {value!r} is not a login: 2 to 200 characters, {LOGIN_CHARACTERS}, starting with a letter or digit"
        )
    return login


def _roles(values: list[str]) -> list[str]:
    for value in values:
        if value not in GRANTABLE:
            raise _fail(f"--role: {value!r} is not a role an account can hold; allowed: {', '.join(GRANTABLE)}")
    return sorted(set(values))


def _password(from_stdin: bool, sso_only: bool) -> str | None:
    from web.security import password_problem

    if from_stdin and sso_only:
        raise _fail("--password-stdin and --sso-only: give one of them, not both")
    if sso_only:
        return None
    if not from_stdin:
        raise _fail(
            "--password-stdin: required (the password is read from standard input), "
            "or --sso-only for an account that signs in only through single sign-on"
        )
    password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password)
    if problem:
        raise _fail(f"password (standard input): {problem}")
    return password


@app.command("add")
def add(
    login: Annotated[str, typer.Argument(metavar="LOGIN", help="what the person types to log in (lower-cased)")],
    person: Annotated[
        str | None,
        typer.Option("--person", metavar="PERSONNEL_NUMBER", help="the person the account acts for"),
    ] = None,
    body: Annotated[
        str | None,
        typer.Option("--body", metavar="CODE", help="the person's body (needed when the number is in several)"),
    ] = None,
    role: Annotated[
        list[str] | None,
        typer.Option("--role", metavar="ROLE", help=f"a role to grant, repeatable: {', '.join(GRANTABLE)}"),
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", metavar="LANG", help="kk, ru or en (default: the person's)")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input (one line)")
    ] = False,
    sso_only: Annotated[bool, typer.Option("--sso-only", help="no password: single sign-on only")] = False,
    db: DbOption = None,
) -> None:
    """Add an account for a person (or an admin-only account: no --person, --role admin); exit 2 on bad input."""
    import sqlalchemy as sa

    from domain.vocabulary import Language, Role
    from persistence import flowstate
    from persistence.uow import UnitOfWork
    from web.security import hash_password

    name = _login(login)
    roles = _roles(role or [])
    if language is not None and language not in LANGUAGES:
        raise _fail(f"--language: {language!r} is not a language of the pages; allowed: {', '.join(LANGUAGES)}")
    if person is None and roles != ["admin"]:
        raise _fail("--person: required, unless the account is admin-only (--role admin and no other role)")
    secret = _password(password_stdin, sso_only)
    settings = _settings(db)
    engine = _engine(settings)
    try:
        with UnitOfWork(engine, actor=_actor()) as uow:
            if uow.users.by_login(name) is not None:
                raise _fail(f"LOGIN: {name!r} exists already (`bagalau user list`)")
            body_id = None
            if body is not None:
                found = uow.org.body_by_code(body)
                if found is None:
                    code = flowstate.body_table.c.code
                    codes = uow.session.execute(sa.select(code).order_by(code)).scalars().all()
                    raise _fail(f"--body: no body {body!r}; known: {', '.join(codes) or 'none (import staff first)'}")
                body_id = found.id
            person_id = None
            if person is not None:
                statement = sa.select(flowstate.person.c.id, flowstate.person.c.body_id).where(
                    flowstate.person.c.personnel_number == person
                )
                if body_id is not None:
                    statement = statement.where(flowstate.person.c.body_id == body_id)
                matches = uow.session.execute(statement).all()
                where = f" in body {body!r}" if body else ""
                if not matches:
                    raise _fail(f"--person: no person with personnel number {person!r}{where}")
                if len(matches) > 1:
                    raise _fail(f"--person: {person!r} is a personnel number in several bodies; name one with --body")
                person_id, body_id = matches[0]
            user = uow.users.add(
                login=name,
                person_id=person_id,
                body_id=body_id,
                roles=[Role(r) for r in roles],
                password_hash=hash_password(secret) if secret is not None else None,
                language=Language(language) if language else None,
            )
            uow.commit()
    except sa.exc.SQLAlchemyError as exc:
        raise _fail(f"the database refused the account, nothing written: {_cause(exc)}", EXIT_DATABASE) from None
    finally:
        engine.dispose()
    who = f"person {user.person_number} of {user.body_code}" if user.person_number else "admin-only"
    granted = ", ".join(sorted(r.value for r in user.roles)) or "no role of its own"
    typer.echo(f"added {user.login} ({who}; {granted}; {user.language.value})")


def _cause(exc: Exception) -> object:
    """The driver's message of a database error (what went wrong, without SQLAlchemy's wrapping)."""
    return getattr(exc, "orig", None) or exc


@app.command("list")
def list_(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the accounts as JSON")] = False,
) -> None:
    """List the accounts: login, person, body, roles, language, disabled, last login."""
    from persistence.uow import UnitOfWork

    engine = _engine(_settings(db))
    try:
        with UnitOfWork(engine, actor=_actor()) as uow:
            users = uow.users.all()
    finally:
        engine.dispose()
    rows: list[dict[str, Any]] = [
        {
            "login": user.login,
            "person": user.person_number,
            "body": user.body_code,
            "roles": sorted(role.value for role in user.roles),
            "language": user.language.value,
            "disabled": user.disabled,
            "sso_only": user.password_hash is None,
            "last_login": user.last_login_at.isoformat(timespec="seconds") if user.last_login_at else None,
        }
        for user in users
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("no accounts yet (`bagalau user add LOGIN --person NUMBER --password-stdin`)")
        return
    header = ("login", "person", "body", "roles", "lang", "state", "last login")
    table = [
        (
            row["login"],
            row["person"] or "—",
            row["body"] or "—",
            ",".join(row["roles"]) or "—",
            row["language"],
            "disabled" if row["disabled"] else ("sso only" if row["sso_only"] else "active"),
            row["last_login"] or "never",
        )
        for row in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *table]) for i in range(len(header))]
    for line in [header, *table]:
        typer.echo("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


@app.command("disable")
def disable(
    login: Annotated[str, typer.Argument(metavar="LOGIN", help="the account to disable")],
    db: DbOption = None,
) -> None:
    """Disable an account: it can no longer log in, and its open sessions end now."""
    from persistence.uow import UnitOfWork

    name = login.strip().lower()
    engine = _engine(_settings(db))
    try:
        with UnitOfWork(engine, actor=_actor()) as uow:
            user = uow.users.by_login(name)
            if user is None:
                raise _fail(f"LOGIN: no account {login!r} (`bagalau user list` shows them)")
            changed = uow.users.set_disabled(user.id, True, at=datetime.now(UTC), reason="bagalau user disable")
            uow.commit()
    finally:
        engine.dispose()
    typer.echo(f"disabled {name}" if changed else f"{name} was already disabled")


def _actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in a bare container
        return "cli:user"
