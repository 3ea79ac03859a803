"""``python -m runner.cli``: the same as the ``dflab`` command."""

from runner.cli.main import entry

if __name__ == "__main__":  # not when a worker process (spawn) imports it again
    entry()
