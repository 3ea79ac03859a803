"""The command table: every registered command is mapped to the module that owns it."""

from __future__ import annotations

import argparse

from runner.cli.main import COMMAND_MODULES, COMMANDS, build_parser


def test_every_command_is_mapped_to_its_module():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(COMMANDS)
    assert set(COMMANDS.values()) == set(COMMAND_MODULES)
    for command, module in COMMANDS.items():
        only = build_parser(command)
        only_sub = next(a for a in only._actions if isinstance(a, argparse._SubParsersAction))
        assert command in only_sub.choices, (command, module)


def test_version_and_unknown_command(cli):
    assert cli("--version").code == 0
    result = cli("frobnicate")
    assert result.code == 2 and "invalid choice" in result.stderr
