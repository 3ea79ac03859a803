"""The ``dflab`` command: parse, dispatch, and turn errors into one line and an exit code."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from importlib import import_module

from runner import __version__
from runner.cli.context import Ctx
from runner.errors import DflabError, ExitCode

# Each module owns one command family and exposes ``register(subparsers)``;
# the parser it adds sets ``func(args, ctx) -> int``.
COMMAND_MODULES: tuple[str, ...] = (
    "catalogue", "author", "sessions", "facts", "images", "classroom", "grants", "courses",
    "translate", "handbook", "variants",
)
# Which module owns each command, so one command imports only its own module:
# a trainee's 'dflab start' should not wait for the SSH gateway's imports.
COMMANDS: dict[str, str] = {
    "list": "catalogue", "checkers": "catalogue", "schema": "catalogue",
    "validate": "author", "verify": "author", "grade": "author", "seal": "author",
    "start": "sessions", "resume": "sessions", "status": "sessions", "stop": "sessions",
    "gc": "sessions", "report": "sessions", "facts": "facts", "images": "images",
    "class": "classroom", "grant": "grants", "course": "courses",
    "translate": "translate", "handbook": "handbook", "variant": "variants",
}


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so errors print our one-line way."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _ArgError(f"{self.prog}: {message}")


class _ArgError(Exception):
    pass


def _command_of(argv: Sequence[str]) -> str | None:
    """The command word of ``argv`` (skipping global options), if there is one."""
    args = list(argv)
    while args:
        word = args.pop(0)
        if word == "--home" and args:
            args.pop(0)
        elif not word.startswith("-"):
            return word
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dflab",
        description="Hands-on digital forensics labs: start, solve, author and grade scenarios.",
    )
    parser.add_argument("--version", action="version", version=f"dflab {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--home", help="folder for everything dflab writes (default: DFLAB_HOME)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    if command in COMMANDS:
        modules: Sequence[str] = [COMMANDS[command]]
    elif command == "":  # --version: nothing to register
        modules = ()
    else:
        modules = COMMAND_MODULES
    for name in modules:
        import_module(f"runner.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None, ctx: Ctx | None = None) -> int:
    """Run one dflab command; return its exit code (never raises for user errors)."""
    ctx = ctx or Ctx()
    argv = list(sys.argv[1:] if argv is None else argv)
    command = _command_of(argv)
    if command is None and "--version" in argv and not {"-h", "--help"} & set(argv):
        command = ""
    parser = build_parser(command)
    try:
        args = parser.parse_args(argv)
    except _ArgError as exc:
        ctx.stderr.write(f"error: {exc} (fix: see 'dflab --help')\n")
        return ExitCode.USAGE
    except SystemExit as exc:  # --help and --version exit through argparse
        return int(exc.code or 0)
    ctx.debug = bool(args.debug)
    ctx.home_override = args.home
    if not getattr(args, "func", None):
        build_parser().print_help(ctx.stdout)
        return ExitCode.USAGE
    try:
        return int(args.func(args, ctx))
    except DflabError as exc:
        if ctx.debug:
            traceback.print_exc(file=ctx.stderr)
        ctx.stderr.write(f"error: {exc.one_line()}\n")
        return int(exc.code)
    except KeyboardInterrupt:
        ctx.stderr.write("interrupted\n")
        return ExitCode.INTERRUPTED
    except Exception as exc:  # a bug: say so plainly, traceback only on request
        if ctx.debug:
            traceback.print_exc(file=ctx.stderr)
        ctx.stderr.write(
            f"error: internal error: {type(exc).__name__}: {exc} "
            "(fix: re-run with --debug and report it)\n"
        )
        return ExitCode.INTERNAL


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
