"""The email type: display name, brackets, mailto: and case ignored."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.checkers.base import Status
from runner.checkers.email import parse_email

from .conftest import Judge


@pytest.mark.parametrize("answer", [
    "service@paypa1-secure.com", '"PayPal Support" <Service@PayPa1-Secure.COM>',
    "PayPal Support <service@paypa1-secure.com>", "<service@paypa1-secure.com>",
    "mailto:service@paypa1-secure.com", "service@paypa1-secure.com.",
])
def test_spellings_of_one_address_are_right(judge: Judge, answer: str) -> None:
    assert judge("email", answer, "service@paypa1-secure.com").status is Status.CORRECT


def test_a_lookalike_domain_is_wrong(judge: Judge) -> None:
    assert judge("email", "service@paypal-secure.com",
                 "service@paypa1-secure.com").status is Status.WRONG


def test_local_part_case_can_be_made_to_matter(judge: Judge) -> None:
    assert judge("email", "Anna@x.org", "anna@x.org").status is Status.CORRECT
    assert judge("email", "Anna@x.org", "anna@x.org",
                 case_sensitive_local=True).status is Status.WRONG


def test_idn_domains_compare_as_punycode(judge: Judge) -> None:
    assert judge("email", "anna@bücher.de", "anna@xn--bcher-kva.de").status is Status.CORRECT


@pytest.mark.parametrize("answer", ["anna", "anna@", "@x.org", "anna@x", "a@x.org, b@y.org",
                                    "an..na@x.org.", ".anna@x.org"])
def test_not_an_address_is_invalid(judge: Judge, answer: str) -> None:
    verdict = judge("email", answer, "anna@x.org")
    assert verdict.status is Status.INVALID and verdict.feedback


@settings(max_examples=200, deadline=None)
@given(local=st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9._+-]{0,10}[a-zA-Z0-9]", fullmatch=True),
       domain=st.from_regex(r"[a-z0-9]{1,10}\.[a-z]{2,6}", fullmatch=True),
       name=st.text(alphabet="ABC abc", max_size=10))
def test_a_display_name_never_changes_the_address(local: str, domain: str, name: str) -> None:
    plain = parse_email(f"{local}@{domain}")
    assert parse_email(f'"{name}" <{local}@{domain.upper()}>') == plain
    assert parse_email(plain) == plain
