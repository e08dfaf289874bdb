"""`kk_core.store.redact_url` hides passwords and tokens however a URL is spelt.

A password with an unencoded ``#``, ``/``, ``?`` or ``@`` makes URL parsers disagree
about where it ends; the redaction must hide it under every reading.
"""

from __future__ import annotations

import string
from urllib.parse import quote

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from kk_core.store import redact_url, url_secrets

PRINTABLE = st.text(alphabet=string.printable, min_size=1, max_size=24)
USERS = st.sampled_from(["kk", "kk_app", "postgres", "u.s-e_r"])
HOSTS = st.sampled_from(["db", "db.example.org", "127.0.0.1", "[::1]", "10.0.0.7"])
PORTS = st.sampled_from(["", ":5432", ":1"])
TAILS = st.sampled_from(["/kk", "/kk?sslmode=require", "/kk?read_only=true&timeout=5", "", "/"])
SCHEMES = st.sampled_from(["postgresql", "postgresql+psycopg", "memory", "x-store"])

# the properties are checked on a fixed set of examples: CI never fails by chance
PROPERTY = settings(derandomize=True, max_examples=400, deadline=None)


@PROPERTY
@given(SCHEMES, USERS, PRINTABLE, HOSTS, PORTS, TAILS)
@example("postgresql+psycopg", "kk", "Hash#Pass", "db", "", "/kk")
@example("postgresql", "kk", "a/b", "db", "", "/kk")
@example("postgresql", "kk", "a?b", "db", "", "/kk?read_only=true")
@example("postgresql", "kk", "p@ss", "db", ":5432", "/kk")
@example("postgresql", "kk", "x@h/d?a=b", "127.0.0.1", ":1", "/kk")
@example("postgresql", "kk", "123#45", "db", "", "/kk")
@example("postgresql", "kk", "a@b/c", "db", "", "/kk")
@example("postgresql", "kk", "tail@", "db", "", "/kk")
@example("postgresql", "kk", "p:w", "[::1]", ":5432", "/kk")
def test_a_password_never_shows(
    scheme: str, user: str, password: str, host: str, port: str, tail: str
) -> None:
    url = f"{scheme}://{user}:{password}@{host}{port}{tail}"
    # a password that is a piece of the rest of the URL proves nothing either way
    assume(password not in f"{scheme}://{user}:***@{host}{port}{tail}")
    for spelt in (url, f"{scheme}://{user}:{quote(password, safe='')}@{host}{port}{tail}"):
        shown = redact_url(spelt)
        assert password not in shown
        assert shown.startswith(f"{scheme}://")
        assert redact_url(shown) == shown  # redacting twice changes nothing
        assert password in url_secrets(spelt) or quote(password, safe="") in url_secrets(spelt)


@PROPERTY
@given(SCHEMES, USERS, st.text(alphabet=string.ascii_letters + string.digits + "-._~", min_size=1,
                               max_size=24), HOSTS, PORTS, TAILS)  # fmt: skip
def test_a_well_formed_url_keeps_everything_but_the_password(
    scheme: str, user: str, password: str, host: str, port: str, tail: str
) -> None:
    url = f"{scheme}://{user}:{password}@{host}{port}{tail}"
    assert redact_url(url) == f"{scheme}://{user}:***@{host}{port}{tail}"


TOKENS = st.text(alphabet=string.ascii_letters + string.digits + "-_.~%+/=", min_size=6,
                 max_size=40)  # fmt: skip


@PROPERTY
@given(TOKENS, st.sampled_from(["kf.kobotoolbox.org", "kobo.example:8443", "10.1.2.3"]))
@example("0123456789abcdef0123", "kf.kobotoolbox.org")
def test_a_token_as_user_never_shows(token: str, host: str) -> None:
    assume("@" not in token and "/" not in token)
    for scheme in ("kobo+https", "https", "http", "kobo+http"):
        url = f"{scheme}://{token}@{host}/api/v2/assets/aXYZ/data"
        assume(token not in url.replace(token, "***"))
        shown = redact_url(url)
        assert token not in shown
        assert shown == f"{scheme}://***@{host}/api/v2/assets/aXYZ/data"


@PROPERTY
@given(
    st.sampled_from(["token", "api_key", "access_token", "Password", "sig", "client_secret"]),
    st.text(alphabet=string.printable.replace("&", "").replace(";", ""), min_size=4,
            max_size=30),
    st.sampled_from(["kobo+https://kf.example/aXYZ", "sqlite:///kk.db", "memory://named",
                     "x:relative"]),
)  # fmt: skip
@example("token", "abc#def", "kobo+https://kf.example/aXYZ")
@example("api_key", "K1 two", "sqlite:///kk.db")
def test_secret_query_values_never_show(name: str, value: str, base: str) -> None:
    url = f"{base}?format=json&{name}={value}&limit=10"
    assume(value not in url.replace(f"{name}={value}", f"{name}=***"))
    shown = redact_url(url)
    assert value not in shown
    if "@" not in value:  # else it may also read as the end of a password: more is hidden
        assert f"{name}=***" in shown
        assert "format=json" in shown
    assert redact_url(shown) == shown


@pytest.mark.parametrize(
    "url",
    [
        "kobo+https://kf.example/aXYZ?token_env=KOBO_TOKEN",  # names a variable, not a secret
        "postgresql://kk@db/kk?application_name=me@home",  # no password: nothing to hide
        "sqlite:///kk-reports.db?read_only=true",
        "postgresql://kk@[::1]:5432/kk",
    ],
)
def test_nothing_secret_is_left_alone(url: str) -> None:
    assert redact_url(url) == url
    assert url_secrets(url) == []


@pytest.mark.parametrize(
    ("url", "secret", "shown"),
    [
        (
            "postgresql+psycopg:pw:S3cr3tX@127.0.0.1:5432/kk",  # the // forgotten
            "S3cr3tX",
            "postgresql+psycopg:***@127.0.0.1:5432/kk",
        ),
        ("postgresql+psycopg:/pw:S3cr3tX@db/kk", "S3cr3tX", "postgresql+psycopg:***@db/kk"),
        (
            "host=db user=kk password=S3cr3tX dbname=kk",  # a libpq keyword string
            "S3cr3tX",
            "host=db user=kk password=*** dbname=kk",
        ),
    ],
)
def test_a_secret_in_something_that_is_not_quite_a_url_never_shows(
    url: str, secret: str, shown: str
) -> None:
    assert redact_url(url) == shown
    assert secret in "".join(url_secrets(url))
