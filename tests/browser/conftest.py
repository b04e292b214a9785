"""Fixtures of the web tier: the real app served by uvicorn on a free port, and Debian's Chromium through Playwright.

- ``web_org``: a body ``nchr`` with three people — E1 (an employee, no role), H1 (HR head by ``body_role``) and E0
  (appointing official by ``body_role``) — and four accounts: ``aigul`` (E1, kk), ``dana`` (H1, ru, granted
  ``hr`` too), ``erlan`` (E0, en, disabled later by some tests) and ``root`` (admin-only). Every password is
  :data:`PASSWORD`.
- ``live_app``: ``create_app`` against the test PostgreSQL database as the application role, with a clock the test
  can move (``live_app.clock.advance(minutes=…)``), served by uvicorn in a thread; ``live_app.url``.
- ``browser``: one Chromium per test session (``/usr/bin/chromium``, installed by ``.ci/ensure-browser``);
  ``page``: a fresh context (no cookies) per test. ``shoot(page, name)`` writes ``build/screenshots/<name>.png``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from domain.vocabulary import Language, Role
from persistence.uow import UnitOfWork
from web.app import create_app
from web.config import WebSettings
from web.security import hash_password

PASSWORD = "correct horse battery staple"
PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
#: The API's 404 (``{"detail": …}``) in each language: the same sentence for a missing thing and a refused one (R-2).
NOT_FOUND = {"kk": "табылмады", "ru": "не найдено", "en": "not found"}


def not_found_for(client: Any, headers: dict[str, str]) -> dict[str, str]:
    """The 404 answer the account behind ``headers`` reads (its language, asked of ``/api/v1/me``)."""
    return {"detail": NOT_FOUND[client.get("/api/v1/me", headers=headers).json()["language"]]}


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
TEST_SECRET = "test-secret-key-of-at-least-thirty-two-characters"


class MovableClock:
    """A clock that starts now and moves only when told (sessions expire without waiting hours)."""

    def __init__(self) -> None:
        self.offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self.offset

    def today(self) -> date:
        from zoneinfo import ZoneInfo

        return self.now().astimezone(ZoneInfo("Asia/Almaty")).date()

    def advance(self, **delta: float) -> None:
        with self._lock:
            self.offset += timedelta(**delta)


@dataclass(frozen=True)
class WebOrg:
    """Ids of the test body, people and accounts."""

    body: int
    e1: int
    h1: int
    e0: int
    aigul: int
    dana: int
    erlan: int
    root: int


@pytest.fixture
def web_org(db: Engine) -> WebOrg:
    """A body with an employee, an HR head, an appointing official, and their accounts (plus an admin)."""
    with UnitOfWork(db, actor="test") as uow:
        body = uow.org.add_body(code="nchr", name="Ұлттық орталық")
        e1 = uow.org.add_person(body_id=body.id, personnel_number="E1", full_name="Айгерім Сәрсенова")
        h1 = uow.org.add_person(body_id=body.id, personnel_number="H1", full_name="Дана Ахметова", language=Language.RU)
        e0 = uow.org.add_person(body_id=body.id, personnel_number="E0", full_name="Erlan Omarov", language=Language.EN)
        uow.org.add_role(body_id=body.id, person_id=h1.id, role=Role.HR_HEAD, started_on=date(2020, 1, 1))
        uow.org.add_role(body_id=body.id, person_id=e0.id, role=Role.APPOINTING_OFFICIAL)
        aigul = uow.users.add(login="aigul", person_id=e1.id, password_hash=PASSWORD_HASH)
        dana = uow.users.add(login="dana", person_id=h1.id, roles=[Role.HR], password_hash=PASSWORD_HASH)
        erlan = uow.users.add(login="erlan", person_id=e0.id, password_hash=PASSWORD_HASH)
        root = uow.users.add(login="root", body_id=body.id, roles=[Role.ADMIN], password_hash=PASSWORD_HASH)
        uow.commit()
    return WebOrg(body.id, e1.id, h1.id, e0.id, aigul.id, dana.id, erlan.id, root.id)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveApp:
    """The app being served: its address, clock, settings, engine and the FastAPI object."""

    url: str
    clock: MovableClock
    settings: WebSettings
    engine: Engine
    app: Any


class ServedApp:
    """An ASGI app served by uvicorn in a thread on ``127.0.0.1:port`` until ``stop()``."""

    def __init__(self, app: Any, port: int) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def web_settings(**overrides: Any) -> WebSettings:
    """Test settings: a real secret, small rate limits; not read from the environment."""
    values: dict[str, Any] = {
        "environment": "development",
        "secret_key": SecretStr(TEST_SECRET),
        "login_max_failures_per_login": 3,
        "login_max_failures_per_client": 8,
        "login_window_minutes": 15,
        "session_lifetime_minutes": 60,
        "session_idle_minutes": 30,
    }
    values.update(overrides)
    return WebSettings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def live_settings() -> WebSettings:
    """The settings ``live_app`` is built with (override this fixture to change them)."""
    return web_settings()


@pytest.fixture
def live_app(db: Engine, web_org: WebOrg, live_settings: WebSettings) -> Iterator[LiveApp]:
    """The web app on the test database (as the application role), served on a free port."""
    clock = MovableClock()
    app = create_app(live_settings, db, clock=clock)
    port = free_port()
    served = ServedApp(app, port)
    served.start()
    try:
        yield LiveApp(f"http://127.0.0.1:{port}", clock, live_settings, db, app)
    finally:
        served.stop()


# --- the browser -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (its own browser download cannot work here)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run .ci/ensure-browser (apt-get install chromium)", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page in a fresh browser context (no cookies), 1280×800, Kazakh-speaking browser."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="kk-KZ")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def shoot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as ``build/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
