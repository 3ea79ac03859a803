"""The analyzer registry: one name each, every built-in module registered."""

from __future__ import annotations

from pathlib import Path

import pytest

import runner.evidence.analyzers as builtins
from runner.errors import InputError
from runner.evidence.analyzers.base import Analyzer
from runner.evidence.analyzers.registry import (
    DuplicateAnalyzerError,
    all_analyzers,
    all_tables,
    get,
    register,
    unregister,
)

HELPERS = {"__init__", "base", "registry", "util"}


def test_every_module_in_the_folder_is_imported_and_registered() -> None:
    folder = Path(builtins.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - HELPERS
    assert modules == set(builtins.BUILTIN_MODULES)
    registered_modules = {cls.__module__.rsplit(".", 1)[-1] for cls in all_analyzers().values()}
    assert registered_modules == modules


def test_duplicate_name_is_refused() -> None:
    class Fake(Analyzer):
        name = "dns"

    with pytest.raises(DuplicateAnalyzerError, match="already registered"):
        register(Fake)


def test_new_analyzer_registers_and_unregisters() -> None:
    class Extra(Analyzer):
        name = "extra-test"

    register(Extra)
    try:
        assert get("extra-test") is Extra
    finally:
        unregister("extra-test")
    assert "extra-test" not in all_analyzers()


def test_unknown_analyzer_is_an_input_error_listing_the_names() -> None:
    with pytest.raises(InputError, match="unknown analyzer") as info:
        get("nope")
    assert info.value.fix is not None
    assert "dns" in info.value.fix


def test_every_table_declares_typed_documented_fields() -> None:
    tables = all_tables()
    assert "http.objects" in tables
    for name, fields in tables.items():
        assert fields, name
        for field in fields:
            assert field.type in {"str", "int", "float", "bool"}, (name, field.name)
            assert field.doc, (name, field.name)
