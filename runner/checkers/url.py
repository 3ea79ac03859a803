"""URLs, compared after RFC 3986 syntax-based normalisation.

Scheme and host case, the default port, an empty path versus ``/`` and the
case of percent-escapes do not matter; escaped unreserved characters
(``%7E`` for ``~``) equal their plain form; the host may be an IDN.

Dot segments are *not* removed: ``/a/../etc/passwd`` in a request is evidence
of a traversal attempt, and a trainee who reports it must report it as sent.
The fragment (``#...``) never crosses the wire, so it is ignored by default.
An answer without a scheme is read as ``http://`` (what a capture shows).
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, quote, urlsplit

from pydantic import Field

from runner.checkers._common import snippet, token
from runner.checkers.base import Checker, CheckerParams, InvalidAnswer
from runner.checkers.domain import parse_domain
from runner.checkers.ip import parse_address

HINT = "Write a URL such as http://example.com/path?q=1."
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_SAFE = "!#$%&'()*+,/:;=?@[]~-._"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class UrlParams(CheckerParams):
    ignore_query: bool = Field(False, description="Ignore the query string (?...) when comparing.")
    ignore_fragment: bool = Field(True, description="Ignore the fragment (#...) when comparing.")


def _escapes(part: str) -> str:
    """Percent-encode what must be, upper-case escapes, unescape unreserved characters."""
    try:
        encoded = quote(part, safe=_SAFE, errors="strict")
    except UnicodeEncodeError:
        raise InvalidAnswer("The URL has characters that cannot be encoded.", HINT) from None

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, encoded)


def _host(parts: SplitResult) -> str:
    host = parts.hostname
    if not host:
        raise InvalidAnswer("The URL has no host name.", HINT)
    if ":" in host:
        return f"[{parse_address(host, map_v4=False)}]"
    return parse_domain(host)


def _netloc(parts: SplitResult, scheme: str) -> str:
    try:
        port = parts.port
    except ValueError:
        raise InvalidAnswer("The URL's port is not a number from 0 to 65535.", HINT) from None
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    netloc = _host(parts)
    if userinfo:
        netloc = f"{_escapes(userinfo)}@{netloc}"
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    return netloc


def parse_url(raw: str, params: UrlParams) -> str:
    """A URL in normal form.

    Raises:
        InvalidAnswer: not a URL with a host.
    """
    text = token(raw, "a URL", HINT, max_len=8192)
    if not _SCHEME.match(text):
        text = f"http:{text}" if text.startswith("//") else f"http://{text}"
    try:
        parts = urlsplit(text)
    except ValueError:
        raise InvalidAnswer(f"{snippet(text)} is not a URL.", HINT) from None
    scheme = parts.scheme.lower()
    url = f"{scheme}://{_netloc(parts, scheme)}{_escapes(parts.path) or '/'}"
    if parts.query and not params.ignore_query:
        url = f"{url}?{_escapes(parts.query)}"
    if parts.fragment and not params.ignore_fragment:
        url = f"{url}#{_escapes(parts.fragment)}"
    return url


class UrlChecker(Checker):
    name = "url"
    summary = "A URL; scheme/host case, default port, empty path and %-escape case do not matter."
    Params = UrlParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, UrlParams)
        return parse_url(raw, params)


CHECKER = UrlChecker
