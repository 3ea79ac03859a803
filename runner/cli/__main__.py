"""``python -m runner.cli``: the same as the ``dflab`` command."""

from runner.cli.main import entry

entry()
