"""An e-mail URL with one plain recipient gets the server's apprise plugin copied with that recipient (issue 13):
it must be the plugin apprise itself builds from the whole URL, setting for setting, and every other URL must
still be built by apprise."""

from __future__ import annotations

import pytest

from notifications import channels

SETTINGS = (
    "targets", "names", "from_addr", "smtp_host", "port", "secure", "secure_mode", "user", "password", "cc", "bcc",
    "reply_to", "headers", "notify_format", "verify_certificate", "app_id", "title_maxlen", "tzinfo",
)  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "mailto://127.0.0.1:2525?from=hr@bench.gov.kz&format=text&to=a.b@body.kz",
        "mailto://localhost?from=bagalau@localhost&to=x%2By@example.kz",
        "mailtos://user:secret-pass@smtp.body.kz:587?from=hr@body.kz&name=HR%20Service&to=e3@body.kz",
        "mailto://smtp.body.kz?from=hr@body.kz&to=E3@Body.KZ&format=html",
        "mailtos://hr%40body.kz:p4ss@gmail.com?to=e3@body.kz",
    ],
)
def test_the_copy_is_the_plugin_apprise_builds(url: str) -> None:
    fast = channels._for_one_recipient(url)
    whole = channels._built(url)
    assert fast is not None and len(fast) == len(whole) == 1
    copied, built = fast[0], whole[0]
    for setting in SETTINGS:
        assert getattr(copied, setting, None) == getattr(built, setting, None), setting
    assert copied.url(privacy=True) == built.url(privacy=True)  # what proofs and logs show
    assert copied.url() == built.url() and len(copied) == len(built)
    assert channels._plugins(url)[0].targets == built.targets  # the cached path takes the copy


def test_two_recipients_share_the_server_plugin_but_not_their_recipient() -> None:
    first = channels._plugins("mailto://localhost?from=hr@body.kz&to=one@body.kz")[0]
    second = channels._plugins("mailto://localhost?from=hr@body.kz&to=two@body.kz")[0]
    assert first is not second
    assert first.targets == [(False, "one@body.kz")] and second.targets == [(False, "two@body.kz")]


@pytest.mark.parametrize(
    "url",
    [
        "mailto://localhost?from=hr@body.kz&to=a@body.kz,b@body.kz",  # two recipients
        "mailto://localhost?from=hr@body.kz&to=a@body.kz&cc=c@body.kz",  # a copy to someone
        "mailto://localhost?from=hr@body.kz&to=Aigerim%20%3Ca@body.kz%3E",  # a named recipient
        "mailto://localhost/a@body.kz",  # the recipient in the path
        "mailto://localhost?from=hr@body.kz&to=not-an-address",
        "tgram://123456789:abcdefghijklmnopqrstuvwxyz0123456789/401234567",
    ],
)
def test_any_other_url_is_built_whole_by_apprise(url: str) -> None:
    assert channels._for_one_recipient(url) is None
