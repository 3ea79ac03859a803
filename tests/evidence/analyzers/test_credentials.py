"""Cleartext credentials from FTP, Telnet, HTTP Basic and forms, POP3, IMAP and SMTP."""

from __future__ import annotations

import base64

import pytest

from evidence.conftest import Analyze
from runner.evidence import craft

FORM = b"Content-Type: application/x-www-form-urlencoded\r\n"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _creds(
    run: Analyze, messages: list[tuple[bool, bytes]], port: int
) -> list[tuple[str, str, str]]:
    rows = run(craft.tcp_session(messages, sport=port), "credentials").tables[
        "credentials.credentials"
    ]
    return [(r["method"], r["username"], r["password"]) for r in rows]


@pytest.mark.parametrize(
    ("port", "messages", "expected"),
    [
        (21, [(False, b"220 hi\r\n"), (True, b"USER alice\r\n"), (False, b"331 pw\r\n"),
              (True, b"PASS s3cret\r\n")],
         ("USER/PASS", "alice", "s3cret")),
        (110, [(True, b"USER bob\r\nPASS hunter2\r\n")], ("USER/PASS", "bob", "hunter2")),
        (143, [(True, b'a1 LOGIN "carol" "pa ss"\r\n')], ("LOGIN", "carol", "pa ss")),
        (25, [(True, b"EHLO x\r\nAUTH PLAIN " + _b64("\x00dave\x00pw1").encode() + b"\r\n")],
         ("AUTH PLAIN", "dave", "pw1")),
        (587, [(True, b"AUTH LOGIN\r\n"), (False, b"334 VXNlcm5hbWU6\r\n"),
               (True, _b64("erin").encode() + b"\r\n" + _b64("pw2").encode() + b"\r\n")],
         ("AUTH LOGIN", "erin", "pw2")),
    ],
    ids=["ftp", "pop3", "imap", "smtp-plain", "smtp-login"],
)  # fmt: skip
def test_line_protocols(
    run: Analyze, port: int, messages: list[tuple[bool, bytes]], expected: tuple[str, str, str]
) -> None:
    assert _creds(run, messages, port) == [expected]


def test_telnet_login_with_echo_and_iac(run: Analyze) -> None:
    messages = [
        (False, b"\xff\xfd\x18\xff\xfb\x01Router login: "),
        (True, b"a"), (False, b"a"), (True, b"dm"), (False, b"dm"), (True, b"in\r\n"),
        (False, b"\r\nPassword: "),
        (True, b"Huaw"), (True, b"ei1\x7f2\r\n"),
        (False, b"\r\n<Router>"),
    ]  # fmt: skip
    assert _creds(run, messages, 23) == [("login", "admin", "Huawei2")]


def test_http_basic_with_colon_in_password_and_form_post(run: Analyze) -> None:
    auth = _b64("root:a:b")
    basic = f"GET /admin HTTP/1.1\r\nHost: h\r\nAuthorization: Basic {auth}\r\n\r\n".encode()
    form = b"user=eve&passwd=letmein&go=1"
    post = (b"POST /login.php HTTP/1.1\r\nHost: h\r\n" + FORM +
            b"Content-Length: %d\r\n\r\n%s" % (len(form), form))  # fmt: skip
    found = _creds(run, [(True, basic + post)], 80)
    assert found == [("Basic", "root", "a:b"), ("form", "eve", "letmein")]


def test_form_without_password_field_is_not_a_credential(run: Analyze) -> None:
    form = b"q=search+terms"
    post = b"POST /s HTTP/1.1\r\nHost: h\r\n" + FORM + b"Content-Length: 14\r\n\r\n" + form
    assert _creds(run, [(True, post)], 80) == []
