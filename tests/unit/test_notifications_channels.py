"""Channels: contacts become apprise URLs, bad contacts are refused naming the person, the channel and the value."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bagalau.bootstrap import delivery_config
from bagalau.settings import NotificationSettings, Settings
from notifications.channels import (
    Address,
    ChannelError,
    RecordingChannel,
    channel_kind,
    email_recipients,
    is_email,
    mask,
    resolve,
    resolve_value,
)
from notifications.config import DeliveryConfig
from notifications.delivery import Budget
from notifications.rendering import render

SMTP = "mailto://127.0.0.1:2525?from=hr@body.kz"
TEMPLATES = {"email": SMTP, "sms": "json://127.0.0.1:9000/sms?to={address}"}


def test_a_plain_email_becomes_a_mailto_url_through_the_bodys_smtp_server() -> None:
    address = resolve("Aigerim Sarsenova", "email", "a.sarsenova+hr@example.kz", url_templates=TEMPLATES)

    assert address == Address(
        "email",
        "a.sarsenova+hr@example.kz",
        "mailto://127.0.0.1:2525?from=hr@body.kz&format=text&to=a.sarsenova%2Bhr@example.kz",
    )
    assert email_recipients(address.url) == ["a.sarsenova+hr@example.kz"]


def test_the_smtp_url_may_say_where_the_recipient_goes() -> None:
    templates = {"email": "mailtos://user:secret@smtp.body.kz:465?to={email}&from=hr@body.kz"}
    address = resolve("E1", "email", "e1@example.kz", url_templates=templates)

    assert address.url == "mailtos://user:secret@smtp.body.kz:465?to=e1@example.kz&from=hr@body.kz&format=text"
    assert address.safe_url == "mailtos://user:****@smtp.body.kz:465?to=e1@example.kz&from=hr@body.kz&format=text"


def test_a_phone_number_goes_through_the_sms_gateway_template() -> None:
    address = resolve("E1", "sms", "+7 (701) 000-00-01", url_templates=TEMPLATES)
    assert address.url == "json://127.0.0.1:9000/sms?to=%2B77010000001"  # "+" escaped: a query "+" is a space
    assert channel_kind(address.url) == "webhook"


def test_a_full_apprise_url_is_used_as_it_is() -> None:
    address = resolve_value(
        "E1", "telegram", "tgram://123456789:ABCdefGhIJKlmnOPQRstuVWxyz/987654321", url_templates={}
    )
    assert address.channel == "telegram" and address.url.startswith("tgram://")


@pytest.mark.parametrize("value", ["aigerim", "aigerim@", "aigerim@body", "@body.kz", "a b@body.kz"])
def test_an_email_without_a_domain_is_refused_naming_person_channel_and_value(value: str) -> None:
    with pytest.raises(ChannelError) as error:
        resolve("Aigerim Sarsenova", "email", value, url_templates=TEMPLATES)

    assert str(error.value).startswith(f"Aigerim Sarsenova: channel email {value.strip()!r}")
    assert "domain" in error.value.problem


@pytest.mark.parametrize("url", ["mailto://", "tgram://", "foo://bar", "not a url://x"])
def test_a_malformed_apprise_url_is_refused(url: str) -> None:
    with pytest.raises(ChannelError, match="malformed apprise URL"):
        resolve_value("E1", "email", url, url_templates=TEMPLATES)


def test_a_mailto_url_with_a_bad_or_no_recipient_is_refused_rather_than_mailing_the_sender() -> None:
    with pytest.raises(ChannelError, match="bad recipient 'nodomain'"):
        resolve_value("E1", "email", f"{SMTP}&to=nodomain", url_templates=TEMPLATES)
    with pytest.raises(ChannelError, match="no recipient"):
        resolve_value("E1", "email", SMTP, url_templates=TEMPLATES)


def test_a_password_never_appears_in_an_error() -> None:
    with pytest.raises(ChannelError) as error:
        resolve_value("E1", "email", "mailtos://user:hunter2@smtp.body.kz?to=nodomain", url_templates=TEMPLATES)
    assert "hunter2" not in str(error.value) and "****" in str(error.value)


def test_without_a_default_url_a_plain_address_cannot_be_used() -> None:
    with pytest.raises(ChannelError, match=r"no default for email \(BAGALAU_SMTP_URL\)"):
        resolve("E1", "email", "e1@example.kz", url_templates={})
    with pytest.raises(ChannelError, match="no default for telegram"):
        resolve("E1", "telegram", "@aigerim", url_templates=TEMPLATES)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("a@body.kz", True), ("a.b-c@mail.body.kz", True), ("a@мвд.қаз", True), ("a@body", False), ("a", False)],
)
def test_what_counts_as_an_email_address(value: str, expected: bool) -> None:
    assert is_email(value) is expected


def test_mask_hides_only_the_password() -> None:
    assert mask("mailtos://user:p%40ss@host:465/?to=x@y.kz") == "mailtos://user:****@host:465/?to=x@y.kz"
    assert mask("mailto://host?to=x@y.kz") == "mailto://host?to=x@y.kz"


def test_the_recording_channel_records_and_can_rehearse_a_refusal() -> None:
    channel = RecordingChannel(refuse=frozenset({"bad@example.kz"}))
    message = render("test_message", "en", {"channel": "email"}, False)
    good = resolve("E1", "email", "e1@example.kz", url_templates=TEMPLATES)
    bad = resolve("E2", "email", "bad@example.kz", url_templates=TEMPLATES)

    assert channel.send(good, message, message_key="k1").ok
    assert not channel.send(bad, message, message_key="k2").ok
    assert [(sent.address.address, sent.message_key) for sent in channel.sent] == [("e1@example.kz", "k1")]


# --- delivery configuration -------------------------------------------------------------------------------


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    config = DeliveryConfig(backoff=timedelta(minutes=1), backoff_cap=timedelta(minutes=10))
    waits = [config.backoff_after(attempt) for attempt in range(1, 7)]
    assert waits == [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 10, 10)]
    assert config.backoff_after(10_000) == timedelta(minutes=10)


def test_the_configuration_comes_from_the_settings_and_the_notify_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAGALAU_NOTIFY_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("BAGALAU_NOTIFY_RATE_LIMITS", '{"sms": 10}')
    monkeypatch.setenv("BAGALAU_NOTIFY_URL_TEMPLATES", '{"sms": "json://gw/sms?to={address}"}')
    config = delivery_config(Settings(smtp_url=SMTP, hr_email="hr@body.kz"), NotificationSettings())

    assert config.max_attempts == 3 and config.rate_limits == {"sms": 10}
    assert config.url_templates == {"email": SMTP, "sms": "json://gw/sms?to={address}"}
    assert config.hr_email == "hr@body.kz"


def test_the_rate_limit_counts_messages_per_channel_kind() -> None:
    budget = Budget({"email": 2})
    assert budget.has_room(["email", "email", "sms"])
    assert not budget.has_room(["email", "email", "email"])
    assert [budget.take("email") for _ in range(3)] == [True, True, False]
    assert budget.take("sms")
