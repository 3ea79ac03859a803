"""The checker registry: one name per checker, every module listed, plug-ins safe."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import runner.checkers as checkers_pkg
from runner.checkers import BUILTIN_MODULES, registry
from runner.checkers.base import Checker, CheckerParams
from runner.checkers.registry import CheckerRegistry
from runner.checkers.text import TextChecker
from runner.errors import InputError

NOT_CHECKERS = {"__init__", "base", "registry"}
# The package exposes a registry() function that shadows the submodule name.
registry_module = sys.modules[CheckerRegistry.__module__]


def test_every_module_in_the_folder_is_listed_in_builtin_modules() -> None:
    folder = Path(checkers_pkg.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - NOT_CHECKERS
    public = {m for m in modules if not m.startswith("_")}  # _common: shared helpers
    assert public == set(BUILTIN_MODULES)


def test_every_builtin_module_exposes_a_checker_named_after_it() -> None:
    for name in BUILTIN_MODULES:
        assert registry().get(name).name == name


def test_a_second_checker_of_the_same_name_is_refused() -> None:
    reg = CheckerRegistry()
    reg.register(TextChecker)

    class Impostor(Checker):
        name = "text"

    with pytest.raises(ValueError, match="already registered by TextChecker"):
        reg.register(Impostor)


def test_a_checker_without_a_name_is_refused() -> None:
    class Nameless(Checker):
        pass

    with pytest.raises(ValueError, match="no 'name'"):
        CheckerRegistry().register(Nameless)


def test_an_unknown_type_suggests_the_nearest_name() -> None:
    with pytest.raises(InputError) as info:
        registry().get("domian")
    assert "did you mean 'domain'" in info.value.one_line()


class _EntryPoint:
    def __init__(self, name: str, target: Any) -> None:
        self.name = name
        self._target = target

    def load(self) -> Any:
        if isinstance(self._target, Exception):
            raise self._target
        return self._target


class _Plugin(Checker):
    name = "plugin-demo"


def test_a_broken_plugin_gives_a_warning_and_the_good_one_still_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    eps = [
        _EntryPoint("broken", ImportError("no module named nowhere")),
        _EntryPoint("ok", _Plugin),
    ]
    monkeypatch.setattr(registry_module, "entry_points", lambda group: eps)
    reg = CheckerRegistry()
    reg.load_plugins()
    assert "plugin-demo" in reg
    assert reg.warnings == ["checker plug-in 'broken' ignored: no module named nowhere"]


def test_a_plugin_reusing_a_builtin_name_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        registry_module, "entry_points", lambda group: [_EntryPoint("t", TextChecker)]
    )
    reg = CheckerRegistry()
    reg.register(TextChecker)
    reg.load_plugins()
    assert len(reg.warnings) == 1
    assert "already registered" in reg.warnings[0]


@pytest.mark.parametrize("name", BUILTIN_MODULES)
def test_every_parameter_has_a_description(name: str) -> None:
    params: type[CheckerParams] = registry().get(name).Params
    for field_name, field in params.model_fields.items():
        assert field.description, f"{name}.{field_name} has no description"
    params.model_json_schema()  # `dflab schema` must be able to export it


@pytest.mark.parametrize("name", BUILTIN_MODULES)
def test_every_checker_has_a_summary(name: str) -> None:
    assert registry().get(name).summary
