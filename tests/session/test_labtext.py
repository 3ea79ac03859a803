"""The trainee-side message catalogue: every language complete and fillable."""

from __future__ import annotations

import string

import pytest

from runner.session.labtext import CATALOGUE, EN, check_lang, tr


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", sorted(CATALOGUE))
def test_every_language_has_every_message_with_the_same_fields(lang):
    column = CATALOGUE[lang]
    assert set(column) == set(EN), set(EN) ^ set(column)
    for key, text in EN.items():
        assert _fields(column[key]) == _fields(text), (lang, key)


def test_a_missing_message_falls_back_to_english(monkeypatch):
    monkeypatch.delitem(CATALOGUE["uk"], "hint.declined")
    assert tr("hint.declined", "uk") == "No hint taken."
    assert tr("hint.declined", "uk-UA") == "No hint taken."
    assert tr("tasks.tries", "ru_RU") == "попытки"


@pytest.mark.parametrize(("code", "problem"), [
    ("en", None), ("uk", None), ("ru", None), ("uk-UA", None),
    ("ua", "unknown language 'ua' (did you mean 'uk'? dflab speaks: en, uk, ru)"),
    ("de", "unknown language 'de' (dflab speaks: en, uk, ru)"),
    ("", "unknown language '' (dflab speaks: en, uk, ru)"),
])
def test_check_lang(code, problem):
    assert check_lang(code) == problem


def test_client_prints_the_closing_note_in_the_lab_language(monkeypatch, capsys):
    from runner.session import labclient

    monkeypatch.setenv("DFLAB_LANG", "uk")
    labclient.print_verdict({
        "task": "kind", "status": "wrong", "earned": 0, "points": 10, "attempts_left": 0,
        "feedback": "Not correct. No attempts left. Explanation: SYN. Now open: ports.",
        "verdict_feedback": "Not correct.", "explanation": "Лише SYN.",
        "unlocked": ["ports"]})
    assert capsys.readouterr().out == (
        "НЕПРАВИЛЬНО — завдання kind: 0/10 б.; спроб не залишилося: завдання закрите\n"
        "Пояснення: Лише SYN.\nТепер відкрито: ports.\n")
