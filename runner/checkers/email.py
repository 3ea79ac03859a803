"""E-mail addresses: a display name, angle brackets, ``mailto:`` and case do not matter.

``"PayPal Support" <Service@PayPa1-Secure.COM>`` equals ``service@paypa1-secure.com``: a
trainee copies a From: header whole or types the address alone. The domain is compared
as the ``domain`` type compares it (case, trailing dot, IDN spelling); the local part is
compared without case by default, as every large mail provider delivers it, unless
``case_sensitive_local: true``.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

from pydantic import Field

from runner.checkers._common import snippet, token
from runner.checkers.base import Checker, CheckerParams, InvalidAnswer
from runner.checkers.domain import parse_domain

HINT = "Write an e-mail address such as anna@example.com."
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}|\"[^\"\\]{1,62}\"")


class EmailParams(CheckerParams):
    case_sensitive_local: bool = Field(
        False, description="Letter case of the part before @ must match.")


def parse_email(raw: str, case_sensitive_local: bool = False) -> str:
    """The address alone, domain in lower-case ASCII.

    Raises:
        InvalidAnswer: not one e-mail address.
    """
    text = token(raw, "an e-mail address", HINT, max_len=512, spaces=True)
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):]
    if "," in text.replace('\\,', "") and text.count("@") > 1:
        raise InvalidAnswer("That is more than one address.", "Give one address.")
    _, address = parseaddr(text)
    if "@" not in address:
        raise InvalidAnswer(f"{snippet(text)} is not an e-mail address.", HINT)
    local, _, domain = address.rpartition("@")
    if not _LOCAL.fullmatch(local) or local.startswith(".") or local.endswith(".") \
            or ".." in local:
        raise InvalidAnswer(f"{snippet(local)} is not the part of an address before @.", HINT)
    try:
        host = parse_domain(domain)
    except InvalidAnswer:
        raise InvalidAnswer(f"{snippet(domain)} is not a mail domain.", HINT) from None
    if "." not in host and host != "localhost":
        raise InvalidAnswer(f"{snippet(domain)} is not a full mail domain.", HINT)
    return f"{local if case_sensitive_local else local.lower()}@{host}"


class EmailChecker(Checker):
    name = "email"
    summary = "An e-mail address; display name, <>, mailto: and domain case ignored."
    Params = EmailParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, EmailParams)
        return parse_email(raw, params.case_sensitive_local)


CHECKER = EmailChecker
